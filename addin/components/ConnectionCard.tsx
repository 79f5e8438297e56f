import {
  Body1,
  Button,
  Caption1,
  Field,
  Link,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Spinner,
  Subtitle2,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";
import type { ConnectionStatus } from "../../shared/api/contract";
import type { ConnectionBusy, Notice } from "../hooks/useConnection";
import { connectionView } from "../logic/connection";
import type { FormatOptions } from "../logic/format";
import { CopyButton } from "./CopyButton";
import { NoticeBar } from "./NoticeBar";
import { RevokeConfirmation } from "./RevokeConfirmation";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS },
  headline: { fontWeight: tokens.fontWeightSemibold },
  account: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
  actions: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  consent: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  consentUrl: { wordBreak: "break-all" },
  lastSync: { color: tokens.colorNeutralForeground3 },
  lastError: { color: tokens.colorNeutralForeground3, wordBreak: "break-word" },
});

export interface ConnectionCardProps {
  status: ConnectionStatus;
  busy?: ConnectionBusy;
  notice?: Notice | null;
  onAuthenticate: () => void;
  onRevoke: () => void;
  onSyncNow: () => void;
  onOpenUrl: (url: string) => void;
  /** For tests: what "Copy approval link" does (default: the clipboard). */
  onCopy?: (text: string) => Promise<boolean>;
  /** For tests: a fixed clock and locale. */
  now?: Date;
  format?: FormatOptions;
}

export function ConnectionCard(props: ConnectionCardProps) {
  const { status, busy = null, notice = null, onAuthenticate, onRevoke, onSyncNow, onOpenUrl } = props;
  const styles = useStyles();
  const view = connectionView(status, props.now, props.format);
  const working = busy !== null;
  const [confirmingRevoke, setConfirmingRevoke] = useState(false);
  const revokeRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  // Back to the "revoke" link when the question is dismissed (keyboard users keep their place).
  useEffect(() => {
    if (!confirmingRevoke && wasConfirming.current) revokeRef.current?.focus();
    wasConfirming.current = confirmingRevoke;
  }, [confirmingRevoke]);

  return (
    <section className={styles.root} aria-labelledby="connection-heading">
      <Subtitle2 as="h2" id="connection-heading">
        Microsoft 365 connection
      </Subtitle2>

      {view.authenticated ? (
        <Body1 className={styles.headline}>
          Authenticated (
          <Link
            as="button"
            ref={revokeRef}
            disabled={working}
            aria-expanded={confirmingRevoke}
            aria-controls={confirmingRevoke ? "revoke-confirmation" : undefined}
            onClick={() => setConfirmingRevoke(true)}
          >
            revoke
          </Link>
          )
        </Body1>
      ) : (
        <div>
          <Button appearance="primary" onClick={onAuthenticate} disabled={working} icon={busy === "authenticate" ? <Spinner size="tiny" /> : undefined}>
            {view.startLabel}
          </Button>
        </div>
      )}
      {view.authenticated && confirmingRevoke && (
        <RevokeConfirmation
          onCancel={() => setConfirmingRevoke(false)}
          onConfirm={() => {
            setConfirmingRevoke(false);
            onRevoke();
          }}
        />
      )}
      {status.accountAddress && <Caption1 className={styles.account}>Mailbox: {status.accountAddress}</Caption1>}

      {/* Keyed by state: a new state is a new bar, which Fluent announces (a pinned pane changes state by itself). */}
      <MessageBar key={status.state} intent={view.tone} layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{view.title}</MessageBarTitle> {view.text}
        </MessageBarBody>
      </MessageBar>

      {view.progress && (
        <Field label="Initial sync" hint={view.progress.label}>
          <ProgressBar value={view.progress.value} thickness="large" aria-valuetext={view.progress.label} />
        </Field>
      )}

      {view.adminConsentUrl && (
        <div className={styles.consent}>
          <Text as="p" block>
            Approval link for your admin:
          </Text>
          <Link
            className={styles.consentUrl}
            href={view.adminConsentUrl}
            onClick={(event) => {
              event.preventDefault();
              onOpenUrl(view.adminConsentUrl!);
            }}
          >
            {view.adminConsentUrl}
          </Link>
          <CopyButton text={view.adminConsentUrl} label="Copy approval link" copy={props.onCopy} />
        </div>
      )}

      {view.syncNow && (
        <div className={styles.actions}>
          <Button onClick={onSyncNow} disabled={working} icon={busy === "sync" ? <Spinner size="tiny" /> : undefined}>
            Sync now
          </Button>
        </div>
      )}

      {status.state === "temporarily_failing" && status.lastError && (
        <Caption1 className={styles.lastError}>Last error: {status.lastError}</Caption1>
      )}

      <NoticeBar notice={notice} />
      <Caption1 className={styles.lastSync}>{view.lastSync}</Caption1>
    </section>
  );
}
