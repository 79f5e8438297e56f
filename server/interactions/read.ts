/**
 * Reads over the interactions tables for the pane: a customer's summary (name, owner, last
 * interaction, last email reply, latest interactions) and the interactions one message landed in.
 * Every function takes the organisation id: nothing crosses organisations.
 */
import type { Db } from "../db/database";
import type { InteractionSummary } from "../../shared/api/contract";

export const LOADING_SUBJECT = "(loading…)";
export const NO_SUBJECT = "(no subject)";

export interface InteractionRow {
  id: string;
  organisation_id: string;
  customer_id: string;
  kind: "email" | "meeting";
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

export function toSummary(r: InteractionRow): InteractionSummary {
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject === null ? LOADING_SUBJECT : r.subject === "" ? NO_SUBJECT : r.subject,
    occurredAt: r.last_at,
    direction: r.kind === "email" ? r.last_direction : null,
    messageCount: r.message_count,
    cancelled: r.cancelled === 1,
    webLink: r.web_link,
  };
}

export interface CustomerSummary {
  customerId: string;
  name: string;
  /** The owner's name (a team member), if any. */
  owner: string | null;
  lastInteractionAt: string | null;
  lastEmailReplyAt: string | null;
  recentInteractions: InteractionSummary[];
}

export class InteractionReads {
  private readonly s;
  constructor(private readonly db: Db) {
    this.s = {
      customer: db.prepare<[string, string], { id: string; name: string; owner: string | null }>(
        `SELECT c.id, c.name, m.name AS owner FROM customers c LEFT JOIN team_members m ON m.id = c.owner_member_id
         WHERE c.organisation_id = ? AND c.id = ?`,
      ),
      activity: db.prepare<[string], { last_interaction_at: string | null; last_email_reply_at: string | null; next_meeting_at: string | null }>(
        "SELECT last_interaction_at, last_email_reply_at, next_meeting_at FROM customer_activity WHERE customer_id = ?",
      ),
      recent: db.prepare<[string, string, number], InteractionRow>(
        "SELECT * FROM interactions WHERE customer_id = ? AND last_at <= ? ORDER BY last_at DESC, id LIMIT ?",
      ),
      ofFact: db.prepare<[string, string, string], InteractionRow>(
        `SELECT i.* FROM interaction_messages im JOIN interactions i ON i.id = im.interaction_id
         WHERE i.organisation_id = ? AND im.member_id = ? AND im.graph_id = ?`,
      ),
      ofImid: db.prepare<[string, string], InteractionRow>(
        `SELECT DISTINCT i.* FROM interaction_messages im JOIN interactions i ON i.id = im.interaction_id
         WHERE im.organisation_id = ? AND im.internet_message_id = ?`,
      ),
      byId: db.prepare<[string, string], InteractionRow>("SELECT * FROM interactions WHERE organisation_id = ? AND id = ?"),
    };
  }

  /**
   * A customer's summary, or null when the customer is not in this organisation.
   * `refresh` is called when a counted meeting has started since the activity was computed.
   */
  customerSummary(orgId: string, customerId: string, now: Date, recent = 5, refresh?: (customerId: string) => void): CustomerSummary | null {
    const c = this.s.customer.get(orgId, customerId);
    if (!c) return null;
    const nowIso = now.toISOString();
    let a = this.s.activity.get(customerId);
    if (a?.next_meeting_at && a.next_meeting_at <= nowIso && refresh) {
      refresh(customerId);
      a = this.s.activity.get(customerId);
    }
    // Future meetings are listed once they have started, like the last interaction.
    const rows = recent > 0 ? this.s.recent.all(customerId, nowIso, recent) : [];
    return {
      customerId: c.id,
      name: c.name,
      owner: c.owner,
      lastInteractionAt: a?.last_interaction_at ?? null,
      lastEmailReplyAt: a?.last_email_reply_at ?? null,
      recentInteractions: rows.map(toSummary),
    };
  }

  /** The interactions a message (any team member's copy of it) is in. */
  interactionsOfMessage(orgId: string, memberId: string, graphId: string | null, internetMessageId: string | null): InteractionRow[] {
    const out = new Map<string, InteractionRow>();
    if (graphId) for (const r of this.s.ofFact.all(orgId, memberId, graphId)) out.set(r.id, r);
    if (internetMessageId) for (const r of this.s.ofImid.all(orgId, internetMessageId)) out.set(r.id, r);
    return [...out.values()];
  }

  interaction(orgId: string, id: string): InteractionRow | null {
    return this.s.byId.get(orgId, id) ?? null;
  }
}
