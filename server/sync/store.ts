/**
 * Sync STATE and IMPORT over SQLite.
 *
 * STATE: per mailbox (claim, schedule, status) and per folder (stage, cursor, window, generation).
 * IMPORT: one page of Graph items becomes facts and the folder's next cursor in ONE transaction, and
 * the interactions engine's FactListener runs inside that same transaction. A crash anywhere leaves
 * either the page with its cursor or neither; replaying a page changes nothing (upserts compare,
 * removals of unknown ids are no-ops).
 *
 * Every write of a run checks, in its transaction, that the run still holds the mailbox: a run the
 * reaper has reset can never write after its successor started.
 */
import type { Db } from "../db/database";
import { type AddressKeyer, pageKeyer } from "./address-keys";
import { ClaimLostError } from "./errors";
import type { EventFact, FactChanges, FactListener, MailFact, StoredParticipant } from "./facts";
import { type GraphEvent, type GraphMessage, toEventFact, toMailFact } from "./mapping";

export type FolderStage = "initial" | "backfill" | "incremental";

export interface MailboxRow {
  member_id: string;
  run_id: string | null;
  run_started_at: string | null;
  heartbeat_at: string | null;
  history_started_at: string | null;
  history_done_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  retry_at: string | null;
  consecutive_failures: number;
  paused_reason: string | null;
  next_due_at: string | null;
  resync_requested: number;
  well_known_folders: string | null;
  updated_at: string;
}

export interface FolderRow {
  member_id: string;
  folder_id: string;
  kind: "mail" | "calendar";
  well_known: string | null;
  stage: FolderStage;
  cursor: string | null;
  window_start: string;
  window_end: string | null;
  anchored_at: string | null;
  backfill_upper: string | null;
  generation: number;
  enumerated: number;
  oldest_seen: string | null;
  total_items: number | null;
  last_success_at: string | null;
  last_error: string | null;
  retry_at: string | null;
  updated_at: string;
}

export const CALENDAR_FOLDER_ID = "calendar";

/** Points where a test can make the import throw, to prove crash safety. */
export type ImportFaultPoint = "before-page" | "after-facts" | "after-listener" | "after-commit";

export interface SkippedItem {
  memberId: string;
  folderId: string;
  id: string | null;
  reason: string;
}

export interface StoreOptions {
  listener: FactListener;
  keyerFor: (memberId: string) => AddressKeyer;
  now?: () => Date;
  onSkipped?: (item: SkippedItem) => void;
  fault?: (point: ImportFaultPoint, info: { memberId: string; folderId: string }) => void;
}

/** How a page moves the folder's state along; applied in the page's transaction. */
export interface FolderAdvance {
  cursor?: string | null;
  stage?: FolderStage;
  backfillUpper?: string | null;
  /** The enumeration (initial round + backfill) is complete: facts of older generations are reconciled away. */
  reconcile?: boolean;
}

export interface PageResult {
  upserted: number;
  removed: number;
  skipped: number;
  /** Non-removed items on the page (counted for the 5,000-cap detection). */
  returned: number;
  /** Oldest receivedDateTime among the page's messages. */
  oldest: string | null;
}

interface MailFactRow {
  member_id: string;
  graph_id: string;
  folder_id: string;
  internet_message_id: string | null;
  conversation_id: string | null;
  received_at: string;
  sent_at: string | null;
  is_draft: number;
  participants: string;
  seen_generation: number;
  pending_removal_at: string | null;
}

interface EventFactRow {
  member_id: string;
  graph_id: string;
  ical_uid: string | null;
  series_master_id: string | null;
  original_start: string | null;
  start_at: string;
  end_at: string;
  is_cancelled: number;
  owner_response: EventFact["ownerResponse"];
  participants: string;
  seen_generation: number;
}

function emptyChanges(memberId: string): FactChanges {
  return { memberId, upsertedMail: [], removedMailIds: [], upsertedEvents: [], removedEventIds: [] };
}

function hasChanges(c: FactChanges): boolean {
  return c.upsertedMail.length + c.removedMailIds.length + c.upsertedEvents.length + c.removedEventIds.length > 0;
}

/**
 * Pages applied together may name a message twice (moved between two of the folders): what the
 * listener would have ended with after hearing the pages one by one is the latest version of each.
 */
function latestOnly(c: FactChanges): FactChanges {
  const dedupe = <T extends { graphId: string }>(list: T[]): T[] => {
    const last = new Map<string, number>();
    list.forEach((f, i) => last.set(f.graphId, i));
    return last.size === list.length ? list : list.filter((f, i) => last.get(f.graphId) === i);
  };
  return { ...c, upsertedMail: dedupe(c.upsertedMail), upsertedEvents: dedupe(c.upsertedEvents) };
}

/** The columns a MailFact is read from (readers that do not need the folder may leave it out). */
export type MailFactColumns = Omit<MailFactRow, "folder_id" | "seen_generation" | "pending_removal_at"> & { folder_id?: string };
export type EventFactColumns = Omit<EventFactRow, "seen_generation">;

export function rowToMailFact(r: MailFactColumns): MailFact {
  return {
    memberId: r.member_id,
    graphId: r.graph_id,
    folderId: r.folder_id ?? "",
    internetMessageId: r.internet_message_id,
    conversationId: r.conversation_id,
    receivedAt: r.received_at,
    sentAt: r.sent_at,
    isDraft: r.is_draft === 1,
    participants: JSON.parse(r.participants) as StoredParticipant[],
  };
}

export function rowToEventFact(r: EventFactColumns): EventFact {
  return {
    memberId: r.member_id,
    graphId: r.graph_id,
    iCalUId: r.ical_uid,
    seriesMasterId: r.series_master_id,
    originalStart: r.original_start,
    start: r.start_at,
    end: r.end_at,
    isCancelled: r.is_cancelled === 1,
    ownerResponse: r.owner_response,
    participants: JSON.parse(r.participants) as StoredParticipant[],
  };
}

export class SyncStore {
  private readonly now: () => Date;
  private readonly s;

  constructor(
    readonly db: Db,
    private readonly options: StoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.s = {
      mailbox: db.prepare<[string], MailboxRow>("SELECT * FROM sync_mailboxes WHERE member_id = ?"),
      ensureMailbox: db.prepare("INSERT OR IGNORE INTO sync_mailboxes (member_id, updated_at) VALUES (?, ?)"),
      runOf: db.prepare<[string], { run_id: string | null }>("SELECT run_id FROM sync_mailboxes WHERE member_id = ?"),
      heartbeat: db.prepare("UPDATE sync_mailboxes SET heartbeat_at = ? WHERE member_id = ? AND run_id = ?"),
      folders: db.prepare<[string], FolderRow>("SELECT * FROM sync_folders WHERE member_id = ? ORDER BY kind DESC, folder_id"),
      folder: db.prepare<[string, string], FolderRow>("SELECT * FROM sync_folders WHERE member_id = ? AND folder_id = ?"),
      mailFact: db.prepare<[string, string], MailFactRow>("SELECT * FROM sync_mail_facts WHERE member_id = ? AND graph_id = ?"),
      eventFact: db.prepare<[string, string], EventFactRow>("SELECT * FROM sync_event_facts WHERE member_id = ? AND graph_id = ?"),
      upsertMail: db.prepare(`INSERT INTO sync_mail_facts (member_id, graph_id, folder_id, internet_message_id, conversation_id,
          received_at, sent_at, is_draft, participants, seen_generation, pending_removal_at, updated_at)
        VALUES (@member_id, @graph_id, @folder_id, @internet_message_id, @conversation_id, @received_at, @sent_at, @is_draft,
          @participants, @seen_generation, NULL, @updated_at)
        ON CONFLICT (member_id, graph_id) DO UPDATE SET folder_id = excluded.folder_id,
          internet_message_id = excluded.internet_message_id, conversation_id = excluded.conversation_id,
          received_at = excluded.received_at, sent_at = excluded.sent_at, is_draft = excluded.is_draft,
          participants = excluded.participants, seen_generation = excluded.seen_generation, pending_removal_at = NULL,
          updated_at = excluded.updated_at`),
      touchMail: db.prepare("UPDATE sync_mail_facts SET seen_generation = ?, pending_removal_at = NULL WHERE member_id = ? AND graph_id = ?"),
      markPending: db.prepare("UPDATE sync_mail_facts SET pending_removal_at = ? WHERE member_id = ? AND graph_id = ? AND folder_id = ? AND pending_removal_at IS NULL"),
      upsertEvent: db.prepare(`INSERT INTO sync_event_facts (member_id, graph_id, ical_uid, series_master_id, original_start,
          start_at, end_at, is_cancelled, owner_response, participants, seen_generation, updated_at)
        VALUES (@member_id, @graph_id, @ical_uid, @series_master_id, @original_start, @start_at, @end_at, @is_cancelled,
          @owner_response, @participants, @seen_generation, @updated_at)
        ON CONFLICT (member_id, graph_id) DO UPDATE SET ical_uid = excluded.ical_uid, series_master_id = excluded.series_master_id,
          original_start = excluded.original_start, start_at = excluded.start_at, end_at = excluded.end_at,
          is_cancelled = excluded.is_cancelled, owner_response = excluded.owner_response, participants = excluded.participants,
          seen_generation = excluded.seen_generation, updated_at = excluded.updated_at`),
      touchEvent: db.prepare("UPDATE sync_event_facts SET seen_generation = ? WHERE member_id = ? AND graph_id = ?"),
      deleteEvent: db.prepare("DELETE FROM sync_event_facts WHERE member_id = ? AND graph_id = ?"),
    };
  }

  // ───────────────────────────── mailbox state ─────────────────────────────

  ensureMailbox(memberId: string): MailboxRow {
    this.s.ensureMailbox.run(memberId, this.iso());
    return this.s.mailbox.get(memberId)!;
  }

  mailbox(memberId: string): MailboxRow | undefined {
    return this.s.mailbox.get(memberId);
  }

  /**
   * Takes the mailbox for a run with a conditional UPDATE: only when nobody holds it, or the holder's
   * heartbeat is older than `stuckBefore` (a crashed or hung run). Returns false when someone else runs.
   */
  claim(memberId: string, runId: string, stuckBefore: Date): boolean {
    this.ensureMailbox(memberId);
    const now = this.iso();
    const r = this.db
      .prepare(`UPDATE sync_mailboxes SET run_id = ?, run_started_at = ?, heartbeat_at = ?, updated_at = ?
        WHERE member_id = ? AND paused_reason IS NULL AND (run_id IS NULL OR heartbeat_at IS NULL OR heartbeat_at < ?)`)
      .run(runId, now, now, now, memberId, stuckBefore.toISOString());
    return r.changes === 1;
  }

  /** Throws ClaimLostError when the run no longer holds the mailbox; refreshes the heartbeat otherwise. */
  assertClaim(memberId: string, runId: string): void {
    const r = this.s.heartbeat.run(this.iso(), memberId, runId);
    if (r.changes !== 1) throw new ClaimLostError(memberId);
  }

  holdsClaim(memberId: string, runId: string): boolean {
    return this.s.runOf.get(memberId)?.run_id === runId;
  }

  /** Ends a run: clears the claim (only if still ours) and records the outcome. */
  finishRun(
    memberId: string,
    runId: string,
    outcome: { ok: true; nextDueAt: Date } | { ok: false; error: string; retryAt: Date },
  ): void {
    const now = this.iso();
    if (outcome.ok) {
      this.db
        .prepare(`UPDATE sync_mailboxes SET run_id = NULL, run_started_at = NULL, last_success_at = ?, last_error = NULL,
          last_error_at = NULL, retry_at = NULL, consecutive_failures = 0, next_due_at = ?, updated_at = ?
          WHERE member_id = ? AND run_id = ?`)
        .run(now, outcome.nextDueAt.toISOString(), now, memberId, runId);
    } else {
      this.db
        .prepare(`UPDATE sync_mailboxes SET run_id = NULL, run_started_at = NULL, last_error = ?, last_error_at = ?,
          retry_at = ?, consecutive_failures = consecutive_failures + 1, next_due_at = ?, updated_at = ?
          WHERE member_id = ? AND run_id = ?`)
        .run(outcome.error, now, outcome.retryAt.toISOString(), outcome.retryAt.toISOString(), now, memberId, runId);
    }
  }

  /** A run that was stopped (shutdown, revoke): gives the mailbox back without recording an outcome. */
  releaseClaim(memberId: string, runId: string): void {
    this.db.prepare("UPDATE sync_mailboxes SET run_id = NULL, run_started_at = NULL WHERE member_id = ? AND run_id = ?").run(memberId, runId);
  }

  /** Resets runs whose heartbeat is older than `stuckBefore`; returns the member ids reset. */
  reapStuck(stuckBefore: Date): string[] {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare<[string], { member_id: string }>("SELECT member_id FROM sync_mailboxes WHERE run_id IS NOT NULL AND (heartbeat_at IS NULL OR heartbeat_at < ?)")
        .all(stuckBefore.toISOString());
      const now = this.iso();
      for (const r of rows) {
        this.db
          .prepare(`UPDATE sync_mailboxes SET run_id = NULL, run_started_at = NULL, last_error = 'The sync stopped making progress and was restarted.',
            last_error_at = ?, next_due_at = ?, updated_at = ? WHERE member_id = ?`)
          .run(now, now, now, r.member_id);
      }
      return rows.map((r) => r.member_id);
    })();
  }

  /**
   * At process start: claims left by a previous process (crash, kill) are dead. One server process
   * owns a database; claims only keep runs within it exclusive.
   */
  releaseAllClaims(): number {
    return this.db.prepare("UPDATE sync_mailboxes SET run_id = NULL, run_started_at = NULL WHERE run_id IS NOT NULL").run().changes;
  }

  /** Mailboxes due for a run: not paused, not running, next_due_at passed. */
  dueMailboxes(memberIds: readonly string[]): string[] {
    const now = this.iso();
    const out: string[] = [];
    for (const id of memberIds) {
      const m = this.ensureMailbox(id);
      if (m.paused_reason !== null || m.run_id !== null) continue;
      if (m.next_due_at === null || m.next_due_at <= now) out.push(id);
    }
    return out;
  }

  setDue(memberId: string, at: Date = this.now()): void {
    this.ensureMailbox(memberId);
    this.db.prepare("UPDATE sync_mailboxes SET next_due_at = ?, updated_at = ? WHERE member_id = ?").run(at.toISOString(), this.iso(), memberId);
  }

  pause(memberId: string, reason: "connection_lost" | "revoked"): void {
    this.ensureMailbox(memberId);
    this.db
      // The first reason stands: a revoke is not turned into "connection lost" by the run it stopped.
      .prepare("UPDATE sync_mailboxes SET paused_reason = COALESCE(paused_reason, ?), run_id = NULL, run_started_at = NULL, updated_at = ? WHERE member_id = ?")
      .run(reason, this.iso(), memberId);
  }

  resume(memberId: string): void {
    this.ensureMailbox(memberId);
    const now = this.iso();
    this.db
      .prepare(`UPDATE sync_mailboxes SET paused_reason = NULL, retry_at = NULL, consecutive_failures = 0, next_due_at = ?, updated_at = ?
        WHERE member_id = ?`)
      .run(now, now, memberId);
  }

  requestResync(memberId: string): void {
    this.ensureMailbox(memberId);
    this.db.prepare("UPDATE sync_mailboxes SET resync_requested = 1, updated_at = ? WHERE member_id = ?").run(this.iso(), memberId);
  }

  /** Restarts every folder's enumeration (a user's "resync"): facts stay until their folder's fresh round has not seen them. */
  applyResync(memberId: string, runId: string, mailWindowStart: string): void {
    this.db.transaction(() => {
      this.assertClaim(memberId, runId);
      const now = this.iso();
      this.db
        .prepare(`UPDATE sync_folders SET stage = 'initial', cursor = NULL, backfill_upper = NULL, generation = generation + 1,
          enumerated = 0, oldest_seen = NULL, window_start = CASE kind WHEN 'mail' THEN ? ELSE window_start END,
          updated_at = ? WHERE member_id = ?`)
        .run(mailWindowStart, now, memberId);
      this.db
        .prepare("UPDATE sync_mailboxes SET resync_requested = 0, history_done_at = NULL, history_started_at = ?, updated_at = ? WHERE member_id = ?")
        .run(now, now, memberId);
    })();
  }

  wellKnownFolders(memberId: string): Map<string, string> | null {
    const raw = this.mailbox(memberId)?.well_known_folders;
    if (!raw) return null;
    try {
      return new Map(Object.entries(JSON.parse(raw) as Record<string, string>));
    } catch {
      return null;
    }
  }

  saveWellKnownFolders(memberId: string, map: Map<string, string>): void {
    this.db.prepare("UPDATE sync_mailboxes SET well_known_folders = ? WHERE member_id = ?").run(JSON.stringify(Object.fromEntries(map)), memberId);
  }

  markHistoryStarted(memberId: string): void {
    this.db.prepare("UPDATE sync_mailboxes SET history_started_at = COALESCE(history_started_at, ?) WHERE member_id = ?").run(this.iso(), memberId);
  }

  markHistoryDone(memberId: string): void {
    this.db.prepare("UPDATE sync_mailboxes SET history_done_at = COALESCE(history_done_at, ?) WHERE member_id = ?").run(this.iso(), memberId);
  }

  // ───────────────────────────── folder state ─────────────────────────────

  folders(memberId: string): FolderRow[] {
    return this.s.folders.all(memberId);
  }

  folder(memberId: string, folderId: string): FolderRow | undefined {
    return this.s.folder.get(memberId, folderId);
  }

  /** Adds a newly listed mail folder (stage initial) or refreshes what the listing says about a known one. */
  upsertMailFolder(memberId: string, folderId: string, info: { wellKnown: string | null; totalItems: number | null; windowStart: string }): void {
    const now = this.iso();
    this.db
      .prepare(`INSERT INTO sync_folders (member_id, folder_id, kind, well_known, stage, window_start, total_items, updated_at)
        VALUES (?, ?, 'mail', ?, 'initial', ?, ?, ?)
        ON CONFLICT (member_id, folder_id) DO UPDATE SET well_known = COALESCE(excluded.well_known, well_known),
          total_items = excluded.total_items`)
      .run(memberId, folderId, info.wellKnown, info.windowStart, info.totalItems, now);
  }

  ensureCalendar(memberId: string, window: { start: string; end: string }): FolderRow {
    const now = this.iso();
    this.db
      .prepare(`INSERT OR IGNORE INTO sync_folders (member_id, folder_id, kind, stage, window_start, window_end, anchored_at, updated_at)
        VALUES (?, ?, 'calendar', 'initial', ?, ?, ?, ?)`)
      .run(memberId, CALENDAR_FOLDER_ID, window.start, window.end, now, now);
    return this.folder(memberId, CALENDAR_FOLDER_ID)!;
  }

  /** A new calendar window (weekly re-anchor or resync): a fresh delta round; events it does not return go at its end. */
  reanchorCalendar(memberId: string, runId: string, window: { start: string; end: string }): void {
    this.db.transaction(() => {
      this.assertClaim(memberId, runId);
      const now = this.iso();
      this.db
        .prepare(`UPDATE sync_folders SET stage = 'initial', cursor = NULL, window_start = ?, window_end = ?, anchored_at = ?,
          generation = generation + 1, enumerated = 0, updated_at = ? WHERE member_id = ? AND folder_id = ?`)
        .run(window.start, window.end, now, now, memberId, CALENDAR_FOLDER_ID);
    })();
  }

  /** 410 / SyncStateNotFound: the folder enumerates again from scratch; unseen facts go at the round's end. */
  resetFolder(memberId: string, runId: string, folderId: string, mailWindowStart: string): void {
    this.db.transaction(() => {
      this.assertClaim(memberId, runId);
      this.db
        .prepare(`UPDATE sync_folders SET stage = 'initial', cursor = NULL, backfill_upper = NULL, generation = generation + 1,
          enumerated = 0, oldest_seen = NULL, window_start = CASE kind WHEN 'mail' THEN ? ELSE window_start END, updated_at = ?
          WHERE member_id = ? AND folder_id = ?`)
        .run(mailWindowStart, this.iso(), memberId, folderId);
    })();
  }

  /** A folder no longer listed (deleted, moved under Deleted Items): its facts leave (pending, in case they moved). */
  removeMailFolder(memberId: string, runId: string, folderId: string): number {
    return this.db.transaction(() => {
      this.assertClaim(memberId, runId);
      const r = this.db
        .prepare("UPDATE sync_mail_facts SET pending_removal_at = ? WHERE member_id = ? AND folder_id = ? AND pending_removal_at IS NULL")
        .run(this.iso(), memberId, folderId);
      this.db.prepare("DELETE FROM sync_folders WHERE member_id = ? AND folder_id = ?").run(memberId, folderId);
      return r.changes;
    })();
  }

  recordFolderOutcome(memberId: string, folderId: string, outcome: { ok: true } | { ok: false; error: string; retryAt: Date | null }): void {
    const now = this.iso();
    if (outcome.ok) {
      this.db
        .prepare("UPDATE sync_folders SET last_success_at = ?, last_error = NULL, retry_at = NULL WHERE member_id = ? AND folder_id = ?")
        .run(now, memberId, folderId);
    } else {
      this.db
        .prepare("UPDATE sync_folders SET last_error = ?, retry_at = ? WHERE member_id = ? AND folder_id = ?")
        .run(outcome.error, outcome.retryAt?.toISOString() ?? null, memberId, folderId);
    }
  }

  // ───────────────────────────── import ─────────────────────────────

  /** The change sets of the pages applied so far inside applyTogether(), heard by the listener at its end. */
  private group: FactChanges | null = null;

  /**
   * Whether pages may be applied together. Not when a test injects faults: its fault points
   * ("after-commit" above all) are defined per page transaction, so there pages go one by one.
   */
  get canApplyTogether(): boolean {
    return this.options.fault === undefined;
  }

  /**
   * Applies several pages of one mailbox — the applyMailPage / applyEventPage calls `fn` makes — in ONE
   * transaction, and lets the listener hear their changes once, at the end, inside it. Performance:
   * when the import is slower than Graph, pages of several folders are waiting by the time one is
   * done (4 requests in flight); committing them together saves a commit (and WAL checkpoint) per
   * page, and the interactions engine folds a conversation that has messages on several of those
   * pages (inbox and sent items) once instead of once per page. Each page still commits with its
   * cursor — together with the others, which only makes the unit larger: a crash keeps all or none
   * of them, and replaying them is idempotent. The listener's result depends only on the facts, not
   * on how they were batched (a re-decision hands it a whole window at once).
   */
  applyTogether<T>(memberId: string, fn: () => T): T {
    if (this.group) return fn();
    return this.db.transaction((): T => {
      this.group = emptyChanges(memberId);
      try {
        const result = fn();
        const changes = this.group;
        this.group = null;
        if (hasChanges(changes)) this.options.listener.onFactsChanged(latestOnly(changes));
        return result;
      } finally {
        this.group = null;
      }
    })();
  }

  /** Hands a page's changes to the listener, or to the group being applied together. */
  private notify(changes: FactChanges): void {
    const g = this.group;
    if (g === null || g.memberId !== changes.memberId) {
      this.options.listener.onFactsChanged(changes);
      return;
    }
    g.upsertedMail.push(...changes.upsertedMail);
    g.removedMailIds.push(...changes.removedMailIds);
    g.upsertedEvents.push(...changes.upsertedEvents);
    g.removedEventIds.push(...changes.removedEventIds);
  }

  private iso(): string {
    return this.now().toISOString();
  }

  private skip(memberId: string, folderId: string, id: unknown, reason: string): void {
    this.options.onSkipped?.({ memberId, folderId, id: typeof id === "string" ? id : null, reason });
  }

  private commitAdvance(folder: FolderRow, advance: FolderAdvance, result: PageResult, changes: FactChanges): void {
    const { member_id: memberId, folder_id: folderId } = folder;
    const now = this.iso();
    const oldest = result.oldest !== null && (folder.oldest_seen === null || result.oldest < folder.oldest_seen) ? result.oldest : folder.oldest_seen;
    this.db
      .prepare(`UPDATE sync_folders SET cursor = ?, stage = ?, backfill_upper = ?, enumerated = enumerated + ?, oldest_seen = ?, updated_at = ?
        WHERE member_id = ? AND folder_id = ?`)
      .run(
        advance.cursor === undefined ? folder.cursor : advance.cursor,
        advance.stage ?? folder.stage,
        advance.backfillUpper === undefined ? folder.backfill_upper : advance.backfillUpper,
        folder.stage === "incremental" && (advance.stage ?? folder.stage) === "incremental" ? 0 : result.returned,
        oldest,
        now,
        memberId,
        folderId,
      );
    if (!advance.reconcile) return;
    if (folder.kind === "mail") {
      // Facts of this folder the complete enumeration did not return: gone from the folder. Deleted or
      // moved? Another folder's delta, or the lookup by id at the end of the run, decides (pending).
      this.db
        .prepare(`UPDATE sync_mail_facts SET pending_removal_at = ? WHERE member_id = ? AND folder_id = ? AND seen_generation < ?
          AND pending_removal_at IS NULL`)
        .run(now, memberId, folderId, folder.generation);
    } else {
      const gone = this.db
        .prepare<[string, number], { graph_id: string }>("SELECT graph_id FROM sync_event_facts WHERE member_id = ? AND seen_generation < ?")
        .all(memberId, folder.generation);
      for (const g of gone) {
        this.s.deleteEvent.run(memberId, g.graph_id);
        changes.removedEventIds.push(g.graph_id);
      }
    }
  }

  /**
   * Applies one page of a mail folder (a delta page or a backfill list page) and the folder's advance,
   * atomically, with the listener inside. Returns what happened on the page.
   */
  applyMailPage(memberId: string, runId: string, folderId: string, items: GraphMessage[], advance: FolderAdvance): PageResult {
    this.options.fault?.("before-page", { memberId, folderId });
    // One HMAC per distinct address on the page, not per occurrence (see pageKeyer).
    const keyer = pageKeyer(this.options.keyerFor(memberId));
    const result = this.db.transaction((): PageResult => {
      this.assertClaim(memberId, runId);
      const folder = this.folder(memberId, folderId);
      if (!folder) throw new Error(`Folder ${folderId} is not tracked for ${memberId}`);
      const changes = emptyChanges(memberId);
      const res: PageResult = { upserted: 0, removed: 0, skipped: 0, returned: 0, oldest: null };
      const now = this.iso();
      for (const item of items) {
        if (item && typeof item === "object" && item["@removed"]) {
          if (typeof item.id !== "string" || item.id === "") {
            res.skipped++;
            this.skip(memberId, folderId, item.id, "@removed entry without id");
            continue;
          }
          // Only the folder that holds the fact may remove it: a move's @removed arriving after the
          // new folder's add must not delete the moved message. Unknown ids are a no-op.
          if (this.s.markPending.run(now, memberId, item.id, folderId).changes === 1) res.removed++;
          continue;
        }
        res.returned++;
        const mapped = toMailFact(item ?? {}, memberId, folderId, keyer);
        if (!mapped.ok) {
          res.skipped++;
          this.skip(memberId, folderId, item?.id, mapped.reason);
          continue;
        }
        const fact = mapped.fact;
        if (res.oldest === null || fact.receivedAt < res.oldest) res.oldest = fact.receivedAt;
        if (fact.receivedAt < folder.window_start) continue;
        const participants = JSON.stringify(fact.participants);
        const existing = this.s.mailFact.get(memberId, fact.graphId);
        const same =
          existing !== undefined &&
          existing.folder_id === folderId &&
          existing.internet_message_id === fact.internetMessageId &&
          existing.conversation_id === fact.conversationId &&
          existing.received_at === fact.receivedAt &&
          existing.sent_at === fact.sentAt &&
          existing.is_draft === (fact.isDraft ? 1 : 0) &&
          existing.participants === participants;
        if (same) {
          // A replay (or a pending removal taken back): nothing the interactions engine needs to hear.
          if (existing.seen_generation !== folder.generation || existing.pending_removal_at !== null) {
            this.s.touchMail.run(folder.generation, memberId, fact.graphId);
          }
          continue;
        }
        this.s.upsertMail.run({
          member_id: memberId,
          graph_id: fact.graphId,
          folder_id: folderId,
          internet_message_id: fact.internetMessageId,
          conversation_id: fact.conversationId,
          received_at: fact.receivedAt,
          sent_at: fact.sentAt,
          is_draft: fact.isDraft ? 1 : 0,
          participants,
          seen_generation: folder.generation,
          updated_at: now,
        });
        changes.upsertedMail.push(fact);
        res.upserted++;
      }
      this.options.fault?.("after-facts", { memberId, folderId });
      this.commitAdvance(folder, advance, res, changes);
      if (hasChanges(changes)) this.notify(changes);
      this.options.fault?.("after-listener", { memberId, folderId });
      return res;
    })();
    this.options.fault?.("after-commit", { memberId, folderId });
    return result;
  }

  /** Applies one calendarView delta page and the calendar's advance, atomically. */
  applyEventPage(memberId: string, runId: string, items: GraphEvent[], advance: FolderAdvance): PageResult {
    const folderId = CALENDAR_FOLDER_ID;
    this.options.fault?.("before-page", { memberId, folderId });
    // One HMAC per distinct address on the page, not per occurrence (see pageKeyer).
    const keyer = pageKeyer(this.options.keyerFor(memberId));
    const result = this.db.transaction((): PageResult => {
      this.assertClaim(memberId, runId);
      const folder = this.folder(memberId, folderId);
      if (!folder) throw new Error(`Calendar is not tracked for ${memberId}`);
      const changes = emptyChanges(memberId);
      const res: PageResult = { upserted: 0, removed: 0, skipped: 0, returned: 0, oldest: null };
      const now = this.iso();
      for (const item of items) {
        if (item && typeof item === "object" && item["@removed"]) {
          if (typeof item.id !== "string" || item.id === "") {
            res.skipped++;
            this.skip(memberId, folderId, item.id, "@removed entry without id");
            continue;
          }
          // Graph also reports removals of events outside the view's range and ones never sent to us:
          // deleting an unknown id is a no-op.
          if (this.s.deleteEvent.run(memberId, item.id).changes === 1) {
            changes.removedEventIds.push(item.id);
            res.removed++;
          }
          continue;
        }
        res.returned++;
        // Series masters are not occurrences; calendarView returns the occurrences themselves.
        if (item?.type === "seriesMaster") continue;
        const mapped = toEventFact(item ?? {}, memberId, keyer);
        if (!mapped.ok) {
          res.skipped++;
          this.skip(memberId, folderId, item?.id, mapped.reason);
          continue;
        }
        const fact = mapped.fact;
        // Outside the window (a late page after a reschedule): not ours to keep.
        if (fact.end <= folder.window_start || (folder.window_end !== null && fact.start >= folder.window_end)) {
          if (this.s.deleteEvent.run(memberId, fact.graphId).changes === 1) changes.removedEventIds.push(fact.graphId);
          continue;
        }
        const participants = JSON.stringify(fact.participants);
        const existing = this.s.eventFact.get(memberId, fact.graphId);
        const same =
          existing !== undefined &&
          existing.ical_uid === fact.iCalUId &&
          existing.series_master_id === fact.seriesMasterId &&
          existing.original_start === fact.originalStart &&
          existing.start_at === fact.start &&
          existing.end_at === fact.end &&
          existing.is_cancelled === (fact.isCancelled ? 1 : 0) &&
          existing.owner_response === fact.ownerResponse &&
          existing.participants === participants;
        if (same) {
          if (existing.seen_generation !== folder.generation) this.s.touchEvent.run(folder.generation, memberId, fact.graphId);
          continue;
        }
        this.s.upsertEvent.run({
          member_id: memberId,
          graph_id: fact.graphId,
          ical_uid: fact.iCalUId,
          series_master_id: fact.seriesMasterId,
          original_start: fact.originalStart,
          start_at: fact.start,
          end_at: fact.end,
          is_cancelled: fact.isCancelled ? 1 : 0,
          owner_response: fact.ownerResponse,
          participants,
          seen_generation: folder.generation,
          updated_at: now,
        });
        changes.upsertedEvents.push(fact);
        res.upserted++;
      }
      this.options.fault?.("after-facts", { memberId, folderId });
      this.commitAdvance(folder, advance, res, changes);
      if (hasChanges(changes)) this.notify(changes);
      this.options.fault?.("after-listener", { memberId, folderId });
      return res;
    })();
    this.options.fault?.("after-commit", { memberId, folderId });
    return result;
  }

  /** Mail facts that left their folder and wait for Graph to say where the message is now. */
  pendingRemovals(memberId: string): string[] {
    return this.db
      .prepare<[string], { graph_id: string }>("SELECT graph_id FROM sync_mail_facts WHERE member_id = ? AND pending_removal_at IS NOT NULL ORDER BY graph_id")
      .all(memberId)
      .map((r) => r.graph_id);
  }

  /**
   * What Graph said about pending facts, by id: in a synced folder → the fact stays (moved there);
   * gone (folderId null) or in a folder we do not sync → the fact is removed and announced.
   * A fact whose pending mark was taken back meanwhile (a delta page re-added it) is left alone.
   */
  resolvePending(memberId: string, runId: string, outcomes: Array<{ graphId: string; folderId: string | null }>): { moved: number; removed: number } {
    if (outcomes.length === 0) return { moved: 0, removed: 0 };
    return this.db.transaction(() => {
      this.assertClaim(memberId, runId);
      const synced = new Set(this.folders(memberId).filter((f) => f.kind === "mail").map((f) => f.folder_id));
      const stillPending = this.db.prepare<[string, string], { graph_id: string }>(
        "SELECT graph_id FROM sync_mail_facts WHERE member_id = ? AND graph_id = ? AND pending_removal_at IS NOT NULL",
      );
      const keep = this.db.prepare("UPDATE sync_mail_facts SET folder_id = ?, pending_removal_at = NULL, updated_at = ? WHERE member_id = ? AND graph_id = ?");
      const del = this.db.prepare("DELETE FROM sync_mail_facts WHERE member_id = ? AND graph_id = ?");
      const changes = emptyChanges(memberId);
      let moved = 0;
      const now = this.iso();
      for (const o of outcomes) {
        if (!stillPending.get(memberId, o.graphId)) continue;
        if (o.folderId !== null && synced.has(o.folderId)) {
          // The folder is not part of any decision: nothing for the interactions engine to hear.
          keep.run(o.folderId, now, memberId, o.graphId);
          moved++;
        } else {
          del.run(memberId, o.graphId);
          changes.removedMailIds.push(o.graphId);
        }
      }
      if (hasChanges(changes)) this.options.listener.onFactsChanged(changes);
      return { moved, removed: changes.removedMailIds.length };
    })();
  }

  /** Facts that aged out of the window: mail received before `mailBefore`, events that ended before `eventsBefore`. */
  pruneAged(memberId: string, runId: string, mailBefore: Date, eventsBefore: Date): number {
    return this.db.transaction(() => {
      this.assertClaim(memberId, runId);
      const mail = this.db
        .prepare<[string, string], { graph_id: string }>("SELECT graph_id FROM sync_mail_facts WHERE member_id = ? AND received_at < ?")
        .all(memberId, mailBefore.toISOString());
      const events = this.db
        .prepare<[string, string], { graph_id: string }>("SELECT graph_id FROM sync_event_facts WHERE member_id = ? AND end_at < ?")
        .all(memberId, eventsBefore.toISOString());
      if (mail.length + events.length === 0) return 0;
      const delMail = this.db.prepare("DELETE FROM sync_mail_facts WHERE member_id = ? AND graph_id = ?");
      for (const r of mail) delMail.run(memberId, r.graph_id);
      for (const r of events) this.s.deleteEvent.run(memberId, r.graph_id);
      const changes = emptyChanges(memberId);
      changes.removedMailIds = mail.map((r) => r.graph_id);
      changes.removedEventIds = events.map((r) => r.graph_id);
      this.options.listener.onFactsChanged(changes);
      return mail.length + events.length;
    })();
  }

  // ───────────────────────────── reads (interactions engine, "why", tests) ─────────────────────────────

  mailFacts(memberId: string): MailFact[] {
    return this.db
      .prepare<[string], MailFactRow>("SELECT * FROM sync_mail_facts WHERE member_id = ? ORDER BY received_at, graph_id")
      .all(memberId)
      .map(rowToMailFact);
  }

  eventFacts(memberId: string): EventFact[] {
    return this.db
      .prepare<[string], EventFactRow>("SELECT * FROM sync_event_facts WHERE member_id = ? ORDER BY start_at, graph_id")
      .all(memberId)
      .map(rowToEventFact);
  }

  mailFact(memberId: string, graphId: string): MailFact | null {
    const r = this.s.mailFact.get(memberId, graphId);
    return r ? rowToMailFact(r) : null;
  }

  eventFact(memberId: string, graphId: string): EventFact | null {
    const r = this.s.eventFact.get(memberId, graphId);
    return r ? rowToEventFact(r) : null;
  }

  mailFactsByInternetMessageId(memberId: string, internetMessageId: string): MailFact[] {
    return this.db
      .prepare<[string, string], MailFactRow>("SELECT * FROM sync_mail_facts WHERE member_id = ? AND internet_message_id = ?")
      .all(memberId, internetMessageId)
      .map(rowToMailFact);
  }
}
