/**
 * The Impact dashboard: the team's emails and meetings per team member and per day, read from the
 * counters that migration 300 keeps current with triggers, and the drill-down that lists the
 * interactions behind any bar, counted live with the same definitions (docs/reports.md), so a
 * drill-down's total always equals its bar.
 */
import type { Db } from "../db/database";
import type {
  DrilldownItem,
  DrilldownResponse,
  ImpactDayRow,
  ImpactKind,
  ImpactMemberRow,
  ImpactResponse,
} from "../../shared/api/reports";
import type { InteractionRow } from "../interactions/read";
import { encodeCursor, type Keyset } from "./cursor";
import { splitParticipants, subjectOf } from "./items";
import { dayRange, daysBetweenInclusive, eachDay } from "./time";

export interface ImpactPeriodInput {
  from: string;
  to: string;
}

export interface DrilldownFilter extends ImpactPeriodInput {
  kind?: ImpactKind;
  member?: string;
  /** One UTC day inside the period. */
  day?: string;
}

interface Group {
  id: string;
  kind: ImpactKind;
  units: number;
  first_unit_at: string;
  last_unit_at: string;
}

export const FORMER_MEMBER_NAME = "Former team member";

/**
 * The derived tables' definitions, as SQL over the interactions tables: the migration's backfill,
 * rebuild() and verify() all use exactly these.
 */
export const RECOUNT = {
  days: `
    SELECT organisation_id, day, 'email' AS kind, COUNT(*) AS units FROM (
      SELECT DISTINCT organisation_id, interaction_id, message_key, substr(at, 1, 10) AS day
      FROM interaction_messages WHERE direction IS NOT NULL AND organisation_id = @org)
    GROUP BY organisation_id, day
    UNION ALL
    SELECT organisation_id, substr(first_at, 1, 10), 'meeting', COUNT(*)
    FROM interactions WHERE kind = 'meeting' AND counted = 1 AND organisation_id = @org
    GROUP BY organisation_id, substr(first_at, 1, 10)`,
  members: `
    SELECT organisation_id, day, member_id, 'email' AS kind, COUNT(*) AS units FROM (
      SELECT DISTINCT organisation_id, interaction_id, member_id, message_key, substr(at, 1, 10) AS day
      FROM interaction_messages WHERE direction IS NOT NULL AND organisation_id = @org)
    GROUP BY organisation_id, day, member_id
    UNION ALL
    SELECT i.organisation_id, substr(i.first_at, 1, 10), t.member_id, 'meeting', COUNT(*)
    FROM interactions i JOIN interaction_team_members t ON t.interaction_id = i.id
    WHERE i.kind = 'meeting' AND i.counted = 1 AND i.organisation_id = @org
    GROUP BY i.organisation_id, substr(i.first_at, 1, 10), t.member_id`,
  customers: `
    SELECT i.customer_id, u.day, 'email' AS kind, i.organisation_id, COUNT(*) AS units FROM (
      SELECT DISTINCT interaction_id, message_key, substr(at, 1, 10) AS day
      FROM interaction_messages WHERE direction IS NOT NULL AND organisation_id = @org) AS u
    JOIN interactions i ON i.id = u.interaction_id
    GROUP BY i.customer_id, u.day
    UNION ALL
    SELECT customer_id, substr(first_at, 1, 10), 'meeting', organisation_id, COUNT(*)
    FROM interactions WHERE kind = 'meeting' AND counted = 1 AND organisation_id = @org
    GROUP BY customer_id, substr(first_at, 1, 10)`,
  attendance: `
    SELECT i.organisation_id, t.member_id, i.first_at AS start_at, i.id AS interaction_id
    FROM interactions i JOIN interaction_team_members t ON t.interaction_id = i.id
    WHERE i.kind = 'meeting' AND i.counted = 1 AND i.organisation_id = @org`,
  list: `
    SELECT c.organisation_id, c.id AS customer_id, c.name, c.external_id, c.owner_member_id, a.last_interaction_at, a.last_email_reply_at
    FROM customers c LEFT JOIN customer_activity a ON a.customer_id = c.id
    WHERE c.organisation_id = @org`,
};

export class ImpactReports {
  private readonly s;
  private readonly groups = new Map<string, ReturnType<Db["prepare"]>>();

  constructor(private readonly db: Db) {
    this.s = {
      days: db.prepare<[string, string, string], { day: string; kind: ImpactKind; units: number }>(
        "SELECT day, kind, units FROM report_day_counts WHERE organisation_id = ? AND day >= ? AND day <= ?",
      ),
      members: db.prepare<[string, string, string], { member_id: string; kind: ImpactKind; units: number }>(
        `SELECT member_id, kind, SUM(units) AS units FROM report_member_day_counts
         WHERE organisation_id = ? AND day >= ? AND day <= ? GROUP BY member_id, kind`,
      ),
      team: db.prepare<[string], { id: string; name: string }>("SELECT id, name FROM team_members WHERE organisation_id = ?"),
      interaction: db.prepare<[string, string], InteractionRow & { customer_name: string }>(
        `SELECT i.*, c.name AS customer_name FROM interactions i JOIN customers c ON c.id = i.customer_id
         WHERE i.organisation_id = ? AND i.id = ?`,
      ),
      clear: [
        db.prepare("DELETE FROM report_day_counts WHERE organisation_id = ?"),
        db.prepare("DELETE FROM report_member_day_counts WHERE organisation_id = ?"),
        db.prepare("DELETE FROM report_customer_day_counts WHERE organisation_id = ?"),
        db.prepare("DELETE FROM report_meeting_members WHERE organisation_id = ?"),
        db.prepare("DELETE FROM report_customer_list WHERE organisation_id = ?"),
      ],
      fillDays: db.prepare(`INSERT INTO report_day_counts (organisation_id, day, kind, units) ${RECOUNT.days}`),
      fillMembers: db.prepare(`INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units) ${RECOUNT.members}`),
      fillCustomers: db.prepare(`INSERT INTO report_customer_day_counts (customer_id, day, kind, organisation_id, units) ${RECOUNT.customers}`),
      fillAttendance: db.prepare(`INSERT INTO report_meeting_members (organisation_id, member_id, start_at, interaction_id) ${RECOUNT.attendance}`),
      fillList: db.prepare(
        `INSERT INTO report_customer_list (organisation_id, customer_id, name, external_id, owner_member_id, last_interaction_at, last_email_reply_at) ${RECOUNT.list}`,
      ),
      checks: [
        {
          label: "day",
          stored: db.prepare<[string], { k: string; units: number }>("SELECT day || '/' || kind AS k, units FROM report_day_counts WHERE organisation_id = ?"),
          fresh: db.prepare<[{ org: string }], { k: string; units: number }>(`SELECT day || '/' || kind AS k, units FROM (${RECOUNT.days})`),
        },
        {
          label: "member",
          stored: db.prepare<[string], { k: string; units: number }>(
            "SELECT day || '/' || member_id || '/' || kind AS k, units FROM report_member_day_counts WHERE organisation_id = ?",
          ),
          fresh: db.prepare<[{ org: string }], { k: string; units: number }>(`SELECT day || '/' || member_id || '/' || kind AS k, units FROM (${RECOUNT.members})`),
        },
        {
          label: "customer",
          stored: db.prepare<[string], { k: string; units: number }>(
            "SELECT customer_id || '/' || day || '/' || kind AS k, units FROM report_customer_day_counts WHERE organisation_id = ?",
          ),
          fresh: db.prepare<[{ org: string }], { k: string; units: number }>(`SELECT customer_id || '/' || day || '/' || kind AS k, units FROM (${RECOUNT.customers})`),
        },
        {
          label: "attendance",
          stored: db.prepare<[string], { k: string; units: number }>(
            "SELECT member_id || '/' || start_at || '/' || interaction_id AS k, 1 AS units FROM report_meeting_members WHERE organisation_id = ?",
          ),
          fresh: db.prepare<[{ org: string }], { k: string; units: number }>(
            `SELECT member_id || '/' || start_at || '/' || interaction_id AS k, 1 AS units FROM (${RECOUNT.attendance})`,
          ),
        },
        {
          label: "list",
          stored: db.prepare<[string], { k: string; units: number }>(
            `SELECT json_array(customer_id, name, external_id, owner_member_id, last_interaction_at, last_email_reply_at) AS k, 1 AS units
             FROM report_customer_list WHERE organisation_id = ?`,
          ),
          fresh: db.prepare<[{ org: string }], { k: string; units: number }>(
            `SELECT json_array(customer_id, name, external_id, owner_member_id, last_interaction_at, last_email_reply_at) AS k, 1 AS units FROM (${RECOUNT.list})`,
          ),
        },
      ],
    };
  }

  impact(orgId: string, period: ImpactPeriodInput, now: Date): ImpactResponse {
    const { from, to } = period;
    const byDay = new Map<string, ImpactDayRow>(eachDay(from, to).map((day) => [day, { day, emails: 0, meetings: 0 }]));
    for (const r of this.s.days.all(orgId, from, to)) {
      const row = byDay.get(r.day);
      if (row) row[r.kind === "email" ? "emails" : "meetings"] += r.units;
    }
    const team = new Map(this.s.team.all(orgId).map((m) => [m.id, m.name]));
    const byMember = new Map<string, ImpactMemberRow>();
    for (const [id, name] of team) byMember.set(id, { memberId: id, name, current: true, emails: 0, meetings: 0 });
    for (const r of this.s.members.all(orgId, from, to)) {
      let row = byMember.get(r.member_id);
      if (!row) byMember.set(r.member_id, (row = { memberId: r.member_id, name: FORMER_MEMBER_NAME, current: false, emails: 0, meetings: 0 }));
      row[r.kind === "email" ? "emails" : "meetings"] += r.units;
    }
    const days = [...byDay.values()];
    const totals = days.reduce((t, d) => ({ emails: t.emails + d.emails, meetings: t.meetings + d.meetings }), { emails: 0, meetings: 0 });
    const members = [...byMember.values()]
      .filter((m) => m.current || m.emails + m.meetings > 0)
      .sort((a, b) => b.emails + b.meetings - (a.emails + a.meetings) || a.name.localeCompare(b.name) || a.memberId.localeCompare(b.memberId));
    return { period: { from, to, days: daysBetweenInclusive(from, to) }, totals, byMember: members, byDay: days, asOf: now.toISOString() };
  }

  /** The meetings of a bar, one group (one unit) each. */
  private meetingGroups(byMember: boolean) {
    const key = `meeting|${byMember}`;
    let st = this.groups.get(key);
    if (!st) {
      st = this.db.prepare(
        byMember
          ? `SELECT a.interaction_id AS id, 'meeting' AS kind, 1 AS units, a.start_at AS first_unit_at, a.start_at AS last_unit_at
             FROM report_meeting_members a
             WHERE a.organisation_id = @org AND a.member_id = @member AND a.start_at >= @start AND a.start_at < @end`
          : `SELECT i.id, 'meeting' AS kind, 1 AS units, i.first_at AS first_unit_at, i.first_at AS last_unit_at
             FROM interactions i
             WHERE i.organisation_id = @org AND i.kind = 'meeting' AND i.counted = 1 AND i.first_at >= @start AND i.first_at < @end`,
      );
      this.groups.set(key, st);
    }
    return st as unknown as { all(p: Record<string, unknown>): Group[] };
  }

  /**
   * The email copies of a bar: (interaction, message key, time) of every copy in the range, read
   * from one range of a covering index (migration 310: reports_messages_member_units for a
   * member's bar, reports_messages_org_units for a day's), grouped in emailGroups().
   */
  private emailCopies(byMember: boolean) {
    const key = `email|${byMember}`;
    let st = this.groups.get(key);
    if (!st) {
      // Without ANALYZE statistics SQLite can't tell that organisation_id is the same on every row;
      // "+column" keeps it from choosing an organisation-wide index over the member's.
      st = this.db
        .prepare(
          `SELECT im.interaction_id, im.message_key, im.at
           FROM interaction_messages im
           WHERE ${byMember ? "im.member_id = @member AND +im.organisation_id = @org" : "im.organisation_id = @org"}
             AND im.at >= @start AND im.at < @end AND im.direction IS NOT NULL`,
        )
        .raw();
      this.groups.set(key, st);
    }
    return st as unknown as { all(p: Record<string, unknown>): [string, string, string][] };
  }

  /**
   * Copies → one group per interaction, with its units: DISTINCT (message key, UTC day), the
   * counters' definition. In JS: cheaper than SQL's temporary B-trees for GROUP BY and
   * COUNT(DISTINCT) over thousands of copies.
   */
  private emailGroups(copies: [string, string, string][]): Group[] {
    const groups = new Map<string, Group>();
    const units = new Set<string>();
    for (const [id, messageKey, at] of copies) {
      const g = groups.get(id);
      if (!g) {
        groups.set(id, { id, kind: "email", units: 0, first_unit_at: at, last_unit_at: at });
      } else {
        if (at < g.first_unit_at) g.first_unit_at = at;
        if (at > g.last_unit_at) g.last_unit_at = at;
      }
      const before = units.size;
      units.add(`${id}\u0000${messageKey}\u0000${at.slice(0, 10)}`);
      if (units.size !== before) groups.get(id)!.units++;
    }
    return [...groups.values()];
  }

  /** Every interaction behind a bar, newest first, with how many of the bar's units each holds. */
  private drilldownGroups(orgId: string, f: DrilldownFilter): Group[] {
    const range = f.day ? dayRange(f.day, f.day) : dayRange(f.from, f.to);
    const params: Record<string, unknown> = { org: orgId, start: range.startIso, end: range.endIso };
    if (f.member) params.member = f.member;
    const byMember = f.member !== undefined;
    const out: Group[] = [];
    if (f.kind !== "meeting") out.push(...this.emailGroups(this.emailCopies(byMember).all(params)));
    if (f.kind !== "email") out.push(...this.meetingGroups(byMember).all(params));
    out.sort((a, b) => (a.last_unit_at < b.last_unit_at ? 1 : a.last_unit_at > b.last_unit_at ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return out;
  }

  private item(orgId: string, g: Group): DrilldownItem | null {
    const r = this.s.interaction.get(orgId, g.id);
    if (!r) return null;
    const people = splitParticipants(r.participants);
    return {
      interactionId: r.id,
      kind: g.kind,
      customer: { id: r.customer_id, name: r.customer_name },
      subject: subjectOf(r.subject),
      webLink: r.web_link,
      units: g.units,
      firstUnitAt: g.first_unit_at,
      lastUnitAt: g.last_unit_at,
      messageCount: r.message_count,
      lastDirection: r.last_direction,
      cancelled: r.cancelled === 1,
      contacts: people.contacts,
      teamMembers: people.teamMembers,
    };
  }

  drilldown(orgId: string, f: DrilldownFilter, after: Keyset | null, limit: number): DrilldownResponse {
    // The whole bar is grouped to give its total; a bar is one member or one day of one period.
    const groups = this.drilldownGroups(orgId, f);
    const total = { emails: 0, meetings: 0, units: 0 };
    for (const g of groups) {
      total[g.kind === "email" ? "emails" : "meetings"] += g.units;
      total.units += g.units;
    }
    let start = 0;
    if (after) {
      start = groups.findIndex((g) => g.last_unit_at < after.t || (g.last_unit_at === after.t && g.id < after.id));
      if (start < 0) start = groups.length;
    }
    const page = groups.slice(start, start + limit);
    const last = page[page.length - 1];
    const more = start + limit < groups.length;
    return {
      filter: { from: f.from, to: f.to, kind: f.kind ?? null, member: f.member ?? null, day: f.day ?? null },
      total,
      items: page.map((g) => this.item(orgId, g)).filter((i): i is DrilldownItem => i !== null),
      nextCursor: more && last ? encodeCursor({ t: last.last_unit_at, id: last.id }) : null,
    };
  }

  /** Every item behind a bar (CSV export). */
  drilldownAll(orgId: string, f: DrilldownFilter): DrilldownItem[] {
    return this.drilldownGroups(orgId, f)
      .map((g) => this.item(orgId, g))
      .filter((i): i is DrilldownItem => i !== null);
  }

  /** Recomputes the organisation's derived tables from the interactions tables (admin repair). */
  rebuild(orgId: string): { dayRows: number; memberRows: number; customerRows: number; attendanceRows: number; listRows: number } {
    return this.db.transaction(() => {
      for (const st of this.s.clear) st.run(orgId);
      const p = { org: orgId };
      return {
        dayRows: this.s.fillDays.run(p).changes,
        memberRows: this.s.fillMembers.run(p).changes,
        customerRows: this.s.fillCustomers.run(p).changes,
        attendanceRows: this.s.fillAttendance.run(p).changes,
        listRows: this.s.fillList.run(p).changes,
      };
    })();
  }

  /** Differences between the trigger-kept tables and a recount (empty when the triggers kept them right). */
  verify(orgId: string): string[] {
    const diff: string[] = [];
    for (const c of this.s.checks) {
      const stored = new Map(c.stored.all(orgId).map((r) => [r.k, r.units]));
      const fresh = new Map(c.fresh.all({ org: orgId }).map((r) => [r.k, r.units]));
      for (const [k, v] of fresh) if (stored.get(k) !== v) diff.push(`${c.label} ${k}: stored ${stored.get(k) ?? 0}, recount ${v}`);
      for (const [k, v] of stored) if (!fresh.has(k)) diff.push(`${c.label} ${k}: stored ${v}, recount 0`);
    }
    return diff;
  }
}
