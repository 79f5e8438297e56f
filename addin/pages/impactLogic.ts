/**
 * Turning the Impact API's series into chart bars: one bar group per team member, and per day
 * (per week once the period is longer than nine weeks, so bars stay readable). Every bar knows
 * the drill-down that lists what it counts.
 */
import type { ImpactKind, ImpactResponse } from "../../shared/api/reports";
import type { Drill } from "./routes";
import { periodLabel, shortDay } from "./pageFormat";

export interface ChartGroup {
  key: string;
  /** Axis label. */
  label: string;
  /** Spoken/full label, e.g. "Jane Doe" or "3 Jun 2024". */
  fullLabel: string;
  emails: number;
  meetings: number;
  drill: Omit<Drill, "kind">;
}

export const MAX_DAILY_BARS = 62;

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export function dayGroups(impact: ImpactResponse, locale?: string): ChartGroup[] {
  const days = impact.byDay;
  if (days.length <= MAX_DAILY_BARS) {
    return days.map((d) => ({ key: d.day, label: shortDay(d.day, locale), fullLabel: periodLabel(d.day, d.day, locale), emails: d.emails, meetings: d.meetings, drill: { day: d.day } }));
  }
  const out: ChartGroup[] = [];
  for (let i = 0; i < days.length; i += 7) {
    const week = days.slice(i, i + 7);
    const from = week[0]!.day;
    const to = week[week.length - 1]!.day;
    out.push({
      key: from,
      label: shortDay(from, locale),
      fullLabel: `week of ${periodLabel(from, to, locale)}`,
      emails: week.reduce((n, d) => n + d.emails, 0),
      meetings: week.reduce((n, d) => n + d.meetings, 0),
      drill: { from, to },
    });
  }
  return out;
}

export function memberGroups(impact: ImpactResponse): ChartGroup[] {
  return impact.byMember.map((m) => ({ key: m.memberId, label: m.name, fullLabel: m.name, emails: m.emails, meetings: m.meetings, drill: { member: m.memberId } }));
}

export const SERIES: { kind: ImpactKind; field: "emails" | "meetings"; label: string; one: string }[] = [
  { kind: "email", field: "emails", label: "Emails", one: "email" },
  { kind: "meeting", field: "meetings", label: "Meetings", one: "meeting" },
];

/** Presets of the period selector, relative to the server's today. */
export const PRESETS = [
  { value: "7", label: "Last 7 days", days: 7 },
  { value: "30", label: "Last 30 days", days: 30 },
  { value: "90", label: "Last 90 days", days: 90 },
  { value: "365", label: "Last 12 months", days: 365 },
] as const;

export function presetPeriod(days: number, today: string): { from: string; to: string } {
  return { from: addDays(today, -(days - 1)), to: today };
}

/** Which preset a period is (for the selector), or "custom". */
export function presetOf(period: { from: string; to: string }, today: string): string {
  for (const p of PRESETS) {
    const x = presetPeriod(p.days, today);
    if (x.from === period.from && x.to === period.to) return p.value;
  }
  return "custom";
}

/** Words for a drill-down's heading: "Emails · Jane Doe · 17 May – 15 Jun 2024". */
export function drillTitle(drill: Drill, period: { from: string; to: string }, memberName: (id: string) => string, locale?: string): string {
  const parts = [drill.kind === "email" ? "Emails" : drill.kind === "meeting" ? "Meetings" : "Emails and meetings"];
  if (drill.member) parts.push(memberName(drill.member));
  if (drill.day) parts.push(periodLabel(drill.day, drill.day, locale));
  else if (drill.from && drill.to) parts.push(periodLabel(drill.from, drill.to, locale));
  else parts.push(periodLabel(period.from, period.to, locale));
  return parts.join(" · ");
}
