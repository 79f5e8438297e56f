/**
 * Customer lists, a customer's profile and history. Every read takes the organisation id first:
 * a customer of another organisation is simply not found.
 */
import type { Db } from "../db/database";
import type {
  CustomerListItem,
  CustomerListResponse,
  CustomerProfile,
  CustomerSort,
  HistoryResponse,
  HistoryTab,
  MeetingItem,
  SortOrder,
  TeamMembersResponse,
} from "../../shared/api/reports";
import type { InteractionRow } from "../interactions/read";
import { encodeCursor, type Keyset } from "./cursor";
import { toHistoryItem } from "./items";
import { daysSince, windowStart } from "./time";

export interface CustomerListFilter {
  sort: CustomerSort;
  order?: SortOrder;
  /** A team member id, or "none" for customers without an owner. ("me" is resolved by the route.) */
  owner?: string;
  /** Only customers whose last interaction is more than this many days ago, or who never had one. */
  quietDays?: number;
  /** Part of the name or external id, case-insensitive. */
  q?: string;
}

export interface Page {
  page: number;
  pageSize: number;
}

interface ListRow {
  id: string;
  external_id: string;
  name: string;
  owner_member_id: string | null;
  owner_name: string | null;
  last_interaction_at: string | null;
  last_email_reply_at: string | null;
}

/** Emails are counted as report units (docs/reports.md): distinct (conversation, message, UTC day). */
export const EMAIL_UNIT = "im.interaction_id || char(31) || im.message_key || char(31) || substr(im.at, 1, 10)";

/**
 * The kinds of history each tab shows. Only interactions exist today; other kinds (notes, tasks,
 * health changes…) belong on the History tab only.
 */
export const TAB_KINDS: Record<HistoryTab, readonly string[] | null> = {
  history: null,
  interactions: ["email", "meeting"],
};

export const DEFAULT_ORDER: Record<CustomerSort, SortOrder> = { last_interaction: "desc", last_email_reply: "desc", name: "asc" };

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class CustomerReports {
  private readonly statements = new Map<string, ReturnType<Db["prepare"]>>();
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      emailCounts: db.prepare<[string, string, string, string, string], { customer_id: string; n: number }>(
        `SELECT i.customer_id, COUNT(DISTINCT ${EMAIL_UNIT}) AS n
         FROM interactions i JOIN interaction_messages im ON im.interaction_id = i.id
         WHERE i.customer_id IN (SELECT value FROM json_each(?)) AND i.kind = 'email' AND i.counted = 1 AND i.last_at > ?
           AND im.direction IS NOT NULL AND im.at > ? AND im.at <= ? AND i.organisation_id = ?
         GROUP BY i.customer_id`,
      ),
      meetingCounts: db.prepare<[string, string, string, string], { customer_id: string; n: number }>(
        `SELECT customer_id, COUNT(*) AS n FROM interactions
         WHERE customer_id IN (SELECT value FROM json_each(?)) AND kind = 'meeting' AND counted = 1 AND last_at > ? AND last_at <= ?
           AND organisation_id = ?
         GROUP BY customer_id`,
      ),
      orgEmailCounts: db.prepare<[string, string, string], { customer_id: string; n: number }>(
        `SELECT i.customer_id, COUNT(DISTINCT ${EMAIL_UNIT}) AS n
         FROM interaction_messages im JOIN interactions i ON i.id = im.interaction_id
         WHERE im.organisation_id = ? AND im.direction IS NOT NULL AND im.at > ? AND im.at <= ? AND i.counted = 1
         GROUP BY i.customer_id`,
      ),
      orgMeetingCounts: db.prepare<[string, string, string], { customer_id: string; n: number }>(
        `SELECT customer_id, COUNT(*) AS n FROM interactions
         WHERE organisation_id = ? AND kind = 'meeting' AND counted = 1 AND last_at > ? AND last_at <= ?
         GROUP BY customer_id`,
      ),
      customer: db.prepare<[string, string], ListRow>(
        `SELECT c.id, c.external_id, c.name, c.owner_member_id, m.name AS owner_name, a.last_interaction_at, a.last_email_reply_at
         FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id LEFT JOIN team_members m ON m.id = c.owner_member_id
         WHERE c.organisation_id = ? AND c.id = ?`,
      ),
      domains: db.prepare<[string], { domain: string }>("SELECT domain FROM customer_domains WHERE customer_id = ? ORDER BY domain"),
      contacts: db.prepare<[string], { id: string; name: string; address: string }>(
        "SELECT id, name, address FROM users WHERE customer_id = ? ORDER BY name COLLATE NOCASE, address",
      ),
      upcoming: db.prepare<[string, string], InteractionRow>(
        `SELECT * FROM interactions WHERE customer_id = ? AND kind = 'meeting' AND counted = 1 AND last_at > ?
         ORDER BY last_at, id LIMIT 5`,
      ),
      exists: db.prepare<[string, string], { id: string }>("SELECT id FROM customers WHERE organisation_id = ? AND id = ?"),
      members: db.prepare<[string], { id: string; name: string; is_admin: number }>(
        "SELECT id, name, is_admin FROM team_members WHERE organisation_id = ? ORDER BY name COLLATE NOCASE, id",
      ),
    };
  }

  private prepared<T>(key: string, sql: () => string) {
    let st = this.statements.get(key);
    if (!st) {
      st = this.db.prepare(sql());
      this.statements.set(key, st);
    }
    return st as unknown as { all(params: Record<string, unknown>): T[]; get(params: Record<string, unknown>): T | undefined };
  }

  /** Emails and meetings per customer in the rolling window (now − days, now]. */
  windowCounts(orgId: string, customerIds: readonly string[], now: Date, days = 30): Map<string, { emails: number; meetings: number }> {
    const out = new Map<string, { emails: number; meetings: number }>();
    for (const id of customerIds) out.set(id, { emails: 0, meetings: 0 });
    if (customerIds.length === 0) return out;
    const from = windowStart(now, days);
    const nowIso = now.toISOString();
    const ids = JSON.stringify(customerIds);
    for (const r of this.s.emailCounts.all(ids, from, from, nowIso, orgId)) out.get(r.customer_id)!.emails = r.n;
    for (const r of this.s.meetingCounts.all(ids, from, nowIso, orgId)) out.get(r.customer_id)!.meetings = r.n;
    return out;
  }

  /** The same counts for every customer of the organisation at once (exports). */
  orgWindowCounts(orgId: string, now: Date, days = 30): Map<string, { emails: number; meetings: number }> {
    const out = new Map<string, { emails: number; meetings: number }>();
    const from = windowStart(now, days);
    const nowIso = now.toISOString();
    const at = (id: string) => {
      let v = out.get(id);
      if (!v) out.set(id, (v = { emails: 0, meetings: 0 }));
      return v;
    };
    for (const r of this.s.orgEmailCounts.all(orgId, from, nowIso)) at(r.customer_id).emails = r.n;
    for (const r of this.s.orgMeetingCounts.all(orgId, from, nowIso)) at(r.customer_id).meetings = r.n;
    return out;
  }

  private listSql(filter: CustomerListFilter, order: SortOrder, mode: "page" | "all" | "count"): string {
    const where = ["c.organisation_id = @org"];
    if (filter.owner === "none") where.push("c.owner_member_id IS NULL");
    else if (filter.owner !== undefined) where.push("c.owner_member_id = @owner");
    if (filter.quietDays !== undefined) where.push("(a.last_interaction_at IS NULL OR a.last_interaction_at < @quietBefore)");
    if (filter.q) where.push("(c.name LIKE @q ESCAPE '\\' OR c.external_id LIKE @q ESCAPE '\\')");
    const from = `FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id WHERE ${where.join(" AND ")}`;
    if (mode === "count") return `SELECT COUNT(*) AS n ${from}`;
    const dir = order === "asc" ? "ASC" : "DESC";
    // No interaction yet sorts as the oldest: first when oldest-first, last when newest-first.
    const key =
      filter.sort === "name"
        ? `c.name COLLATE NOCASE ${dir}, c.id ${dir}`
        : `COALESCE(a.${filter.sort === "last_interaction" ? "last_interaction_at" : "last_email_reply_at"}, '') ${dir}, c.name COLLATE NOCASE ASC, c.id ASC`;
    return `SELECT c.id, c.external_id, c.name, c.owner_member_id, m.name AS owner_name, a.last_interaction_at, a.last_email_reply_at
      FROM (SELECT c.id ${from} ORDER BY ${key} ${mode === "page" ? "LIMIT @limit OFFSET @offset" : ""}) AS picked
      JOIN customers c ON c.id = picked.id
      LEFT JOIN customer_activity a ON a.customer_id = c.id
      LEFT JOIN team_members m ON m.id = c.owner_member_id
      ORDER BY ${key}`;
  }

  private listParams(orgId: string, filter: CustomerListFilter, now: Date): Record<string, unknown> {
    const p: Record<string, unknown> = { org: orgId };
    if (filter.owner !== undefined && filter.owner !== "none") p.owner = filter.owner;
    // "Quiet for more than N days": the last interaction is more than N × 24 h old.
    if (filter.quietDays !== undefined) p.quietBefore = windowStart(now, filter.quietDays);
    if (filter.q) p.q = `%${escapeLike(filter.q)}%`;
    return p;
  }

  private shape(r: ListRow, counts: { emails: number; meetings: number } | undefined, now: Date): CustomerListItem {
    return {
      id: r.id,
      externalId: r.external_id,
      name: r.name,
      owner: r.owner_member_id && r.owner_name !== null ? { id: r.owner_member_id, name: r.owner_name } : null,
      lastInteractionAt: r.last_interaction_at,
      lastEmailReplyAt: r.last_email_reply_at,
      daysSinceLastInteraction: daysSince(r.last_interaction_at, now),
      daysSinceLastEmailReply: daysSince(r.last_email_reply_at, now),
      emailsLast30Days: counts?.emails ?? 0,
      meetingsLast30Days: counts?.meetings ?? 0,
    };
  }

  list(orgId: string, filter: CustomerListFilter, page: Page, now: Date): CustomerListResponse {
    const order = filter.order ?? DEFAULT_ORDER[filter.sort];
    const shapeKey = (mode: string) =>
      [mode, filter.sort, order, filter.owner === undefined ? "-" : filter.owner === "none" ? "none" : "id", filter.quietDays !== undefined, !!filter.q].join("|");
    const params = this.listParams(orgId, filter, now);
    const rows = this.prepared<ListRow>(shapeKey("page"), () => this.listSql(filter, order, "page")).all({
      ...params,
      limit: page.pageSize,
      offset: (page.page - 1) * page.pageSize,
    });
    const total = this.prepared<{ n: number }>(shapeKey("count"), () => this.listSql(filter, order, "count")).get(params)?.n ?? 0;
    const counts = this.windowCounts(
      orgId,
      rows.map((r) => r.id),
      now,
    );
    return {
      items: rows.map((r) => this.shape(r, counts.get(r.id), now)),
      total,
      page: page.page,
      pageSize: page.pageSize,
      sort: filter.sort,
      order,
      asOf: now.toISOString(),
    };
  }

  /** Every matching customer, in list order (the CSV export). */
  listAll(orgId: string, filter: CustomerListFilter, now: Date): CustomerListItem[] {
    const order = filter.order ?? DEFAULT_ORDER[filter.sort];
    const rows = this.db.prepare(this.listSql(filter, order, "all")).all(this.listParams(orgId, filter, now)) as ListRow[];
    const counts = this.orgWindowCounts(orgId, now);
    return rows.map((r) => this.shape(r, counts.get(r.id), now));
  }

  exists(orgId: string, customerId: string): boolean {
    return this.s.exists.get(orgId, customerId) !== undefined;
  }

  profile(orgId: string, customerId: string, now: Date): CustomerProfile | null {
    const r = this.s.customer.get(orgId, customerId);
    if (!r) return null;
    const item = this.shape(r, this.windowCounts(orgId, [r.id], now).get(r.id), now);
    return {
      id: item.id,
      externalId: item.externalId,
      name: item.name,
      owner: item.owner,
      domains: this.s.domains.all(r.id).map((d) => d.domain),
      contacts: this.s.contacts.all(r.id),
      lastInteractionAt: item.lastInteractionAt,
      lastEmailReplyAt: item.lastEmailReplyAt,
      daysSinceLastInteraction: item.daysSinceLastInteraction,
      daysSinceLastEmailReply: item.daysSinceLastEmailReply,
      emailsLast30Days: item.emailsLast30Days,
      meetingsLast30Days: item.meetingsLast30Days,
      upcomingMeetings: this.s.upcoming.all(r.id, now.toISOString()).map((m) => toHistoryItem(m) as MeetingItem),
      asOf: now.toISOString(),
    };
  }

  /**
   * A page of a customer's history, newest first: what has happened up to now (meetings that have
   * not started are in the profile's upcomingMeetings). Null when the customer is not in the organisation.
   */
  history(orgId: string, customerId: string, tab: HistoryTab, after: Keyset | null, limit: number, now: Date): HistoryResponse | null {
    if (!this.exists(orgId, customerId)) return null;
    const kinds = TAB_KINDS[tab];
    const key = `history|${kinds ? kinds.join(",") : "*"}|${after ? "after" : "first"}`;
    const st = this.prepared<InteractionRow>(key, () => {
      const where = ["customer_id = @customer", "organisation_id = @org", "last_at <= @now"];
      if (kinds) where.push(`kind IN (${kinds.map((k) => `'${k}'`).join(", ")})`);
      if (after) where.push("(last_at < @t OR (last_at = @t AND id < @id))");
      return `SELECT * FROM interactions WHERE ${where.join(" AND ")} ORDER BY last_at DESC, id DESC LIMIT @limit`;
    });
    const rows = st.all({ customer: customerId, org: orgId, now: now.toISOString(), limit: limit + 1, ...(after ? { t: after.t, id: after.id } : {}) });
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    return {
      tab,
      items: page.map(toHistoryItem),
      nextCursor: more && last ? encodeCursor({ t: last.last_at, id: last.id }) : null,
    };
  }

  teamMembers(orgId: string, me: { id: string; name: string; isAdmin: boolean }): TeamMembersResponse {
    return {
      members: this.s.members.all(orgId).map((m) => ({ id: m.id, name: m.name, isAdmin: m.is_admin === 1 })),
      me: { id: me.id, name: me.name, isAdmin: me.isAdmin },
    };
  }
}
