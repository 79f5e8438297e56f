import { createHash, randomBytes, randomUUID } from "node:crypto";

export function newGuid(): string {
  return randomUUID();
}

/** Opaque, unguessable handle (codes, refresh tokens, session ids). */
export function randomHandle(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function sha256Base64Url(input: string): string {
  return createHash("sha256").update(input, "ascii").digest("base64url");
}

/** Entra's timestamp format in error bodies: "2021-10-29 17:16:31Z". */
export function entraTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

/** The 7-digit-fraction ISO form Entra uses inside AADSTS messages ("2021-10-29T17:16:00.0000000Z"). */
export function entraIsoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function secondsOf(ms: number): number {
  return Math.floor(ms / 1000);
}
