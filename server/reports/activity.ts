/**
 * Relationship activity per customer: the JSON the customer-health assessment reads. Every number
 * is defined in docs/reports.md; computeActivity() is the definition in code, a pure function of
 * the customer's daily counts and recent emails, so the same function checks a real sync's
 * results against a generator's ground truth (reference.ts builds its input from plain data).
 */
import type { Db } from "../db/database";
import type { PeriodCounts, RelationshipActivity, Trend } from "../../shared/api/reports";
import { addDays, dayOf, daysSince } from "./time";

/** One email of the customer's conversation (a report unit: conversation × message × UTC day). */
export interface EmailUnit {
  conversationId: string;
  messageKey: string;
  at: string;
  /** Sent by a team member. */
  fromTeam: boolean;
  /** Sent by one of this customer's contacts. */
  fromContact: boolean;
}

export interface ActivityInput {
  customerId: string;
  name: string;
  /** Emails and meetings per UTC day (report units; the trigger-kept customer counters). */
  days: ReadonlyMap<string, PeriodCounts>;
  /** The customer's email units of the last REPLY_WINDOW_DAYS days up to now (for replies). */
  emails: readonly EmailUnit[];
  lastInteractionAt: string | null;
  lastEmailReplyAt: string | null;
}

/** How far back the counts go: the 90 days before the last 90. */
export const ACTIVITY_LOOKBACK_DAYS = 180;
export const REPLY_WINDOW_DAYS = 90;

function trend(current: PeriodCounts, previous: PeriodCounts): Trend {
  const c = current.emails + current.meetings;
  const p = previous.emails + previous.meetings;
  const change = c - p;
  return { current: c, previous: p, change, changeRatio: p === 0 ? null : change / p, direction: change > 0 ? "up" : change < 0 ? "down" : "flat" };
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Sums of the UTC days [today − (end + length − 1), today − end]. */
function period(days: ReadonlyMap<string, PeriodCounts>, today: string, end: number, length: number): PeriodCounts {
  const to = addDays(today, -end);
  const from = addDays(today, -(end + length - 1));
  const out = { emails: 0, meetings: 0 };
  for (const [day, c] of days) {
    if (day < from || day > to) continue;
    out.emails += c.emails;
    out.meetings += c.meetings;
  }
  return out;
}

export function computeActivity(input: ActivityInput, now: Date): RelationshipActivity {
  const nowIso = now.toISOString();
  const today = dayOf(now);
  const last30Days = period(input.days, today, 0, 30);
  const previous30Days = period(input.days, today, 30, 30);
  const last90Days = period(input.days, today, 0, 90);
  const previous90Days = period(input.days, today, 90, 90);

  // Replies: per conversation, the team's first message in the reply window and the first message
  // from one of the customer's contacts after it.
  const windowFrom = addDays(today, -(REPLY_WINDOW_DAYS - 1));
  const byConversation = new Map<string, EmailUnit[]>();
  for (const e of input.emails) {
    if (e.at > nowIso) continue;
    let list = byConversation.get(e.conversationId);
    if (!list) byConversation.set(e.conversationId, (list = []));
    list.push(e);
  }
  let conversations = 0;
  let replied = 0;
  const replySeconds: number[] = [];
  for (const list of byConversation.values()) {
    let teamFirst: string | null = null;
    for (const e of list) if (e.fromTeam && e.at >= windowFrom && (teamFirst === null || e.at < teamFirst)) teamFirst = e.at;
    if (teamFirst === null) continue;
    conversations++;
    let reply: string | null = null;
    for (const e of list) if (e.fromContact && e.at > teamFirst && (reply === null || e.at < reply)) reply = e.at;
    if (reply === null) continue;
    replied++;
    replySeconds.push(Math.round((Date.parse(reply) - Date.parse(teamFirst)) / 1000));
  }
  const med = median(replySeconds);

  return {
    customerId: input.customerId,
    name: input.name,
    asOf: nowIso,
    last30Days,
    previous30Days,
    last90Days,
    previous90Days,
    trend30Days: trend(last30Days, previous30Days),
    trend90Days: trend(last90Days, previous90Days),
    lastInteractionAt: input.lastInteractionAt,
    daysSinceLastInteraction: daysSince(input.lastInteractionAt, now),
    lastEmailReplyAt: input.lastEmailReplyAt,
    daysSinceLastEmailReply: daysSince(input.lastEmailReplyAt, now),
    replies: {
      conversations,
      replied,
      share: conversations === 0 ? null : replied / conversations,
      medianTimeToReplySeconds: med === null ? null : Math.round(med),
    },
  };
}

/** Copies → units: one per (conversation, message, UTC day), at the earliest copy's time. */
function unitsOf(copies: [string, string, string, string, number][]): EmailUnit[] {
  const units = new Map<string, EmailUnit>();
  for (const [conversationId, messageKey, at, direction, fromContact] of copies) {
    const key = `${conversationId}\u0000${messageKey}\u0000${at.slice(0, 10)}`;
    const u = units.get(key);
    if (!u) {
      units.set(key, { conversationId, messageKey, at, fromTeam: direction === "sent", fromContact: fromContact === 1 });
      continue;
    }
    if (at < u.at) u.at = at;
    if (direction === "sent") u.fromTeam = true;
    if (fromContact === 1) u.fromContact = true;
  }
  return [...units.values()];
}

/** Reads a customer's activity input from the interactions tables and the customer counters. */
export class ActivityReads {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      customer: db.prepare<[string, string], { id: string; name: string; last_interaction_at: string | null; last_email_reply_at: string | null }>(
        `SELECT c.id, c.name, a.last_interaction_at, a.last_email_reply_at
         FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id WHERE c.organisation_id = ? AND c.id = ?`,
      ),
      days: db.prepare<[string, string, string], { day: string; kind: "email" | "meeting"; units: number }>(
        "SELECT day, kind, units FROM report_customer_day_counts WHERE customer_id = ? AND day >= ? AND day <= ?",
      ),
      // Every copy of the customer's messages in the window (one per mailbox): grouped into units in
      // JS, which is cheaper than a GROUP BY's temporary B-tree for a customer with thousands.
      // The conversations that can hold a team message in the window end in it (last_at).
      emails: db
        .prepare<[string, string, string, string, string], [string, string, string, string, number]>(
          `SELECT im.interaction_id, im.message_key, im.at, im.direction, im.from_contact
           FROM interactions i CROSS JOIN interaction_messages im
           WHERE i.customer_id = ? AND i.kind = 'email' AND i.counted = 1 AND i.last_at >= ? AND +i.organisation_id = ?
             AND im.interaction_id = i.id AND im.direction IS NOT NULL AND im.at >= ? AND im.at <= ?`,
        )
        .raw(),
    };
  }

  input(orgId: string, customerId: string, now: Date): ActivityInput | null {
    const c = this.s.customer.get(orgId, customerId);
    if (!c) return null;
    const today = dayOf(now);
    const days = new Map<string, PeriodCounts>();
    for (const r of this.s.days.all(customerId, addDays(today, -(ACTIVITY_LOOKBACK_DAYS - 1)), today)) {
      let d = days.get(r.day);
      if (!d) days.set(r.day, (d = { emails: 0, meetings: 0 }));
      d[r.kind === "email" ? "emails" : "meetings"] = r.units;
    }
    const from = addDays(today, -(REPLY_WINDOW_DAYS - 1));
    return {
      customerId: c.id,
      name: c.name,
      days,
      emails: unitsOf(this.s.emails.all(customerId, from, orgId, from, now.toISOString())),
      lastInteractionAt: c.last_interaction_at,
      lastEmailReplyAt: c.last_email_reply_at,
    };
  }

  activity(orgId: string, customerId: string, now: Date): RelationshipActivity | null {
    const input = this.input(orgId, customerId, now);
    return input ? computeActivity(input, now) : null;
  }
}
