/**
 * Relationship activity per customer: the JSON the customer-health assessment reads. Every number
 * is defined in docs/reports.md; computeActivity() is the definition in code, a pure function of
 * the customer's email units and meetings, so the same function checks a real sync's results
 * against a generator's ground truth.
 */
import type { Db } from "../db/database";
import type { PeriodCounts, RelationshipActivity, Trend } from "../../shared/api/reports";
import { DAY_MS, daysSince, windowStart } from "./time";

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
  emails: readonly EmailUnit[];
  /** Start times of the customer's counted (not cancelled) meetings. */
  meetings: readonly string[];
  lastInteractionAt: string | null;
  lastEmailReplyAt: string | null;
}

/** How far back computeActivity needs data: the 90 days before the last 90. */
export const ACTIVITY_LOOKBACK_DAYS = 180;
export const REPLY_WINDOW_DAYS = 90;

function countIn(times: readonly string[], from: string, to: string): number {
  let n = 0;
  for (const t of times) if (t > from && t <= to) n++;
  return n;
}

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

export function computeActivity(input: ActivityInput, now: Date): RelationshipActivity {
  const nowIso = now.toISOString();
  const d30 = windowStart(now, 30);
  const d60 = windowStart(now, 60);
  const d90 = windowStart(now, 90);
  const d180 = windowStart(now, 180);
  const emailTimes = input.emails.map((e) => e.at);
  const period = (from: string, to: string): PeriodCounts => ({ emails: countIn(emailTimes, from, to), meetings: countIn(input.meetings, from, to) });
  const last30Days = period(d30, nowIso);
  const previous30Days = period(d60, d30);
  const last90Days = period(d90, nowIso);
  const previous90Days = period(d180, d90);

  // Replies: per conversation, the team's first message in the last 90 days and the first message
  // from one of the customer's contacts after it.
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
    for (const e of list) if (e.fromTeam && e.at > d90 && (teamFirst === null || e.at < teamFirst)) teamFirst = e.at;
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

/** Reads a customer's activity input from the interactions tables. */
export class ActivityReads {
  private readonly s;
  constructor(db: Db) {
    this.s = {
      customer: db.prepare<[string, string], { id: string; name: string; last_interaction_at: string | null; last_email_reply_at: string | null }>(
        `SELECT c.id, c.name, a.last_interaction_at, a.last_email_reply_at
         FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id WHERE c.organisation_id = ? AND c.id = ?`,
      ),
      // Copies of one message in several mailboxes are one unit; its time is the earliest copy's.
      emails: db.prepare<[string, string, string, string, string], { interaction_id: string; message_key: string; at: string; sent: number; from_contact: number }>(
        `SELECT im.interaction_id, im.message_key, MIN(im.at) AS at, MAX(im.direction = 'sent') AS sent, MAX(im.from_contact) AS from_contact
         FROM interactions i JOIN interaction_messages im ON im.interaction_id = i.id
         WHERE i.customer_id = ? AND i.organisation_id = ? AND i.kind = 'email' AND i.counted = 1 AND i.last_at > ?
           AND im.direction IS NOT NULL AND im.at > ? AND im.at <= ?
         GROUP BY im.interaction_id, im.message_key, substr(im.at, 1, 10)`,
      ),
      meetings: db.prepare<[string, string, string, string], { last_at: string }>(
        `SELECT last_at FROM interactions
         WHERE customer_id = ? AND organisation_id = ? AND kind = 'meeting' AND counted = 1 AND last_at > ? AND last_at <= ?`,
      ),
    };
  }

  input(orgId: string, customerId: string, now: Date): ActivityInput | null {
    const c = this.s.customer.get(orgId, customerId);
    if (!c) return null;
    const from = new Date(now.getTime() - ACTIVITY_LOOKBACK_DAYS * DAY_MS).toISOString();
    const nowIso = now.toISOString();
    return {
      customerId: c.id,
      name: c.name,
      emails: this.s.emails.all(customerId, orgId, from, from, nowIso).map((r) => ({
        conversationId: r.interaction_id,
        messageKey: r.message_key,
        at: r.at,
        fromTeam: r.sent === 1,
        fromContact: r.from_contact === 1,
      })),
      meetings: this.s.meetings.all(customerId, orgId, from, nowIso).map((r) => r.last_at),
      lastInteractionAt: c.last_interaction_at,
      lastEmailReplyAt: c.last_email_reply_at,
    };
  }

  activity(orgId: string, customerId: string, now: Date): RelationshipActivity | null {
    const input = this.input(orgId, customerId, now);
    return input ? computeActivity(input, now) : null;
  }
}
