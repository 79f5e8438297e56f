import { Badge, Link, TableCell, TableRow, makeStyles, tokens } from "@fluentui/react-components";
import type { DrilldownItem } from "../../shared/api/reports";
import { peopleText } from "./PeopleLine";
import { formatDateTime } from "./pageFormat";
import { formatRoute } from "./routes";

const useStyles = makeStyles({
  number: { textAlign: "end", fontVariantNumeric: "tabular-nums" },
  subject: { wordBreak: "break-word" },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** One interaction behind a bar: when, customer (its profile), subject (Outlook), its count in the bar. */
export function DrilldownRow({ item }: { item: DrilldownItem }) {
  const styles = useStyles();
  return (
    <TableRow>
      <TableCell>{formatDateTime(item.lastUnitAt)}</TableCell>
      <TableCell>
        <Link href={formatRoute({ page: "customer", id: item.customer.id, tab: "interactions" })}>{item.customer.name}</Link>
      </TableCell>
      <TableCell className={styles.subject}>
        {item.webLink ? (
          <Link href={item.webLink} target="_blank" rel="noopener noreferrer" aria-label={`${item.subject} (opens in Outlook on the web)`}>
            {item.subject}
          </Link>
        ) : (
          item.subject
        )}{" "}
        {item.cancelled && (
          <Badge appearance="outline" color="danger">
            Cancelled
          </Badge>
        )}
      </TableCell>
      <TableCell className={styles.number}>{item.units}</TableCell>
      <TableCell>{peopleText(item.teamMembers) || <span className={styles.muted}>none</span>}</TableCell>
      <TableCell>{peopleText(item.contacts) || <span className={styles.muted}>none</span>}</TableCell>
    </TableRow>
  );
}

