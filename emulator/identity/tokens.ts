import { createHash, randomUUID } from "node:crypto";
import { SignJWT, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import { GRAPH_APP_ID, GRAPH_RESOURCE, type AppRegistration, type EmulatedTenant, type EmulatedUser } from "../state";
import type { Directory } from "./directory";
import { accessTokenErrors } from "./errors";
import type { KeyRing } from "./keys";
import type { OidcScope, ResourceRequest } from "./scopes";
import { isGraphIdentifier } from "./scopes";
import { base64UrlJson, randomHandle, secondsOf } from "./util";

export const v2Issuer = (baseUrl: string, tid: string) => `${baseUrl}/${tid}/v2.0`;
/** v1.0 tokens (Graph's, and APIs with accessTokenAcceptedVersion 1) are issued by sts.windows.net, as in production. */
export const v1Issuer = (tid: string) => `https://sts.windows.net/${tid}/`;

/** The "Default user" directory role template that appears in wids. */
const DEFAULT_USER_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509";

export interface AccessTokenSubject {
  user: EmulatedUser;
  tenant: EmulatedTenant;
  /** The app the token is issued to (appid / azp). */
  client: AppRegistration;
  /** How the client authenticated: "0" public, "1" client secret (appidacr / azpacr). */
  clientAuth: "0" | "1";
  resource: ResourceRequest;
  /** Permission names for scp. */
  scopes: string[];
  oidc: ReadonlySet<OidcScope>;
  sessionId?: string;
  lifetimeSeconds: number;
}

export interface VerifiedAccessToken {
  tid: string;
  oid: string;
  appid: string;
  scp: string[];
  aud: string;
  ver: "1.0" | "2.0";
  exp: number;
  upn?: string;
  name?: string;
  claims: JWTPayload;
}

/** Mints and checks the JWTs: Graph-shaped v1 access tokens, v2 API access tokens, v2 ID tokens. */
export class TokenService {
  constructor(
    private readonly baseUrl: string,
    private readonly keys: KeyRing,
    private readonly directory: Directory,
    private readonly now: () => number,
  ) {}

  async accessToken(s: AccessTokenSubject): Promise<string> {
    const iat = secondsOf(this.now());
    const exp = iat + s.lifetimeSeconds;
    const key = this.keys.current();
    const common = {
      iat,
      nbf: iat,
      exp,
      aio: randomHandle(40),
      name: s.user.displayName,
      oid: s.user.oid,
      rh: `1.A${randomHandle(30)}.`,
      sid: s.sessionId ?? randomUUID(),
      tid: s.tenant.id,
      uti: randomHandle(16),
    };
    if (s.resource.resource.kind === "graph" || s.resource.resource.app.accessTokenAcceptedVersion === 1) {
      const isGraph = s.resource.resource.kind === "graph";
      const aud = isGraph
        ? s.resource.qualified
          ? GRAPH_RESOURCE
          : GRAPH_APP_ID
        : s.resource.qualified
          ? (s.resource.resource as { app: AppRegistration }).app.identifierUri ?? s.resource.resourceId
          : s.resource.resourceId;
      const scp = isGraph ? [...s.scopes, ...[...s.oidc].filter((o) => o !== "offline_access")] : s.scopes;
      const [given, ...family] = s.user.displayName.split(" ");
      const payload = {
        aud,
        iss: v1Issuer(s.tenant.id),
        ...common,
        acct: 0,
        acr: "1",
        amr: ["pwd"],
        app_displayname: s.client.displayName,
        appid: s.client.clientId,
        appidacr: s.clientAuth,
        family_name: family.join(" ") || undefined,
        given_name: given,
        idtyp: "user",
        ipaddr: "127.0.0.1",
        scp: scp.join(" "),
        sub: pairwiseSubject(s.user.oid, s.client.clientId),
        unique_name: s.user.userPrincipalName,
        upn: s.user.userPrincipalName,
        ver: "1.0",
        wids: [DEFAULT_USER_ROLE],
      };
      // Graph tokens carry a header nonce, which is why third parties cannot validate them in production;
      // here it is signed over like any header field, so the emulator itself can still verify them.
      const header = isGraph
        ? { typ: "JWT", nonce: randomHandle(32), alg: "RS256", x5t: key.kid, kid: key.kid }
        : { typ: "JWT", alg: "RS256", x5t: key.kid, kid: key.kid };
      return new SignJWT(stripUndefined(payload)).setProtectedHeader(header).sign(key.privateKey);
    }
    const api = s.resource.resource.app;
    const payload = {
      aud: api.clientId,
      iss: v2Issuer(this.baseUrl, s.tenant.id),
      ...common,
      azp: s.client.clientId,
      azpacr: s.clientAuth,
      preferred_username: s.user.userPrincipalName,
      scp: s.scopes.join(" "),
      sub: pairwiseSubject(s.user.oid, api.clientId),
      ver: "2.0",
    };
    return new SignJWT(payload).setProtectedHeader({ typ: "JWT", alg: "RS256", kid: key.kid }).sign(key.privateKey);
  }

  async idToken(p: {
    user: EmulatedUser;
    tenant: EmulatedTenant;
    client: AppRegistration;
    oidc: ReadonlySet<OidcScope>;
    nonce?: string;
    sessionId?: string;
  }): Promise<string> {
    const iat = secondsOf(this.now());
    const key = this.keys.current();
    const withProfile = p.oidc.has("profile");
    const payload = stripUndefined({
      aud: p.client.clientId,
      iss: v2Issuer(this.baseUrl, p.tenant.id),
      iat,
      nbf: iat,
      exp: iat + 3600,
      aio: randomHandle(40),
      email: p.oidc.has("email") ? p.user.mail : undefined,
      // Opaque hint MSAL passes back as logout_hint / login_hint.
      login_hint: withProfile ? base64UrlJson({ oid: p.user.oid, tid: p.tenant.id, upn: p.user.userPrincipalName }) : undefined,
      name: withProfile ? p.user.displayName : undefined,
      nonce: p.nonce || undefined,
      oid: withProfile ? p.user.oid : undefined,
      preferred_username: withProfile ? p.user.userPrincipalName : undefined,
      rh: `1.A${randomHandle(30)}.`,
      sid: p.sessionId,
      sub: pairwiseSubject(p.user.oid, p.client.clientId),
      tid: p.tenant.id,
      uti: randomHandle(16),
      ver: "2.0",
    });
    return new SignJWT(payload).setProtectedHeader({ typ: "JWT", alg: "RS256", kid: key.kid }).sign(key.privateKey);
  }

  /**
   * Validates a bearer token as a resource server would: signature against the published keys,
   * lifetime against the emulator clock, issuer for the token's tenant, and audience.
   * Graph's two audience spellings are equivalent, as are an API's client id and identifier URI.
   */
  async verifyAccessToken(token: string, expectedAudience: string | string[]): Promise<VerifiedAccessToken> {
    if (typeof token !== "string" || token.split(".").length !== 3) throw accessTokenErrors.malformed();
    let kid: string | undefined;
    let claims: JWTPayload;
    try {
      kid = decodeProtectedHeader(token).kid;
      claims = decodeJwt(token);
    } catch {
      throw accessTokenErrors.malformed();
    }
    const key = kid ? this.keys.find(kid) : undefined;
    if (!key) throw accessTokenErrors.signature();
    try {
      await jwtVerify(token, key.publicKey, { algorithms: ["RS256"], currentDate: new Date(this.now()) });
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw accessTokenErrors.expired();
      if (e instanceof joseErrors.JWTClaimValidationFailed && e.claim === "nbf") throw accessTokenErrors.notYetValid();
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw accessTokenErrors.signature();
      throw accessTokenErrors.malformed();
    }
    const tid = String(claims.tid ?? "");
    if (!this.directory.tenant(tid) || this.directory.tenant(tid)!.id !== tid) throw accessTokenErrors.tenant();
    const ver = claims.ver === "2.0" ? "2.0" : "1.0";
    const expectedIssuer = ver === "2.0" ? v2Issuer(this.baseUrl, tid) : v1Issuer(tid);
    if (claims.iss !== expectedIssuer) throw accessTokenErrors.issuer();
    const aud = String(claims.aud ?? "");
    if (!this.audienceMatches(aud, Array.isArray(expectedAudience) ? expectedAudience : [expectedAudience])) throw accessTokenErrors.audience();
    return {
      tid,
      oid: String(claims.oid ?? ""),
      appid: String(claims.appid ?? claims.azp ?? ""),
      scp: typeof claims.scp === "string" ? claims.scp.split(" ").filter(Boolean) : [],
      aud,
      ver,
      exp: claims.exp ?? 0,
      upn: (claims.upn ?? claims.preferred_username) as string | undefined,
      name: claims.name as string | undefined,
      claims,
    };
  }

  private audienceMatches(aud: string, expected: string[]): boolean {
    const norm = (v: string) => v.replace(/\/+$/, "").toLowerCase();
    const accepted = new Set<string>();
    for (const e of expected) {
      accepted.add(norm(e));
      if (isGraphIdentifier(e)) {
        accepted.add(norm(GRAPH_RESOURCE));
        accepted.add(GRAPH_APP_ID);
      }
      const app = this.directory.appByResource(e);
      if (app) {
        accepted.add(app.clientId);
        if (app.identifierUri) accepted.add(norm(app.identifierUri));
      }
    }
    return accepted.has(norm(aud));
  }
}

/** client_info as MSAL expects it: base64url JSON {uid, utid}. */
export function clientInfo(user: EmulatedUser): string {
  return base64UrlJson({ uid: user.oid, utid: user.tenantId });
}

/** Entra's sub is pairwise: stable per user and application, different across applications. */
export function pairwiseSubject(oid: string, appId: string): string {
  return createHash("sha256").update(`${oid}|${appId}`).digest("base64url").slice(0, 43);
}

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
