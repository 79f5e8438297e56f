import { Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useState } from "react";
import type { MeResponse } from "../../shared/api/contract";
import type { TeamMembersResponse } from "../../shared/api/reports";
import { ApiProblem } from "../api/client";
import { ProblemNotice } from "../components/ProblemNotice";
import { SignInPanel } from "../components/SignInPanel";
import { CustomerProfilePage } from "./CustomerProfilePage";
import { CustomersPage } from "./CustomersPage";
import { ImpactPage } from "./ImpactPage";
import { NavBar } from "./NavBar";
import type { CsvFile, ReportsApi } from "./reportsClient";
import { useHashRoute } from "./useHashRoute";

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

type Phase = { kind: "loading" } | { kind: "sign_in"; problem: unknown } | { kind: "problem"; problem: unknown } | { kind: "ready"; me: MeResponse };

/** The report pages: sign in like the pane, then the page the URL's hash names. */
export function PagesApp({ services }: { services: PagesServices }) {
  const styles = useStyles();
  const [route, navigate] = useHashRoute();
  const [phase, setPhase] = useState<Phase>({ kind: "loading" });
  const [signingIn, setSigningIn] = useState(false);
  const [team, setTeam] = useState<TeamMembersResponse | null>(null);

  const start = useCallback(async () => {
    setPhase({ kind: "loading" });
    try {
      const me = await services.api.me();
      setPhase({ kind: "ready", me });
      services.api.team().then(setTeam, () => setTeam(null));
    } catch (error) {
      const signIn = error instanceof ApiProblem && error.kind === "sign_in";
      setPhase(signIn ? { kind: "sign_in", problem: error.status === 401 ? error : null } : { kind: "problem", problem: error });
    }
  }, [services.api]);

  useEffect(() => {
    void start();
  }, [start]);

  const signIn = useCallback(async () => {
    setSigningIn(true);
    try {
      await services.signIn();
      await start();
    } catch (error) {
      setPhase({ kind: "sign_in", problem: error });
    } finally {
      setSigningIn(false);
    }
  }, [services, start]);

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
