/**
 * What the pipeline observed per mailbox, so tests and benchmarks can assert that a client behaved:
 * requests, peak accepted concurrency, throttles, and Retry-After violations.
 *
 * A Retry-After violation is a request that arrives before a Retry-After *it* was given has elapsed.
 * "It" is identified by the caller's client-request-id (the Graph SDK keeps it across its retries)
 * or, without one, by method + URL, always within the same app and mailbox. A request that was
 * already on its way when the Retry-After was sent (same $batch, or it arrived before that answer
 * was written) cannot have known and is not counted.
 *
 * Both ends of the comparison lean towards the caller, so a caller that honours Retry-After is never
 * counted, however loaded the machine: the deadline is stamped when the answer is sent (before the caller
 * can have it), and an arrival is stamped when the emulator gets to the request (after it arrived).
 */
export interface MailboxCounters {
  requests: number;
  accepted: number;
  throttled: number;
  throttledConcurrency: number;
  throttledWindow: number;
  peakConcurrency: number;
  retryAfterViolations: number;
  faultsInjected: number;
}

export interface MailboxStats extends MailboxCounters {
  oid: string;
  byApp: Record<string, MailboxCounters>;
  violations: Array<{ at: string; appId: string; method: string; url: string; earlyByMs: number }>;
}

interface Pending {
  until: number;
  /** Request id (or $batch parent request id) whose answer carried the Retry-After. */
  origin: string;
}

/** Slack for timer rounding: Node may fire a 1000 ms timer a millisecond early. */
const TOLERANCE_MS = 10;
const MAX_VIOLATION_RECORDS = 50;

export class PipelineStats {
  private readonly mailboxes = new Map<string, MailboxStats>();
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Called when a request arrives; returns true if it violated an earlier Retry-After. */
  recordArrival(r: { appId: string; oid: string; retryKey: string; origin: string; method: string; url: string; arrivedAt: number }): boolean {
    const m = this.mailbox(r.oid);
    const a = this.app(m, r.appId);
    m.requests++;
    a.requests++;
    const k = pendingKey(r.appId, r.oid, r.retryKey);
    const p = this.pending.get(k);
    if (!p) return false;
    if (r.arrivedAt >= p.until - TOLERANCE_MS) {
      this.pending.delete(k);
      return false;
    }
    if (p.origin === r.origin) return false;
    m.retryAfterViolations++;
    a.retryAfterViolations++;
    if (m.violations.length < MAX_VIOLATION_RECORDS) {
      m.violations.push({
        at: new Date(r.arrivedAt).toISOString(),
        appId: r.appId,
        method: r.method,
        url: r.url,
        earlyByMs: p.until - r.arrivedAt,
      });
    }
    return true;
  }

  recordAccepted(appId: string, oid: string, inFlight: number): void {
    const m = this.mailbox(oid);
    const a = this.app(m, appId);
    m.accepted++;
    a.accepted++;
    m.peakConcurrency = Math.max(m.peakConcurrency, inFlight);
    a.peakConcurrency = Math.max(a.peakConcurrency, inFlight);
  }

  recordThrottled(appId: string, oid: string, reason: "concurrency" | "window"): void {
    const m = this.mailbox(oid);
    const a = this.app(m, appId);
    for (const c of [m, a]) {
      c.throttled++;
      if (reason === "concurrency") c.throttledConcurrency++;
      else c.throttledWindow++;
    }
  }

  recordFault(appId: string, oid: string): void {
    const m = this.mailbox(oid);
    m.faultsInjected++;
    this.app(m, appId).faultsInjected++;
  }

  /** The stats' clock (epoch ms): what arrivals and Retry-After deadlines are measured with. */
  now(): number {
    return this.clock();
  }

  /**
   * Called when an answer carrying Retry-After is sent to the caller. The deadline counts from `sentAt`, the
   * moment the answer was sent (its headers committed): the caller cannot have received it before then, so
   * a caller that waits Retry-After from when it received the answer always arrives at or after the deadline.
   * Without `sentAt`, now.
   */
  recordRetryAfterGiven(r: { appId: string; oid: string; retryKey: string; origin: string; seconds: number; sentAt?: number }): void {
    const until = (r.sentAt ?? this.clock()) + r.seconds * 1000;
    const k = pendingKey(r.appId, r.oid, r.retryKey);
    const existing = this.pending.get(k);
    if (!existing || existing.until < until) this.pending.set(k, { until, origin: r.origin });
    if (this.pending.size > 10_000) this.prune();
  }

  get(oid: string): MailboxStats {
    return structuredClone(this.mailbox(oid));
  }

  all(): MailboxStats[] {
    return [...this.mailboxes.values()].map((m) => structuredClone(m));
  }

  reset(): void {
    this.mailboxes.clear();
    this.pending.clear();
  }

  private prune(): void {
    const now = this.clock();
    for (const [k, p] of this.pending) if (p.until < now) this.pending.delete(k);
  }

  private mailbox(oid: string): MailboxStats {
    let m = this.mailboxes.get(oid);
    if (!m) {
      m = { oid, ...emptyCounters(), byApp: {}, violations: [] };
      this.mailboxes.set(oid, m);
    }
    return m;
  }

  private app(m: MailboxStats, appId: string): MailboxCounters {
    return (m.byApp[appId] ??= emptyCounters());
  }
}

function emptyCounters(): MailboxCounters {
  return {
    requests: 0,
    accepted: 0,
    throttled: 0,
    throttledConcurrency: 0,
    throttledWindow: 0,
    peakConcurrency: 0,
    retryAfterViolations: 0,
    faultsInjected: 0,
  };
}

function pendingKey(appId: string, oid: string, retryKey: string): string {
  return `${appId}\u0000${oid}\u0000${retryKey}`;
}
