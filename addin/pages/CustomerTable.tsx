import {
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CustomerListItem, CustomerSort, SortOrder } from "../../shared/api/reports";
import { daysAgo, formatDate } from "./pageFormat";
import { formatRoute } from "./routes";

const useStyles = makeStyles({
  table: { minWidth: "720px" },
  number: { textAlign: "end", fontVariantNumeric: "tabular-nums" },
  muted: { color: tokens.colorNeutralForeground3 },
  when: { display: "flex", flexDirection: "column" },
});

export interface CustomerTableProps {
  items: CustomerListItem[];
  sort: CustomerSort;
  order: SortOrder;
  onSort: (sort: CustomerSort) => void;
}

function When({ at, days }: { at: string | null; days: number | null }) {
  const styles = useStyles();
  if (!at) return <span className={styles.muted}>Never</span>;
  return (
    <span className={styles.when}>
      <span>{formatDate(at)}</span>
      <span className={styles.muted}>{daysAgo(days)}</span>
    </span>
  );
}

export function CustomerTable({ items, sort, order, onSort }: CustomerTableProps) {
  const styles = useStyles();
  const dir = (s: CustomerSort) => (sort === s ? (order === "asc" ? "ascending" : "descending") : undefined);
  const header = (s: CustomerSort, label: string) => (
    <TableHeaderCell sortable sortDirection={dir(s)} onClick={() => onSort(s)}>
      {label}
    </TableHeaderCell>
  );
  return (
    <Table sortable aria-label="Customers" className={styles.table}>
      <TableHeader>
        <TableRow>
          {header("name", "Customer")}
          <TableHeaderCell>Owner</TableHeaderCell>
          {header("last_interaction", "Last interaction")}
          {header("last_email_reply", "Last email reply")}
          <TableHeaderCell className={styles.number}>Emails (30 days)</TableHeaderCell>
          <TableHeaderCell className={styles.number}>Meetings (30 days)</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((c) => (
          <TableRow key={c.id}>
            <TableCell>
              <Link href={formatRoute({ page: "customer", id: c.id, tab: "history" })}>{c.name}</Link>
            </TableCell>
            <TableCell>{c.owner?.name ?? <span className={styles.muted}>No owner</span>}</TableCell>
            <TableCell>
              <When at={c.lastInteractionAt} days={c.daysSinceLastInteraction} />
            </TableCell>
            <TableCell>
              <When at={c.lastEmailReplyAt} days={c.daysSinceLastEmailReply} />
            </TableCell>
            <TableCell className={styles.number}>{c.emailsLast30Days.toLocaleString()}</TableCell>
            <TableCell className={styles.number}>{c.meetingsLast30Days.toLocaleString()}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
