/**
 * $top/$skip paging for plain collection GETs, with @odata.nextLink rebuilt from the original query
 * the way Graph writes it (percent-encoded "$": %24skip=…).
 */
import { errors } from "../errors";
import { type QueryOptions, systemOption } from "./query";

export interface PageRequest {
  top: number;
  skip: number;
}

export function parsePaging(query: QueryOptions, defaultTop: number, maxTop: number): PageRequest {
  const topText = systemOption(query, "top");
  const skipText = systemOption(query, "skip");
  let top = defaultTop;
  if (topText !== undefined) {
    if (!/^\d+$/.test(topText)) throw errors.invalidQuery(`Invalid value '${topText}' for query option '$top'.`);
    top = Number(topText);
    if (top > maxTop) throw errors.topTooLarge(top);
    if (top === 0) top = defaultTop;
  }
  let skip = 0;
  if (skipText !== undefined) {
    if (!/^\d+$/.test(skipText)) throw errors.invalidQuery(`Invalid value '${skipText}' for query option '$skip'.`);
    skip = Number(skipText);
  }
  return { top, skip };
}

export function nextLinkFor(base: string, query: QueryOptions, page: PageRequest, total: number, emitted: number): string | undefined {
  const next = page.skip + emitted;
  if (emitted === 0 || next >= total) return undefined;
  const parts: string[] = [];
  for (const [key, value] of query) {
    const bare = key.startsWith("$") ? key.slice(1) : key;
    if (bare === "skip" || bare === "top") continue;
    const name = key.startsWith("$") ? `%24${bare}` : key;
    parts.push(`${name}=${encodeURIComponent(value)}`);
  }
  parts.push(`%24top=${page.top}`, `%24skip=${next}`);
  return `${base}?${parts.join("&")}`;
}
