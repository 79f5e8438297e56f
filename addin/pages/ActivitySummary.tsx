import { Caption1, makeStyles, tokens } from "@fluentui/react-components";
import type { CustomerProfile, RelationshipActivity, Trend } from "../../shared/api/reports";
import { daysAgo, duration, formatDate, percent } from "./pageFormat";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))",
    gap: tokens.spacingHorizontalM,
    margin: 0,
  },
  tile: {
    display: "flex",
    flexDirection: "column",
    padding: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  term: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  value: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  note: { color: tokens.colorNeutralForeground3 },
  noteRow: { margin: 0 },
});

function trendText(t: Trend, days: number): string {
  if (t.current === 0 && t.previous === 0) return `nothing in the last ${days * 2} days`;
  const sign = t.change > 0 ? "+" : "";
  const ratio = t.changeRatio === null ? "" : ` (${sign}${Math.round(t.changeRatio * 100)}%)`;
  return `${t.direction === "up" ? "Up" : t.direction === "down" ? "Down" : "Level"} ${sign}${t.change}${ratio} on the previous ${days} days`;
}

/** The relationship-activity signal in plain words (the same numbers the health assessment reads). */
export function ActivitySummary({ profile, activity }: { profile: CustomerProfile; activity: RelationshipActivity | null }) {
  const styles = useStyles();
  const tile = (term: string, value: string, note?: string) => (
    <div className={styles.tile}>
      <dt className={styles.term}>{term}</dt>
      <dd className={styles.value}>{value}</dd>
      {note && (
        <dd className={styles.noteRow}>
          <Caption1 className={styles.note}>{note}</Caption1>
        </dd>
      )}
    </div>
  );
  return (
    <dl className={styles.grid} aria-label="Relationship activity">
      {tile("Last interaction", daysAgo(profile.daysSinceLastInteraction), formatDate(profile.lastInteractionAt) ?? "No emails or meetings yet")}
      {tile("Last email reply", daysAgo(profile.daysSinceLastEmailReply), formatDate(profile.lastEmailReplyAt) ?? "The customer hasn't written yet")}
      {tile("Emails, last 30 days", profile.emailsLast30Days.toLocaleString(), activity ? trendText(activity.trend30Days, 30) : undefined)}
      {tile("Meetings, last 30 days", profile.meetingsLast30Days.toLocaleString(), activity ? `${activity.last90Days.meetings} in the last 90 days` : undefined)}
      {activity &&
        tile(
          "Customer replied",
          percent(activity.replies.share),
          activity.replies.conversations
            ? `in ${activity.replies.replied} of ${activity.replies.conversations} conversations the team started (90 days)`
            : "no conversations from the team in 90 days",
        )}
      {activity && tile("Typical time to reply", duration(activity.replies.medianTimeToReplySeconds), "median, last 90 days")}
    </dl>
  );
}
