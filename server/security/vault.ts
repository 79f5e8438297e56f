/**
 * Encrypts token blobs at rest with AES-256-GCM. Each ciphertext carries the id of the key that
 * made it, so a new key can be introduced while old rows stay readable (old keys decrypt only),
 * and a context string (e.g. "connection:<memberId>") as associated data, so a blob copied into
 * another member's row does not decrypt.
 *
 * Format: v1.<keyId>.<iv>.<ciphertext>.<tag>, base64url parts, iv 12 random bytes.
 */
import crypto from "node:crypto";

const VERSION = "v1";

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultError";
  }
}

/** Short stable id of a key: the first 8 hex characters of its SHA-256 (not reversible to the key). */
export function keyId(key: Buffer): string {
  return crypto.createHash("sha256").update(key).digest("hex").slice(0, 8);
}

export class Vault {
  private readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(currentKey: Buffer, oldKeys: Buffer[] = []) {
    if (currentKey.length !== 32) throw new VaultError("The vault key must be 32 bytes");
    this.currentId = keyId(currentKey);
    for (const k of oldKeys) {
      if (k.length !== 32) throw new VaultError("Old vault keys must be 32 bytes");
      this.keys.set(keyId(k), k);
    }
    this.keys.set(this.currentId, currentKey);
  }

  encrypt(plaintext: string, context: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.currentId, iv.toString("base64url"), ct.toString("base64url"), tag.toString("base64url")].join(".");
  }

  decrypt(blob: string, context: string): string {
    const parts = blob.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) throw new VaultError("Not a vault blob");
    const [, id, ivText, ctText, tagText] = parts as [string, string, string, string, string];
    const key = this.keys.get(id);
    if (!key) throw new VaultError(`Encrypted with an unknown key (${id}); was TOKEN_ENCRYPTION_KEY changed without keeping the old one?`);
    const iv = Buffer.from(ivText, "base64url");
    const tag = Buffer.from(tagText, "base64url");
    if (iv.length !== 12 || tag.length !== 16) throw new VaultError("Malformed vault blob");
    try {
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, "base64url")), decipher.final()]).toString("utf8");
    } catch {
      throw new VaultError("Vault blob failed authentication (tampered, wrong key or wrong context)");
    }
  }

  /** True when the blob was made with an old key and should be re-encrypted. */
  needsRotation(blob: string): boolean {
    return blob.split(".")[1] !== this.currentId;
  }
}
