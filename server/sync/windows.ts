/**
 * The sync's windows, computed one way for everything that has to agree with the sync: the sync
 * itself, the interactions engine (which copies aged out, "why"), and the benchmarks' baseline.
 * Both start at the start of the UTC day `months` back.
 */

/** Mail: messages received from here on are read. */
export function windowStartFor(now: Date, months: number): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

/** Calendar: the calendarView's range, from the mail window's start to `horizonDays` after today. */
export function calendarWindowFor(now: Date, months: number, horizonDays: number): { start: Date; end: Date } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return { start: windowStartFor(now, months), end: new Date(today + horizonDays * 86400_000) };
}
