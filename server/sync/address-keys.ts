/**
 * Keyed hashes of addresses and domains: how facts remember who took part in a message without
 * storing the address. HMAC-SHA256 with a random per-organisation key, truncated to 128 bits
 * (base64url, 22 characters): collisions stay negligible at any realistic directory size, and
 * without the key a stored hash cannot be checked against a guessed address.
 *
 * The sync, the interactions engine and the "why" diagnosis must all key through this module:
 * the same normalisation (shared/matching/addresses) and the same key, or nothing would match.
 *
 * The key is generated once per organisation and kept vault-encrypted in sync_address_keys, so
 * rotating TOKEN_ENCRYPTION_KEY (old keys stay readable) never changes the hashes.
 */
import crypto from "node:crypto";
import type { Db } from "../db/database";
import type { Vault } from "../security/vault";
import { domainOf, isSmtpAddress, normalizeAddress } from "../../shared/matching/addresses";
import type { StoredParticipant } from "./facts";

export interface AddressKeyer {
  /** Keyed hash of an address (any spelling: it is normalised first); "" for an empty address. */
  addressKey(address: string): string;
  /** Keyed hash of a domain ("acme.com"); "" for "". */
  domainKey(domain: string): string;
  /** A stored participant for an address in a role. */
  participant(address: string, role: StoredParticipant["r"], resource?: boolean): StoredParticipant | null;
}

const HASH_BYTES = 16;

export function createAddressKeyer(key: Buffer): AddressKeyer {
  if (key.length < 32) throw new Error("An address key must be at least 32 bytes");
  const mac = (domainSeparator: string, value: string): string =>
    crypto.createHmac("sha256", key).update(domainSeparator).update(value, "utf8").digest().subarray(0, HASH_BYTES).toString("base64url");
  // Addresses and domains are keyed under different prefixes so that a domain hash can never equal
  // the hash of an address spelled like a domain.
  const addressKey = (address: string): string => {
    const n = normalizeAddress(address);
    return n === "" ? "" : mac("a\u0000", n);
  };
  const domainKey = (domain: string): string => {
    const d = domain.trim().toLowerCase().replace(/\.$/, "");
    return d === "" ? "" : mac("d\u0000", d);
  };
  return {
    addressKey,
    domainKey,
    participant(address, role, resource) {
      const n = normalizeAddress(address);
      if (n === "") return null;
      const smtp = isSmtpAddress(n);
      const p: StoredParticipant = { k: addressKey(n), d: smtp ? domainKey(domainOf(n)) : "", s: smtp ? 1 : 0, r: role };
      if (resource) p.res = 1;
      return p;
    },
  };
}

export interface AddressKeyStore {
  forOrganisation(organisationId: string): AddressKeyer;
  /** The keyer of the member's organisation; throws when the member does not exist. */
  forMember(memberId: string): AddressKeyer;
}

/** Keyers backed by sync_address_keys (migration 100): one random key per organisation, created on first use. */
export function createAddressKeyStore(db: Db, vault: Vault): AddressKeyStore {
  const cache = new Map<string, AddressKeyer>();
  const memberOrg = new Map<string, string>();
  const select = db.prepare<[string], { key_blob: string }>("SELECT key_blob FROM sync_address_keys WHERE organisation_id = ?");
  const insert = db.prepare("INSERT OR IGNORE INTO sync_address_keys (organisation_id, key_blob, created_at) VALUES (?, ?, ?)");
  const orgOf = db.prepare<[string], { organisation_id: string }>("SELECT organisation_id FROM team_members WHERE id = ?");
  const context = (orgId: string) => `address-key:${orgId}`;

  const forOrganisation = (organisationId: string): AddressKeyer => {
    const cached = cache.get(organisationId);
    if (cached) return cached;
    let row = select.get(organisationId);
    if (!row) {
      // INSERT OR IGNORE + re-read: two processes creating the key at once agree on the first one.
      insert.run(organisationId, vault.encrypt(crypto.randomBytes(32).toString("base64"), context(organisationId)), new Date().toISOString());
      row = select.get(organisationId)!;
    }
    const keyer = createAddressKeyer(Buffer.from(vault.decrypt(row.key_blob, context(organisationId)), "base64"));
    cache.set(organisationId, keyer);
    return keyer;
  };

  return {
    forOrganisation,
    forMember(memberId) {
      let orgId = memberOrg.get(memberId);
      if (!orgId) {
        const row = orgOf.get(memberId);
        if (!row) throw new Error(`Unknown team member ${memberId}`);
        orgId = row.organisation_id;
        memberOrg.set(memberId, orgId);
      }
      return forOrganisation(orgId);
    },
  };
}

/**
 * A keyer that remembers, for as long as it lives, what each raw address keyed to. Performance: a
 * page of a mailbox names the same few addresses over and over (the owner on every message, the
 * regular correspondents), and an HMAC per occurrence was a measurable share of a history sync.
 * Meant to live for one page (store.ts creates one per applied page), so the plain addresses it
 * holds never outlive the page's own items in memory. Results are identical to the keyer's.
 */
export function pageKeyer(keyer: AddressKeyer): AddressKeyer {
  const parts = new Map<string, { k: string; d: string; s: 0 | 1 } | null>();
  return {
    addressKey: (address) => keyer.addressKey(address),
    domainKey: (domain) => keyer.domainKey(domain),
    participant(address, role, resource) {
      let base = parts.get(address);
      if (base === undefined) {
        const p = keyer.participant(address, role);
        base = p ? { k: p.k, d: p.d, s: p.s } : null;
        parts.set(address, base);
      }
      if (base === null) return null;
      const p: StoredParticipant = { k: base.k, d: base.d, s: base.s, r: role };
      if (resource) p.res = 1;
      return p;
    },
  };
}
