/**
 * Expands a Graph PatternedRecurrence into occurrence start times (all in UTC; the generator and the
 * control API only create UTC series). Day-by-day iteration keeps the rules obviously right —
 * numbered ranges, weekly intervals anchored on firstDayOfWeek, "last friday" — and a window of a
 * few years costs a few thousand steps.
 */
import type { DayOfWeek, PatternedRecurrence } from "@microsoft/microsoft-graph-types";

const DAY_MS = 86_400_000;
const DAYS: DayOfWeek[] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MAX_DAYS = 366 * 6;
const INDEX = { first: 0, second: 1, third: 2, fourth: 3, last: -1 } as const;

export const SUPPORTED_PATTERNS = ["daily", "weekly", "absoluteMonthly", "relativeMonthly", "absoluteYearly", "relativeYearly"];

export function parseDateOnly(text: string): number {
  const ms = Date.parse(`${text.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`invalid date '${text}'`);
  return ms;
}

/**
 * Original start times (ms) of occurrences whose span [start, start+duration) overlaps [fromMs, toMs).
 * `seriesStartMs` is the master's start: its time of day applies to every occurrence.
 */
export function occurrenceStarts(
  recurrence: PatternedRecurrence,
  seriesStartMs: number,
  durationMs: number,
  fromMs: number,
  toMs: number,
): number[] {
  const pattern = recurrence.pattern ?? {};
  const range = recurrence.range ?? {};
  const interval = Math.max(1, pattern.interval ?? 1);
  const timeOfDay = ((seriesStartMs % DAY_MS) + DAY_MS) % DAY_MS;
  const startDay = range.startDate ? parseDateOnly(range.startDate) : seriesStartMs - timeOfDay;
  const endDay = range.type === "endDate" && range.endDate ? parseDateOnly(range.endDate) : Number.POSITIVE_INFINITY;
  const maxCount = range.type === "numbered" ? Math.max(0, range.numberOfOccurrences ?? 0) : Number.POSITIVE_INFINITY;
  const days = new Set((pattern.daysOfWeek ?? []).map((d) => DAYS.indexOf(d)));
  const firstDow = DAYS.indexOf(pattern.firstDayOfWeek ?? "sunday");
  const startDate = new Date(startDay);
  const type = pattern.type ?? "weekly";
  if (type === "weekly" && days.size === 0) days.add(startDate.getUTCDay());

  const weekStart = (dayMs: number) => {
    const dow = new Date(dayMs).getUTCDay();
    return dayMs - ((dow - firstDow + 7) % 7) * DAY_MS;
  };
  const startWeek = weekStart(startDay);
  const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
  const startMonth = monthIndex(startDate);

  const matches = (dayMs: number): boolean => {
    const d = new Date(dayMs);
    switch (type) {
      case "daily":
        return Math.round((dayMs - startDay) / DAY_MS) % interval === 0;
      case "weekly":
        return days.has(d.getUTCDay()) && Math.round((weekStart(dayMs) - startWeek) / (7 * DAY_MS)) % interval === 0;
      case "absoluteMonthly":
        return d.getUTCDate() === (pattern.dayOfMonth ?? startDate.getUTCDate()) && (monthIndex(d) - startMonth) % interval === 0;
      case "relativeMonthly":
        return (monthIndex(d) - startMonth) % interval === 0 && relativeMatch(d, days, pattern.index ?? "first");
      case "absoluteYearly":
        return (
          d.getUTCMonth() + 1 === (pattern.month ?? startDate.getUTCMonth() + 1) &&
          d.getUTCDate() === (pattern.dayOfMonth ?? startDate.getUTCDate()) &&
          (d.getUTCFullYear() - startDate.getUTCFullYear()) % interval === 0
        );
      case "relativeYearly":
        return (
          d.getUTCMonth() + 1 === (pattern.month ?? startDate.getUTCMonth() + 1) &&
          (d.getUTCFullYear() - startDate.getUTCFullYear()) % interval === 0 &&
          relativeMatch(d, days, pattern.index ?? "first")
        );
      default:
        return false;
    }
  };

  const out: number[] = [];
  let count = 0;
  const lastDay = Math.min(endDay, toMs);
  for (let day = startDay, steps = 0; day <= lastDay && count < maxCount && steps < MAX_DAYS * 4; day += DAY_MS, steps++) {
    // Without a count to honour, jump straight to the window rather than walking from the series start.
    if (maxCount === Number.POSITIVE_INFINITY && day + timeOfDay + durationMs <= fromMs - 7 * DAY_MS && type !== "daily") {
      const skipTo = weekStart(Math.floor((fromMs - 14 * DAY_MS) / DAY_MS) * DAY_MS);
      if (skipTo > day) {
        day = skipTo - DAY_MS;
        continue;
      }
    }
    if (!matches(day)) continue;
    count++;
    const start = day + timeOfDay;
    if (start < seriesStartMs - DAY_MS) continue;
    if (start < toMs && start + durationMs > fromMs) out.push(start);
    if (start >= toMs) break;
  }
  return out;
}

function relativeMatch(d: Date, days: Set<number>, index: keyof typeof INDEX): boolean {
  if (!days.has(d.getUTCDay())) return false;
  const date = d.getUTCDate();
  if (INDEX[index] === -1) {
    const daysInMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
    return date + 7 > daysInMonth;
  }
  return Math.floor((date - 1) / 7) === INDEX[index];
}

/** The span a series can produce occurrences in: used to list every id a deleted series had. */
export function seriesHorizon(recurrence: PatternedRecurrence, seriesStartMs: number, nowMs: number): [number, number] {
  const range = recurrence.range ?? {};
  const end = range.type === "endDate" && range.endDate ? parseDateOnly(range.endDate) + DAY_MS : nowMs + 400 * DAY_MS;
  return [seriesStartMs - DAY_MS, Math.max(end, seriesStartMs + DAY_MS)];
}
