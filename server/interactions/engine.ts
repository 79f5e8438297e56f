/**
 * The interactions engine: the sync's FactListener (decide each changed fact, update the touched
 * interactions inside the sync's transaction), retroactive capture (decide the window again locally
 * when the directory or a member's settings change), and the details queue (fetch subject and link
 * of newly matched items from Graph by id, after the fact).
 *
 * Every decision goes through shared/matching's decideMessage / decideEvent: the same function the
 * pane's preview and "why" use.
 */
import type { Db } from "../db/database";
import type { Logger } from "../logger";
import type { ServerEvents } from "../events";
import type { AddressKeyer } from "../sync/address-keys";
import type { EventFact, FactChanges, FactListener, ItemDetails, ItemDetailsFetcher, MailFact } from "../sync/facts";
import type { Decision } from "../../shared/matching/decide";
import { rowToEventFact, rowToMailFact, type EventFactColumns, type MailFactColumns } from "../sync/store";
import { windowStartFor } from "../sync/windows";
import { decideEventFact, decideMailFact, encodeDecision, keepsRow, mailAt } from "./decisions";
import { buildOrgDirectory, diffDirectories, directoryVersion, MemoKeyer, type DirectoryDiff, type OrgDirectory } from "./directory-cache";
import { Materialiser, type ApplyResult, type FactPlace, type FactUpdate, type Kind } from "./materialise";

export interface InteractionsEngineOptions {
  db: Db;
  /** The organisation's address keyer: the same HMAC the sync stored the facts with. */
  keyerFor: (organisationId: string) => AddressKeyer;
  /** Fetches details of newly matched items by id (the sync's driver); settable later with setDetailsFetcher. */
  fetcher?: ItemDetailsFetcher | null;
  log?: Logger;
  /** SYNC_HISTORY_MONTHS: the window decided again on changes. */
  historyMonths?: number;
  now?: () => Date;
  /** Detail fetches in flight at once (the driver still keeps each mailbox at ≤ 4). */
  detailsConcurrency?: number;
  /** Start the details queue automatically after changes (tests may drive it by hand). Default true. */
  autoFetchDetails?: boolean;
}

export interface RedecideResult {
  organisationId: string;
  /** none: nothing changed; keys: only facts mentioning changed addresses/domains; full: the whole window. */
  mode: "none" | "keys" | "full";
  /** Facts decided again. */
  decided: number;
  changedFacts: number;
  interactionsWritten: number;
  interactionsRemoved: number;
  missingDetails: number;
  ms: number;
}

type MailRow = MailFactColumns;
type EventRow = EventFactColumns;

interface StoredDecisionRow {
  kind: Kind;
  graph_id: string;
  internet_message_id: string | null;
  conversation_id: string | null;
  ical_uid: string | null;
  original_start: string | null;
  at: string;
  end_at: string | null;
  decision: string;
  frozen: number;
}

/** Removals of copies older than this (window start + margin) are the sync pruning aged facts. */
const AGED_MARGIN_MS = 2 * 86400_000;

function placeOfMail(f: Pick<MailFact, "internetMessageId" | "conversationId" | "sentAt" | "receivedAt">): FactPlace {
  return { internetMessageId: f.internetMessageId, conversationId: f.conversationId, iCalUId: null, originalStart: null, at: mailAt(f), endAt: null };
}

function placeOfEvent(f: Pick<EventFact, "iCalUId" | "originalStart" | "start" | "end">): FactPlace {
  return { internetMessageId: null, conversationId: null, iCalUId: f.iCalUId, originalStart: f.originalStart, at: f.start, endAt: f.end };
}

export class InteractionsEngine implements FactListener {
  readonly db: Db;
  readonly materialiser: Materialiser;
  private readonly keyerFor: (organisationId: string) => AddressKeyer;
  private fetcher: ItemDetailsFetcher | null;
  private readonly log: Logger | undefined;
  readonly historyMonths: number;
  private readonly now: () => Date;
  private readonly detailsConcurrency: number;
  private readonly autoFetch: boolean;
  private readonly dirs = new Map<string, OrgDirectory>();
  private readonly memos = new Map<string, MemoKeyer>();
  private readonly memberOrg = new Map<string, string>();
  private readonly s;
  private pump: Promise<void> | null = null;
  private pumpAgain = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private activityTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** For tests and benchmarks: what the details queue fetched. */
  readonly stats = { detailFetches: 0, detailFailures: 0, redecides: 0 };

  constructor(options: InteractionsEngineOptions) {
    this.db = options.db;
    this.keyerFor = options.keyerFor;
    this.fetcher = options.fetcher ?? null;
    this.log = options.log;
    this.historyMonths = options.historyMonths ?? 6;
    this.now = options.now ?? (() => new Date());
    this.detailsConcurrency = options.detailsConcurrency ?? 4;
    this.autoFetch = options.autoFetchDetails ?? true;
    this.materialiser = new Materialiser(this.db);
    const db = this.db;
    this.s = {
      orgOfMember: db.prepare<[string], { organisation_id: string }>("SELECT organisation_id FROM team_members WHERE id = ?"),
      state: db.prepare<[string], { directory_version: string }>("SELECT directory_version FROM interaction_state WHERE organisation_id = ?"),
      setState: db.prepare(`INSERT INTO interaction_state (organisation_id, directory_version, decided_at) VALUES (?, ?, ?)
        ON CONFLICT (organisation_id) DO UPDATE SET directory_version = excluded.directory_version, decided_at = excluded.decided_at`),
      mailRows: db.prepare<[string, string], MailRow>(`SELECT member_id, graph_id, internet_message_id, conversation_id, received_at,
          sent_at, is_draft, participants FROM sync_mail_facts WHERE member_id = ? AND received_at >= ?`),
      eventRows: db.prepare<[string, string], EventRow>(`SELECT member_id, graph_id, ical_uid, series_master_id, original_start, start_at,
          end_at, is_cancelled, owner_response, participants FROM sync_event_facts WHERE member_id = ? AND end_at >= ?`),
      storedDecisions: db.prepare<[string], StoredDecisionRow>(
        `SELECT kind, graph_id, internet_message_id, conversation_id, ical_uid, original_start, at, end_at, decision, frozen
         FROM interaction_facts WHERE member_id = ?`,
      ),
      missing: db.prepare<[string, number], { member_id: string; kind: Kind; graph_id: string; organisation_id: string; details_attempts: number }>(
        `SELECT member_id, kind, graph_id, organisation_id, details_attempts FROM interaction_facts
         WHERE details_state = 'missing' AND (details_retry_at IS NULL OR details_retry_at <= ?) LIMIT ?`,
      ),
      nextRetry: db.prepare<[], { at: string | null }>("SELECT MIN(details_retry_at) AS at FROM interaction_facts WHERE details_state = 'missing'"),
      failDetails: db.prepare(
        "UPDATE interaction_facts SET details_attempts = details_attempts + 1, details_retry_at = ? WHERE member_id = ? AND kind = ? AND graph_id = ? AND details_state = 'missing'",
      ),
      dueActivity: db.prepare<[string], { customer_id: string; organisation_id: string }>(
        "SELECT customer_id, organisation_id FROM customer_activity WHERE next_meeting_at IS NOT NULL AND next_meeting_at <= ?",
      ),
    };
  }

  setDetailsFetcher(fetcher: ItemDetailsFetcher | null): void {
    this.fetcher = fetcher;
    if (fetcher) this.kickDetails();
  }

  /** Registers the directory and settings hooks; returns a function that removes them. */
  attach(events: ServerEvents): () => void {
    const offs = [
      events.onDirectoryChanged((orgId) => {
        this.redecideOrganisation(orgId);
      }),
      events.onSettingsChanged((memberId) => {
        this.redecideMember(memberId);
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Background chores: the details queue after a restart and last-interaction times of meetings that have started. */
  start(): void {
    this.kickDetails();
    if (!this.activityTimer) {
      this.activityTimer = setInterval(() => this.refreshDueActivity(), 60_000);
      this.activityTimer.unref();
    }
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.activityTimer) clearInterval(this.activityTimer);
    this.retryTimer = null;
    this.activityTimer = null;
  }

  // ───────────────────────────── the directory ─────────────────────────────

  organisationOf(memberId: string): string | null {
    let org = this.memberOrg.get(memberId);
    if (org) return org;
    org = this.s.orgOfMember.get(memberId)?.organisation_id;
    if (!org) return null;
    this.memberOrg.set(memberId, org);
    return org;
  }

  private memo(orgId: string): MemoKeyer {
    let m = this.memos.get(orgId);
    if (!m) {
      m = new MemoKeyer(this.keyerFor(orgId));
      this.memos.set(orgId, m);
    }
    return m;
  }

  /**
   * The organisation's current directory. When it changed since the stored interactions were
   * decided (in this process or another), the window is decided again first.
   */
  directory(orgId: string): OrgDirectory {
    return this.current(orgId).dir;
  }

  /**
   * check: decide again only when the version differs from the one the stored interactions were
   * decided with (a change made by another process, or while the server was down).
   * rebuild: a hook said the directory or settings changed: rebuild and diff whatever the version says
   * (two changes within one millisecond share a directory timestamp).
   * full: decide the whole window again.
   */
  private current(orgId: string, mode: "check" | "rebuild" | "full" = "check"): { dir: OrgDirectory; result: RedecideResult | null } {
    const version = directoryVersion(this.db, orgId);
    if (version === null) throw new Error(`Unknown organisation ${orgId}`);
    const stored = this.s.state.get(orgId)?.directory_version ?? null;
    const cached = this.dirs.get(orgId);
    if (mode === "check" && stored === version) {
      if (cached?.version === version) return { dir: cached, result: null };
      const dir = buildOrgDirectory(this.db, orgId, version, this.memo(orgId));
      this.dirs.set(orgId, dir);
      return { dir, result: null };
    }
    const started = performance.now();
    const dir = mode === "check" && cached?.version === version ? cached : buildOrgDirectory(this.db, orgId, version, this.memo(orgId));
    // The stored interactions were decided with `stored`; diffing needs that directory in memory.
    const base = mode !== "full" && cached && cached.version === stored ? cached : null;
    const diff: DirectoryDiff | "full" = base ? diffDirectories(base, dir) : "full";
    const result = this.db.transaction(() => {
      const r = this.redecideWith(dir, diff);
      this.s.setState.run(orgId, version, this.now().toISOString());
      return r;
    })();
    result.ms = performance.now() - started;
    this.dirs.set(orgId, dir);
    this.stats.redecides++;
    const fields = { organisationId: orgId, mode: result.mode, decided: result.decided, changed: result.changedFacts, ms: Math.round(result.ms) };
    if (result.mode === "none") this.log?.debug(fields, "directory or settings changed; no decision changes");
    else this.log?.info(fields, "interactions decided again after a directory or settings change");
    if (result.missingDetails > 0) this.kickDetails();
    return { dir, result };
  }

  // ───────────────────────────── retroactive capture ─────────────────────────────

  /** Decides the organisation's window again if its directory or any member's settings changed. No Graph requests. */
  redecideOrganisation(orgId: string, options: { full?: boolean } = {}): RedecideResult {
    const started = performance.now();
    const { result } = this.current(orgId, options.full === true ? "full" : "rebuild");
    return (
      result ?? {
        organisationId: orgId,
        mode: "none",
        decided: 0,
        changedFacts: 0,
        interactionsWritten: 0,
        interactionsRemoved: 0,
        missingDetails: 0,
        ms: performance.now() - started,
      }
    );
  }

  /** A member's aliases or toggles changed: the same as for the organisation (the diff finds what changed). */
  redecideMember(memberId: string): RedecideResult {
    const orgId = this.organisationOf(memberId);
    if (!orgId) throw new Error(`Unknown team member ${memberId}`);
    return this.redecideOrganisation(orgId);
  }

  /** `redecide({ organisationId })` or `redecide({ memberId })`. */
  redecide(target: { organisationId: string } | { memberId: string }): RedecideResult {
    return "memberId" in target ? this.redecideMember(target.memberId) : this.redecideOrganisation(target.organisationId);
  }

  private windowStartIso(): string {
    return windowStartFor(this.now(), this.historyMonths).toISOString();
  }

  private agedBeforeIso(): string {
    return new Date(windowStartFor(this.now(), this.historyMonths).getTime() + AGED_MARGIN_MS).toISOString();
  }

  private redecideWith(dir: OrgDirectory, diff: DirectoryDiff | "full"): RedecideResult {
    const full = diff === "full" || diff.everything;
    const result: RedecideResult = {
      organisationId: dir.organisationId,
      mode: full ? "full" : "keys",
      decided: 0,
      changedFacts: 0,
      interactionsWritten: 0,
      interactionsRemoved: 0,
      missingDetails: 0,
      ms: 0,
    };
    if (!full) {
      const d = diff as DirectoryDiff;
      if (d.keys.size === 0 && d.mailMembers.size === 0 && d.eventMembers.size === 0) {
        result.mode = "none";
        return result;
      }
    }
    const since = this.windowStartIso();
    const keys = full ? [] : [...(diff as DirectoryDiff).keys];
    // instr() on the stored JSON finds facts that mention a changed key without parsing every fact.
    const keyFilter = keys.length > 0 ? ` AND (${keys.map(() => "instr(participants, ?) > 0").join(" OR ")})` : "";
    const mailByKey =
      keys.length > 0
        ? this.db.prepare<unknown[], MailRow>(`SELECT member_id, graph_id, internet_message_id, conversation_id, received_at, sent_at, is_draft,
            participants FROM sync_mail_facts WHERE member_id = ? AND received_at >= ?${keyFilter}`)
        : null;
    const eventsByKey =
      keys.length > 0
        ? this.db.prepare<unknown[], EventRow>(`SELECT member_id, graph_id, ical_uid, series_master_id, original_start, start_at, end_at,
            is_cancelled, owner_response, participants FROM sync_event_facts WHERE member_id = ? AND end_at >= ?${keyFilter}`)
        : null;

    const updates: FactUpdate[] = [];
    for (const memberId of dir.memberIds) {
      const ctx = dir.contexts.get(memberId)!;
      const allMail = full || (diff as DirectoryDiff).mailMembers.has(memberId);
      const allEvents = full || (diff as DirectoryDiff).eventMembers.has(memberId);
      if (!allMail && !mailByKey && !allEvents && !eventsByKey) continue;
      // For a pass over every fact, what is stored already: unchanged decisions never reach apply().
      const stored = allMail || allEvents ? this.storedDecisions(memberId) : null;
      const unchanged = (kind: Kind, graphId: string, d: Decision, place: FactPlace): boolean => {
        if (!stored) return false;
        const s = stored.get(`${kind}:${graphId}`);
        if (!keepsRow(d)) return s === undefined;
        return (
          s !== undefined &&
          s.frozen === 0 &&
          s.internet_message_id === place.internetMessageId &&
          s.conversation_id === place.conversationId &&
          s.ical_uid === place.iCalUId &&
          s.original_start === place.originalStart &&
          s.at === place.at &&
          s.end_at === place.endAt &&
          s.decision === encodeDecision(d)
        );
      };

      const mailRows = allMail ? this.s.mailRows.all(memberId, since) : mailByKey ? mailByKey.all(memberId, since, ...keys) : null;
      if (mailRows) {
        for (const row of mailRows) {
          const f = rowToMailFact(row);
          const d = decideMailFact(f, dir.index, ctx, dir);
          result.decided++;
          const place = placeOfMail(f);
          if (unchanged("email", f.graphId, d, place)) continue;
          updates.push({ op: "decided", kind: "email", memberId, graphId: f.graphId, decision: d, place });
        }
      }
      const eventRows = allEvents ? this.s.eventRows.all(memberId, since) : eventsByKey ? eventsByKey.all(memberId, since, ...keys) : null;
      if (eventRows) {
        for (const row of eventRows) {
          const f = rowToEventFact(row);
          const d = decideEventFact(f, dir.index, ctx, dir);
          result.decided++;
          const place = placeOfEvent(f);
          if (unchanged("meeting", f.graphId, d, place)) continue;
          updates.push({ op: "decided", kind: "meeting", memberId, graphId: f.graphId, decision: d, place });
        }
      }
    }
    const applied = this.materialiser.apply(dir, updates, this.now(), this.agedBeforeIso());
    result.changedFacts = applied.changedFacts;
    result.interactionsWritten = applied.interactionsWritten;
    result.interactionsRemoved = applied.interactionsRemoved;
    result.missingDetails = applied.missingDetails;
    return result;
  }

  private storedDecisions(memberId: string): Map<string, StoredDecisionRow> {
    const out = new Map<string, StoredDecisionRow>();
    for (const r of this.s.storedDecisions.all(memberId)) out.set(`${r.kind}:${r.graph_id}`, r);
    return out;
  }

  // ───────────────────────────── FactListener ─────────────────────────────

  /** Called by the sync inside its page transaction: decide the page's facts, update their interactions. */
  onFactsChanged(changes: FactChanges): void {
    const orgId = this.organisationOf(changes.memberId);
    if (!orgId) return;
    const dir = this.directory(orgId);
    const ctx = dir.contexts.get(changes.memberId);
    if (!ctx) return;
    const memberId = changes.memberId;
    const updates: FactUpdate[] = [];
    for (const f of changes.upsertedMail) {
      const d = decideMailFact(f, dir.index, ctx, dir);
      updates.push({ op: "decided", kind: "email", memberId, graphId: f.graphId, decision: d, place: placeOfMail(f), details: f.details });
    }
    for (const id of changes.removedMailIds) updates.push({ op: "removed", kind: "email", memberId, graphId: id });
    for (const f of changes.upsertedEvents) {
      const d = decideEventFact(f, dir.index, ctx, dir);
      updates.push({ op: "decided", kind: "meeting", memberId, graphId: f.graphId, decision: d, place: placeOfEvent(f), details: f.details });
    }
    for (const id of changes.removedEventIds) updates.push({ op: "removed", kind: "meeting", memberId, graphId: id });
    const applied = this.materialiser.apply(dir, updates, this.now(), this.agedBeforeIso());
    if (applied.missingDetails > 0) this.kickDetails();
  }

  /** Decide one stored fact as the sync would now (used by "why" and tests). */
  decideStoredMail(f: MailFact): Decision | null {
    const orgId = this.organisationOf(f.memberId);
    if (!orgId) return null;
    const dir = this.directory(orgId);
    const ctx = dir.contexts.get(f.memberId);
    return ctx ? decideMailFact(f, dir.index, ctx, dir) : null;
  }

  decideStoredEvent(f: EventFact): Decision | null {
    const orgId = this.organisationOf(f.memberId);
    if (!orgId) return null;
    const dir = this.directory(orgId);
    const ctx = dir.contexts.get(f.memberId);
    return ctx ? decideEventFact(f, dir.index, ctx, dir) : null;
  }

  // ───────────────────────────── details queue ─────────────────────────────

  private kickDetails(): void {
    if (!this.autoFetch || this.closed || !this.fetcher) return;
    if (this.pump) {
      this.pumpAgain = true;
      return;
    }
    // After the current transaction has committed: the queue reads what is in the database.
    this.pump = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.runPump());
  }

  private async runPump(): Promise<void> {
    try {
      do {
        this.pumpAgain = false;
        while (!this.closed && (await this.fetchDetailsBatch()) > 0) {
          /* keep going */
        }
      } while (this.pumpAgain && !this.closed);
    } catch (err) {
      this.log?.error({ err }, "details queue failed");
    } finally {
      this.pump = null;
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.closed || !this.autoFetch) return;
    const next = this.s.nextRetry.get()?.at;
    if (!next) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const wait = Math.max(1000, Date.parse(next) - Date.now());
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kickDetails();
    }, Math.min(wait, 3600_000));
    this.retryTimer.unref();
  }

  /**
   * Fetches the details of up to one batch of newly matched items (by id, never a listing) and
   * writes them. Returns how many were attempted. Tests call it directly (or processPendingDetails).
   */
  async fetchDetailsBatch(limit = 50): Promise<number> {
    const fetcher = this.fetcher;
    if (!fetcher) return 0;
    const rows = this.s.missing.all(this.now().toISOString(), limit);
    if (rows.length === 0) return 0;
    let next = 0;
    const worker = async () => {
      while (next < rows.length && !this.closed) {
        const r = rows[next++]!;
        let details: ItemDetails | null;
        try {
          this.stats.detailFetches++;
          details = r.kind === "email" ? await fetcher.fetchMessageDetails(r.member_id, r.graph_id) : await fetcher.fetchEventDetails(r.member_id, r.graph_id);
        } catch (err) {
          this.stats.detailFailures++;
          const wait = Math.min(3600_000, 5_000 * 2 ** Math.min(r.details_attempts, 10));
          this.s.failDetails.run(new Date(this.now().getTime() + wait).toISOString(), r.member_id, r.kind, r.graph_id);
          this.log?.warn({ memberId: r.member_id, err: (err as Error).message }, "could not fetch details of a newly matched item; will retry");
          continue;
        }
        this.applyDetails(r.organisation_id, r.member_id, r.kind, r.graph_id, details);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.detailsConcurrency, rows.length) }, worker));
    return rows.length;
  }

  private applyDetails(orgId: string, memberId: string, kind: Kind, graphId: string, details: ItemDetails | null): void {
    this.db.transaction(() => {
      const dir = this.directory(orgId);
      this.materialiser.apply(dir, [{ op: "details", kind, memberId, graphId, details }], this.now(), this.agedBeforeIso());
    })();
  }

  /** Fetches every pending detail now (tests, the demo). Resolves when none is left that is due. */
  async processPendingDetails(): Promise<number> {
    if (this.pump) await this.pump;
    let total = 0;
    for (;;) {
      const n = await this.fetchDetailsBatch();
      if (n === 0) return total;
      total += n;
    }
  }

  /** Resolves when the background details queue is idle. */
  async whenIdle(): Promise<void> {
    while (this.pump) await this.pump;
  }

  // ───────────────────────────── activity ─────────────────────────────

  /** Meetings that have started since the last refresh become the customers' last interaction. */
  refreshDueActivity(): number {
    const now = this.now();
    const due = this.s.dueActivity.all(now.toISOString());
    if (due.length === 0) return 0;
    this.db.transaction(() => {
      for (const d of due) this.materialiser.refreshActivity(d.organisation_id, d.customer_id, now);
    })();
    return due.length;
  }

  /** Applies fact updates directly (tests and tools); runs in its own transaction. */
  applyUpdates(orgId: string, updates: FactUpdate[]): ApplyResult {
    return this.db.transaction(() => this.materialiser.apply(this.directory(orgId), updates, this.now(), this.agedBeforeIso()))();
  }
}
