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

/** The counters' definitions, as SQL over the interactions tables (rebuild and verification use them). */
const RECOUNT = {
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
      clearDays: db.prepare("DELETE FROM report_day_counts WHERE organisation_id = ?"),
      clearMembers: db.prepare("DELETE FROM report_member_day_counts WHERE organisation_id = ?"),
      fillDays: db.prepare(`INSERT INTO report_day_counts (organisation_id, day, kind, units) ${RECOUNT.days}`),
      fillMembers: db.prepare(`INSERT INTO report_member_day_counts (organisation_id, day, member_id, kind, units) ${RECOUNT.members}`),
      recountDays: db.prepare<[{ org: string }], { day: string; kind: string; units: number }>(`SELECT day, kind, units FROM (${RECOUNT.days})`),
      recountMembers: db.prepare<[{ org: string }], { day: string; member_id: string; kind: string; units: number }>(
        `SELECT day, member_id, kind, units FROM (${RECOUNT.members})`,
      ),
      storedDays: db.prepare<[string], { day: string; kind: string; units: number }>(
        "SELECT day, kind, units FROM report_day_counts WHERE organisation_id = ?",
      ),
      storedMembers: db.prepare<[string], { day: string; member_id: string; kind: string; units: number }>(
        "SELECT day, member_id, kind, units FROM report_member_day_counts WHERE organisation_id = ?",
      ),
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

  private groupStatement(kind: ImpactKind, byMember: boolean) {
    const key = `${kind}|${byMember}`;
    let st = this.groups.get(key);
    if (!st) {
      const sql =
        kind === "email"
          ? `SELECT im.interaction_id AS id, 'email' AS kind,
               COUNT(DISTINCT im.message_key || char(31) || substr(im.at, 1, 10)) AS units,
               MIN(im.at) AS first_unit_at, MAX(im.at) AS last_unit_at
             FROM interaction_messages im
             WHERE ${byMember ? "im.member_id = @member AND " : ""}im.organisation_id = @org AND im.direction IS NOT NULL
               AND im.at >= @start AND im.at < @end
             GROUP BY im.interaction_id`
          : `SELECT i.id, 'meeting' AS kind, 1 AS units, i.first_at AS first_unit_at, i.first_at AS last_unit_at
             FROM interactions i ${byMember ? "JOIN interaction_team_members t ON t.interaction_id = i.id AND t.member_id = @member" : ""}
             WHERE i.organisation_id = @org AND i.kind = 'meeting' AND i.counted = 1
               AND i.last_at >= @start AND i.last_at < @end AND i.first_at >= @start AND i.first_at < @end`;
      st = this.db.prepare(sql);
      this.groups.set(key, st);
    }
    return st as unknown as { all(p: Record<string, unknown>): Group[] };
  }

  /** Every interaction behind a bar, newest first, with how many of the bar's units each holds. */
  private drilldownGroups(orgId: string, f: DrilldownFilter): Group[] {
    const range = f.day ? dayRange(f.day, f.day) : dayRange(f.from, f.to);
    const params: Record<string, unknown> = { org: orgId, start: range.startIso, end: range.endIso };
    if (f.member) params.member = f.member;
    const kinds: ImpactKind[] = f.kind ? [f.kind] : ["email", "meeting"];
    const out: Group[] = [];
    for (const k of kinds) out.push(...this.groupStatement(k, f.member !== undefined).all(params));
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

  /** Recomputes the organisation's counters from the interactions tables (admin repair; migrations). */
  rebuild(orgId: string): { dayRows: number; memberRows: number } {
    return this.db.transaction(() => {
      this.s.clearDays.run(orgId);
      this.s.clearMembers.run(orgId);
      const dayRows = this.s.fillDays.run({ org: orgId }).changes;
      const memberRows = this.s.fillMembers.run({ org: orgId }).changes;
      return { dayRows, memberRows };
    })();
  }

  /** Differences between the stored counters and a recount (empty when the triggers kept them right). */
  verify(orgId: string): string[] {
    const diff: string[] = [];
    const compare = (label: string, stored: Map<string, number>, fresh: Map<string, number>) => {
      for (const [k, v] of fresh) if (stored.get(k) !== v) diff.push(`${label} ${k}: stored ${stored.get(k) ?? 0}, recount ${v}`);
      for (const [k, v] of stored) if (!fresh.has(k)) diff.push(`${label} ${k}: stored ${v}, recount 0`);
    };
    compare(
      "day",
      new Map(this.s.storedDays.all(orgId).map((r) => [`${r.day}/${r.kind}`, r.units])),
      new Map(this.s.recountDays.all({ org: orgId }).map((r) => [`${r.day}/${r.kind}`, r.units])),
    );
    compare(
      "member",
      new Map(this.s.storedMembers.all(orgId).map((r) => [`${r.day}/${r.member_id}/${r.kind}`, r.units])),
      new Map(this.s.recountMembers.all({ org: orgId }).map((r) => [`${r.day}/${r.member_id}/${r.kind}`, r.units])),
    );
    return diff;
  }
}
