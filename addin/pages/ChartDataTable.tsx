import { Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from "@fluentui/react-components";
import type { ImpactKind } from "../../shared/api/reports";
import { SERIES, type ChartGroup } from "./impactLogic";

const useStyles = makeStyles({
  details: { marginTop: tokens.spacingVerticalS },
  summary: { cursor: "pointer", color: tokens.colorBrandForeground1, padding: `${tokens.spacingVerticalXS} 0` },
  number: { textAlign: "end", fontVariantNumeric: "tabular-nums" },
  scroll: { maxHeight: "360px", overflowY: "auto" },
});

export interface ChartDataTableProps {
  caption: string;
  groupHeading: string;
  groups: ChartGroup[];
  totals?: { emails: number; meetings: number; label: string };
  onSelect: (group: ChartGroup, kind: ImpactKind) => void;
}

/** The chart's numbers as a table (each count opens the same drill-down as its bar). */
export function ChartDataTable({ caption, groupHeading, groups, totals, onSelect }: ChartDataTableProps) {
  const styles = useStyles();
  return (
    <details className={styles.details}>
      <summary className={styles.summary}>Show the numbers as a table</summary>
      <div className={styles.scroll}>
        <Table size="small" aria-label={caption}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{groupHeading}</TableHeaderCell>
              {SERIES.map((s) => (
                <TableHeaderCell key={s.kind} className={styles.number}>
                  {s.label}
                </TableHeaderCell>
              ))}
            </TableRow>
          </TableHeader>
          <TableBody>
            {groups.map((g) => (
              <TableRow key={g.key}>
                <TableCell>{g.fullLabel}</TableCell>
                {SERIES.map((s) => (
                  <TableCell key={s.kind} className={styles.number}>
                    <Button appearance="transparent" size="small" onClick={() => onSelect(g, s.kind)} aria-label={`${g.fullLabel}: ${g[s.field]} ${s.label.toLowerCase()}. Show them.`}>
                      {g[s.field].toLocaleString()}
                    </Button>
                  </TableCell>
                ))}
              </TableRow>
            ))}
            {totals && (
              <TableRow>
                <TableCell>
                  <strong>{totals.label}</strong>
                </TableCell>
                <TableCell className={styles.number}>
                  <strong>{totals.emails.toLocaleString()}</strong>
                </TableCell>
                <TableCell className={styles.number}>
                  <strong>{totals.meetings.toLocaleString()}</strong>
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </div>
    </details>
  );
}
