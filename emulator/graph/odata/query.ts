/**
 * Query options as Graph reads them: names are case-insensitive ($Select == $select), values are
 * URL-decoded with '+' meaning a space (so an unencoded "+01:00" offset breaks, as it does on Graph).
 */
import type { Request } from "express";

export type QueryOptions = Map<string, string>;

export function parseQuery(req: Request): QueryOptions {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf("?");
  const out: QueryOptions = new Map();
  if (q === -1) return out;
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    const name = key.toLowerCase();
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** The value of an OData system option, accepting both "$select" and the dollar-less "select". */
export function systemOption(query: QueryOptions, name: string): string | undefined {
  return query.get(`$${name}`) ?? query.get(name);
}
