/**
 * Graph access tokens for the sync: `getGraphAccessToken(memberId)` returns a valid delegated
 * token, refreshing (and rotating the refresh token) through MSAL when needed. A dead grant
 * (password change, revoked sessions: invalid_grant / AADSTS50173, 70008, 700082 …) turns the
 * connection into connection_lost — data kept — and throws ConnectionLostError; transient
 * failures throw TemporaryAuthError so the caller retries later.
 */
import type { Config } from "../config";
import type { ServerEvents } from "../events";
import type { Logger } from "../logger";
import { classifyTokenError } from "./aadsts";
import type { ConnectionStore } from "./connection-store";
import { memberCachePlugin, type MsalFactory } from "./msal";

export class NotConnectedError extends Error {
  constructor(readonly memberId: string, readonly state: string) {
    super(`Team member ${memberId} has no usable Microsoft 365 connection (state ${state})`);
    this.name = "NotConnectedError";
  }
}

export class ConnectionLostError extends Error {
  constructor(readonly memberId: string, readonly aadsts: number | null, message: string) {
    super(message);
    this.name = "ConnectionLostError";
  }
}

export class TemporaryAuthError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = "TemporaryAuthError";
  }
}

export interface GraphTokenOptions {
  /** Skip the cached access token (e.g. Graph answered 401 InvalidAuthenticationToken). */
  forceRefresh?: boolean;
}

export interface GraphTokenSource {
  getGraphAccessToken(memberId: string, options?: GraphTokenOptions): Promise<string>;
}

export class GraphTokenProvider implements GraphTokenSource {
  /** One token operation per member at a time: concurrent refreshes would race on rotated refresh tokens. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly config: Config,
    private readonly store: ConnectionStore,
    private readonly msal: MsalFactory,
    private readonly events: ServerEvents,
    private readonly log: Logger,
  ) {}

  getGraphAccessToken(memberId: string, options: GraphTokenOptions = {}): Promise<string> {
    const previous = this.chains.get(memberId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.acquire(memberId, options));
    this.chains.set(memberId, next);
    void next.finally(() => {
      if (this.chains.get(memberId) === next) this.chains.delete(memberId);
    }).catch(() => undefined);
    return next;
  }

  /** Marks the connection lost from outside (e.g. Graph keeps answering 401 with a fresh token). */
  async markConnectionLost(memberId: string, message: string): Promise<void> {
    if (this.store.markLost(memberId, message)) await this.events.emitConnectionLost(memberId);
  }

  private async acquire(memberId: string, options: GraphTokenOptions): Promise<string> {
    const record = this.store.get(memberId);
    if (record.state !== "connected" || !record.hasTokens || !record.homeAccountId) {
      throw new NotConnectedError(memberId, record.state);
    }
    let cca;
    try {
      cca = await this.msal.create(memberCachePlugin(this.store, memberId));
    } catch (err) {
      throw new TemporaryAuthError("Microsoft's sign-in service could not be reached", err);
    }
    try {
      const account = await cca.getTokenCache().getAccountByHomeId(record.homeAccountId);
      if (!account) {
        await this.lose(memberId, null, "The stored Microsoft 365 sign-in could not be read; click to start authentication again.");
      }
      const result = await cca.acquireTokenSilent({
        account: account!,
        scopes: this.config.microsoft.graphScopes,
        forceRefresh: options.forceRefresh ?? false,
      });
      if (!result?.accessToken) throw new TemporaryAuthError("Microsoft returned no access token");
      return result.accessToken;
    } catch (err) {
      if (err instanceof ConnectionLostError || err instanceof TemporaryAuthError) throw err;
      if ((err as Error)?.name === "VaultError") {
        return this.lose(memberId, null, "The stored Microsoft 365 sign-in could not be decrypted (was the encryption key changed?); click to start authentication again.");
      }
      const failure = classifyTokenError(err);
      if (failure.kind === "grant_lost" || failure.kind === "admin_consent_required" || failure.kind === "cancelled") {
        return this.lose(memberId, failure.code, failure.message);
      }
      this.log.warn({ memberId, err: { name: (err as Error)?.name, code: failure.code } }, "Graph token acquisition failed");
      throw new TemporaryAuthError(failure.message, err);
    }
  }

  private async lose(memberId: string, code: number | null, message: string): Promise<never> {
    this.log.info({ memberId, aadsts: code }, "Microsoft 365 connection lost");
    await this.markConnectionLost(memberId, message);
    throw new ConnectionLostError(memberId, code, message);
  }
}
