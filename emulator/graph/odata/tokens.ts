/**
 * Opaque state tokens ($skiptoken / $deltatoken). They carry the whole cursor (resource, position,
 * options of the first request) so the emulator keeps no per-client state, and a checksum so a
 * mangled token is told apart from an expired one. base64url: no characters a URL or the Graph SDK's
 * query-string parser would alter.
 */
import { fnv1a } from "../ids";

export function encodeToken(payload: unknown): string {
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return body + checksum(body);
}

export function decodeToken<T>(token: string): T | undefined {
  if (token.length < 7) return undefined;
  const body = token.slice(0, -6);
  if (checksum(body) !== token.slice(-6)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
  } catch {
    return undefined;
  }
}

function checksum(body: string): string {
  return fnv1a(body).toString(36).padStart(6, "0").slice(-6);
}
