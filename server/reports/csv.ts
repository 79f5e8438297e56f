/**
 * CSV exports (RFC 4180): CRLF rows; a field is quoted when it holds a comma, quote, CR or LF, with
 * quotes doubled. Text that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
 * gets a leading apostrophe (OWASP "CSV injection"), since subjects and names come from email.
 * A UTF-8 byte-order mark makes Excel read names like "Åsa Öberg" correctly.
 */
import type { Response } from "express";

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "yes" : "no";
  let text = value;
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvField).join(",");
}

export const CSV_BOM = "\uFEFF";

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvValue[]>): string {
  const lines = [csvRow(header)];
  for (const r of rows) lines.push(csvRow(r));
  return `${CSV_BOM}${lines.join("\r\n")}\r\n`;
}

/** A file name safe in a quoted Content-Disposition (letters, digits, dot, dash, underscore). */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "export";
}

export function sendCsv(res: Response, fileName: string, body: string): void {
  res
    .status(200)
    .set("Content-Type", "text/csv; charset=utf-8")
    .set("Content-Disposition", `attachment; filename="${safeFileName(fileName)}"`)
    .send(body);
}
