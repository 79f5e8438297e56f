import {
  Button,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
  typographyStyles,
} from "@fluentui/react-components";
import { useCallback, useEffect, useRef, useState } from "react";
import type { DrilldownItem, DrilldownResponse } from "../../shared/api/reports";
import { ProblemNotice } from "../components/ProblemNotice";
import { EmptyState } from "./EmptyState";
import { ExportButton } from "./ExportButton";
import { DrilldownRow } from "./DrilldownRow";
import { plural } from "./pageFormat";
import type { CsvFile, DrilldownParams, ReportsApi } from "./reportsClient";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  head: { display: "flex", flexWrap: "wrap", alignItems: "center", columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalS },
  // Subtitle2's look on a plain <h2>, which can take focus when the list opens.
  title: { flexGrow: 1, margin: 0, ...typographyStyles.subtitle2 },
  scroll: { overflowX: "auto" },
  number: { textAlign: "end", fontVariantNumeric: "tabular-nums" },
});

export interface DrilldownPanelProps {
  api: ReportsApi;
  params: DrilldownParams;
  title: string;
  onClose: () => void;
  onSignIn: () => void;
  onFile?: (file: CsvFile) => void;
}

/** The interactions behind one bar: the total equals the bar, the list pages with a cursor. */
export function DrilldownPanel({ api, params, title, onClose, onSignIn, onFile }: DrilldownPanelProps) {
  const styles = useStyles();
  const [first, setFirst] = useState<DrilldownResponse | null>(null);
  const [items, setItems] = useState<DrilldownItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const key = JSON.stringify(params);

  const load = useCallback(
    async (after: string | null, signal?: AbortSignal) => {
      setLoading(true);
      setProblem(null);
      try {
        const page = await api.drilldown(params, after, signal);
        if (signal?.aborted) return;
        if (!after) setFirst(page);
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (error) {
        if (signal?.aborted || (error as Error)?.name === "AbortError") return;
        setProblem(error);
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [api, key], // eslint-disable-line react-hooks/exhaustive-deps
  );

  useEffect(() => {
    const controller = new AbortController();
    setFirst(null);
    setItems([]);
    void load(null, controller.signal).then(() => heading.current?.focus());
    return () => controller.abort();
  }, [load]);

  const total = first?.total;
  const summary = total
    ? `Total: ${params.kind === "email" ? plural(total.emails, "email") : params.kind === "meeting" ? plural(total.meetings, "meeting") : `${plural(total.emails, "email")} and ${plural(total.meetings, "meeting")}`}`
    : "";

  return (
    <section className={styles.root} aria-labelledby="drilldown-heading" aria-busy={loading}>
      <div className={styles.head}>
        <h2 id="drilldown-heading" ref={heading} tabIndex={-1} className={styles.title}>
          {title}
        </h2>
        <ExportButton label="Export CSV" fetchFile={() => api.drilldownCsv(params)} onFile={onFile} />
        <Button onClick={onClose}>Close</Button>
      </div>
      {total && (
        <Text role="status" data-testid="drilldown-total">
          {summary}
        </Text>
      )}
      {problem !== null && <ProblemNotice error={problem} onRetry={() => void load(cursor)} onSignIn={onSignIn} />}
      {loading && items.length === 0 && <Spinner size="small" label="Loading the interactions…" />}
      {first && items.length === 0 && !loading && (
        <EmptyState title="Nothing here">No {params.kind === "meeting" ? "meetings" : params.kind === "email" ? "emails" : "emails or meetings"} in this bar.</EmptyState>
      )}
      {items.length > 0 && (
        <div className={styles.scroll}>
          <Table size="small" aria-label={title}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>When</TableHeaderCell>
                <TableHeaderCell>Customer</TableHeaderCell>
                <TableHeaderCell>Subject</TableHeaderCell>
                <TableHeaderCell className={styles.number}>In this bar</TableHeaderCell>
                <TableHeaderCell>Team members</TableHeaderCell>
                <TableHeaderCell>Contacts</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((item) => (
                <DrilldownRow key={`${item.kind}-${item.interactionId}`} item={item} />
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {cursor && (
        <Button disabled={loading} onClick={() => void load(cursor)}>
          {loading ? "Loading…" : "Show more"}
        </Button>
      )}
    </section>
  );
}
