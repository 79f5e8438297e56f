import express, { Router, type Request, type Response } from "express";
import type { AppRegistration, EmulatedTenant, EmulatedUser } from "../state";
import { consentState, effectiveScopeNames } from "./consent";
import { requestMeta, type IdentityContext } from "./context";
import type { TenantSegment } from "./directory";
import { AadError, AccessTokenError, aad, tokenErrorBody } from "./errors";
import type { ClientType, SignInGrant } from "./grants";
import { param } from "./params";
import { formatScope, parseScopes, tokenResource } from "./scopes";
import { clientInfo } from "./tokens";
import { sha256Base64Url } from "./util";

interface TokenRequest {
  req: Request;
  body: unknown;
  segment: TenantSegment;
  segmentName: string;
  app: AppRegistration;
  secret?: string;
  origin?: string;
}

const OBO_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** POST /{tenant}/oauth2/v2.0/token: authorization_code, refresh_token and on-behalf-of grants. */
export function tokenRoutes(ctx: IdentityContext): Router {
  const router = Router();
  const { directory } = ctx;
  const path = "/:tenant/oauth2/v2.0/token";

  // SPAs (msal-browser) redeem cross-origin; the preflight is always allowed and the grant decides.
  router.options(path, (req, res) => {
    cors(req, res);
    res.set("Access-Control-Allow-Methods", "POST, OPTIONS");
    res.set("Access-Control-Allow-Headers", req.get("access-control-request-headers") ?? "content-type");
    res.set("Access-Control-Max-Age", "86400");
    res.status(204).end();
  });

  router.post(path, express.urlencoded({ extended: false }), async (req, res) => {
    cors(req, res);
    res.set("Cache-Control", "no-store, no-cache").set("Pragma", "no-cache");
    const meta = requestMeta(ctx, req);
    res.set("x-ms-request-id", meta.traceId);
    const clientRequestId = req.get("client-request-id");
    if (clientRequestId) res.set("client-request-id", clientRequestId);
    try {
      const body = req.body ?? {};
      const segmentName = req.params.tenant as string;
      const segment = directory.resolveSegment(segmentName);
      if (!segment) throw aad.tenantNotFound(segmentName);
      const grantType = param(body, "grant_type");
      if (!grantType) throw aad.missingParameter("grant_type");
      const basic = parseBasicAuth(req.get("authorization"));
      const clientId = param(body, "client_id") ?? basic?.id;
      if (!clientId) throw aad.missingParameter("client_id");
      const app = directory.app(clientId);
      const directoryName = segment.kind === "tenant" ? segment.tenant.displayName : segmentName;
      if (!app || (segment.kind === "tenant" && !directory.appVisibleIn(app, segment.tenant.id))) throw aad.appNotFound(clientId, directoryName);
      if (param(body, "client_assertion")) throw aad.clientAssertionUnsupported();
      const tr: TokenRequest = { req, body, segment, segmentName, app, secret: param(body, "client_secret") ?? basic?.secret, origin: req.get("origin") };
      let result: Record<string, unknown>;
      if (grantType === "authorization_code") result = await redeemCode(tr);
      else if (grantType === "refresh_token") result = await redeemRefreshToken(tr);
      else if (grantType === OBO_GRANT) result = await onBehalfOf(tr);
      else throw aad.unsupportedGrantType(grantType);
      res.status(200).json(result);
    } catch (e) {
      if (!(e instanceof AadError)) throw e;
      ctx.logger.info({ code: e.code, error: e.error }, "token: error");
      res.status(e.status).json(tokenErrorBody(e, meta));
    }
  });

  /** Confidential "web" grants need the secret; public and SPA grants must not rely on one. */
  function authenticateClient(tr: TokenRequest, clientType: ClientType): "0" | "1" {
    const { app, secret } = tr;
    if (clientType === "web") {
      if (!secret) throw aad.missingClientCredential();
      if (!app.clientSecrets.includes(secret)) throw aad.invalidClientSecret(app.clientId);
      return "1";
    }
    if (secret !== undefined) {
      if (app.clientSecrets.length === 0) throw aad.publicClientWithSecret();
      if (!app.clientSecrets.includes(secret)) throw aad.invalidClientSecret(app.clientId);
      return "1";
    }
    return "0";
  }

  function checkOrigin(tr: TokenRequest, clientType: ClientType): void {
    if (clientType === "spa" && !tr.origin) throw aad.spaRequiresCrossOrigin();
    if (clientType !== "spa" && tr.origin) throw aad.crossOriginOnlyForSpa(tr.origin);
  }

  function checkTenant(tr: TokenRequest, tid: string): void {
    if (tr.segment.kind === "tenant" && tr.segment.tenant.id !== tid) throw aad.grantForOtherTenant();
  }

  function liveUser(grant: SignInGrant): { user: EmulatedUser; tenant: EmulatedTenant } {
    const user = directory.user(grant.oid);
    const tenant = user && directory.tenant(user.tenantId);
    if (!user || !tenant) throw aad.userNotFound();
    if (grant.epoch !== directory.revocationEpoch(user.oid)) throw aad.grantRevoked(grant.authTime, user.tokensValidAfter);
    return { user, tenant };
  }

  async function redeemCode(tr: TokenRequest): Promise<Record<string, unknown>> {
    const codeValue = param(tr.body, "code");
    if (!codeValue) throw aad.missingParameter("code");
    const code = ctx.codes.get(codeValue);
    if (!code) throw aad.grantMalformed();
    if (code.clientId !== tr.app.clientId) throw aad.grantForOtherClient();
    checkTenant(tr, code.tid);
    if (code.redeemed) throw aad.codeAlreadyRedeemed();
    if (ctx.now() > code.expiresAt) throw aad.grantExpired();
    const clientAuth = authenticateClient(tr, code.clientType);
    checkOrigin(tr, code.clientType);
    // Spent by any authenticated attempt, so a wrong PKCE verifier cannot be retried against the same code.
    code.redeemed = true;
    const redirectUri = param(tr.body, "redirect_uri");
    if (!redirectUri) throw aad.missingParameter("redirect_uri");
    if (redirectUri !== code.redirectUri) throw aad.codeRedirectMismatch(redirectUri);
    const verifier = param(tr.body, "code_verifier");
    if (code.codeChallenge !== undefined) {
      const computed = verifier === undefined ? undefined : code.codeChallengeMethod === "S256" ? sha256Base64Url(verifier) : verifier;
      if (computed !== code.codeChallenge) throw aad.pkceMismatch();
    } else if (code.clientType === "spa") {
      throw aad.pkceRequiredCrossOrigin();
    }
    const { user, tenant } = liveUser(code);
    return issue(tr, { grant: code, user, tenant, clientAuth, scope: param(tr.body, "scope") ?? code.scope, nonce: code.nonce });
  }

  async function redeemRefreshToken(tr: TokenRequest): Promise<Record<string, unknown>> {
    const value = param(tr.body, "refresh_token");
    if (!value) throw aad.missingParameter("refresh_token");
    const rt = ctx.refreshTokens.get(value);
    if (!rt) throw aad.grantMalformed();
    if (rt.clientId !== tr.app.clientId) throw aad.grantForOtherClient();
    checkTenant(tr, rt.tid);
    const clientAuth = authenticateClient(tr, rt.clientType);
    checkOrigin(tr, rt.clientType);
    const { user, tenant } = liveUser(rt);
    const now = ctx.now();
    const spaLifetime = ctx.settings.spaRefreshTokenLifetimeSeconds;
    if (rt.clientType === "spa" && now > rt.authTime + spaLifetime * 1000) throw aad.spaRefreshTokenExpired(spaLifetime, rt.authTime);
    const inactiveSeconds = Math.floor((now - rt.issuedAt) / 1000);
    if (inactiveSeconds > ctx.settings.refreshTokenMaxInactiveSeconds) throw aad.refreshTokenInactive(rt.issuedAt, inactiveSeconds);
    if (rt.redeemed && ctx.settings.refreshTokenReuse === "reject") {
      throw aad.grantExpired("(Emulator: this refresh token was already redeemed; use the refresh token returned with it.)");
    }
    const scope = param(tr.body, "scope");
    if (!scope) throw aad.missingParameter("scope");
    const result = await issue(tr, { grant: rt, user, tenant, clientAuth, scope });
    rt.redeemed = true;
    return result;
  }

  async function onBehalfOf(tr: TokenRequest): Promise<Record<string, unknown>> {
    if (param(tr.body, "requested_token_use") !== "on_behalf_of") throw aad.missingParameter("requested_token_use");
    const assertion = param(tr.body, "assertion");
    if (!assertion) throw aad.missingParameter("assertion");
    const clientAuth = authenticateClient(tr, "web");
    if (tr.origin) throw aad.crossOriginOnlyForSpa(tr.origin);
    let verified;
    try {
      verified = await ctx.tokens.verifyAccessToken(assertion, [tr.app.clientId, ...(tr.app.identifierUri ? [tr.app.identifierUri] : [])]);
    } catch (e) {
      if (!(e instanceof AccessTokenError)) throw e;
      const claims = safeClaims(assertion);
      if (e.reason === "expired") throw aad.assertionExpired(ctx.now(), Number(claims.exp ?? 0) * 1000);
      if (e.reason === "invalid_audience") throw aad.assertionAudienceMismatch(String(claims.aud ?? ""), tr.app.clientId);
      throw aad.assertionInvalid(e.message);
    }
    const user = directory.user(verified.oid);
    if (!user) throw aad.userNotFound();
    const grant: SignInGrant = {
      clientId: tr.app.clientId,
      oid: user.oid,
      tid: verified.tid,
      clientType: "web",
      authTime: Number(verified.claims.iat ?? 0) * 1000,
      epoch: directory.revocationEpoch(user.oid),
    };
    checkTenant(tr, grant.tid);
    const { tenant } = liveUser(grant);
    const scope = param(tr.body, "scope");
    if (!scope) throw aad.missingParameter("scope");
    return issue(tr, { grant, user, tenant, clientAuth, scope });
  }

  /** The success body, in Entra's field order. */
  async function issue(
    tr: TokenRequest,
    p: { grant: SignInGrant; user: EmulatedUser; tenant: EmulatedTenant; clientAuth: "0" | "1"; scope: string; nonce?: string },
  ): Promise<Record<string, unknown>> {
    const scopes = parseScopes(p.scope, directory, tr.app, p.tenant.displayName);
    const resource = tokenResource(scopes, p.scope);
    if (consentState(directory, p.tenant, p.user, tr.app, { oidc: scopes.oidc, resources: scopes.resources }) !== "granted") {
      throw aad.consentRequired(tr.app.clientId, tr.app.displayName, true);
    }
    const names = effectiveScopeNames(directory, p.tenant, p.user, tr.app, resource);
    const lifetime = ctx.settings.accessTokenLifetimeSeconds;
    const accessToken = await ctx.tokens.accessToken({
      user: p.user,
      tenant: p.tenant,
      client: tr.app,
      clientAuth: p.clientAuth,
      resource,
      scopes: names,
      oidc: scopes.oidc,
      lifetimeSeconds: lifetime,
    });
    // openid/profile/email are Microsoft Graph permissions: they are listed for Graph tokens only.
    const oidcListed = resource.resource.kind === "graph" ? [...scopes.oidc].filter((s) => s !== "offline_access") : [];
    const responseScopes = [...names.map((n) => formatScope(resource, n)), ...oidcListed];
    const body: Record<string, unknown> = {
      token_type: "Bearer",
      scope: responseScopes.join(" "),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    };
    if (scopes.oidc.has("offline_access")) {
      const rt = ctx.refreshTokens.issue({ ...p.grant, clientId: tr.app.clientId });
      body.refresh_token = rt.token;
      if (p.grant.clientType === "spa") {
        const remaining = Math.floor((p.grant.authTime + ctx.settings.spaRefreshTokenLifetimeSeconds * 1000 - ctx.now()) / 1000);
        body.refresh_token_expires_in = Math.max(remaining, 0);
      }
    }
    if (scopes.oidc.has("openid")) {
      body.id_token = await ctx.tokens.idToken({ user: p.user, tenant: p.tenant, client: tr.app, oidc: scopes.oidc, nonce: p.nonce });
    }
    if (param(tr.body, "client_info") === "1") body.client_info = clientInfo(p.user);
    ctx.logger.debug({ clientId: tr.app.clientId, oid: p.user.oid, scope: body.scope }, "token: issued");
    return body;
  }

  return router;
}

function cors(req: Request, res: Response): void {
  const origin = req.get("origin");
  if (origin) {
    res.set("Access-Control-Allow-Origin", origin);
    res.set("Vary", "Origin");
  }
}

function parseBasicAuth(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
  const unescape = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
  try {
    return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function safeClaims(token: string): Record<string, unknown> {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}
