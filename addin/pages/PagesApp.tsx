import { Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useState } from "react";
import type { TeamMembersResponse } from "../../shared/api/reports";
import { ProblemNotice } from "../components/ProblemNotice";
import { SignInPanel } from "../components/SignInPanel";
import { CustomerProfilePage } from "./CustomerProfilePage";
import { CustomersPage } from "./CustomersPage";
import { ImpactPage } from "./ImpactPage";
import { NavBar } from "./NavBar";
import type { CsvFile, ReportsApi } from "./reportsClient";
import { useHashRoute } from "./useHashRoute";
import { useSignedIn } from "../hooks/useSignedIn";

const useStyles = makeStyles({
  main: { padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalXL}`, maxWidth: "1400px" },
  narrow: { maxWidth: "480px" },
});

export interface PagesServices {
  api: ReportsApi;
  /** Interactive sign-in (popup, or Outlook's prompt with NAA). */
  signIn(): Promise<void>;
  /** Tests: receive CSV files instead of downloading them. */
  onFile?: (file: CsvFile) => void;
}

/** The report pages: sign in like the pane, then the page the URL's hash names. */
export function PagesApp({ services }: { services: PagesServices }) {
  const styles = useStyles();
  const [route, navigate] = useHashRoute();
  const [team, setTeam] = useState<TeamMembersResponse | null>(null);
  const me = useCallback(() => services.api.me(), [services.api]);
  const interactiveSignIn = useCallback(() => services.signIn(), [services]);
  const loadTeam = useCallback(() => void services.api.team().then(setTeam, () => setTeam(null)), [services.api]);
  const { phase, signingIn, start, signIn } = useSignedIn(me, interactiveSignIn, loadTeam);

  useEffect(() => {
    const names = { customers: "Customers", customer: "Customer", impact: "Impact" } as const;
    document.title = `${names[route.page]} · Startdeliver`;
  }, [route.page]);

  const onSignIn = () => void signIn();
  return (
    <>
      <NavBar route={route} memberName={phase.kind === "ready" ? phase.me.member.name : undefined} organisation={phase.kind === "ready" ? phase.me.organisation.name : undefined} />
      <main className={styles.main}>
        {phase.kind === "loading" && <Spinner label="Loading Startdeliver…" />}
        {phase.kind === "sign_in" && (
          <div className={styles.narrow}>
            <SignInPanel busy={signingIn} problem={phase.problem} onSignIn={onSignIn} />
          </div>
        )}
        {phase.kind === "problem" && <ProblemNotice error={phase.problem} onRetry={() => void start()} onSignIn={onSignIn} />}
        {phase.kind === "ready" && route.page === "customers" && (
          <CustomersPage api={services.api} route={route} team={team} onNavigate={navigate} onSignIn={onSignIn} onFile={services.onFile} />
        )}
        {phase.kind === "ready" && route.page === "customer" && (
          <CustomerProfilePage key={route.id} api={services.api} route={route} onNavigate={(r) => navigate(r, { replace: true })} onSignIn={onSignIn} />
        )}
        {phase.kind === "ready" && route.page === "impact" && (
          <ImpactPage api={services.api} route={route} onNavigate={navigate} onSignIn={onSignIn} onFile={services.onFile} />
        )}
      </main>
    </>
  );
}
