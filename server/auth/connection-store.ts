/**
 * The connections table: one row per member who ever tried to connect. The token blob is the
 * member's MSAL token cache (access, refresh and id tokens) encrypted by the vault with the
 * context "connection:<memberId>"; it is never returned by the API and never logged.
 */
import type { Db } from "../db/database";
import { nowIso } from "../db/database";
import type { Vault } from "../security/vault";

export type StoredConnectionState = "not_connected" | "connected" | "admin_consent_required" | "connection_lost";

export interface ConnectionRecord {
  memberId: string;
  state: StoredConnectionState;
  tenantId: string | null;
  accountOid: string | null;
  accountAddress: string | null;
  homeAccountId: string | null;
  scopes: string[];
  lastError: string | null;
  adminConsentUrl: string | null;
  connectedAt: string | null;
  revokedAt: string | null;
  lostAt: string | null;
  updatedAt: string | null;
  hasTokens: boolean;
}

interface Row {
  member_id: string;
  state: StoredConnectionState;
  tenant_id: string | null;
  account_oid: string | null;
  account_address: string | null;
  home_account_id: string | null;
  token_blob: string | null;
  scopes: string | null;
  last_error: string | null;
  admin_consent_url: string | null;
  connected_at: string | null;
  revoked_at: string | null;
  lost_at: string | null;
  updated_at: string;
}

export interface ConnectedAccount {
  tenantId: string;
  accountOid: string;
  accountAddress: string;
  homeAccountId: string;
  scopes: string[];
  /** MSAL's serialized token cache (plaintext; encrypted here). */
  tokenCache: string;
}

const context = (memberId: string) => `connection:${memberId}`;

export class ConnectionStore {
  constructor(
    private readonly db: Db,
    private readonly vault: Vault,
  ) {}

  private ensureRow(memberId: string): void {
    this.db
      .prepare("INSERT OR IGNORE INTO connections (member_id, state, updated_at) VALUES (?, 'not_connected', ?)")
      .run(memberId, nowIso());
  }

  get(memberId: string): ConnectionRecord {
    const r = this.db.prepare("SELECT * FROM connections WHERE member_id = ?").get(memberId) as Row | undefined;
    if (!r) {
      return {
        memberId,
        state: "not_connected",
        tenantId: null,
        accountOid: null,
        accountAddress: null,
        homeAccountId: null,
        scopes: [],
        lastError: null,
        adminConsentUrl: null,
        connectedAt: null,
        revokedAt: null,
        lostAt: null,
        updatedAt: null,
        hasTokens: false,
      };
    }
    return {
      memberId: r.member_id,
      state: r.state,
      tenantId: r.tenant_id,
      accountOid: r.account_oid,
      accountAddress: r.account_address,
      homeAccountId: r.home_account_id,
      scopes: r.scopes ? r.scopes.split(" ").filter(Boolean) : [],
      lastError: r.last_error,
      adminConsentUrl: r.admin_consent_url,
      connectedAt: r.connected_at,
      revokedAt: r.revoked_at,
      lostAt: r.lost_at,
      updatedAt: r.updated_at,
      hasTokens: r.token_blob !== null,
    };
  }

  /** Member ids whose connection is usable: what the sync scheduler iterates over. */
  listConnectedMemberIds(): string[] {
    return (this.db.prepare("SELECT member_id FROM connections WHERE state = 'connected' AND token_blob IS NOT NULL").all() as {
      member_id: string;
    }[]).map((r) => r.member_id);
  }

  readTokenCache(memberId: string): string | null {
    const r = this.db.prepare("SELECT token_blob FROM connections WHERE member_id = ?").get(memberId) as
      | { token_blob: string | null }
      | undefined;
    if (!r?.token_blob) return null;
    const plaintext = this.vault.decrypt(r.token_blob, context(memberId));
    if (this.vault.needsRotation(r.token_blob)) this.writeTokenCache(memberId, plaintext);
    return plaintext;
  }

  /** Saves a refreshed cache; ignored unless the member is still connected (a revoke may have raced). */
  writeTokenCache(memberId: string, tokenCache: string): void {
    this.db
      .prepare("UPDATE connections SET token_blob = ?, updated_at = ? WHERE member_id = ? AND state = 'connected'")
      .run(this.vault.encrypt(tokenCache, context(memberId)), nowIso(), memberId);
  }

  markConnected(memberId: string, account: ConnectedAccount): void {
    this.ensureRow(memberId);
    const now = nowIso();
    this.db
      .prepare(
        `UPDATE connections SET state = 'connected', tenant_id = ?, account_oid = ?, account_address = ?, home_account_id = ?,
           token_blob = ?, scopes = ?, last_error = NULL, admin_consent_url = NULL, connected_at = ?, revoked_at = NULL,
           lost_at = NULL, updated_at = ? WHERE member_id = ?`,
      )
      .run(
        account.tenantId,
        account.accountOid,
        account.accountAddress,
        account.homeAccountId,
        this.vault.encrypt(account.tokenCache, context(memberId)),
        account.scopes.join(" "),
        now,
        now,
        memberId,
      );
  }

  /**
   * A connect attempt failed. A member who is already connected stays connected (a cancelled
   * re-authentication must not break a working sync), and a lost connection stays lost unless
   * the new reason is more specific (admin consent); only the error is recorded.
   */
  recordFailedAttempt(memberId: string, state: "not_connected" | "admin_consent_required", message: string, adminConsentUrl: string | null): void {
    this.ensureRow(memberId);
    const current = this.get(memberId).state;
    const keep = current === "connected" || (current === "connection_lost" && state === "not_connected");
    this.db
      .prepare("UPDATE connections SET state = ?, admin_consent_url = ?, last_error = ?, updated_at = ? WHERE member_id = ?")
      .run(keep ? current : state, keep ? this.get(memberId).adminConsentUrl : adminConsentUrl, message, nowIso(), memberId);
  }

  /** Refresh failed for good: tokens are useless, history and settings stay. Returns false if not connected. */
  markLost(memberId: string, message: string): boolean {
    const r = this.db
      .prepare(
        `UPDATE connections SET state = 'connection_lost', token_blob = NULL, last_error = ?, lost_at = ?, updated_at = ?
         WHERE member_id = ? AND state = 'connected'`,
      )
      .run(message, nowIso(), nowIso(), memberId);
    return r.changes > 0;
  }

  /** The member revoked: tokens deleted, state not_connected; the account fields stay for the record. */
  revoke(memberId: string): void {
    this.ensureRow(memberId);
    this.db
      .prepare(
        `UPDATE connections SET state = 'not_connected', token_blob = NULL, last_error = NULL, admin_consent_url = NULL,
           revoked_at = ?, updated_at = ? WHERE member_id = ?`,
      )
      .run(nowIso(), nowIso(), memberId);
  }
}
