import { Badge, Body1Strong, Caption1, Link, makeStyles, tokens } from "@fluentui/react-components";
import type { HistoryItem } from "../../shared/api/reports";
import { PeopleLine } from "./PeopleLine";
import { formatDateTime, meetingTime, plural } from "./pageFormat";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  line: { display: "flex", flexWrap: "wrap", alignItems: "center", columnGap: tokens.spacingHorizontalS },
  meta: { color: tokens.colorNeutralForeground3 },
  subject: { wordBreak: "break-word" },
  cancelled: { textDecorationLine: "line-through" },
});

/** One email conversation or meeting in a customer's history. */
export function HistoryEntry({ item }: { item: HistoryItem }) {
  const styles = useStyles();
  const subject = item.webLink ? (
    <Link href={item.webLink} target="_blank" rel="noopener noreferrer" className={styles.subject} aria-label={`${item.subject} (opens in Outlook on the web)`}>
      {item.subject}
    </Link>
  ) : (
    <Body1Strong className={styles.subject}>{item.subject}</Body1Strong>
  );
  if (item.kind === "email") {
    const direction = item.lastDirection === "sent" ? "last sent by the team" : item.lastDirection === "received" ? "last received" : "";
    return (
      <li className={styles.root}>
        <div className={styles.line}>
          <Badge appearance="tint" color="brand">
            Email
          </Badge>
          {subject}
        </div>
        <Caption1 className={styles.meta}>
          {plural(item.messageCount, "message")} · {direction} {formatDateTime(item.lastMessageAt)}
        </Caption1>
        <PeopleLine contacts={item.contacts} teamMembers={item.teamMembers} />
      </li>
    );
  }
  return (
    <li className={styles.root}>
      <div className={styles.line}>
        <Badge appearance="tint" color="informative">
          Meeting
        </Badge>
        <span className={item.cancelled ? styles.cancelled : undefined}>{subject}</span>
        {item.cancelled && (
          <Badge appearance="outline" color="danger">
            Cancelled
          </Badge>
        )}
      </div>
      <Caption1 className={styles.meta}>{meetingTime(item.start, item.end)}</Caption1>
      <PeopleLine contacts={item.contacts} teamMembers={item.teamMembers} contactsLabel="Attendees" />
    </li>
  );
}
