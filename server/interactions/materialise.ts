/**
 * Decisions → interactions, incrementally. A batch of changed copies (decided, removed, details
 * arrived) touches some conversations and meeting occurrences; only those are folded again (with
 * shared/matching/threads) and written, within the caller's transaction.
 *
 * A conversation is the set of synced messages connected, transitively, by conversationId or by
 * internetMessageId (the same message in two mailboxes), so a touched conversation is found by a
 * walk over interaction_facts along those two indexes. The interactions that held any of its
 * messages before are replaced by the fold's result: merging and splitting conversations need no
 * special case.
 */
import crypto from "node:crypto";
import type { Db } from "../db/database";
import type { Decision } from "../../shared/matching/decide";
import { normalizeAddress } from "../../shared/matching/addresses";
import {
  foldEmailInteractions,
  foldMeetingInteractions,
  messageKey,
  occurrenceKey,
  type EmailInteraction,
  type EventRecord,
  type MeetingInteraction,
  type MessageRecord,
} from "../../shared/matching/threads";
import type { ItemDetails } from "../sync/facts";
import { decodeDecision, encodeDecision, keepsRow } from "./decisions";
import type { OrgDirectory } from "./directory-cache";

export type Kind = "email" | "meeting";

export interface IxFactRow {
  member_id: string;
  kind: Kind;
  graph_id: string;
  organisation_id: string;
  internet_message_id: string | null;
  conversation_id: string | null;
  ical_uid: string | null;
  original_start: string | null;
  at: string;
  end_at: string | null;
  synced: 0 | 1;
  decision: string;
  frozen: 0 | 1;
  details_state: "present" | "missing" | "gone";
  details_attempts: number;
  details_retry_at: string | null;
  subject: string | null;
  web_link: string | null;
  participants: string | null;
  updated_at: string;
}

/** Where a copy sits for grouping: what the decision was made on besides its participants. */
export interface FactPlace {
  internetMessageId: string | null;
  conversationId: string | null;
  iCalUId: string | null;
  originalStart: string | null;
  at: string;
  endAt: string | null;
}

export type FactUpdate =
  | { op: "decided"; kind: Kind; memberId: string; graphId: string; decision: Decision; place: FactPlace; details?: ItemDetails }
  | { op: "removed"; kind: Kind; memberId: string; graphId: string }
  | { op: "details"; kind: Kind; memberId: string; graphId: string; details: ItemDetails | null };

export interface ApplyResult {
  /** Copies whose stored decision, place or details changed. */
  changedFacts: number;
  interactionsWritten: number;
  interactionsRemoved: number;
  customersTouched: number;
  /** Copies now synced whose details must be fetched from Graph. */
  missingDetails: number;
}

export interface InteractionParticipant {
  address: string;
  name: string;
  kind: "contact" | "team_member";
  userId?: string;
  memberId?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function interactionId(kind: Kind, customerId: string, groupKey: string): string {
  const h = crypto.createHash("sha256").update(`${kind}\u0000${customerId}\u0000${groupKey}`).digest("base64url").slice(0, 24);
  return `${kind === "email" ? "em" : "mt"}_${h}`;
}

function factKey(memberId: string, graphId: string): string {
  return `${memberId}\u0000${graphId}`;
}

function detailsJson(d: ItemDetails): string {
  return JSON.stringify(d.participants);
}

/** Statements of the form `... IN (?, ?, …)`, prepared once per padded size and run in chunks. */
class InQuery<R> {
  private readonly cache = new Map<number, { all(...params: unknown[]): R[] }>();
  constructor(
    private readonly db: Db,
    /** SQL with a single `(?IN)` placeholder for the list. */
    private readonly sql: string,
  ) {}
  private stmt(size: number) {
    let st = this.cache.get(size);
    if (!st) {
      st = this.db.prepare(this.sql.replace("(?IN)", `(${new Array(size).fill("?").join(", ")})`)) as unknown as { all(...params: unknown[]): R[] };
      this.cache.set(size, st);
    }
    return st;
  }
  all(prefix: readonly unknown[], values: readonly string[]): R[] {
    const out: R[] = [];
    for (let i = 0; i < values.length; i += 256) {
      const chunk = values.slice(i, i + 256);
      // Padded to a few sizes (repeating the last value) so only five statements are ever prepared.
      const size = chunk.length <= 1 ? 1 : chunk.length <= 4 ? 4 : chunk.length <= 16 ? 16 : chunk.length <= 64 ? 64 : 256;
      while (chunk.length < size) chunk.push(chunk[chunk.length - 1]!);
      for (const r of this.stmt(size).all(...prefix, ...chunk)) out.push(r);
    }
    return out;
  }
}

/** A row of interactions as written (and read back to compare). */
interface InteractionWrite {
  id: string;
  organisation_id: string;
  customer_id: string;
  kind: Kind;
  group_key: string;
  subject: string | null;
  first_at: string;
  last_at: string;
  end_at: string | null;
  message_count: number;
  last_direction: "sent" | "received" | null;
  last_reply_at: string | null;
  cancelled: number;
  counted: number;
  via_domain: number;
  web_link: string | null;
  participants: string;
  team_member_ids: string;
  contact_user_ids: string;
  details_pending: number;
  updated_at: string;
}

const COMPARED: readonly (keyof InteractionWrite)[] = [
  "organisation_id", "customer_id", "kind", "group_key", "subject", "first_at", "last_at", "end_at", "message_count",
  "last_direction", "last_reply_at", "cancelled", "counted", "via_domain", "web_link", "participants", "team_member_ids",
  "contact_user_ids", "details_pending",
];

/** Every column but the id, for in-place rewrites. */
const REWRITTEN: readonly (keyof InteractionWrite)[] = [...COMPARED, "updated_at"];

function sameInteraction(a: InteractionWrite, b: InteractionWrite): boolean {
  for (const k of COMPARED) if (a[k] !== b[k]) return false;
  return true;
}

/** interaction_messages values after interaction_id and organisation_id. */
type MessageWrite = [string, string, string | null, string, string, "sent" | "received" | null, number];

function messageSignature(m: MessageWrite): string {
  return m.join("\u0000");
}

interface Planned {
  row: InteractionWrite;
  messages: MessageWrite[];
  members: string[];
  lastEmail: string | null;
  lastReply: string | null;
  /** Start of a counted meeting. */
  meeting: string | null;
}

interface RemovedInteraction {
  id: string;
  customer_id: string;
  kind: Kind;
  last_at: string;
  last_reply_at: string | null;
  counted: number;
}

/** What one apply added and removed per customer: enough to keep customer_activity current without scans. */
interface ActivityDelta {
  lastEmail: string | null;
  lastReply: string | null;
  meetings: string[];
  removed: RemovedInteraction[];
}

/** A copy that takes part in grouping only. */
const NOT_SYNCED: Decision = decodeDecision('{"s":0,"o":"no_customer_contact","x":0,"f":0,"t":[],"c":[]}', "email");

const maxIso = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);

export class Materialiser {
  private readonly s;
  private readonly q;
  /** UPDATE statements of in-place rewrites, by the set of columns they set. */
  private readonly updates = new Map<string, { run(...params: unknown[]): unknown }>();

  constructor(private readonly db: Db) {
    this.s = {
      getFact: db.prepare<[string, string, string], IxFactRow>("SELECT * FROM interaction_facts WHERE member_id = ? AND kind = ? AND graph_id = ?"),
      deleteFact: db.prepare("DELETE FROM interaction_facts WHERE member_id = ? AND kind = ? AND graph_id = ?"),
      freeze: db.prepare("UPDATE interaction_facts SET frozen = 1, updated_at = ? WHERE member_id = ? AND kind = ? AND graph_id = ?"),
      upsertFact: db.prepare(`INSERT INTO interaction_facts (member_id, kind, graph_id, organisation_id, internet_message_id,
          conversation_id, ical_uid, original_start, at, end_at, synced, decision, frozen, details_state, details_attempts,
          details_retry_at, subject, web_link, participants, updated_at)
        VALUES (@member_id, @kind, @graph_id, @organisation_id, @internet_message_id, @conversation_id, @ical_uid,
          @original_start, @at, @end_at, @synced, @decision, 0, @details_state, @details_attempts, @details_retry_at,
          @subject, @web_link, @participants, @updated_at)
        ON CONFLICT (member_id, kind, graph_id) DO UPDATE SET organisation_id = excluded.organisation_id,
          internet_message_id = excluded.internet_message_id, conversation_id = excluded.conversation_id,
          ical_uid = excluded.ical_uid, original_start = excluded.original_start, at = excluded.at, end_at = excluded.end_at,
          synced = excluded.synced, decision = excluded.decision, frozen = 0, details_state = excluded.details_state,
          details_attempts = excluded.details_attempts, details_retry_at = excluded.details_retry_at,
          subject = excluded.subject, web_link = excluded.web_link, participants = excluded.participants,
          updated_at = excluded.updated_at`),
      setDetails: db.prepare(`UPDATE interaction_facts SET details_state = ?, subject = ?, web_link = ?, participants = ?,
          details_retry_at = NULL, updated_at = ? WHERE member_id = ? AND kind = ? AND graph_id = ?`),
      deleteInteraction: db.prepare("DELETE FROM interactions WHERE id = ?"),
      insertInteraction: db.prepare(`INSERT INTO interactions (id, organisation_id, customer_id, kind, group_key, subject,
          first_at, last_at, end_at, message_count, last_direction, last_reply_at, cancelled, counted, via_domain, web_link,
          participants, team_member_ids, contact_user_ids, details_pending, updated_at)
        VALUES (@id, @organisation_id, @customer_id, @kind, @group_key, @subject, @first_at, @last_at, @end_at, @message_count,
          @last_direction, @last_reply_at, @cancelled, @counted, @via_domain, @web_link, @participants, @team_member_ids,
          @contact_user_ids, @details_pending, @updated_at)`),
      insertMessage: db.prepare(`INSERT INTO interaction_messages (interaction_id, organisation_id, member_id, graph_id,
          internet_message_id, message_key, at, direction, from_contact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      insertTeamMember: db.prepare("INSERT INTO interaction_team_members (interaction_id, member_id, organisation_id) VALUES (?, ?, ?)"),
      deleteMessage: db.prepare("DELETE FROM interaction_messages WHERE interaction_id = ? AND member_id = ? AND graph_id = ?"),
      deleteTeamMember: db.prepare("DELETE FROM interaction_team_members WHERE interaction_id = ? AND member_id = ?"),
      lastEmail: db.prepare<[string], { v: string | null }>(
        "SELECT MAX(last_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'email' AND counted = 1",
      ),
      lastMeeting: db.prepare<[string, string], { v: string | null }>(
        "SELECT MAX(last_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'meeting' AND counted = 1 AND last_at <= ?",
      ),
      nextMeeting: db.prepare<[string, string], { v: string | null }>(
        "SELECT MIN(last_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'meeting' AND counted = 1 AND last_at > ?",
      ),
      lastReply: db.prepare<[string], { v: string | null }>("SELECT MAX(last_reply_at) AS v FROM interactions WHERE customer_id = ? AND kind = 'email'"),
      customerExists: db.prepare<[string], { id: string }>("SELECT id FROM customers WHERE id = ?"),
      activity: db.prepare<[string], { last_interaction_at: string | null; last_email_reply_at: string | null; next_meeting_at: string | null }>(
        "SELECT last_interaction_at, last_email_reply_at, next_meeting_at FROM customer_activity WHERE customer_id = ?",
      ),
      upsertActivity: db.prepare(`INSERT INTO customer_activity (customer_id, organisation_id, last_interaction_at, last_email_reply_at,
          next_meeting_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (customer_id) DO UPDATE SET last_interaction_at = excluded.last_interaction_at,
          last_email_reply_at = excluded.last_email_reply_at, next_meeting_at = excluded.next_meeting_at, updated_at = excluded.updated_at`),
    };
    this.q = {
      facts: new InQuery<IxFactRow>(db, "SELECT * FROM interaction_facts WHERE member_id = ? AND kind = ? AND graph_id IN (?IN)"),
      byImid: new InQuery<IxFactRow>(db, "SELECT * FROM interaction_facts WHERE organisation_id = ? AND kind = 'email' AND internet_message_id IN (?IN)"),
      keysByConversation: new InQuery<{ member_id: string; graph_id: string }>(
        db,
        "SELECT member_id, graph_id FROM interaction_facts WHERE organisation_id = ? AND kind = 'email' AND conversation_id IN (?IN)",
      ),
      keysByImid: new InQuery<{ member_id: string; graph_id: string }>(
        db,
        "SELECT member_id, graph_id FROM interaction_facts WHERE organisation_id = ? AND kind = 'email' AND internet_message_id IN (?IN)",
      ),
      // Copies the sync stored that did not sync: their conversation ids still join threads.
      copiesByImid: new InQuery<{
        member_id: string;
        graph_id: string;
        internet_message_id: string;
        conversation_id: string | null;
        sent_at: string | null;
        received_at: string;
      }>(db, "SELECT member_id, graph_id, internet_message_id, conversation_id, sent_at, received_at FROM sync_mail_facts WHERE internet_message_id IN (?IN)"),
      byIcal: new InQuery<IxFactRow>(db, "SELECT * FROM interaction_facts WHERE organisation_id = ? AND kind = 'meeting' AND ical_uid IN (?IN)"),
      interactionsOfFacts: new InQuery<{ interaction_id: string }>(
        db,
        "SELECT DISTINCT interaction_id FROM interaction_messages WHERE member_id = ? AND graph_id IN (?IN)",
      ),
      messagesOfInteractions: new InQuery<{ member_id: string; graph_id: string }>(
        db,
        "SELECT member_id, graph_id FROM interaction_messages WHERE interaction_id IN (?IN)",
      ),
      interactionsFull: new InQuery<InteractionWrite>(db, "SELECT * FROM interactions WHERE id IN (?IN)"),
      messageRows: new InQuery<{
        interaction_id: string;
        member_id: string;
        graph_id: string;
        internet_message_id: string | null;
        message_key: string;
        at: string;
        direction: "sent" | "received" | null;
        from_contact: number;
      }>(db, "SELECT interaction_id, member_id, graph_id, internet_message_id, message_key, at, direction, from_contact FROM interaction_messages WHERE interaction_id IN (?IN)"),
      memberRows: new InQuery<{ interaction_id: string; member_id: string }>(db, "SELECT interaction_id, member_id FROM interaction_team_members WHERE interaction_id IN (?IN)"),
    };
  }

  getFact(memberId: string, kind: Kind, graphId: string): IxFactRow | undefined {
    return this.s.getFact.get(memberId, kind, graphId);
  }

  /** Rows of interaction_facts for many copies at once, keyed by factKey. */
  private loadFacts(kind: Kind, refs: readonly { memberId: string; graphId: string }[]): Map<string, IxFactRow> {
    const byMember = new Map<string, string[]>();
    for (const r of refs) {
      const list = byMember.get(r.memberId);
      if (list) list.push(r.graphId);
      else byMember.set(r.memberId, [r.graphId]);
    }
    const out = new Map<string, IxFactRow>();
    for (const [memberId, ids] of byMember) for (const row of this.q.facts.all([memberId, kind], ids)) out.set(factKey(row.member_id, row.graph_id), row);
    return out;
  }

  /** The interactions that hold any of these copies now. */
  private interactionsOf(refs: Iterable<{ member_id: string; graph_id: string }>, into: Set<string>): void {
    const byMember = new Map<string, string[]>();
    for (const r of refs) {
      const list = byMember.get(r.member_id);
      if (list) list.push(r.graph_id);
      else byMember.set(r.member_id, [r.graph_id]);
    }
    for (const [memberId, ids] of byMember) for (const r of this.q.interactionsOfFacts.all([memberId], ids)) into.add(r.interaction_id);
  }

  /**
   * Applies a batch. Must run inside a transaction (the sync's page, a re-decision, a details fetch).
   * `agedBefore`: a removed copy older than this left the window (the sync prunes aged facts); it is
   * kept, frozen, so the history beyond the window stays.
   */
  apply(dir: OrgDirectory, updates: readonly FactUpdate[], now: Date, agedBefore: string): ApplyResult {
    const orgId = dir.organisationId;
    const nowIso = now.toISOString();
    const result: ApplyResult = { changedFacts: 0, interactionsWritten: 0, interactionsRemoved: 0, customersTouched: 0, missingDetails: 0 };
    const changes: Record<Kind, { old: IxFactRow[]; current: Map<string, IxFactRow>; created: Set<string> }> = {
      email: { old: [], current: new Map(), created: new Set() },
      meeting: { old: [], current: new Map(), created: new Set() },
    };
    // Every copy's stored row, read in a few batched queries rather than one per copy.
    const stored: Record<Kind, Map<string, IxFactRow>> = {
      email: this.loadFacts("email", updates.filter((u) => u.kind === "email")),
      meeting: this.loadFacts("meeting", updates.filter((u) => u.kind === "meeting")),
    };

    // New copies that did not sync but are copies of a message that synced elsewhere: they may join threads.
    const bridgeCandidates: (FactUpdate & { op: "decided" })[] = [];
    for (const u of updates) {
      const key = factKey(u.memberId, u.graphId);
      const c = changes[u.kind];
      const old = stored[u.kind].get(key);
      const forget = () => {
        this.s.deleteFact.run(u.memberId, u.kind, u.graphId);
        stored[u.kind].delete(key);
        c.current.delete(key);
        c.old.push(old!);
        result.changedFacts++;
      };
      if (u.op === "removed") {
        if (!old) continue;
        const agedAt = old.kind === "meeting" ? (old.end_at ?? old.at) : old.at;
        if (agedAt < agedBefore) {
          if (old.frozen === 0) this.s.freeze.run(nowIso, u.memberId, u.kind, u.graphId);
          continue;
        }
        forget();
        continue;
      }
      if (u.op === "details") {
        if (!old || old.details_state !== "missing") continue;
        const d = u.details;
        this.s.setDetails.run(d ? "present" : "gone", d ? d.subject : null, d ? d.webLink : null, d ? detailsJson(d) : null, nowIso, u.memberId, u.kind, u.graphId);
        const row: IxFactRow = {
          ...old,
          details_state: d ? "present" : "gone",
          subject: d ? d.subject : null,
          web_link: d ? d.webLink : null,
          participants: d ? detailsJson(d) : null,
          details_retry_at: null,
          updated_at: nowIso,
        };
        stored[u.kind].set(key, row);
        c.old.push(old);
        c.current.set(key, row);
        result.changedFacts++;
        continue;
      }
      // decided
      if (!keepsRow(u.decision)) {
        if (old) forget();
        else if (u.kind === "email" && u.place.internetMessageId && u.place.conversationId) bridgeCandidates.push(u);
        continue;
      }
      const decision = encodeDecision(u.decision);
      const p = u.place;
      // Details are kept only for copies that synced; a declined copy stays hash-only.
      let details_state: IxFactRow["details_state"];
      let subject: string | null = null;
      let web_link: string | null = null;
      let participants: string | null = null;
      let details_attempts = 0;
      let details_retry_at: string | null = null;
      if (!u.decision.sync) details_state = "gone";
      else if (u.details) {
        details_state = "present";
        subject = u.details.subject;
        web_link = u.details.webLink;
        participants = detailsJson(u.details);
      } else if (old && old.synced === 1 && old.details_state !== "missing") {
        details_state = old.details_state;
        subject = old.subject;
        web_link = old.web_link;
        participants = old.participants;
      } else {
        details_state = "missing";
        details_attempts = old?.details_state === "missing" ? old.details_attempts : 0;
        details_retry_at = old?.details_state === "missing" ? old.details_retry_at : null;
      }
      if (
        old !== undefined &&
        old.frozen === 0 &&
        old.decision === decision &&
        old.internet_message_id === p.internetMessageId &&
        old.conversation_id === p.conversationId &&
        old.ical_uid === p.iCalUId &&
        old.original_start === p.originalStart &&
        old.at === p.at &&
        old.end_at === p.endAt &&
        old.details_state === details_state &&
        old.subject === subject &&
        old.web_link === web_link &&
        old.participants === participants
      ) {
        continue;
      }
      const row: IxFactRow = {
        member_id: u.memberId,
        kind: u.kind,
        graph_id: u.graphId,
        organisation_id: orgId,
        internet_message_id: p.internetMessageId,
        conversation_id: p.conversationId,
        ical_uid: p.iCalUId,
        original_start: p.originalStart,
        at: p.at,
        end_at: p.endAt,
        synced: u.decision.sync ? 1 : 0,
        decision,
        frozen: 0,
        details_state,
        details_attempts,
        details_retry_at,
        subject,
        web_link,
        participants,
        updated_at: nowIso,
      };
      this.s.upsertFact.run(row);
      if (details_state === "missing") result.missingDetails++;
      stored[u.kind].set(key, row);
      if (old) c.old.push(old);
      else if (!c.current.has(key)) c.created.add(key);
      c.current.set(key, row);
      result.changedFacts++;
    }

    if (bridgeCandidates.length > 0) {
      const synced = new Set(this.q.byImid.all([orgId], bridgeCandidates.map((u) => u.place.internetMessageId!)).map((r) => r.internet_message_id));
      for (const u of bridgeCandidates) {
        if (!synced.has(u.place.internetMessageId)) continue;
        // Only its place matters: the walk starts from its conversation and message ids.
        changes.email.old.push({
          member_id: u.memberId,
          kind: "email",
          graph_id: u.graphId,
          organisation_id: orgId,
          internet_message_id: u.place.internetMessageId,
          conversation_id: u.place.conversationId,
          ical_uid: null,
          original_start: null,
          at: u.place.at,
          end_at: null,
          synced: 0,
          decision: "",
          frozen: 0,
          details_state: "gone",
          details_attempts: 0,
          details_retry_at: null,
          subject: null,
          web_link: null,
          participants: null,
          updated_at: nowIso,
        });
      }
    }

    const deltas = new Map<string, ActivityDelta>();
    if (changes.email.old.length + changes.email.current.size > 0) this.refreshEmails(dir, changes.email, nowIso, deltas, result);
    if (changes.meeting.old.length + changes.meeting.current.size > 0) this.refreshMeetings(dir, changes.meeting, nowIso, deltas, result);
    for (const [customerId, delta] of deltas) this.updateActivity(orgId, customerId, delta, now);
    result.customersTouched = deltas.size;
    return result;
  }

  // ───────────────────────────── emails ─────────────────────────────

  private refreshEmails(
    dir: OrgDirectory,
    change: { old: IxFactRow[]; current: Map<string, IxFactRow>; created: Set<string> },
    nowIso: string,
    deltas: Map<string, ActivityDelta>,
    result: ApplyResult,
  ): void {
    const orgId = dir.organisationId;
    const facts = new Map<string, IxFactRow>(change.current);
    const visitedConv = new Set<string>();
    const visitedImid = new Set<string>();
    let convs: string[] = [];
    let imids: string[] = [];
    const pushNodes = (r: IxFactRow) => {
      if (r.conversation_id && !visitedConv.has(r.conversation_id)) {
        visitedConv.add(r.conversation_id);
        convs.push(r.conversation_id);
      }
      if (r.internet_message_id && !visitedImid.has(r.internet_message_id)) {
        visitedImid.add(r.internet_message_id);
        imids.push(r.internet_message_id);
      }
    };
    const addFact = (r: IxFactRow): boolean => {
      const k = factKey(r.member_id, r.graph_id);
      if (facts.has(k)) return false;
      facts.set(k, r);
      pushNodes(r);
      return true;
    };
    for (const r of change.old) pushNodes(r);
    for (const r of change.current.values()) pushNodes(r);

    // Copies that existed before this batch may be in interactions that must now be replaced.
    const oldInteractions = new Set<string>();
    const checked = new Set<string>();
    const pendingOld: IxFactRow[] = [...change.old];
    for (const [k, r] of change.current) if (!change.created.has(k)) pendingOld.push(r);
    const seenInteractions = new Set<string>();
    const bridges = new Map<string, MessageRecord>();

    for (;;) {
      // One level of the walk: every unvisited conversation and internetMessageId in two queries.
      while (convs.length + imids.length > 0) {
        const c = convs;
        const m = imids;
        convs = [];
        imids = [];
        if (m.length > 0) {
          // The same message in another mailbox joins that mailbox's thread, even where that copy did
          // not sync: it takes part in the grouping (never in the counts).
          for (const copy of this.q.copiesByImid.all([], m)) {
            if (!dir.contexts.has(copy.member_id)) continue;
            const k = factKey(copy.member_id, copy.graph_id);
            if (!bridges.has(k)) {
              bridges.set(k, {
                mailboxMemberId: copy.member_id,
                id: copy.graph_id,
                internetMessageId: copy.internet_message_id,
                conversationId: copy.conversation_id,
                at: Date.parse(copy.sent_at ?? copy.received_at),
                decision: NOT_SYNCED,
              });
            }
            const conv = copy.conversation_id;
            if (conv && !visitedConv.has(conv)) {
              visitedConv.add(conv);
              c.push(conv);
            }
          }
        }
        // Keys first, whole rows only for copies not in hand. Performance: most copies a level finds
        // are ones this batch just wrote (or found one level up), and reading their whole rows again
        // (decision, details) was a good share of the walk. Same copies, same order as before.
        const keys = [...(c.length > 0 ? this.q.keysByConversation.all([orgId], c) : []), ...(m.length > 0 ? this.q.keysByImid.all([orgId], m) : [])];
        const unknown: { memberId: string; graphId: string; key: string }[] = [];
        const asked = new Set<string>();
        for (const r of keys) {
          const k = factKey(r.member_id, r.graph_id);
          if (facts.has(k) || asked.has(k)) continue;
          asked.add(k);
          unknown.push({ memberId: r.member_id, graphId: r.graph_id, key: k });
        }
        if (unknown.length > 0) {
          const rows = this.loadFacts("email", unknown);
          for (const u of unknown) {
            const r = rows.get(u.key);
            if (r && addFact(r) && !change.created.has(u.key)) pendingOld.push(r);
          }
        }
      }
      const toCheck = pendingOld.filter((r) => {
        const k = factKey(r.member_id, r.graph_id);
        if (checked.has(k)) return false;
        checked.add(k);
        return true;
      });
      pendingOld.length = 0;
      this.interactionsOf(toCheck, oldInteractions);
      // Copies of the interactions being replaced join the fold, so a split conversation keeps its other part.
      const fresh = [...oldInteractions].filter((id) => !seenInteractions.has(id));
      for (const id of fresh) seenInteractions.add(id);
      const missing = fresh.length > 0 ? this.q.messagesOfInteractions.all([], fresh).filter((m) => !facts.has(factKey(m.member_id, m.graph_id))) : [];
      if (missing.length > 0) {
        for (const r of this.loadFacts("email", missing.map((m) => ({ memberId: m.member_id, graphId: m.graph_id }))).values()) {
          if (addFact(r)) pendingOld.push(r);
        }
      }
      if (convs.length + imids.length + pendingOld.length === 0) break;
    }

    const records: (MessageRecord & { row: IxFactRow })[] = [];
    for (const r of facts.values()) {
      if (r.synced !== 1) continue;
      records.push({
        mailboxMemberId: r.member_id,
        id: r.graph_id,
        internetMessageId: r.internet_message_id,
        conversationId: r.conversation_id,
        at: Date.parse(r.at),
        subject: r.subject,
        decision: decodeDecision(r.decision, "email"),
        row: r,
      });
    }
    const byFact = new Map(records.map((r) => [factKey(r.mailboxMemberId, r.id), r]));
    const grouping: MessageRecord[] = [...records];
    for (const [k, b] of bridges) if (!byFact.has(k)) grouping.push(b);
    const planned: Planned[] = [];
    for (const it of foldEmailInteractions(grouping)) {
      if (dir.customerIds.has(it.customerId)) planned.push(this.planEmail(dir, it, byFact, nowIso));
    }
    this.commit(planned, oldInteractions, deltas, result);
  }

  private planEmail(dir: OrgDirectory, it: EmailInteraction, byFact: Map<string, MessageRecord & { row: IxFactRow }>, nowIso: string): Planned {
    const orgId = dir.organisationId;
    const id = interactionId("email", it.customerId, it.conversationKey);
    const sources = it.sources.map((s) => byFact.get(factKey(s.mailboxMemberId, s.id))!).filter(Boolean);
    let pending = false;
    let webLink: string | null = null;
    let webLinkAt = -Infinity;
    for (const s of sources) {
      if (s.row.details_state === "missing") pending = true;
      if (s.row.web_link && s.at >= webLinkAt) {
        webLink = s.row.web_link;
        webLinkAt = s.at;
      }
    }
    const participants = buildParticipants(dir, it.customerId, it.contactKeys, it.contactUserIds, it.teamMemberIds, sources.map((s) => s.row));
    const row: InteractionWrite = {
      id,
      organisation_id: orgId,
      customer_id: it.customerId,
      kind: "email",
      group_key: it.conversationKey,
      subject: it.subject || (pending ? null : ""),
      first_at: iso(it.firstAt),
      last_at: iso(it.lastAt),
      end_at: null,
      message_count: it.messageCount,
      last_direction: it.lastDirection,
      last_reply_at: it.lastEmailReplyAt === null ? null : iso(it.lastEmailReplyAt),
      cancelled: 0,
      counted: 1,
      via_domain: it.viaDomain ? 1 : 0,
      web_link: webLink,
      participants: JSON.stringify(participants),
      team_member_ids: JSON.stringify(it.teamMemberIds),
      contact_user_ids: JSON.stringify(it.contactUserIds),
      details_pending: pending ? 1 : 0,
      updated_at: nowIso,
    };
    // Per message (deduplicated): who sent it, from the team's point of view and this customer's.
    const perMessage = new Map<string, { fromTeam: boolean; fromContact: boolean }>();
    for (const s of sources) {
      const mk = messageKey({ internetMessageId: s.internetMessageId, mailboxMemberId: s.mailboxMemberId, id: s.id });
      const m = perMessage.get(mk) ?? { fromTeam: false, fromContact: false };
      if (s.decision.fromTeam) m.fromTeam = true;
      for (const h of s.decision.customers) if (h.customerId === it.customerId && h.senderIsContact) m.fromContact = true;
      perMessage.set(mk, m);
    }
    const messages: MessageWrite[] = sources.map((s) => {
      const mk = messageKey({ internetMessageId: s.internetMessageId, mailboxMemberId: s.mailboxMemberId, id: s.id });
      const m = perMessage.get(mk)!;
      return [s.mailboxMemberId, s.id, s.internetMessageId ?? null, mk, s.row.at, m.fromTeam ? "sent" : "received", m.fromContact ? 1 : 0];
    });
    return { row, messages, members: [...it.teamMemberIds], lastEmail: row.last_at, lastReply: row.last_reply_at, meeting: null };
  }

  // ───────────────────────────── meetings ─────────────────────────────

  private refreshMeetings(
    dir: OrgDirectory,
    change: { old: IxFactRow[]; current: Map<string, IxFactRow>; created: Set<string> },
    nowIso: string,
    deltas: Map<string, ActivityDelta>,
    result: ApplyResult,
  ): void {
    const orgId = dir.organisationId;
    const facts = new Map<string, IxFactRow>(change.current);
    const icals = new Set<string>();
    for (const r of change.old) if (r.ical_uid) icals.add(r.ical_uid);
    for (const r of change.current.values()) if (r.ical_uid) icals.add(r.ical_uid);
    const existing: IxFactRow[] = [...change.old];
    for (const [k, r] of change.current) if (!change.created.has(k)) existing.push(r);
    if (icals.size > 0) {
      for (const r of this.q.byIcal.all([orgId], [...icals])) {
        const k = factKey(r.member_id, r.graph_id);
        if (facts.has(k)) continue;
        facts.set(k, r);
        existing.push(r);
      }
    }
    const oldInteractions = new Set<string>();
    this.interactionsOf(existing, oldInteractions);
    // Copies of the replaced interactions that left the occurrence (an iCalUId changed) keep their own interactions.
    if (oldInteractions.size > 0) {
      const missing = this.q.messagesOfInteractions.all([], [...oldInteractions]).filter((m) => !facts.has(factKey(m.member_id, m.graph_id)));
      if (missing.length > 0) {
        for (const [k, r] of this.loadFacts("meeting", missing.map((m) => ({ memberId: m.member_id, graphId: m.graph_id })))) facts.set(k, r);
      }
    }

    const records: (EventRecord & { row: IxFactRow })[] = [];
    for (const r of facts.values()) {
      records.push({
        mailboxMemberId: r.member_id,
        id: r.graph_id,
        iCalUId: r.ical_uid,
        seriesUid: null,
        originalStart: r.original_start,
        start: Date.parse(r.at),
        end: r.end_at ? Date.parse(r.end_at) : null,
        subject: r.subject,
        decision: decodeDecision(r.decision, "meeting"),
        row: r,
      });
    }
    const byFact = new Map(records.map((r) => [factKey(r.mailboxMemberId, r.id), r]));
    const planned: Planned[] = [];
    for (const it of foldMeetingInteractions(records)) {
      if (dir.customerIds.has(it.customerId)) planned.push(this.planMeeting(dir, it, byFact, nowIso));
    }
    this.commit(planned, oldInteractions, deltas, result);
  }

  private planMeeting(dir: OrgDirectory, it: MeetingInteraction, byFact: Map<string, EventRecord & { row: IxFactRow }>, nowIso: string): Planned {
    const orgId = dir.organisationId;
    const id = interactionId("meeting", it.customerId, it.occurrenceKey);
    const sources = it.sources.map((s) => byFact.get(factKey(s.mailboxMemberId, s.id))!).filter(Boolean);
    let pending = false;
    let webLink: string | null = null;
    for (const s of sources) {
      if (s.row.details_state === "missing") pending = true;
      if (!webLink && s.row.web_link) webLink = s.row.web_link;
    }
    const participants = buildParticipants(dir, it.customerId, it.contactKeys, it.contactUserIds, it.teamMemberIds, sources.map((s) => s.row));
    const row: InteractionWrite = {
      id,
      organisation_id: orgId,
      customer_id: it.customerId,
      kind: "meeting",
      group_key: it.occurrenceKey,
      subject: it.subject || (pending ? null : ""),
      first_at: iso(it.start),
      last_at: iso(it.start),
      end_at: it.end === null ? null : iso(it.end),
      message_count: 0,
      last_direction: null,
      last_reply_at: null,
      cancelled: it.cancelled ? 1 : 0,
      counted: it.counted ? 1 : 0,
      via_domain: it.viaDomain ? 1 : 0,
      web_link: webLink,
      participants: JSON.stringify(participants),
      team_member_ids: JSON.stringify(it.teamMemberIds),
      contact_user_ids: JSON.stringify(it.contactUserIds),
      details_pending: pending ? 1 : 0,
      updated_at: nowIso,
    };
    const messages: MessageWrite[] = sources.map((s) => [s.mailboxMemberId, s.id, null, occurrenceKey(s), s.row.at, null, 0]);
    return { row, messages, members: [...it.teamMemberIds], lastEmail: null, lastReply: null, meeting: it.counted ? row.first_at : null };
  }

  // ───────────────────────────── shared ─────────────────────────────

  /**
   * Replaces the interactions that held the touched copies with the fold's result. An interaction
   * the fold reproduces exactly (same row, copies and team members) is left alone, so re-deciding
   * rewrites only what changed.
   */
  private commit(planned: Planned[], oldIds: Set<string>, deltas: Map<string, ActivityDelta>, result: ApplyResult): void {
    const keep = new Set<string>();
    let oldRows = new Map<string, InteractionWrite>();
    // The stored copies and team members of old interactions the fold produces again (same id).
    const oldMessages = new Map<string, Array<{ signature: string; member_id: string; graph_id: string }>>();
    const oldMembers = new Map<string, string[]>();
    if (oldIds.size > 0) {
      const ids = [...oldIds];
      oldRows = new Map(this.q.interactionsFull.all([], ids).map((r) => [r.id, r]));
      const plannedIds = planned.filter((p) => oldRows.has(p.row.id)).map((p) => p.row.id);
      if (plannedIds.length > 0) {
        for (const m of this.q.messageRows.all([], plannedIds)) {
          let list = oldMessages.get(m.interaction_id);
          if (!list) oldMessages.set(m.interaction_id, (list = []));
          list.push({
            signature: messageSignature([m.member_id, m.graph_id, m.internet_message_id, m.message_key, m.at, m.direction, m.from_contact]),
            member_id: m.member_id,
            graph_id: m.graph_id,
          });
        }
        for (const m of this.q.memberRows.all([], plannedIds)) {
          let list = oldMembers.get(m.interaction_id);
          if (!list) oldMembers.set(m.interaction_id, (list = []));
          list.push(m.member_id);
        }
        for (const p of planned) {
          const old = oldRows.get(p.row.id);
          if (!old || !sameInteraction(old, p.row)) continue;
          const stored = (oldMessages.get(p.row.id) ?? []).map((m) => m.signature);
          if (stored.sort().join("\n") !== p.messages.map(messageSignature).sort().join("\n")) continue;
          if ([...(oldMembers.get(p.row.id) ?? [])].sort().join(",") !== [...p.members].sort().join(",")) continue;
          keep.add(p.row.id);
        }
      }
      const replanned = new Set(planned.map((p) => p.row.id));
      for (const r of oldRows.values()) {
        if (keep.has(r.id)) continue;
        delta(deltas, r.customer_id).removed.push(r);
        // One the fold produces again is rewritten in place below; only the others are deleted.
        if (!replanned.has(r.id)) this.s.deleteInteraction.run(r.id);
        result.interactionsRemoved++;
      }
    }
    for (const p of planned) {
      if (keep.has(p.row.id)) continue;
      const id = p.row.id;
      const orgId = p.row.organisation_id;
      const old = oldRows.get(id);
      if (old) {
        this.rewrite(old, p, oldMessages.get(id) ?? [], oldMembers.get(id) ?? []);
      } else {
        this.s.insertInteraction.run(p.row);
        for (const m of p.messages) this.s.insertMessage.run(id, orgId, ...m);
        for (const m of p.members) this.s.insertTeamMember.run(id, m, orgId);
      }
      const d = delta(deltas, p.row.customer_id);
      d.lastEmail = maxIso(d.lastEmail, p.lastEmail);
      d.lastReply = maxIso(d.lastReply, p.lastReply);
      if (p.meeting) d.meetings.push(p.meeting);
      result.interactionsWritten++;
    }
  }

  /**
   * An interaction the fold produces again under the same id, changed: rewritten in place, with the
   * same end state as DELETE + INSERT. Performance: a conversation is folded again each time a page
   * brings one of its messages, and deleting an interaction cascades to all its copies and team
   * members (and each of those fires the reports' triggers); in place, only the columns that changed
   * are set and only the copies and members that changed are deleted or inserted. Copies are still
   * only ever inserted and deleted, never updated (a copy whose values changed is deleted, then
   * inserted), deletions before insertions.
   */
  private rewrite(old: InteractionWrite, p: Planned, oldMessages: Array<{ signature: string; member_id: string; graph_id: string }>, oldMembers: string[]): void {
    const id = p.row.id;
    const orgId = p.row.organisation_id;
    // Only the changed columns: a meeting's report triggers fire on the columns an UPDATE names.
    const changed = REWRITTEN.filter((k) => old[k] !== p.row[k]);
    if (changed.length > 0) this.updateStatement(changed).run(...changed.map((k) => p.row[k]), id);
    const wanted = new Map(p.messages.map((m) => [messageSignature(m), m]));
    const stored = new Set<string>();
    for (const m of oldMessages) {
      stored.add(m.signature);
      if (!wanted.has(m.signature)) this.s.deleteMessage.run(id, m.member_id, m.graph_id);
    }
    const members = new Set(p.members);
    const had = new Set(oldMembers);
    for (const m of had) if (!members.has(m)) this.s.deleteTeamMember.run(id, m);
    for (const [signature, m] of wanted) if (!stored.has(signature)) this.s.insertMessage.run(id, orgId, ...m);
    for (const m of p.members) if (!had.has(m)) this.s.insertTeamMember.run(id, m, orgId);
  }

  private updateStatement(columns: readonly (keyof InteractionWrite)[]): { run(...params: unknown[]): unknown } {
    const key = columns.join(",");
    let st = this.updates.get(key);
    if (!st) {
      st = this.db.prepare(`UPDATE interactions SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`);
      this.updates.set(key, st);
    }
    return st;
  }

  /**
   * Keeps customer_activity current from what one batch added and removed: a max-merge, unless a
   * removed interaction held one of the current values (then those values are recomputed with
   * index seeks).
   */
  private updateActivity(orgId: string, customerId: string, d: ActivityDelta, now: Date): void {
    if (!this.s.customerExists.get(customerId)) return;
    const nowIso = now.toISOString();
    const cur = this.s.activity.get(customerId);
    // A meeting that has started since the last refresh: the cheap path does not know the next one.
    if (!cur || (cur.next_meeting_at !== null && cur.next_meeting_at <= nowIso)) {
      this.refreshActivity(orgId, customerId, now);
      return;
    }
    let addedLast = d.lastEmail;
    let addedNext: string | null = null;
    for (const m of d.meetings) {
      if (m <= nowIso) addedLast = maxIso(addedLast, m);
      else if (addedNext === null || m < addedNext) addedNext = m;
    }
    // Max-merge is exact unless a removed interaction held a current value that nothing added matches
    // (then that customer is recomputed with index range reads).
    for (const r of d.removed) {
      if (r.counted === 1 && (r.kind === "email" || r.last_at <= nowIso)) {
        if (cur.last_interaction_at !== null && r.last_at >= cur.last_interaction_at && (addedLast === null || addedLast < r.last_at)) {
          this.refreshActivity(orgId, customerId, now);
          return;
        }
      }
      if (r.counted === 1 && r.kind === "meeting" && r.last_at > nowIso && cur.next_meeting_at !== null && r.last_at <= cur.next_meeting_at) {
        if (addedNext === null || addedNext > r.last_at) {
          this.refreshActivity(orgId, customerId, now);
          return;
        }
      }
      if (r.last_reply_at !== null && cur.last_email_reply_at !== null && r.last_reply_at >= cur.last_email_reply_at) {
        if (d.lastReply === null || d.lastReply < r.last_reply_at) {
          this.refreshActivity(orgId, customerId, now);
          return;
        }
      }
    }
    const last = maxIso(cur.last_interaction_at, addedLast);
    const next = cur.next_meeting_at === null ? addedNext : addedNext === null || cur.next_meeting_at < addedNext ? cur.next_meeting_at : addedNext;
    const reply = maxIso(cur.last_email_reply_at, d.lastReply);
    if (last === cur.last_interaction_at && reply === cur.last_email_reply_at && next === cur.next_meeting_at) return;
    this.s.upsertActivity.run(customerId, orgId, last, reply, next, nowIso);
  }

  /** Recomputes one customer's last interaction / last email reply (index seeks, not scans). */
  refreshActivity(orgId: string, customerId: string, now: Date): void {
    if (!this.s.customerExists.get(customerId)) return;
    const nowIso = now.toISOString();
    const email = this.s.lastEmail.get(customerId)?.v ?? null;
    const meeting = this.s.lastMeeting.get(customerId, nowIso)?.v ?? null;
    const next = this.s.nextMeeting.get(customerId, nowIso)?.v ?? null;
    const reply = this.s.lastReply.get(customerId)?.v ?? null;
    this.s.upsertActivity.run(customerId, orgId, maxIso(email, meeting), reply, next, nowIso);
  }
}

function delta(deltas: Map<string, ActivityDelta>, customerId: string): ActivityDelta {
  let d = deltas.get(customerId);
  if (!d) {
    d = { lastEmail: null, lastReply: null, meetings: [], removed: [] };
    deltas.set(customerId, d);
  }
  return d;
}

/**
 * The people shown on an interaction: its customer's contacts and the team members involved.
 * Directory people are known in plain words even before an item's details arrive; the details
 * add display names as the message had them and contacts matched by domain only.
 */
export function buildParticipants(
  dir: OrgDirectory,
  customerId: string,
  contactKeys: readonly string[],
  contactUserIds: readonly string[],
  teamMemberIds: readonly string[],
  rows: readonly IxFactRow[],
): InteractionParticipant[] {
  const out: InteractionParticipant[] = [];
  const seen = new Set<string>();
  const keySet = new Set(contactKeys);
  // Contacts matched by domain only are known by the HMAC of their address (they are in no directory).
  let hashed = false;
  for (const k of contactKeys) if (!k.includes("@")) hashed = true;
  const index = dir.index;
  for (const r of rows) {
    if (!r.participants) continue;
    let list: { address: string; name: string }[];
    try {
      list = JSON.parse(r.participants) as { address: string; name: string }[];
    } catch {
      continue;
    }
    for (const p of list) {
      const n = normalizeAddress(p.address);
      if (!n || seen.has(n)) continue;
      const memberId = index.teamMemberByKey.get(n);
      if (memberId !== undefined) {
        if (!teamMemberIds.includes(memberId)) continue;
        seen.add(n);
        out.push({ address: n, name: p.name || index.members.get(memberId)?.name || n, kind: "team_member", memberId });
        continue;
      }
      if (!keySet.has(n) && !(hashed && keySet.has(dir.hashAddress(n)))) continue;
      seen.add(n);
      const user = (index.usersByKey.get(n) ?? []).find((u) => u.customerId === customerId);
      const c: InteractionParticipant = { address: n, name: p.name || (user ? index.users.get(user.userId)?.name : undefined) || n, kind: "contact" };
      if (user) c.userId = user.userId;
      out.push(c);
    }
  }
  for (const userId of contactUserIds) {
    const u = index.users.get(userId);
    if (!u || !u.address || seen.has(u.address)) continue;
    seen.add(u.address);
    out.push({ address: u.address, name: u.name, kind: "contact", userId });
  }
  for (const memberId of teamMemberIds) {
    const m = index.members.get(memberId);
    if (!m || !m.primaryAddress) continue;
    if (out.some((p) => p.memberId === memberId)) continue;
    seen.add(m.primaryAddress);
    out.push({ address: m.primaryAddress, name: m.name, kind: "team_member", memberId });
  }
  return out;
}
