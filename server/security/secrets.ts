/** Random tokens and their hashes: only hashes of API keys and single-use links are stored. */
import crypto from "node:crypto";

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value, "utf8").digest("hex");
}

export const API_KEY_PREFIX = "sk_";

export function newApiKey(): string {
  return API_KEY_PREFIX + randomToken(32);
}

export function newId(): string {
  return crypto.randomUUID();
}
