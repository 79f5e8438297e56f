/**
 * Behaviour switches for the data side, settable through the control API. Defaults are Graph's
 * documented behaviour; the quirks Graph is known to show (replayed pages, empty pages with a
 * nextLink, token eviction) are off by default so tests stay deterministic, and e2e turns them on.
 */
export interface GraphKnobs {
  /** Page size when no Prefer: odata.maxpagesize is sent (Graph: 10). */
  defaultPageSize: number;
  /** Largest odata.maxpagesize honoured; bigger requests are clamped. */
  maxPageSize: number;
  /** Messages a delta round with $filter returns at most (Graph: 5,000; the rest are silently missing). */
  filteredDeltaCap: number;
  /** Probability (0..1) that a nextLink page first replays the previous page's items. */
  replayProbability: number;
  /** Probability (0..1) that a nextLink page is empty but still carries a nextLink. */
  emptyPageProbability: number;
  /** The first page of a first round also lists up to this many recently removed messages as @removed (Graph does). */
  firstRoundRemovals: number;
  /** Delta/skip tokens older than this answer 410 (0 = never). */
  deltaTokenLifetimeSeconds: number;
  /** Error codes for an evicted sync state; Graph spells them differently per workload. */
  mailSyncStateCode: string;
  calendarSyncStateCode: string;
}

export function defaultKnobs(): GraphKnobs {
  return {
    defaultPageSize: 10,
    maxPageSize: 1000,
    filteredDeltaCap: 5000,
    replayProbability: 0,
    emptyPageProbability: 0,
    firstRoundRemovals: 0,
    deltaTokenLifetimeSeconds: 0,
    mailSyncStateCode: "SyncStateNotFound",
    calendarSyncStateCode: "syncStateNotFound",
  };
}
