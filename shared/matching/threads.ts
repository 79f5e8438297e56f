/**
 * From decided messages and meetings (across every connected mailbox of an organisation) to
 * interactions: one per customer per email conversation, one per customer per meeting occurrence.
 * Pure and deterministic: the same records give the same interactions in any order.
 */
import type { Decision } from "./decide";

// ---------------------------------------------------------------------------------------------
// Emails

export interface MessageRecord {
  /** The team member whose mailbox this copy came from. */
  mailboxMemberId: string;
  /** The Graph id in that mailbox. */
  id: string;
  internetMessageId?: string | null;
  conversationId?: string | null;
  /**
   * When the message was sent (epoch ms). Use Graph's sentDateTime: it is the same in every
   * mailbox, receivedDateTime is not. Copies that disagree use the earliest.
   */
  at: number;
  subject?: string | null;
  decision: Decision;
}

export interface Conversation {
  /**
   * Stable id: the internetMessageId (else conversationId, else mailbox/id) of the earliest message.
   * It survives new replies; when two conversations merge it becomes the earlier one's key.
   */
  key: string;
  records: MessageRecord[];
}

class UnionFind {
  private readonly parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x]! !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** The key that identifies one message across mailboxes. */
export function messageKey(r: Pick<MessageRecord, "internetMessageId" | "mailboxMemberId" | "id">): string {
  return r.internetMessageId ? `m:${r.internetMessageId}` : `g:${r.mailboxMemberId}/${r.id}`;
}

function compareRecords(a: MessageRecord, b: MessageRecord): number {
  if (a.at !== b.at) return a.at - b.at;
  const ka = messageKey(a);
  const kb = messageKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.mailboxMemberId !== b.mailboxMemberId) return a.mailboxMemberId < b.mailboxMemberId ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Group messages into conversations: messages sharing a conversationId or an internetMessageId
 * (the same message seen in two mailboxes) are one conversation, transitively.
 */
export function groupConversations(records: readonly MessageRecord[]): Conversation[] {
  const uf = new UnionFind();
  const nodeOf = new Map<string, number>();
  const node = (k: string): number => {
    let n = nodeOf.get(k);
    if (n === undefined) {
      n = uf.add();
      nodeOf.set(k, n);
    }
    return n;
  };
  const recordNode: number[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const m = node(messageKey(r));
    if (r.conversationId) uf.union(m, node(`c:${r.conversationId}`));
    recordNode[i] = m;
  }
  const groups = new Map<number, MessageRecord[]>();
  for (let i = 0; i < records.length; i++) {
    const root = uf.find(recordNode[i]!);
    const g = groups.get(root);
    if (g) g.push(records[i]!);
    else groups.set(root, [records[i]!]);
  }
  const out: Conversation[] = [];
  for (const list of groups.values()) {
    list.sort(compareRecords);
    const first = list[0]!;
    const key = first.internetMessageId || (first.conversationId ? `c:${first.conversationId}` : `g:${first.mailboxMemberId}/${first.id}`);
    out.push({ key, records: list });
  }
  out.sort((a, b) => compareRecords(a.records[0]!, b.records[0]!));
  return out;
}

export interface EmailInteraction {
  /** `email:{customerId}:{conversationKey}`. */
  id: string;
  kind: "email";
  customerId: string;
  conversationKey: string;
  /** The subject of the earliest message with one, without "RE:"/"FW:" prefixes. */
  subject: string;
  /** Distinct messages (deduplicated across mailboxes) that matched this customer. */
  messageCount: number;
  firstAt: number;
  lastAt: number;
  /** Team perspective: "sent" when the last message came from a team member, else "received". */
  lastDirection: "sent" | "received";
  /** Time of the last message sent by one of this customer's contacts ("last email reply"); null if none. */
  lastEmailReplyAt: number | null;
  contactUserIds: string[];
  /** Participant keys that matched this customer (user records or domain). */
  contactKeys: string[];
  teamMemberIds: string[];
  viaDomain: boolean;
  /** Deduplication keys of the messages (see messageKey), in time order. */
  messageKeys: string[];
  /** Every mailbox copy that contributed. */
  sources: { mailboxMemberId: string; id: string }[];
}

const REPLY_PREFIX = /^\s*(?:(?:re|fw|fwd|sv|vs|aw|wg|tr|rv|antw|odp|r|i)\s*(?:\[\d+\])?\s*[:：]\s*)+/i;

/** "RE: Fwd: SV: Renewal" → "Renewal". */
export function baseSubject(subject: string | null | undefined): string {
  if (!subject) return "";
  return subject.replace(REPLY_PREFIX, "").trim();
}

function mergeUnique(into: string[], from: readonly string[]): void {
  for (const v of from) if (!into.includes(v)) into.push(v);
}

/**
 * Fold decided messages into per-customer email interactions. Only copies whose decision synced
 * contribute; a message seen in several mailboxes counts once, with the union of what its copies
 * matched (a bcc is only visible in the sender's copy, settings differ per member) and the
 * earliest of their times.
 */
export function foldEmailInteractions(records: readonly MessageRecord[]): EmailInteraction[] {
  const out: EmailInteraction[] = [];
  for (const conv of groupConversations(records)) {
    const messages = new Map<string, { key: string; at: number; copies: MessageRecord[] }>();
    for (const r of conv.records) {
      if (!r.decision.sync) continue;
      const mk = messageKey(r);
      const m = messages.get(mk);
      if (!m) messages.set(mk, { key: mk, at: r.at, copies: [r] });
      else {
        m.copies.push(r);
        if (r.at < m.at) m.at = r.at;
      }
    }
    if (messages.size === 0) continue;
    const ordered = [...messages.values()].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const byCustomer = new Map<string, EmailInteraction>();
    for (const m of ordered) {
      let fromTeam = false;
      for (const c of m.copies) if (c.decision.fromTeam) fromTeam = true;
      const touched = new Set<string>();
      for (const c of m.copies) {
        for (const hit of c.decision.customers) {
          let it = byCustomer.get(hit.customerId);
          if (!it) {
            it = {
              id: `email:${hit.customerId}:${conv.key}`,
              kind: "email",
              customerId: hit.customerId,
              conversationKey: conv.key,
              subject: "",
              messageCount: 0,
              firstAt: m.at,
              lastAt: m.at,
              lastDirection: "received",
              lastEmailReplyAt: null,
              contactUserIds: [],
              contactKeys: [],
              teamMemberIds: [],
              viaDomain: false,
              messageKeys: [],
              sources: [],
            };
            byCustomer.set(hit.customerId, it);
          }
          it.sources.push({ mailboxMemberId: c.mailboxMemberId, id: c.id });
          mergeUnique(it.contactUserIds, hit.userIds);
          mergeUnique(it.contactKeys, hit.contactKeys);
          mergeUnique(it.teamMemberIds, c.decision.teamMemberIds);
          if (!it.teamMemberIds.includes(c.mailboxMemberId)) it.teamMemberIds.push(c.mailboxMemberId);
          if (hit.viaDomain) it.viaDomain = true;
          if (!it.subject && c.subject) it.subject = baseSubject(c.subject);
          if (hit.senderIsContact && (it.lastEmailReplyAt === null || m.at > it.lastEmailReplyAt)) it.lastEmailReplyAt = m.at;
          if (!touched.has(hit.customerId)) {
            touched.add(hit.customerId);
            it.messageKeys.push(m.key);
            it.messageCount++;
            // Messages are visited in time order, so this one is the latest so far.
            it.lastAt = m.at;
            it.lastDirection = fromTeam ? "sent" : "received";
          }
        }
      }
    }
    for (const it of byCustomer.values()) out.push(it);
  }
  out.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.firstAt - b.firstAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Meetings

export interface EventRecord {
  mailboxMemberId: string;
  id: string;
  /** Graph iCalUId: the same in every calendar, different for each occurrence of a series. */
  iCalUId?: string | null;
  /** Graph uid: the same for a whole series in every calendar (fallback with originalStart). */
  seriesUid?: string | null;
  /** Graph originalStart of an occurrence or exception (ISO or epoch ms). */
  originalStart?: string | number | null;
  start: number;
  end?: number | null;
  subject?: string | null;
  decision: Decision;
}

/** The key of one meeting occurrence across calendars. */
export function occurrenceKey(e: Pick<EventRecord, "iCalUId" | "seriesUid" | "originalStart" | "mailboxMemberId" | "id" | "start">): string {
  if (e.iCalUId) return `i:${e.iCalUId}`;
  if (e.seriesUid) {
    const os = e.originalStart ?? e.start;
    const ms = typeof os === "number" ? os : Date.parse(os);
    return `s:${e.seriesUid}@${Number.isFinite(ms) ? ms : os}`;
  }
  return `g:${e.mailboxMemberId}/${e.id}`;
}

export interface MeetingInteraction {
  /** `meeting:{customerId}:{occurrenceKey}`. */
  id: string;
  kind: "meeting";
  customerId: string;
  occurrenceKey: string;
  subject: string;
  start: number;
  end: number | null;
  /** Cancelled in any calendar: shown, marked cancelled, not counted. */
  cancelled: boolean;
  counted: boolean;
  contactUserIds: string[];
  contactKeys: string[];
  /** Team members taking part, without those who declined it in their own calendar. */
  teamMemberIds: string[];
  viaDomain: boolean;
  sources: { mailboxMemberId: string; id: string }[];
}

/**
 * Fold decided meeting occurrences into per-customer meeting interactions, deduplicated across
 * the team's calendars. Pass every copy, synced or not: a declined copy removes its owner from the
 * team members involved; an interaction exists when at least one copy synced.
 */
export function foldMeetingInteractions(records: readonly EventRecord[]): MeetingInteraction[] {
  const byOccurrence = new Map<string, EventRecord[]>();
  for (const r of records) {
    const k = occurrenceKey(r);
    const g = byOccurrence.get(k);
    if (g) g.push(r);
    else byOccurrence.set(k, [r]);
  }
  const out: MeetingInteraction[] = [];
  for (const [key, copies] of byOccurrence) {
    // The organiser's own copy first: it has the meeting's current time and subject when an attendee's
    // copy lags behind an update. Then by member and id, so the result never depends on input order.
    copies.sort(
      (a, b) =>
        Number(b.decision.fromOwner) - Number(a.decision.fromOwner) ||
        (a.mailboxMemberId < b.mailboxMemberId ? -1 : a.mailboxMemberId > b.mailboxMemberId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const decliners = new Set<string>();
    let cancelled = false;
    for (const c of copies) {
      if (c.decision.outcome === "declined") decliners.add(c.mailboxMemberId);
      if (c.decision.cancelled) cancelled = true;
    }
    const byCustomer = new Map<string, MeetingInteraction>();
    for (const c of copies) {
      if (!c.decision.sync) continue;
      for (const hit of c.decision.customers) {
        let it = byCustomer.get(hit.customerId);
        if (!it) {
          it = {
            id: `meeting:${hit.customerId}:${key}`,
            kind: "meeting",
            customerId: hit.customerId,
            occurrenceKey: key,
            subject: "",
            start: c.start,
            end: c.end ?? null,
            cancelled,
            counted: !cancelled,
            contactUserIds: [],
            contactKeys: [],
            teamMemberIds: [],
            viaDomain: false,
            sources: [],
          };
          byCustomer.set(hit.customerId, it);
        }
        it.sources.push({ mailboxMemberId: c.mailboxMemberId, id: c.id });
        mergeUnique(it.contactUserIds, hit.userIds);
        mergeUnique(it.contactKeys, hit.contactKeys);
        for (const m of c.decision.teamMemberIds) if (!decliners.has(m) && !it.teamMemberIds.includes(m)) it.teamMemberIds.push(m);
        if (!decliners.has(c.mailboxMemberId) && !it.teamMemberIds.includes(c.mailboxMemberId)) it.teamMemberIds.push(c.mailboxMemberId);
        if (hit.viaDomain) it.viaDomain = true;
        if (!it.subject && c.subject) it.subject = c.subject.trim();
      }
    }
    for (const it of byCustomer.values()) out.push(it);
  }
  out.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per-customer activity

export interface CustomerActivity {
  /** Latest email message or counted meeting that has started (future meetings do not count yet). */
  lastInteractionAt: number | null;
  /** Latest message from one of the customer's contacts. */
  lastEmailReplyAt: number | null;
}

export function customerActivity(
  emails: readonly EmailInteraction[],
  meetings: readonly MeetingInteraction[],
  now: number,
): Map<string, CustomerActivity> {
  const out = new Map<string, CustomerActivity>();
  const get = (id: string): CustomerActivity => {
    let a = out.get(id);
    if (!a) {
      a = { lastInteractionAt: null, lastEmailReplyAt: null };
      out.set(id, a);
    }
    return a;
  };
  for (const e of emails) {
    const a = get(e.customerId);
    if (a.lastInteractionAt === null || e.lastAt > a.lastInteractionAt) a.lastInteractionAt = e.lastAt;
    if (e.lastEmailReplyAt !== null && (a.lastEmailReplyAt === null || e.lastEmailReplyAt > a.lastEmailReplyAt)) a.lastEmailReplyAt = e.lastEmailReplyAt;
  }
  for (const m of meetings) {
    const a = get(m.customerId);
    if (!m.counted || m.start > now) continue;
    if (a.lastInteractionAt === null || m.start > a.lastInteractionAt) a.lastInteractionAt = m.start;
  }
  return out;
}
