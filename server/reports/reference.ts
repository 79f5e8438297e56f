/**
 * The reports' definitions (docs/reports.md) computed the plain way, in memory, from a neutral
 * description of a customer's interactions. Tests compare the API (SQL, trigger-kept counters)
 * with these; a check against a generated organisation builds the same description from the
 * generator's ground truth (what should have synced) and compares it with the API after a sync.
 */
import type { Db } from "../db/database";
import type { PeriodCounts } from "../../shared/api/reports";
import { ACTIVITY_LOOKBACK_DAYS, REPLY_WINDOW_DAYS, type ActivityInput, type EmailUnit } from "./activity";
import { addDays, eachDay } from "./time";

export interface RefCopy {
  /** The team member whose mailbox holds this copy. */
  memberId: string;
  at: string;
}

export interface RefMessage {
  /** Same message in several mailboxes → same key (the internetMessageId). */
  key: string;
  fromTeam: boolean;
  fromContact: boolean;
  copies: RefCopy[];
}

export type RefInteraction =
  | { id: string; customerId: string; kind: "email"; messages: RefMessage[] }
  | { id: string; customerId: string; kind: "meeting"; start: string; counted: boolean; memberIds: string[] };

const day = (iso: string) => iso.slice(0, 10);

/** The email units of a conversation: (message, UTC day) with the earliest copy that day. */
function units(m: RefMessage, inWindow: (at: string) => boolean = () => true): { day: string; at: string; members: Set<string> }[] {
  const byDay = new Map<string, { day: string; at: string; members: Set<string> }>();
  for (const c of m.copies) {
    if (!inWindow(c.at)) continue;
    const d = day(c.at);
    const u = byDay.get(d);
    if (!u) byDay.set(d, { day: d, at: c.at, members: new Set([c.memberId]) });
    else {
      if (c.at < u.at) u.at = c.at;
      u.members.add(c.memberId);
    }
  }
  return [...byDay.values()];
}

export interface RefCustomerFacts {
  emailsLast30Days: number;
  meetingsLast30Days: number;
  lastInteractionAt: string | null;
  lastEmailReplyAt: string | null;
}

/** Emails and meetings per customer per UTC day (what report_customer_day_counts holds). */
export function refCustomerDays(all: readonly RefInteraction[]): Map<string, Map<string, PeriodCounts>> {
  const out = new Map<string, Map<string, PeriodCounts>>();
  const at = (customerId: string, d: string) => {
    let days = out.get(customerId);
    if (!days) out.set(customerId, (days = new Map()));
    let c = days.get(d);
    if (!c) days.set(d, (c = { emails: 0, meetings: 0 }));
    return c;
  };
  for (const ix of all) {
    if (ix.kind === "meeting") {
      if (ix.counted) at(ix.customerId, day(ix.start)).meetings++;
      continue;
    }
    for (const m of ix.messages) for (const u of units(m)) at(ix.customerId, u.day).emails++;
  }
  return out;
}

export function refCustomerFacts(all: readonly RefInteraction[], now: Date): Map<string, RefCustomerFacts> {
  const nowIso = now.toISOString();
  const to = day(nowIso);
  const from = addDays(to, -29);
  const inWindow = (at: string) => day(at) >= from && day(at) <= to;
  const out = new Map<string, RefCustomerFacts>();
  const at = (id: string) => {
    let f = out.get(id);
    if (!f) out.set(id, (f = { emailsLast30Days: 0, meetingsLast30Days: 0, lastInteractionAt: null, lastEmailReplyAt: null }));
    return f;
  };
  const later = (a: string | null, b: string) => (a === null || b > a ? b : a);
  for (const ix of all) {
    const f = at(ix.customerId);
    if (ix.kind === "meeting") {
      if (!ix.counted) continue;
      // Meetings on the last 30 UTC days, including any later today.
      if (inWindow(ix.start)) f.meetingsLast30Days++;
      if (ix.start <= nowIso) f.lastInteractionAt = later(f.lastInteractionAt, ix.start);
      continue;
    }
    for (const m of ix.messages) {
      f.emailsLast30Days += units(m, inWindow).length;
      for (const c of m.copies) {
        f.lastInteractionAt = later(f.lastInteractionAt, c.at);
        if (m.fromContact) f.lastEmailReplyAt = later(f.lastEmailReplyAt, c.at);
      }
    }
  }
  return out;
}

export interface RefImpact {
  totals: PeriodCounts;
  byDay: Map<string, PeriodCounts>;
  byMember: Map<string, PeriodCounts>;
}

export function refImpact(all: readonly RefInteraction[], from: string, to: string): RefImpact {
  const byDay = new Map<string, PeriodCounts>(eachDay(from, to).map((d) => [d, { emails: 0, meetings: 0 }]));
  const byMember = new Map<string, PeriodCounts>();
  const member = (id: string) => {
    let c = byMember.get(id);
    if (!c) byMember.set(id, (c = { emails: 0, meetings: 0 }));
    return c;
  };
  for (const ix of all) {
    if (ix.kind === "meeting") {
      const d = byDay.get(day(ix.start));
      if (!ix.counted || !d) continue;
      d.meetings++;
      for (const m of new Set(ix.memberIds)) member(m).meetings++;
      continue;
    }
    for (const m of ix.messages) {
      for (const u of units(m)) {
        const d = byDay.get(u.day);
        if (!d) continue;
        d.emails++;
        for (const id of u.members) member(id).emails++;
      }
    }
  }
  const totals = { emails: 0, meetings: 0 };
  for (const d of byDay.values()) {
    totals.emails += d.emails;
    totals.meetings += d.meetings;
  }
  return { totals, byDay, byMember };
}

/** The activity input of one customer (what ActivityReads.input reads with SQL). */
export function refActivityInput(all: readonly RefInteraction[], customer: { id: string; name: string }, now: Date): ActivityInput {
  const nowIso = now.toISOString();
  const today = day(nowIso);
  const from = addDays(today, -(REPLY_WINDOW_DAYS - 1));
  const fromDay = addDays(today, -(ACTIVITY_LOOKBACK_DAYS - 1));
  const mine = all.filter((ix) => ix.customerId === customer.id);
  const days = new Map<string, PeriodCounts>();
  for (const [d, c] of refCustomerDays(mine).get(customer.id) ?? []) if (d >= fromDay && d <= today) days.set(d, c);
  const emails: EmailUnit[] = [];
  for (const ix of mine) {
    if (ix.kind !== "email") continue;
    for (const m of ix.messages) {
      for (const u of units(m, (at) => at >= from && at <= nowIso)) {
        emails.push({ conversationId: ix.id, messageKey: m.key, at: u.at, fromTeam: m.fromTeam, fromContact: m.fromContact });
      }
    }
  }
  const facts = refCustomerFacts(mine, now).get(customer.id);
  return { customerId: customer.id, name: customer.name, days, emails, lastInteractionAt: facts?.lastInteractionAt ?? null, lastEmailReplyAt: facts?.lastEmailReplyAt ?? null };
}

/** The organisation's interactions as the reference model sees them, read from the tables. */
export function refFromDb(db: Db, orgId: string): RefInteraction[] {
  const rows = db
    .prepare("SELECT id, customer_id, kind, first_at, counted FROM interactions WHERE organisation_id = ? ORDER BY id")
    .all(orgId) as { id: string; customer_id: string; kind: "email" | "meeting"; first_at: string; counted: number }[];
  const copies = db
    .prepare(
      "SELECT interaction_id, member_id, message_key, at, direction, from_contact FROM interaction_messages WHERE organisation_id = ? AND direction IS NOT NULL",
    )
    .all(orgId) as { interaction_id: string; member_id: string; message_key: string; at: string; direction: string; from_contact: number }[];
  const team = db
    .prepare("SELECT t.interaction_id, t.member_id FROM interaction_team_members t WHERE t.organisation_id = ?")
    .all(orgId) as { interaction_id: string; member_id: string }[];
  const messages = new Map<string, Map<string, RefMessage>>();
  for (const c of copies) {
    let byKey = messages.get(c.interaction_id);
    if (!byKey) messages.set(c.interaction_id, (byKey = new Map()));
    let m = byKey.get(c.message_key);
    if (!m) byKey.set(c.message_key, (m = { key: c.message_key, fromTeam: false, fromContact: false, copies: [] }));
    if (c.direction === "sent") m.fromTeam = true;
    if (c.from_contact === 1) m.fromContact = true;
    m.copies.push({ memberId: c.member_id, at: c.at });
  }
  const members = new Map<string, string[]>();
  for (const t of team) {
    const list = members.get(t.interaction_id) ?? [];
    list.push(t.member_id);
    members.set(t.interaction_id, list);
  }
  return rows.map((r): RefInteraction =>
    r.kind === "email"
      ? { id: r.id, customerId: r.customer_id, kind: "email", messages: [...(messages.get(r.id)?.values() ?? [])] }
      : { id: r.id, customerId: r.customer_id, kind: "meeting", start: r.first_at, counted: r.counted === 1, memberIds: members.get(r.id) ?? [] },
  );
}
