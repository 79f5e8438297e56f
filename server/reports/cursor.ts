/**
 * Opaque keyset cursors: the sort key and id of the last row of a page, base64url-encoded JSON.
 * Keyset (not offset) paging keeps pages stable while the sync adds interactions and costs the
 * same on page 100 as on page 1.
 */
import { badRequest } from "../api/errors";

export interface Keyset {
  /** Sort value of the last row (an ISO time). */
  t: string;
  id: string;
}

export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.t, k.id]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined, field = "cursor"): Keyset | null {
  if (cursor === undefined || cursor === "") return null;
  try {
    if (!/^[A-Za-z0-9_-]{1,600}$/.test(cursor)) throw new Error("shape");
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== "string" || typeof v[1] !== "string") throw new Error("shape");
    return { t: v[0], id: v[1] };
  } catch {
    throw badRequest(`${field}: not a cursor this API gave out; start again from the first page`, field);
  }
}
