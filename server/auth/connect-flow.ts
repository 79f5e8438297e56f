/**
 * Connecting a member's mailbox: authorization code flow with PKCE through MSAL.
 *
 *   1. POST /api/connection/auth-session (member token) → createAuthSession: a single-use link,
 *      because the Office dialog cannot send our bearer token.
 *   2. GET /auth/start?session=… → start: consumes the link, binds the attempt to this browser
 *      (cookie), stores state/nonce/PKCE verifier server-side, redirects to the authority.
 *   3. GET /auth/callback → callback: single-use state, code redemption, the signed-in account
 *      checked against the member, tokens stored encrypted, aliases discovered.
 */
import { CryptoProvider } from "@azure/msal-node";
import type { Config } from "../config";
import type { Db } from "../db/database";
import { nowIso } from "../db/database";
import type { ServerEvents } from "../events";
import type { Logger } from "../logger";
import type { ConnectionState, ConnectResultMessage } from "../../shared/api/contract";
import { getMember, type TeamMember } from "../directory/read";
import { replaceDiscoveredAliases } from "../directory/member-settings";
import { newId, randomToken, sha256 } from "../security/secrets";
import type { Vault } from "../security/vault";
import { classifyAuthorizeError, classifyTokenError, type AuthFailure } from "./aadsts";
import { fetchMailboxAddresses } from "./alias-discovery";
import type { ConnectionStore } from "./connection-store";
import type { MsalFactory } from "./msal";

/** What the result page tells the pane: defined in the contract, re-exported for the server's auth modules. */
export type { ConnectResultMessage };

export class ConnectFlowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectFlowError";
  }
}

export const ADMIN_CONSENT_STATE = "adminconsent";

interface SessionRow {
  id: string;
  member_id: string;
  browser_hash: string | null;
  pkce_verifier: string | null;
  nonce: string | null;
  expires_at: string;
  started_at: string | null;
  completed_at: string | null;
}

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
  error_description?: string;
  error_subcode?: string;
  admin_consent?: string;
  tenant?: string;
}

export class ConnectFlow {
  private readonly crypto = new CryptoProvider();

  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      vault: Vault;
      store: ConnectionStore;
      msal: MsalFactory;
      events: ServerEvents;
      log: Logger;
    },
  ) {}

  /** {authorityHost}/{tenant}/adminconsent?client_id=…&redirect_uri=…: the link a Microsoft 365 admin opens once. */
  adminConsentUrl(tenantId: string | null): string {
    const { authorityHost, tenant, clientId, redirectUri } = this.deps.config.microsoft;
    const u = new URL(`${authorityHost}/${tenantId ?? tenant}/adminconsent`);
    u.searchParams.set("client_id", clientId);
    u.searchParams.set("redirect_uri", redirectUri);
    u.searchParams.set("state", ADMIN_CONSENT_STATE);
    return u.toString();
  }

  /** Step 1: a single-use, short-lived URL for the Office dialog. */
  createAuthSession(memberId: string): { url: string; expiresAt: string } {
    const { db, config } = this.deps;
    const token = randomToken(32);
    const expiresAt = new Date(Date.now() + config.authSessionTtlSeconds * 1000).toISOString();
    db.transaction(() => {
      // Old attempts are useless after a day; keep the table small.
      db.prepare("DELETE FROM auth_sessions WHERE expires_at < ?").run(new Date(Date.now() - 86_400_000).toISOString());
      db.prepare("INSERT INTO auth_sessions (id, member_id, session_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)").run(
        newId(),
        memberId,
        sha256(token),
        nowIso(),
        expiresAt,
      );
    })();
    return { url: `${config.publicUrl}/auth/start?session=${encodeURIComponent(token)}`, expiresAt };
  }

  /**
   * Step 2: consumes the link and returns where to send the browser, plus a random value the
   * route sets as a cookie; the callback must come back with it (login CSRF protection).
   */
  async start(sessionToken: string): Promise<{ redirectUrl: string; browserBinding: string; memberId: string }> {
    const { db, config, vault } = this.deps;
    const session = db.prepare("SELECT * FROM auth_sessions WHERE session_hash = ?").get(sha256(sessionToken)) as SessionRow | undefined;
    if (!session) throw new ConnectFlowError("This sign-in link is not valid. Close this window and click \"Click to start authentication\" again.");
    if (session.started_at) throw new ConnectFlowError("This sign-in link was already used. Close this window and start again from the pane.");
    if (session.expires_at < nowIso()) throw new ConnectFlowError("This sign-in link has expired. Close this window and start again from the pane.");
    const member = getMember(db, session.member_id);
    if (!member) throw new ConnectFlowError("Your team member record no longer exists in Startdeliver.");

    const state = randomToken(32);
    const nonce = randomToken(16);
    const browserBinding = randomToken(32);
    const pkce = await this.crypto.generatePkceCodes();
    const claimed = db
      .prepare(
        `UPDATE auth_sessions SET started_at = ?, state_hash = ?, browser_hash = ?, pkce_verifier = ?, nonce = ?, expires_at = ?
         WHERE id = ? AND started_at IS NULL`,
      )
      .run(
        nowIso(),
        sha256(state),
        sha256(browserBinding),
        vault.encrypt(pkce.verifier, `pkce:${session.id}`),
        nonce,
        new Date(Date.now() + config.authSessionTtlSeconds * 1000).toISOString(),
        session.id,
      );
    if (claimed.changes === 0) throw new ConnectFlowError("This sign-in link was already used. Close this window and start again from the pane.");

    const cca = await this.deps.msal.create();
    const redirectUrl = await cca.getAuthCodeUrl({
      scopes: config.microsoft.graphScopes,
      redirectUri: config.microsoft.redirectUri,
      responseMode: "query",
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
      state,
      nonce,
      // The member's address preselects the right account. Not combined with prompt=select_account:
      // MSAL drops the hint then (Entra rejects an account hint with select_account), and the
      // signed-in account is verified against the member at the callback anyway.
      loginHint: member.primaryAddress,
    });
    return { redirectUrl, browserBinding, memberId: member.id };
  }

  /** Step 3. Never throws for expected failures: every outcome is a message for the pane. */
  async callback(query: CallbackQuery, browserBinding: string | undefined): Promise<ConnectResultMessage> {
    const { db, store, log } = this.deps;
    const result = (ok: boolean, state: ConnectionState, message: string, extra: Partial<ConnectResultMessage> = {}): ConnectResultMessage => ({
      type: "startdeliver:connect-result",
      ok,
      state,
      message,
      accountAddress: null,
      adminConsentUrl: null,
      ...extra,
    });

    if (query.state === ADMIN_CONSENT_STATE || (query.admin_consent !== undefined && !query.state)) {
      if (query.admin_consent?.toLowerCase() === "true") {
        return result(true, "not_connected", "Thank you: Startdeliver is approved for your organisation. Team members can now connect their mailboxes.");
      }
      const failure = classifyAuthorizeError(query.error ?? "access_denied", query.error_description, query.error_subcode);
      return result(false, "admin_consent_required", `The approval was not completed. ${failure.message}`);
    }

    if (!query.state) return result(false, "not_connected", "The sign-in response is incomplete. Close this window and start again from the pane.");
    const session = db.prepare("SELECT * FROM auth_sessions WHERE state_hash = ?").get(sha256(query.state)) as SessionRow | undefined;
    if (!session || session.completed_at) {
      return result(false, "not_connected", "This sign-in was already completed or is unknown. Close this window and start again from the pane.");
    }
    // Single use: claim the state before doing anything with the code.
    const claimed = db.prepare("UPDATE auth_sessions SET completed_at = ? WHERE id = ? AND completed_at IS NULL").run(nowIso(), session.id);
    if (claimed.changes === 0) {
      return result(false, "not_connected", "This sign-in was already completed. Close this window and start again from the pane.");
    }
    if (session.expires_at < nowIso()) {
      return this.finish(session, result(false, "not_connected", "The sign-in took too long and expired. Close this window and start again from the pane."));
    }
    if (!browserBinding || !session.browser_hash || sha256(browserBinding) !== session.browser_hash) {
      return this.finish(session, result(false, "not_connected", "This sign-in was started in another browser window. Close this window and start again from the pane."));
    }
    const member = getMember(db, session.member_id);
    if (!member) return this.finish(session, result(false, "not_connected", "Your team member record no longer exists in Startdeliver."));

    if (query.error) {
      return this.finish(session, this.failed(member, classifyAuthorizeError(query.error, query.error_description, query.error_subcode), result));
    }
    if (!query.code) return this.finish(session, result(false, store.get(member.id).state, "Microsoft returned no authorization code. Start again from the pane."));

    let tokens;
    try {
      const verifier = this.deps.vault.decrypt(session.pkce_verifier ?? "", `pkce:${session.id}`);
      const cca = await this.deps.msal.create();
      tokens = await cca.acquireTokenByCode({
        code: query.code,
        scopes: this.deps.config.microsoft.graphScopes,
        redirectUri: this.deps.config.microsoft.redirectUri,
        codeVerifier: verifier,
        nonce: session.nonce ?? undefined,
      });
      const claims = (tokens.idTokenClaims ?? {}) as { tid?: string; oid?: string; preferred_username?: string };
      const tid = (claims.tid ?? tokens.tenantId ?? "").toLowerCase();
      const oid = (claims.oid ?? tokens.uniqueId ?? "").toLowerCase();
      if (!tid || !oid || !tokens.account) {
        return this.finish(session, result(false, store.get(member.id).state, "Microsoft did not say which account signed in. Start again from the pane."));
      }
      const mismatch = this.accountMismatch(member, tid, oid);
      if (mismatch) return this.finish(session, result(false, store.get(member.id).state, mismatch));

      let address = (claims.preferred_username ?? tokens.account.username ?? "").toLowerCase();
      try {
        const mailbox = await fetchMailboxAddresses(this.deps.config.microsoft.graphBaseUrl, tokens.accessToken);
        address = mailbox.mail ?? address;
        replaceDiscoveredAliases(db, member, mailbox.addresses);
      } catch (err) {
        // Aliases can be discovered later; a slow /me must not fail the connection.
        log.warn({ memberId: member.id, err: (err as Error).message }, "alias discovery failed at connect");
      }

      db.transaction(() => {
        if (!member.entraOid) {
          db.prepare("UPDATE team_members SET entra_oid = ?, entra_tid = ?, updated_at = ? WHERE id = ?").run(oid, tid, nowIso(), member.id);
        }
        store.markConnected(member.id, {
          tenantId: tid,
          accountOid: oid,
          accountAddress: address,
          homeAccountId: tokens!.account!.homeAccountId,
          scopes: tokens!.scopes,
          tokenCache: cca.getTokenCache().serialize(),
        });
      })();
      log.info({ memberId: member.id, tenantId: tid }, "Microsoft 365 connected");
      await this.deps.events.emitConnected(member.id);
      void this.deps.events.emitSettingsChanged(member.id);
      return this.finish(session, result(true, "connected", `Connected ${address}. Emails and meetings with customers now sync automatically.`, { accountAddress: address }));
    } catch (err) {
      log.warn({ memberId: member.id, err: { name: (err as Error)?.name, code: (err as { errorCode?: string }).errorCode } }, "code redemption failed");
      return this.finish(session, this.failed(member, classifyTokenError(err), result));
    }
  }

  private accountMismatch(member: TeamMember, tid: string, oid: string): string | null {
    if (member.entraOid && (member.entraOid !== oid || (member.entraTid && member.entraTid !== tid))) {
      return `You signed in with a different Microsoft account than the one linked to ${member.primaryAddress}. Start again and choose ${member.primaryAddress}.`;
    }
    if (!member.entraOid) {
      const other = this.deps.db.prepare("SELECT id FROM team_members WHERE entra_tid = ? AND entra_oid = ? AND id <> ?").get(tid, oid, member.id);
      if (other) return "That Microsoft account is already connected to another team member. Start again and choose your own account.";
    }
    return null;
  }

  private failed(
    member: TeamMember,
    failure: AuthFailure,
    result: (ok: boolean, state: ConnectionState, message: string, extra?: Partial<ConnectResultMessage>) => ConnectResultMessage,
  ): ConnectResultMessage {
    const { store } = this.deps;
    if (failure.kind === "admin_consent_required") {
      const url = this.adminConsentUrl(member.entraTid);
      store.recordFailedAttempt(member.id, "admin_consent_required", failure.message, url);
      const state = store.get(member.id).state;
      return result(false, state, `${failure.message} Send your admin this link: ${url}`, { adminConsentUrl: url });
    }
    store.recordFailedAttempt(member.id, "not_connected", failure.message, null);
    return result(false, store.get(member.id).state, failure.message);
  }

  private finish(session: SessionRow, message: ConnectResultMessage): ConnectResultMessage {
    this.deps.db
      .prepare("UPDATE auth_sessions SET outcome = ?, pkce_verifier = NULL WHERE id = ?")
      .run(message.ok ? "connected" : message.state, session.id);
    return message;
  }
}
