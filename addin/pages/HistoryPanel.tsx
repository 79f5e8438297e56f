import { Button, Spinner, makeStyles, tokens } from "@fluentui/react-components";
import { useCallback, useEffect, useState } from "react";
import type { HistoryItem, HistoryTab } from "../../shared/api/reports";
import { ProblemNotice } from "../components/ProblemNotice";
import { EmptyState } from "./EmptyState";
import { HistoryEntry } from "./HistoryEntry";
import type { ReportsApi } from "./reportsClient";

const useStyles = makeStyles({
  list: { listStyleType: "none", margin: 0, padding: 0 },
  more: { marginTop: tokens.spacingVerticalM, alignSelf: "flex-start" },
  root: { display: "flex", flexDirection: "column" },
});

export interface HistoryPanelProps {
  api: ReportsApi;
  customerId: string;
  tab: HistoryTab;
  onSignIn: () => void;
}

/** Newest first; "Show older" follows the API's keyset cursor. */
export function HistoryPanel({ api, customerId, tab, onSignIn }: HistoryPanelProps) {
  const styles = useStyles();
  const [items, setItems] = useState<HistoryItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [problem, setProblem] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const load = useCallback(
    async (after: string | null, signal?: AbortSignal) => {
      setLoading(true);
      setProblem(null);
      try {
        const page = await api.history(customerId, tab, after, signal);
        if (signal?.aborted) return;
        setItems((prev) => (after ? [...prev, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setDone(page.nextCursor === null);
      } catch (error) {
        if (signal?.aborted || (error as Error)?.name === "AbortError") return;
        setProblem(error);
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [api, customerId, tab],
  );

  useEffect(() => {
    const controller = new AbortController();
    setItems([]);
    setCursor(null);
    setDone(false);
    void load(null, controller.signal);
    return () => controller.abort();
  }, [load]);

  const label = tab === "history" ? "History" : "Interactions";
  return (
    <div className={styles.root} aria-busy={loading}>
      {problem !== null && <ProblemNotice error={problem} onRetry={() => void load(cursor)} onSignIn={onSignIn} />}
      {items.length === 0 && loading && <Spinner size="small" label={`Loading ${label.toLowerCase()}…`} />}
      {items.length === 0 && !loading && problem === null && (
        <EmptyState title="No emails or meetings yet">
          Emails and meetings with this customer's contacts appear here once a team member who exchanged them has connected Microsoft 365.
        </EmptyState>
      )}
      {items.length > 0 && (
        <ul className={styles.list} aria-label={label}>
          {items.map((item) => (
            <HistoryEntry key={item.id} item={item} />
          ))}
        </ul>
      )}
      {!done && items.length > 0 && (
        <Button className={styles.more} disabled={loading} onClick={() => void load(cursor)}>
          {loading ? "Loading…" : "Show older"}
        </Button>
      )}
    </div>
  );
}
