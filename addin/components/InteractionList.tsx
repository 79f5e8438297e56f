import { Caption1, Link, makeStyles, tokens } from "@fluentui/react-components";
import type { InteractionSummary } from "../../shared/api/contract";
import { formatDate, type FormatOptions } from "../logic/format";

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  item: { display: "flex", flexDirection: "column" },
  subject: { wordBreak: "break-word" },
  meta: { color: tokens.colorNeutralForeground3 },
});

export function describeInteraction(i: InteractionSummary, format: FormatOptions = {}): string {
  const parts = [i.kind === "email" ? "Email" : "Meeting"];
  if (i.direction === "sent") parts.push("sent");
  if (i.direction === "received") parts.push("received");
  const date = formatDate(i.occurredAt, format);
  if (date) parts.push(date);
  if (i.kind === "email" && i.messageCount > 1) parts.push(`${i.messageCount} messages`);
  if (i.cancelled) parts.push("cancelled");
  return parts.join(" · ");
}

export interface InteractionListProps {
  interactions: InteractionSummary[];
  label: string;
  onOpenUrl: (url: string) => void;
  format?: FormatOptions;
}

export function InteractionList({ interactions, label, onOpenUrl, format }: InteractionListProps) {
  const styles = useStyles();
  return (
    <ul className={styles.list} aria-label={label}>
      {interactions.map((i) => (
        <li key={i.id} className={styles.item}>
          {i.webLink ? (
            <Link
              className={styles.subject}
              href={i.webLink}
              onClick={(event) => {
                event.preventDefault();
                onOpenUrl(i.webLink!);
              }}
            >
              {i.subject || "(no subject)"}
            </Link>
          ) : (
            <span className={styles.subject}>{i.subject || "(no subject)"}</span>
          )}
          <Caption1 className={styles.meta}>{describeInteraction(i, format)}</Caption1>
        </li>
      ))}
    </ul>
  );
}
