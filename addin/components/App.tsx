import { Spinner, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useRef, useState } from "react";
import type { MeResponse } from "../../shared/api/contract";
import { useConnection } from "../hooks/useConnection";
import { useSignedIn } from "../hooks/useSignedIn";
import { useSettings } from "../hooks/useSettings";
import { isAuthenticated } from "../logic/connection";
import type { PaneServices } from "../services";
import { ConnectionCard } from "./ConnectionCard";
import { Header } from "./Header";
import { ProblemNotice } from "./ProblemNotice";
import { SectionTabs } from "./SectionTabs";
import { SettingsPanel } from "./SettingsPanel";
import { SignInPanel } from "./SignInPanel";
import { ThisEmail } from "./ThisEmail";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalL,
    padding: tokens.spacingHorizontalM,
    minWidth: 0,
    maxWidth: "640px",
  },
  panel: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM },
  // The class would otherwise override the hidden attribute's display: none.
  hidden: { display: "none" },
});

export function App({ services }: { services: PaneServices }) {
  const styles = useStyles();
  const me = useCallback(() => services.api.me(), [services.api]);
  const interactiveSignIn = useCallback(() => services.signIn(), [services]);
  const { phase, signingIn, start, signIn } = useSignedIn(me, interactiveSignIn);

  return (
    <main className={styles.root}>
      <Header memberName={phase.kind === "ready" ? phase.me.member.name : undefined} organisation={phase.kind === "ready" ? phase.me.organisation.name : undefined} />
      {phase.kind === "loading" && <Spinner size="small" label="Loading Startdeliver…" />}
      {phase.kind === "sign_in" && <SignInPanel busy={signingIn} problem={phase.problem} onSignIn={() => void signIn()} />}
      {phase.kind === "problem" && <ProblemNotice error={phase.problem} onRetry={() => void start()} onSignIn={() => void signIn()} />}
      {phase.kind === "ready" && <Ready services={services} me={phase.me} onSignIn={() => void signIn()} />}
    </main>
  );
}

type TabValue = "email" | "settings";

function Ready({ services, me, onSignIn }: { services: PaneServices; me: MeResponse; onSignIn: () => void }) {
  const styles = useStyles();
  const connection = useConnection(services);
  const settings = useSettings(services.api);
  const [tab, setTab] = useState<TabValue>("email");

  // Connecting reads the mailbox's own addresses (discovered aliases): show them without reopening the pane.
  const { reload: reloadSettings } = settings;
  const connectedAccount = connection.status ? (isAuthenticated(connection.status.state) ? (connection.status.accountAddress ?? "") : null) : undefined;
  const previousAccount = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (connectedAccount === undefined) return;
    const before = previousAccount.current;
    previousAccount.current = connectedAccount;
    if (before !== undefined && connectedAccount !== null && connectedAccount !== before) void reloadSettings();
  }, [connectedAccount, reloadSettings]);

  return (
    <>
      {connection.status ? (
        <ConnectionCard
          status={connection.status}
          busy={connection.busy}
          notice={connection.notice}
          onAuthenticate={() => void connection.authenticate()}
          onRevoke={() => void connection.revoke()}
          onSyncNow={() => void connection.syncNow()}
          onOpenUrl={services.openUrl}
        />
      ) : (
        !connection.problem && <Spinner size="small" label="Loading your connection…" />
      )}
      {connection.problem !== null && <ProblemNotice error={connection.problem} onRetry={() => void connection.refresh()} onSignIn={onSignIn} />}

      <SectionTabs
        tabs={[
          { value: "email", label: "This email" },
          { value: "settings", label: "Settings" },
        ]}
        selected={tab}
        onSelect={setTab}
        label="Startdeliver sections"
        idPrefix="pane"
      />
      <div role="tabpanel" id="pane-panel-email" aria-labelledby="pane-tab-email" tabIndex={0} hidden={tab !== "email"} className={mergeClasses(styles.panel, tab !== "email" && styles.hidden)}>
        <ThisEmail
          api={services.api}
          mailbox={services.mailbox}
          connection={connection}
          settings={settings}
          onOpenUrl={services.openUrl}
          onSignIn={onSignIn}
        />
      </div>
      <div role="tabpanel" id="pane-panel-settings" aria-labelledby="pane-tab-settings" tabIndex={0} hidden={tab !== "settings"} className={mergeClasses(styles.panel, tab !== "settings" && styles.hidden)}>
        <SettingsPanel
          settings={settings.settings}
          problem={settings.problem}
          saving={settings.saving}
          savedNotice={settings.savedNotice}
          primaryAddress={me.member.primaryAddress}
          onToggle={(key, value) => void settings.setToggle(key, value)}
          onAddAlias={settings.addAlias}
          onRemoveAlias={(address) => void settings.removeAlias(address)}
          onRetry={() => void settings.reload()}
          onSignIn={onSignIn}
        />
      </div>
    </>
  );
}
