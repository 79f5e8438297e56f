/**
 * Days and windows for reports. Days are UTC calendar days ("YYYY-MM-DD"); rolling windows
 * ("the last 30 days") are (now − 30 × 24 h, now]. Stored times are ISO-8601 UTC text, so both
 * compare as strings.
 */
export const DAY_MS = 86_400_000;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day of an instant. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Whether "YYYY-MM-DD" names a real calendar day. */
export function isValidDay(day: string): boolean {
  const m = DAY_PATTERN.exec(day);
  if (!m) return false;
  const d = new Date(`${day}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both included. */
export function daysBetweenInclusive(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / DAY_MS) + 1;
}

export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The half-open ISO range [from 00:00, the day after `to` 00:00) covering whole UTC days. */
export function dayRange(from: string, to: string): { startIso: string; endIso: string } {
  return { startIso: `${from}T00:00:00.000Z`, endIso: `${addDays(to, 1)}T00:00:00.000Z` };
}

/** Whole days elapsed since `iso` (0 for the future); null without a time. */
export function daysSince(iso: string | null, now: Date): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.floor((now.getTime() - t) / DAY_MS));
}

/** The ISO instant `days` × 24 h before now: a rolling window is (this, now]. */
export function windowStart(now: Date, days: number): string {
  return new Date(now.getTime() - days * DAY_MS).toISOString();
}
