import { Body1, Spinner, Subtitle2, makeStyles, tokens } from "@fluentui/react-components";
import type { ApiClient } from "../api/client";
import type { ConnectionController } from "../hooks/useConnection";
import { useOpenMessage } from "../hooks/useOpenMessage";
import { usePreview } from "../hooks/usePreview";
import type { SettingsController } from "../hooks/useSettings";
import { dataVersion } from "../logic/connection";
import type { PaneServices } from "../services";
import { CustomerCard } from "./CustomerCard";
import { ProblemNotice } from "./ProblemNotice";
import { WhyPanel } from "./WhyPanel";

const useStyles = makeStyles({
  // Visible to screen readers only: the tab already names the section on screen.
  srOnly: {
    position: "absolute",
    width: "1px",
    height: "1px",
    margin: "-1px",
    padding: 0,
    overflow: "hidden",
    clip: "rect(0 0 0 0)",
    whiteSpace: "nowrap",
    border: 0,
  },
  root: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalM },
  subject: { color: tokens.colorNeutralForeground3, wordBreak: "break-word" },
  customers: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalS },
});

export const NO_SELECTION_TEXT = "Select an email to see its customer";
export const NO_CUSTOMER_TEXT = "No customer contact in this email";

export interface ThisEmailProps {
  api: ApiClient;
  mailbox: PaneServices["mailbox"];
  connection: ConnectionController;
  settings: SettingsController;
  onOpenUrl: (url: string) => void;
  onSignIn: () => void;
}

export function ThisEmail({ api, mailbox, connection, settings, onOpenUrl, onSignIn }: ThisEmailProps) {
  const styles = useStyles();
  const message = useOpenMessage(mailbox);
  // Connecting, the end of the initial sync and every newer sync can change both answers: ask again then.
  const version = dataVersion(connection.status);
  const { preview, loading, problem, retry } = usePreview(api, message, version);

  return (
    <section className={styles.root} aria-labelledby="email-heading" aria-busy={loading}>
      <Subtitle2 as="h2" id="email-heading" className={styles.srOnly}>
        This email
      </Subtitle2>
      {!message ? (
        <Body1>{NO_SELECTION_TEXT}</Body1>
      ) : (
        <>
          {message.subject && <Body1 className={styles.subject}>{message.subject}</Body1>}
          <div role="status" aria-live="polite">
            {loading && <Spinner size="small" label="Looking up the customer…" />}
            {preview && preview.customers.length === 0 && <Body1>{preview.summary || `${NO_CUSTOMER_TEXT}.`}</Body1>}
          </div>
          {problem !== null && <ProblemNotice error={problem} onRetry={retry} onSignIn={onSignIn} />}
          {preview && preview.customers.length > 0 && (
            <div className={styles.customers}>
              {preview.customers.map((customer) => (
                <CustomerCard key={customer.customerId} customer={customer} onOpenUrl={onOpenUrl} />
              ))}
            </div>
          )}
          <WhyPanel api={api} message={message} version={version} connection={connection} settings={settings} onOpenUrl={onOpenUrl} onSignIn={onSignIn} />
        </>
      )}
    </section>
  );
}
