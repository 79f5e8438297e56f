/**
 * Customer lists, a customer's profile and history. Every read takes the organisation id first:
 * a customer of another organisation is simply not found.
 *
 * The list must stay fast at 10,000 customers: it reads report_customer_list, a compact copy of
 * what it shows, sorts and filters by that triggers keep (migration 300), walking the covering
 * index of the requested order and stopping after the page; owner names come from the
 * organisation's team members, counts from the customer counters.
 *
 * SQLite has no statistics here (nobody runs ANALYZE), so it can't know that organisation_id is
 * the same on every row; queries that start from a customer write "+organisation_id" so an
 * organisation-wide index is never chosen over the customer's.
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
import { addDays, dayOf, daysSince, windowStart } from "./time";

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

/** "Emails and meetings in the last N days" = the N UTC days ending today (the dashboard's days). */
export const RECENT_DAYS = 30;

/**
 * The kinds of history each tab shows. Only interactions exist today; other kinds (notes, tasks,
 * health changes…) belong on the History tab only.
 */
export const TAB_KINDS: Record<HistoryTab, readonly string[] | null> = {
  history: null,
  interactions: ["email", "meeting"],
};

export const DEFAULT_ORDER: Record<CustomerSort, SortOrder> = { last_interaction: "desc", last_email_reply: "desc", name: "asc" };

const SORT_COLUMN = { last_interaction: "last_interaction_at", last_email_reply: "last_email_reply_at" } as const;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const DETAILS = `SELECT c.id, c.external_id, c.name, c.owner_member_id, m.name AS owner_name, a.last_interaction_at, a.last_email_reply_at
  FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id LEFT JOIN team_members m ON m.id = c.owner_member_id`;

export class CustomerReports {
  private readonly statements = new Map<string, ReturnType<Db["prepare"]>>();
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      counts: db.prepare<[string, string, string, string], { customer_id: string; kind: "email" | "meeting"; n: number }>(
        `SELECT d.customer_id, d.kind, SUM(d.units) AS n
         FROM json_each(?) AS j CROSS JOIN report_customer_day_counts d
         WHERE d.customer_id = j.value AND d.day >= ? AND d.day <= ? AND +d.organisation_id = ?
         GROUP BY d.customer_id, d.kind`,
      ),
      customer: db.prepare<[string, string], ListRow>(`${DETAILS} WHERE c.organisation_id = ? AND c.id = ?`),
      domains: db.prepare<[string], { domain: string }>("SELECT domain FROM customer_domains WHERE customer_id = ? ORDER BY domain"),
      contacts: db.prepare<[string], { id: string; name: string; address: string }>(
        "SELECT id, name, address FROM users WHERE customer_id = ? ORDER BY name COLLATE NOCASE, address",
      ),
      upcoming: db.prepare<[string, string, string], InteractionRow>(
        `SELECT * FROM interactions WHERE customer_id = ? AND kind = 'meeting' AND counted = 1 AND last_at > ? AND +organisation_id = ?
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

  /** The UTC days [from, to] of "the last N days" as of now. */
  static recentDays(now: Date, days = RECENT_DAYS): { from: string; to: string } {
    const to = dayOf(now);
    return { from: addDays(to, -(days - 1)), to };
  }

  /** Emails and meetings per customer on the last N UTC days (from the trigger-kept counters). */
  windowCounts(orgId: string, customerIds: readonly string[], now: Date, days = RECENT_DAYS): Map<string, { emails: number; meetings: number }> {
    const out = new Map<string, { emails: number; meetings: number }>();
    for (const id of customerIds) out.set(id, { emails: 0, meetings: 0 });
    if (customerIds.length === 0) return out;
    const { from, to } = CustomerReports.recentDays(now, days);
    for (const r of this.s.counts.all(JSON.stringify(customerIds), from, to, orgId)) out.get(r.customer_id)![r.kind === "email" ? "emails" : "meetings"] = r.n;
    return out;
  }

  /** The same counts for many customers (exports): each customer's own range of its counters. */
  manyWindowCounts(orgId: string, customerIds: readonly string[], now: Date, days = RECENT_DAYS): Map<string, { emails: number; meetings: number }> {
    const out = new Map<string, { emails: number; meetings: number }>();
    for (let i = 0; i < customerIds.length; i += 1000) {
      for (const [k, v] of this.windowCounts(orgId, customerIds.slice(i, i + 1000), now, days)) out.set(k, v);
    }
    return out;
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

  private params(orgId: string, filter: CustomerListFilter, now: Date): Record<string, unknown> {
    const p: Record<string, unknown> = { org: orgId };
    if (filter.owner !== undefined && filter.owner !== "none") p.owner = filter.owner;
    // "Quiet for more than N days": the last interaction is more than N × 24 h old (or never).
    if (filter.quietDays !== undefined) p.quietBefore = windowStart(now, filter.quietDays);
    if (filter.q) p.q = `%${escapeLike(filter.q)}%`;
    return p;
  }

  /**
   * A page of rows, in order, and how many match. The ORDER BY expressions are exactly those of
   * migration 300's reports_list_* indexes, so SQLite walks an index instead of sorting (counts
   * with an owner filter read migration 310's reports_list_owner).
   */
  private pageRows(filter: CustomerListFilter, order: SortOrder, params: Record<string, unknown>, limit: number, offset: number): { rows: ListRow[]; total: number } {
    const where = ["organisation_id = @org"];
    if (filter.owner === "none") where.push("owner_member_id IS NULL");
    else if (filter.owner !== undefined) where.push("owner_member_id = @owner");
    // "Never, or before": written on the sort key of the reports_list_last_* indexes (NULL sorts as
    // ''), so a quiet filter is a range of them rather than a walk of every customer.
    if (filter.quietDays !== undefined) where.push("COALESCE(last_interaction_at, '') < @quietBefore");
    if (filter.q) where.push("(name LIKE @q ESCAPE '\\' OR external_id LIKE @q ESCAPE '\\')");
    const dir = order === "asc" ? "ASC" : "DESC";
    // No time yet sorts as the oldest: first when oldest-first, last when newest-first; ties by name.
    const orderBy =
      filter.sort === "name"
        ? `name COLLATE NOCASE ${dir}, customer_id ${dir}`
        : `COALESCE(${SORT_COLUMN[filter.sort]}, '') ${dir}, name COLLATE NOCASE ASC, customer_id ASC`;
    const shape = [filter.sort, order, filter.owner === undefined ? "-" : filter.owner === "none" ? "none" : "id", filter.quietDays !== undefined, !!filter.q].join("|");
    const from = `FROM report_customer_list WHERE ${where.join(" AND ")}`;
    const rows = this.prepared<ListRow>(
      `${shape}|page`,
      () => `SELECT customer_id AS id, external_id, name, owner_member_id, NULL AS owner_name, last_interaction_at, last_email_reply_at
        ${from} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`,
    ).all({ ...params, limit, offset });
    const total =
      offset === 0 && rows.length < limit
        ? rows.length
        : (this.prepared<{ n: number }>(`${shape}|count`, () => `SELECT COUNT(*) AS n ${from}`).get(params)?.n ?? 0);
    // Owner names from the organisation's (few) team members rather than a join per customer.
    const names = new Map(this.s.members.all(params.org as string).map((m) => [m.id, m.name]));
    for (const r of rows) r.owner_name = r.owner_member_id ? (names.get(r.owner_member_id) ?? null) : null;
    return { rows, total };
  }

  list(orgId: string, filter: CustomerListFilter, page: Page, now: Date): CustomerListResponse {
    const order = filter.order ?? DEFAULT_ORDER[filter.sort];
    const { rows, total } = this.pageRows(filter, order, this.params(orgId, filter, now), page.pageSize, (page.page - 1) * page.pageSize);
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

  /** Every matching customer, in the list's order (the CSV export). */
  listAll(orgId: string, filter: CustomerListFilter, now: Date): CustomerListItem[] {
    const order = filter.order ?? DEFAULT_ORDER[filter.sort];
    const { rows } = this.pageRows(filter, order, this.params(orgId, filter, now), -1, 0);
    const counts = this.manyWindowCounts(
      orgId,
      rows.map((r) => r.id),
      now,
    );
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
      upcomingMeetings: this.s.upcoming.all(r.id, now.toISOString(), orgId).map((m) => toHistoryItem(m) as MeetingItem),
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
      const where = ["customer_id = @customer", "+organisation_id = @org", "last_at <= @now"];
      if (kinds) where.push(`+kind IN (${kinds.map((k) => `'${k}'`).join(", ")})`);
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
