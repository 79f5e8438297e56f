/**
 * The sync engine: schedules mailbox runs in-process and walks each mailbox's folders and calendar
 * through the driver (Graph HTTP) and the store (state + import).
 *
 * A run of one mailbox:
 *   1. list the mail folders that hold correspondence (paged, recursive; drafts, deleted items,
 *      junk, outbox and conversation history excluded with their subtrees); new folders start an
 *      enumeration, vanished folders' facts leave;
 *   2. per folder (a few in parallel, the driver keeps the mailbox at ≤ 4 requests in flight):
 *        initial   filtered delta (receivedDateTime ge window start, newest first) to its deltaLink;
 *                  if it returned the 5,000 the filtered delta is capped at, the part of the window
 *                  older than the oldest returned message is read with the list endpoint
 *        backfill  list pages of 1,000 (keyset on receivedDateTime, newest first), then incremental
 *        incremental  the saved deltaLink: changes only (one request when nothing changed);
 *      410 / SyncStateNotFound resets the folder and enumerates again; facts it does not return go;
 *   3. the calendar view delta over [now − history, now + horizon], re-anchored weekly;
 *   4. messages that left a folder are looked up by id (20 per $batch): moved → the fact follows,
 *      gone → the fact goes; facts that aged out of the window are pruned.
 * Every page is committed with its cursor in one transaction (store.ts): a crash resumes at the
 * last committed page.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../db/database";
import type { AddressKeyer } from "./address-keys";
import { GraphDriver, type DriverLimits, type TokenSource } from "./driver";
import { ClaimLostError, describeError, GraphRequestError, isNotFound, isSyncStateReset } from "./errors";
import type { FactListener, ItemDetails, ItemDetailsFetcher } from "./facts";
import { EVENT_DETAILS_SELECT, eventDetails, type GraphEvent, type GraphMessage, MESSAGE_DETAILS_SELECT, MESSAGE_SELECT, messageDetails } from "./mapping";
import { CALENDAR_FOLDER_ID, type FolderAdvance, type FolderRow, type ImportFaultPoint, SyncStore } from "./store";
import { calendarWindowFor, windowStartFor } from "./windows";

export interface SyncEngineConfig {
  historyMonths: number;
  calendarHorizonDays: number;
  /** How often a connected mailbox is polled when nothing pushes it. */
  pollIntervalMs: number;
  /** How often the scheduler looks for due mailboxes and stuck runs. */
  tickMs: number;
  /** Prefer: odata.maxpagesize for delta (the largest Graph/the emulator honours). */
  deltaPageSize: number;
  /** $top of the backfill list requests (Graph's maximum for messages is 1,000). */
  listPageSize: number;
  /** $top of the folder listing. */
  folderPageSize: number;
  /** The most messages a filtered message delta returns. */
  filteredDeltaCap: number;
  /** Folders of one mailbox synced at once (the driver still caps requests at 4 per mailbox). */
  folderConcurrency: number;
  /** Mailboxes synced at once by the scheduler. */
  mailboxConcurrency: number;
  /** A run without a committed page (heartbeat) for this long is considered stuck and reset. */
  stuckAfterMs: number;
  /** The calendar window restarts (fresh delta over a new window) this often. */
  calendarReanchorMs: number;
  failureBackoffBaseMs: number;
  failureBackoffMaxMs: number;
  /** Times a folder may be reset (410) within one run before the run gives up on it. */
  maxResetsPerRun: number;
}

export const DEFAULT_SYNC_CONFIG: SyncEngineConfig = {
  historyMonths: 6,
  calendarHorizonDays: 180,
  pollIntervalMs: 300_000,
  tickMs: 5_000,
  deltaPageSize: 1000,
  listPageSize: 1000,
  folderPageSize: 250,
  filteredDeltaCap: 5000,
  // As many folders as the mailbox may have requests in flight: with 3, one of Outlook's 4 slots sat
  // idle during a history sync (the driver still caps the mailbox at 4, so this never asks for more).
  folderConcurrency: 4,
  mailboxConcurrency: 4,
  stuckAfterMs: 15 * 60_000,
  calendarReanchorMs: 7 * 24 * 3600_000,
  failureBackoffBaseMs: 30_000,
  failureBackoffMaxMs: 3600_000,
  maxResetsPerRun: 2,
};

/** Well-known folders that never hold correspondence worth syncing; their subfolders are skipped too. */
export const EXCLUDED_WELL_KNOWN = ["drafts", "deleteditems", "junkemail", "outbox", "conversationhistory"] as const;
/** Well-known folders resolved once per mailbox so listed folders can be labelled (and excluded). */
export const LABELLED_WELL_KNOWN = ["inbox", "sentitems", "archive", ...EXCLUDED_WELL_KNOWN] as const;

export interface SyncEngineDeps {
  db: Db;
  graphBaseUrl: string;
  tokens: TokenSource;
  listener: FactListener;
  keyerFor: (memberId: string) => AddressKeyer;
  logger: Logger;
  config?: Partial<SyncEngineConfig>;
  driverLimits?: Partial<DriverLimits>;
  /** Members whose mailbox should be synced; defaults to connections in state 'connected'. */
  listConnectedMembers?: () => string[];
  now?: () => Date;
  random?: () => number;
  /** Called after every run that started (push uses it to keep subscriptions alive). */
  onRunFinished?: (outcome: RunOutcome) => void;
  /** Tests only: throw at an import step to prove crash safety. */
  importFault?: (point: ImportFaultPoint, info: { memberId: string; folderId: string }) => void;
}

export interface RunOutcome {
  memberId: string;
  /** false when the run could not start (someone else holds the mailbox, or it is paused). */
  ran: boolean;
  ok: boolean;
  historyDone: boolean;
  error: string | null;
  retryAt: string | null;
  /** Graph requests this run started (retries not counted twice). */
  requests: number;
}

interface RunContext {
  memberId: string;
  runId: string;
  signal: AbortSignal;
  /** Set when the listing failed: the pass must not conclude anything about vanished messages. */
  incomplete: boolean;
  /** Where the run's folder tasks hand their pages to be applied (see PageCommitter). */
  pages: PageCommitter;
}

/**
 * Applies the pages a run's folder tasks fetched. Performance: a page that arrives while others are
 * waiting (the import is busy, the other folders' requests completed meanwhile) is applied together
 * with them in one transaction (SyncStore.applyTogether); a page that arrives alone is applied alone,
 * exactly as before. A task awaits its own page, so a folder's pages stay in order and a folder never
 * has two pages in one batch. Should the batch fail, its pages are applied one at a time so that each
 * task sees only its own page's error.
 */
class PageCommitter {
  private queue: Array<{ apply: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly store: SyncStore,
    private readonly memberId: string,
  ) {}

  apply<T>(apply: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ apply, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every response that has arrived by now joins the batch.
        setImmediate(() => this.drain());
      }
    });
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0);
    if (batch.length > 1 && this.store.canApplyTogether) {
      let results: unknown[] | undefined;
      try {
        results = this.store.applyTogether(this.memberId, () => batch.map((b) => b.apply()));
      } catch {
        results = undefined;
      }
      if (results) {
        batch.forEach((b, i) => b.resolve(results[i]));
        return;
      }
    }
    for (const b of batch) {
      try {
        b.resolve(b.apply());
      } catch (error) {
        b.reject(error);
      }
    }
  }
}

interface Running {
  runId: string;
  abort: AbortController;
  promise: Promise<RunOutcome>;
  rerun: boolean;
}

interface ListedFolder {
  id: string;
  totalItemCount: number | null;
  wellKnown: string | null;
}

interface GraphPage<T> {
  value?: T[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
}

interface GraphFolder {
  id?: string;
  displayName?: string;
  parentFolderId?: string;
  childFolderCount?: number;
  totalItemCount?: number;
  wellKnownName?: string | null;
  isHidden?: boolean;
}

function isFatal(error: unknown, tokens: TokenSource, signal: AbortSignal): boolean {
  return error instanceof ClaimLostError || tokens.isConnectionLost(error) || signal.aborted;
}

export class SyncEngine implements ItemDetailsFetcher {
  readonly config: SyncEngineConfig;
  readonly driver: GraphDriver;
  readonly store: SyncStore;
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly random: () => number;
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private stopped = false;
  /** Background runs (scheduler, sync-now, push) only happen between start() and stop(). */
  private started = false;
  private readonly listConnected: () => string[];

  constructor(private readonly deps: SyncEngineDeps) {
    this.config = { ...DEFAULT_SYNC_CONFIG, ...deps.config };
    this.log = deps.logger.child({ component: "sync" });
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? Math.random;
    this.driver = new GraphDriver({ graphBaseUrl: deps.graphBaseUrl, tokens: deps.tokens, logger: this.log, limits: deps.driverLimits, random: this.random });
    this.store = new SyncStore(deps.db, {
      listener: deps.listener,
      keyerFor: deps.keyerFor,
      now: this.now,
      fault: deps.importFault,
      onSkipped: (s) => this.log.warn({ memberId: s.memberId, folderId: s.folderId, itemId: s.id, reason: s.reason }, "skipped a malformed item from Graph"),
    });
    const connected = deps.db.prepare<[], { member_id: string }>("SELECT member_id FROM connections WHERE state = 'connected'");
    this.listConnected = deps.listConnectedMembers ?? (() => connected.all().map((r) => r.member_id));
  }

  // ───────────────────────────── scheduling ─────────────────────────────

  /** Starts the in-process scheduler (poll loop + stuck-run reaper). */
  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.started = true;
    if (this.running.size === 0) {
      const released = this.store.releaseAllClaims();
      if (released > 0) this.log.warn({ released }, "released sync claims left by a previous process");
    }
    this.timer = setInterval(() => void this.tick(), this.config.tickMs);
    this.timer.unref();
    void this.tick();
  }

  /** Stops scheduling, aborts running syncs and waits for them to wind down. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort(new Error("sync engine stopping"));
    await Promise.allSettled(runs.map((r) => r.promise));
  }

  /** One scheduler step: reset stuck runs, start due mailboxes up to the concurrency limit. */
  async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const stuckBefore = new Date(this.now().getTime() - this.config.stuckAfterMs);
      for (const memberId of this.store.reapStuck(stuckBefore)) {
        this.log.warn({ memberId }, "reset a stuck sync run");
        this.running.get(memberId)?.abort.abort(new Error("stuck run reset"));
      }
      const capacity = this.config.mailboxConcurrency - this.running.size;
      if (capacity <= 0) return;
      const due = this.store.dueMailboxes(this.listConnected()).filter((id) => !this.running.has(id));
      for (const memberId of due.slice(0, capacity)) void this.runMailbox(memberId).catch(() => undefined);
    } catch (error) {
      this.log.error({ err: describeError(error) }, "sync scheduler tick failed");
    } finally {
      this.ticking = false;
    }
  }

  /**
   * "Sync now": runs the mailbox soon (coalesced: a request while a run is under way makes exactly one
   * more run after it). resync restarts every folder's enumeration (facts not seen again are removed).
   */
  requestSync(memberId: string, options: { resync?: boolean } = {}): void {
    if (options.resync) this.store.requestResync(memberId);
    const current = this.running.get(memberId);
    if (current) {
      current.rerun = true;
      return;
    }
    this.store.setDue(memberId, this.now());
    if (this.started) void this.runMailbox(memberId).catch(() => undefined);
  }

  /** Runs the mailbox now (waits for a run already under way first) and resolves with the outcome. */
  async runMailbox(memberId: string, options: { resync?: boolean } = {}): Promise<RunOutcome> {
    for (;;) {
      const current = this.running.get(memberId);
      if (!current) break;
      await current.promise.catch(() => undefined);
    }
    if (options.resync) this.store.requestResync(memberId);
    const abort = new AbortController();
    const runId = randomUUID();
    const entry: Running = { runId, abort, promise: Promise.resolve(null as never), rerun: false };
    entry.promise = this.execute(memberId, runId, abort);
    this.running.set(memberId, entry);
    try {
      const outcome = await entry.promise;
      if (outcome.ran) {
        try {
          this.deps.onRunFinished?.(outcome);
        } catch (error) {
          this.log.warn({ err: describeError(error) }, "onRunFinished hook failed");
        }
      }
      return outcome;
    } finally {
      if (this.running.get(memberId) === entry) this.running.delete(memberId);
      if (entry.rerun && this.started) void this.runMailbox(memberId).catch(() => undefined);
    }
  }

  /**
   * Reads the mailbox's 6-month history: runs until every folder and the calendar have completed
   * their enumeration, waiting out temporary failures. Resolves with the last run's outcome.
   */
  async runHistorySync(memberId: string, options: { maxRuns?: number } = {}): Promise<RunOutcome> {
    const maxRuns = options.maxRuns ?? 50;
    let last: RunOutcome | undefined;
    for (let i = 0; i < maxRuns; i++) {
      last = await this.runMailbox(memberId);
      if (last.ok && last.historyDone) return last;
      const mb = this.store.mailbox(memberId);
      if (mb?.paused_reason) throw new Error(`Mailbox ${memberId} is paused (${mb.paused_reason})`);
      if (!last.ran) await new Promise((r) => setTimeout(r, 200));
      if (!last.ok && last.retryAt) await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(last!.retryAt!) - Date.now())));
    }
    throw new Error(`History sync of ${memberId} did not complete in ${maxRuns} runs: ${last?.error ?? "unknown"}`);
  }

  /** Connection (re-)established: resume a paused mailbox and sync it now. */
  onConnected(memberId: string): void {
    this.store.resume(memberId);
    this.requestSync(memberId);
  }

  /** invalid_grant: stop syncing, keep every fact and cursor for when the member reconnects. */
  onConnectionLost(memberId: string): void {
    this.store.pause(memberId, "connection_lost");
    this.running.get(memberId)?.abort.abort(new Error("connection lost"));
  }

  /** Revoke: stop the run and pause. (Subscriptions are deleted by the push module before tokens go.) */
  async onRevoke(memberId: string): Promise<void> {
    const current = this.running.get(memberId);
    this.store.pause(memberId, "revoked");
    if (current) {
      current.abort.abort(new Error("revoked"));
      await current.promise.catch(() => undefined);
    }
  }

  isRunning(memberId: string): boolean {
    return this.running.has(memberId);
  }

  // ───────────────────────────── a run ─────────────────────────────

  private async execute(memberId: string, runId: string, abort: AbortController): Promise<RunOutcome> {
    const requestsBefore = this.driver.requestCounts.get(memberId) ?? 0;
    const outcome = (ok: boolean, extra: Partial<RunOutcome> = {}): RunOutcome => ({
      memberId,
      ran: true,
      ok,
      historyDone: this.store.mailbox(memberId)?.history_done_at != null,
      error: null,
      retryAt: null,
      requests: (this.driver.requestCounts.get(memberId) ?? 0) - requestsBefore,
      ...extra,
    });
    const stuckBefore = new Date(this.now().getTime() - this.config.stuckAfterMs);
    if (!this.store.claim(memberId, runId, stuckBefore)) return { ...outcome(false), ran: false };
    const ctx: RunContext = { memberId, runId, signal: abort.signal, incomplete: false, pages: new PageCommitter(this.store, memberId) };
    const log = this.log.child({ memberId, runId });
    try {
      const mailbox = this.store.mailbox(memberId)!;
      if (mailbox.resync_requested) this.store.applyResync(memberId, runId, this.mailWindowStart().toISOString());
      this.store.markHistoryStarted(memberId);

      const first = await this.pass(ctx);
      await this.settlePending(ctx);
      this.store.pruneAged(memberId, runId, this.mailWindowStart(), this.calendarWindow().start);

      const folders = this.store.folders(memberId);
      const allIncremental = folders.length > 0 && folders.every((f) => f.stage === "incremental");
      if (first && allIncremental) this.store.markHistoryDone(memberId);
      if (!first) {
        const failing = folders.filter((f) => f.last_error !== null);
        const error = failing.length > 0 ? `${failing.length} folder(s) failing: ${failing[0]!.last_error}` : "The folder listing failed";
        const retryAt = this.failureRetryAt(memberId);
        this.store.finishRun(memberId, runId, { ok: false, error, retryAt });
        log.warn({ error, retryAt }, "sync run incomplete");
        return outcome(false, { error, retryAt: retryAt.toISOString() });
      }
      this.store.finishRun(memberId, runId, { ok: true, nextDueAt: new Date(this.now().getTime() + this.config.pollIntervalMs) });
      const result = outcome(true);
      log.debug({ requests: result.requests, historyDone: result.historyDone }, "sync run done");
      return result;
    } catch (error) {
      if (this.deps.tokens.isConnectionLost(error)) {
        log.warn("connection lost: sync paused, data kept");
        this.store.pause(memberId, "connection_lost");
        return outcome(false, { error: "connection_lost" });
      }
      if (error instanceof ClaimLostError || abort.signal.aborted) {
        this.store.releaseClaim(memberId, runId);
        log.info({ reason: describeError(abort.signal.reason ?? error) }, "sync run stopped");
        return outcome(false, { error: "stopped" });
      }
      const retryAt = this.failureRetryAt(memberId);
      const message = describeError(error);
      log.error({ err: message, retryAt }, "sync run failed");
      this.store.finishRun(memberId, runId, { ok: false, error: message, retryAt });
      return outcome(false, { error: message, retryAt: retryAt.toISOString() });
    }
  }

  /**
   * Messages that left a folder (@removed, reconcile, folder gone) are pending until Graph says where
   * they are: asked by id (20 per $batch), the answer is exact whatever order the folders' pages
   * arrived in — a move stays one fact, a stale page can never leave a fact in the wrong folder or
   * lose it. 404 or a folder that is not synced: the fact goes. Unanswered ones wait for the next run.
   */
  private async settlePending(ctx: RunContext): Promise<void> {
    const ids = this.store.pendingRemovals(ctx.memberId);
    if (ids.length === 0) return;
    let results;
    try {
      results = await this.driver.batchGet<{ id?: string; parentFolderId?: string }>(
        ctx.memberId,
        ids.map((id) => `/me/messages/${encodeURIComponent(id)}?$select=id,parentFolderId`),
        { signal: ctx.signal },
      );
    } catch (error) {
      if (isFatal(error, this.deps.tokens, ctx.signal)) throw error;
      this.log.warn({ memberId: ctx.memberId, pending: ids.length, err: describeError(error) }, "could not settle pending removals; next run retries");
      return;
    }
    const outcomes: Array<{ graphId: string; folderId: string | null }> = [];
    results.forEach((r, i) => {
      if (r.status === 404) outcomes.push({ graphId: ids[i]!, folderId: null });
      else if (r.status === 200 && typeof r.body?.parentFolderId === "string") outcomes.push({ graphId: ids[i]!, folderId: r.body.parentFolderId });
    });
    const { moved, removed } = this.store.resolvePending(ctx.memberId, ctx.runId, outcomes);
    if (moved + removed > 0) this.log.debug({ memberId: ctx.memberId, moved, removed }, "settled pending removals");
  }

  private failureRetryAt(memberId: string): Date {
    const failures = (this.store.mailbox(memberId)?.consecutive_failures ?? 0) + 1;
    const ceiling = Math.min(this.config.failureBackoffMaxMs, this.config.failureBackoffBaseMs * 2 ** (failures - 1));
    const backoff = ceiling / 2 + this.random() * (ceiling / 2);
    const graphSays = this.driver.retryAt(memberId) ?? 0;
    return new Date(Math.max(this.now().getTime() + backoff, graphSays));
  }

  /** One pass over the mailbox: listing, every mail folder, the calendar; true when every part completed. */
  private async pass(ctx: RunContext): Promise<boolean> {
    let listed = true;
    try {
      await this.refreshFolders(ctx);
    } catch (error) {
      if (isFatal(error, this.deps.tokens, ctx.signal)) throw error;
      listed = false;
      this.log.warn({ memberId: ctx.memberId, err: describeError(error) }, "folder listing failed; syncing the known folders");
    }
    const tasks: Array<() => Promise<boolean>> = this.store
      .folders(ctx.memberId)
      .filter((f) => f.kind === "mail")
      .map((f) => () => this.syncMailFolder(ctx, f.folder_id));
    tasks.push(() => this.syncCalendar(ctx));
    const results = await this.pool(tasks);
    return listed && results.every(Boolean);
  }

  private async pool(tasks: Array<() => Promise<boolean>>): Promise<boolean[]> {
    const results: boolean[] = new Array(tasks.length).fill(false);
    let next = 0;
    let fatal: unknown;
    const worker = async () => {
      while (fatal === undefined && next < tasks.length) {
        const i = next++;
        try {
          results[i] = await tasks[i]!();
        } catch (error) {
          fatal ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.folderConcurrency, tasks.length) }, worker));
    if (fatal !== undefined) throw fatal;
    return results;
  }

  // ───────────────────────────── folders ─────────────────────────────

  mailWindowStart(): Date {
    return windowStartFor(this.now(), this.config.historyMonths);
  }

  calendarWindow(): { start: Date; end: Date } {
    return calendarWindowFor(this.now(), this.config.historyMonths, this.config.calendarHorizonDays);
  }

  /** Well-known folder ids never change: resolved once per mailbox (one $batch) and stored. */
  private async wellKnownIds(ctx: RunContext): Promise<Map<string, string>> {
    const stored = this.store.wellKnownFolders(ctx.memberId);
    if (stored) return stored;
    // One $batch instead of eight GETs; a mailbox without one of them (no archive) answers 404 for it.
    const results = await this.driver.batchGet<{ id?: string }>(
      ctx.memberId,
      LABELLED_WELL_KNOWN.map((name) => `/me/mailFolders/${name}?$select=id`),
      { signal: ctx.signal },
    );
    const map = new Map<string, string>();
    results.forEach((r, i) => {
      if (r.status === 200 && typeof r.body?.id === "string") map.set(LABELLED_WELL_KNOWN[i]!, r.body.id);
    });
    if (results.some((r) => r.status !== 200 && r.status !== 404)) throw new Error("Could not resolve the well-known folders");
    this.store.saveWellKnownFolders(ctx.memberId, map);
    return map;
  }

  /** Pages through /me/mailFolders and, recursively, childFolders; skips excluded folders and their subtrees. */
  async listMailFolders(ctx: RunContext): Promise<ListedFolder[]> {
    const select = "$select=id,displayName,parentFolderId,childFolderCount,totalItemCount";
    const listing = async (first: string): Promise<GraphFolder[]> => {
      const folders: GraphFolder[] = [];
      let url: string | undefined = first;
      while (url) {
        const page: GraphPage<GraphFolder> = await this.driver.get<GraphPage<GraphFolder>>(ctx.memberId, url, { signal: ctx.signal });
        folders.push(...(page.value ?? []));
        url = page["@odata.nextLink"];
      }
      return folders;
    };
    // Performance: the well-known ids and the top level are asked for at once, and the child folders
    // of one level all at once (a listing's own pages stay in order), instead of one request after
    // the other: with Graph's latency every cycle's listing was as many round trips as it had folders
    // with children. Same requests, same result, same order (top level, then level by level).
    const [wellKnown, top] = await Promise.all([this.wellKnownIds(ctx), listing(`/me/mailFolders?$top=${this.config.folderPageSize}&${select}`)]);
    const nameById = new Map<string, string>();
    for (const [name, id] of wellKnown) nameById.set(id, name);
    const excluded = new Set<string>(EXCLUDED_WELL_KNOWN);
    const out: ListedFolder[] = [];
    let level = top;
    while (level.length > 0) {
      const children: string[] = [];
      for (const f of level) {
        if (typeof f.id !== "string" || f.id === "") continue;
        const name = nameById.get(f.id) ?? (typeof f.wellKnownName === "string" ? f.wellKnownName.toLowerCase() : null);
        if (name && excluded.has(name)) continue;
        if (f.isHidden === true) continue;
        out.push({ id: f.id, totalItemCount: typeof f.totalItemCount === "number" ? f.totalItemCount : null, wellKnown: name });
        if ((f.childFolderCount ?? 0) > 0) {
          children.push(`/me/mailFolders/${encodeURIComponent(f.id)}/childFolders?$top=${this.config.folderPageSize}&${select}`);
        }
      }
      level = (await Promise.all(children.map(listing))).flat();
    }
    return out;
  }

  private async refreshFolders(ctx: RunContext): Promise<void> {
    const listed = await this.listMailFolders(ctx);
    const windowStart = this.mailWindowStart().toISOString();
    const seen = new Set<string>();
    for (const f of listed) {
      seen.add(f.id);
      this.store.upsertMailFolder(ctx.memberId, f.id, { wellKnown: f.wellKnown, totalItems: f.totalItemCount, windowStart });
    }
    for (const known of this.store.folders(ctx.memberId)) {
      if (known.kind === "mail" && !seen.has(known.folder_id)) {
        const n = this.store.removeMailFolder(ctx.memberId, ctx.runId, known.folder_id);
        this.log.info({ memberId: ctx.memberId, folderId: known.folder_id, facts: n }, "folder no longer listed; its facts leave");
      }
    }
  }

  /** Syncs one folder to its current end; false when it failed (recorded on the folder). */
  private async syncMailFolder(ctx: RunContext, folderId: string): Promise<boolean> {
    let resets = 0;
    for (;;) {
      try {
        await this.syncMailFolderOnce(ctx, folderId);
        this.store.recordFolderOutcome(ctx.memberId, folderId, { ok: true });
        return true;
      } catch (error) {
        if (isFatal(error, this.deps.tokens, ctx.signal)) throw error;
        if (isSyncStateReset(error) && resets < this.config.maxResetsPerRun) {
          resets++;
          this.log.info({ memberId: ctx.memberId, folderId, code: (error as GraphRequestError).code }, "delta state gone; resyncing the folder");
          this.store.resetFolder(ctx.memberId, ctx.runId, folderId, this.mailWindowStart().toISOString());
          continue;
        }
        if (isNotFound(error)) {
          // Deleted since the listing: the same as no longer listed (its facts leave, pending in case they moved).
          const n = this.store.removeMailFolder(ctx.memberId, ctx.runId, folderId);
          this.log.info({ memberId: ctx.memberId, folderId, facts: n }, "folder vanished during the run");
          return true;
        }
        const message = describeError(error);
        const retryAt = error instanceof GraphRequestError && error.retryAt ? new Date(error.retryAt) : null;
        this.store.recordFolderOutcome(ctx.memberId, folderId, { ok: false, error: message, retryAt });
        this.log.warn({ memberId: ctx.memberId, folderId, err: message }, "folder sync failed");
        return false;
      }
    }
  }

  private async syncMailFolderOnce(ctx: RunContext, folderId: string): Promise<void> {
    let folder = this.store.folder(ctx.memberId, folderId);
    if (!folder) return;
    if (folder.stage !== "backfill") {
      await this.runMessageDelta(ctx, folder);
      folder = this.store.folder(ctx.memberId, folderId)!;
    }
    if (folder.stage === "backfill") {
      await this.runBackfill(ctx, folder);
      // Catch up on what changed in the newer part while the backfill ran.
      await this.runMessageDelta(ctx, this.store.folder(ctx.memberId, folderId)!);
    }
  }

  private initialDeltaUrl(folder: FolderRow): string {
    const filter = encodeURIComponent(`receivedDateTime ge ${folder.window_start.replace(/\.\d{3}Z$/, "Z")}`);
    const orderby = encodeURIComponent("receivedDateTime desc");
    return `/me/mailFolders/${encodeURIComponent(folder.folder_id)}/messages/delta?$select=${MESSAGE_SELECT}&$filter=${filter}&$orderby=${orderby}`;
  }

  private async runMessageDelta(ctx: RunContext, start: FolderRow): Promise<void> {
    let folder = start;
    let url = folder.cursor ?? this.initialDeltaUrl(folder);
    for (;;) {
      const page = await this.driver.get<GraphPage<GraphMessage>>(ctx.memberId, url, {
        prefer: [`odata.maxpagesize=${this.config.deltaPageSize}`],
        signal: ctx.signal,
      });
      const items = Array.isArray(page.value) ? page.value : [];
      const next = page["@odata.nextLink"];
      const deltaLink = page["@odata.deltaLink"];
      if (!next && !deltaLink) throw new Error("A delta page had neither nextLink nor deltaLink");
      let advance: FolderAdvance;
      if (next) {
        advance = { cursor: next };
      } else if (folder.stage === "initial") {
        const { returned, oldest } = pageStats(items);
        const enumerated = folder.enumerated + returned;
        const upper = minIso(folder.oldest_seen, oldest);
        if (enumerated >= this.config.filteredDeltaCap && upper !== null) {
          // The filtered delta stops at 5,000: the rest of the window (older than the oldest message
          // it returned) comes from the list endpoint. The deltaLink still tracks changes from here on.
          advance = { cursor: deltaLink!, stage: "backfill", backfillUpper: upper };
          this.log.info({ memberId: ctx.memberId, folderId: folder.folder_id, enumerated, upper }, "filtered delta capped; backfilling the older part of the window");
        } else {
          advance = { cursor: deltaLink!, stage: "incremental", reconcile: true };
        }
      } else {
        advance = { cursor: deltaLink! };
      }
      await ctx.pages.apply(() => this.store.applyMailPage(ctx.memberId, ctx.runId, folder.folder_id, items, advance));
      if (!next) return;
      url = next;
      folder = this.store.folder(ctx.memberId, folder.folder_id)!;
    }
  }

  private backfillUrl(folder: FolderRow, upper: string, inclusive: boolean): string {
    const ge = folder.window_start.replace(/\.\d{3}Z$/, "Z");
    const filter = encodeURIComponent(`receivedDateTime ge ${ge} and receivedDateTime ${inclusive ? "le" : "lt"} ${upper.replace(/\.\d{3}Z$/, "Z")}`);
    const orderby = encodeURIComponent("receivedDateTime desc");
    return `/me/mailFolders/${encodeURIComponent(folder.folder_id)}/messages?$filter=${filter}&$orderby=${orderby}&$top=${this.config.listPageSize}&$select=${MESSAGE_SELECT}`;
  }

  /**
   * Keyset paging down the window: each page asks for receivedDateTime ≤ the oldest time seen so far.
   * Unlike $skip it cannot miss a message when others are deleted between pages, and its position
   * (one timestamp) is committed with each page. The few messages sharing the boundary second are
   * read twice and upserted idempotently.
   */
  private async runBackfill(ctx: RunContext, start: FolderRow): Promise<void> {
    let folder = start;
    let inclusive = true;
    for (;;) {
      const upper = folder.backfill_upper ?? folder.oldest_seen;
      if (!upper) {
        await ctx.pages.apply(() => this.store.applyMailPage(ctx.memberId, ctx.runId, folder.folder_id, [], { stage: "incremental", backfillUpper: null, reconcile: true }));
        return;
      }
      const page = await this.driver.get<GraphPage<GraphMessage>>(ctx.memberId, this.backfillUrl(folder, upper, inclusive), { signal: ctx.signal });
      const items = Array.isArray(page.value) ? page.value : [];
      const { oldest } = pageStats(items);
      const full = items.length >= this.config.listPageSize && oldest !== null;
      if (!full) {
        await ctx.pages.apply(() => this.store.applyMailPage(ctx.memberId, ctx.runId, folder.folder_id, items, { stage: "incremental", backfillUpper: null, reconcile: true }));
        return;
      }
      // A full page whose messages all share the boundary second would not move the keyset: step past it.
      inclusive = oldest !== upper;
      if (!inclusive) this.log.warn({ memberId: ctx.memberId, folderId: folder.folder_id, at: upper }, "over a page of messages share one receivedDateTime");
      await ctx.pages.apply(() => this.store.applyMailPage(ctx.memberId, ctx.runId, folder.folder_id, items, { backfillUpper: oldest }));
      folder = this.store.folder(ctx.memberId, folder.folder_id)!;
    }
  }

  // ───────────────────────────── calendar ─────────────────────────────

  private async syncCalendar(ctx: RunContext): Promise<boolean> {
    let resets = 0;
    for (;;) {
      try {
        await this.syncCalendarOnce(ctx);
        this.store.recordFolderOutcome(ctx.memberId, CALENDAR_FOLDER_ID, { ok: true });
        return true;
      } catch (error) {
        if (isFatal(error, this.deps.tokens, ctx.signal)) throw error;
        if (isSyncStateReset(error) && resets < this.config.maxResetsPerRun) {
          resets++;
          this.log.info({ memberId: ctx.memberId }, "calendar delta state gone; re-reading the window");
          this.store.reanchorCalendar(ctx.memberId, ctx.runId, isoWindow(this.calendarWindow()));
          continue;
        }
        const message = describeError(error);
        const retryAt = error instanceof GraphRequestError && error.retryAt ? new Date(error.retryAt) : null;
        this.store.recordFolderOutcome(ctx.memberId, CALENDAR_FOLDER_ID, { ok: false, error: message, retryAt });
        this.log.warn({ memberId: ctx.memberId, err: message }, "calendar sync failed");
        return false;
      }
    }
  }

  private async syncCalendarOnce(ctx: RunContext): Promise<void> {
    const window = isoWindow(this.calendarWindow());
    let cal = this.store.ensureCalendar(ctx.memberId, window);
    const anchoredAt = cal.anchored_at ? Date.parse(cal.anchored_at) : 0;
    if (cal.stage === "incremental" && this.now().getTime() - anchoredAt >= this.config.calendarReanchorMs) {
      // The window slides: a fresh delta over the new window; events it does not return leave at its end.
      this.store.reanchorCalendar(ctx.memberId, ctx.runId, window);
      cal = this.store.folder(ctx.memberId, CALENDAR_FOLDER_ID)!;
    } else if (cal.stage === "initial" && cal.cursor === null && (cal.window_start !== window.start || cal.window_end !== window.end)) {
      this.store.reanchorCalendar(ctx.memberId, ctx.runId, window);
      cal = this.store.folder(ctx.memberId, CALENDAR_FOLDER_ID)!;
    }
    let url =
      cal.cursor ??
      `/me/calendarView/delta?startDateTime=${encodeURIComponent(cal.window_start)}&endDateTime=${encodeURIComponent(cal.window_end ?? window.end)}`;
    for (;;) {
      const page = await this.driver.get<GraphPage<GraphEvent>>(ctx.memberId, url, {
        prefer: [`odata.maxpagesize=${this.config.deltaPageSize}`, 'outlook.timezone="UTC"'],
        signal: ctx.signal,
      });
      const items = Array.isArray(page.value) ? page.value : [];
      const next = page["@odata.nextLink"];
      const deltaLink = page["@odata.deltaLink"];
      if (!next && !deltaLink) throw new Error("A calendar delta page had neither nextLink nor deltaLink");
      const advance: FolderAdvance = next
        ? { cursor: next }
        : cal.stage === "initial"
          ? { cursor: deltaLink!, stage: "incremental", reconcile: true }
          : { cursor: deltaLink! };
      await ctx.pages.apply(() => this.store.applyEventPage(ctx.memberId, ctx.runId, items, advance));
      if (!next) return;
      url = next;
      cal = this.store.folder(ctx.memberId, CALENDAR_FOLDER_ID)!;
    }
  }

  // ───────────────────────────── ItemDetailsFetcher ─────────────────────────────

  async fetchMessageDetails(memberId: string, graphId: string): Promise<ItemDetails | null> {
    try {
      const m = await this.driver.get<GraphMessage>(memberId, `/me/messages/${encodeURIComponent(graphId)}?$select=${MESSAGE_DETAILS_SELECT}`);
      return messageDetails(m);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async fetchEventDetails(memberId: string, graphId: string): Promise<ItemDetails | null> {
    try {
      const e = await this.driver.get<GraphEvent>(memberId, `/me/events/${encodeURIComponent(graphId)}?$select=${EVENT_DETAILS_SELECT}`, {
        prefer: ['outlook.timezone="UTC"'],
      });
      return eventDetails(e);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

function isoWindow(w: { start: Date; end: Date }): { start: string; end: string } {
  return { start: w.start.toISOString(), end: w.end.toISOString() };
}

function minIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

/** Non-removed items on a page and the oldest receivedDateTime among them (normalised ISO). */
function pageStats(items: GraphMessage[]): { returned: number; oldest: string | null } {
  let returned = 0;
  let oldest: string | null = null;
  for (const item of items) {
    if (!item || item["@removed"]) continue;
    returned++;
    const ms = typeof item.receivedDateTime === "string" ? Date.parse(item.receivedDateTime) : Number.NaN;
    if (Number.isNaN(ms)) continue;
    const iso = new Date(ms).toISOString();
    if (oldest === null || iso < oldest) oldest = iso;
  }
  return { returned, oldest };
}

export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  return new SyncEngine(deps);
}
