/** Plain-language numbers and dates for the report pages (the reader's locale; tests pin it). */
import { formatDate, formatDateTime } from "../logic/format";

export { formatDate, formatDateTime };

export function daysAgo(days: number | null): string {
  if (days === null) return "never";
  if (days === 0) return "today";
  if (days === 1) return "yesterday";
  return `${days} days ago`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function percent(share: number | null): string {
  return share === null ? "—" : `${Math.round(share * 100)}%`;
}

/** 5400 → "1 h 30 min"; 200000 → "2 days 7 h". */
export function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 60) return "under a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} days ${hours % 24} h` : `${days} days`;
}

/** "17 May – 15 Jun 2024" for a period of UTC days. */
export function periodLabel(from: string, to: string, locale?: string): string {
  const fmt = (d: string, year: boolean) =>
    new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: year ? "numeric" : undefined, timeZone: "UTC" }).format(new Date(`${d}T00:00:00Z`));
  if (from === to) return fmt(from, true);
  return `${fmt(from, from.slice(0, 4) !== to.slice(0, 4))} – ${fmt(to, true)}`;
}

/** "Mon 3 Jun" for a chart axis. */
export function shortDay(day: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/** The meeting's time: "10 Jun 2024, 12:00 – 13:00". */
export function meetingTime(start: string, end: string | null): string {
  const s = formatDateTime(start) ?? start;
  if (!end) return s;
  const sameDay = start.slice(0, 10) === end.slice(0, 10);
  const e = sameDay ? new Intl.DateTimeFormat(undefined, { timeStyle: "short" }).format(new Date(end)) : formatDateTime(end);
  return `${s} – ${e}`;
}
