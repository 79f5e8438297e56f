/**
 * OpenID Connect discovery for the configured authority ({authorityHost}/{tenant}/v2.0/.well-known/openid-configuration),
 * fetched once and cached: its jwks_uri verifies pane tokens, and MSAL gets it as authorityMetadata
 * so it never calls Microsoft's instance discovery (which would break against the emulator).
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";

export interface OpenIdConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  [key: string]: unknown;
}

export class AuthorityDiscovery {
  private doc: { value: OpenIdConfiguration; fetchedAt: number } | null = null;
  private inFlight: Promise<OpenIdConfiguration> | null = null;
  private jwks: { uri: string; getKey: JWTVerifyGetKey } | null = null;

  private readonly ttlMs: number;
  private readonly jwksCooldownMs: number;

  /**
   * ttlMs: how long the discovery document is trusted. jwksCooldownMs: the minimum time between
   * two JWKS fetches when tokens name unknown key ids (jose's guard against fetch storms).
   */
  constructor(
    readonly authorityHost: string,
    readonly tenant: string,
    options: { ttlMs?: number; jwksCooldownMs?: number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? 6 * 3600 * 1000;
    this.jwksCooldownMs = options.jwksCooldownMs ?? 30_000;
  }

  get url(): string {
    return `${this.authorityHost}/${this.tenant}/v2.0/.well-known/openid-configuration`;
  }

  async get(): Promise<OpenIdConfiguration> {
    if (this.doc && Date.now() - this.doc.fetchedAt < this.ttlMs) return this.doc.value;
    this.inFlight ??= this.fetchDoc().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async fetchDoc(): Promise<OpenIdConfiguration> {
    const res = await fetch(this.url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`OpenID discovery at ${this.url} answered ${res.status}`);
    const value = (await res.json()) as OpenIdConfiguration;
    for (const key of ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
      if (typeof value[key] !== "string") throw new Error(`OpenID discovery at ${this.url} lacks ${key}`);
    }
    this.doc = { value, fetchedAt: Date.now() };
    return value;
  }

  /** jose's remote key set: cached, refetched when a token names an unknown key id (key rotation). */
  async keySet(): Promise<JWTVerifyGetKey> {
    const { jwks_uri } = await this.get();
    if (!this.jwks || this.jwks.uri !== jwks_uri) {
      this.jwks = { uri: jwks_uri, getKey: createRemoteJWKSet(new URL(jwks_uri), { timeoutDuration: 10_000, cooldownDuration: this.jwksCooldownMs }) };
    }
    return this.jwks.getKey;
  }
}
