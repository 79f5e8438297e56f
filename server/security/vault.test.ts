import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Vault, VaultError, keyId } from "./vault";

const key = () => crypto.randomBytes(32);

test("encrypt then decrypt returns the plaintext; each ciphertext differs (random IV)", () => {
  const vault = new Vault(key());
  const secret = JSON.stringify({ refresh_token: "0.AAAA-secret", access_token: "eyJ…" });
  const a = vault.encrypt(secret, "connection:m1");
  const b = vault.encrypt(secret, "connection:m1");
  assert.notEqual(a, b);
  assert.ok(!a.includes("secret"));
  assert.equal(vault.decrypt(a, "connection:m1"), secret);
  assert.equal(vault.decrypt(b, "connection:m1"), secret);
});

test("tampering with any part is detected", () => {
  const vault = new Vault(key());
  const blob = vault.encrypt("the token cache", "connection:m1");
  const parts = blob.split(".");
  for (const i of [2, 3, 4]) {
    const bytes = Buffer.from(parts[i]!, "base64url");
    bytes[0] = bytes[0]! ^ 0x01;
    const tampered = [...parts];
    tampered[i] = bytes.toString("base64url");
    assert.throws(() => vault.decrypt(tampered.join("."), "connection:m1"), VaultError);
  }
  assert.throws(() => vault.decrypt("not a blob", "connection:m1"), VaultError);
});

test("a blob moved to another row (other context) does not decrypt", () => {
  const vault = new Vault(key());
  const blob = vault.encrypt("alice's tokens", "connection:alice");
  assert.throws(() => vault.decrypt(blob, "connection:mallory"), /failed authentication/);
});

test("keys rotate: old keys decrypt, new blobs use the current key", () => {
  const oldKey = key();
  const oldVault = new Vault(oldKey);
  const blob = oldVault.encrypt("tokens", "c");
  const rotated = new Vault(key(), [oldKey]);
  assert.equal(rotated.decrypt(blob, "c"), "tokens");
  assert.equal(rotated.needsRotation(blob), true);
  assert.equal(rotated.needsRotation(rotated.encrypt("tokens", "c")), false);
  assert.equal(blob.split(".")[1], keyId(oldKey));
  const withoutOld = new Vault(key());
  assert.throws(() => withoutOld.decrypt(blob, "c"), /unknown key/);
});

test("rejects keys that are not 32 bytes", () => {
  assert.throws(() => new Vault(Buffer.alloc(16)), VaultError);
});
