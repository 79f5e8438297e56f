import { Router } from "express";
import pino, { type Logger } from "pino";
import type { AppRegistration, EmulatedTenant, EmulatedUser } from "../state";
import { adminConsentRoutes } from "./admin-consent";
import { authorizeRoutes } from "./authorize";
import type { IdentityContext } from "./context";
import { controlRoutes } from "./control";
import { Directory, type NewApp, type NewTenant, type NewUser, type RegisteredApp } from "./directory";
import { discoveryRoutes } from "./discovery";
import { CodeStore, RefreshTokenStore } from "./grants";
import { KeyRing } from "./keys";
import { parseScopes, tokenResource } from "./scopes";
import { SessionStore } from "./sessions";
import { defaultSettings, settingsPatchSchema, type IdentitySettings, type SettingsPatch } from "./settings";
import { TokenService, type VerifiedAccessToken } from "./tokens";
import { tokenRoutes } from "./token-endpoint";
import { v1Issuer, v2Issuer } from "./tokens";

export { AccessTokenError, AadError } from "./errors";
export type { AccessTokenFailure } from "./errors";
export { DirectoryError } from "./directory";
export type { NewApp, NewTenant, NewUser, RegisteredApp } from "./directory";
export type { IdentitySettings } from "./settings";
export type { VerifiedAccessToken } from "./tokens";

export interface IdentityServiceOptions {
  /** Public origin of the emulator, e.g. https://localhost:4000 (no trailing slash). */
  baseUrl: string;
  /** Clock in milliseconds; tests pass a controllable one. */
  now?: () => number;
  logger?: Logger;
  settings?: SettingsPatch;
}

export interface IdentityService {
  /** Mount at "/": discovery, JWKS, /authorize, /token, /adminconsent, logout, instance discovery. */
  router: Router;
  /** Mount at "/_emulator/identity": JSON control API (see README.md). */
  controlRouter: Router;
  addTenant(t: NewTenant): EmulatedTenant;
  /** Builds proxyAddresses "SMTP:primary", "smtp:alias", "X500:...". */
  addUser(tenantId: string, u: NewUser): EmulatedUser;
  registerApp(a: NewApp): RegisteredApp;
  /** Throws AccessTokenError (→ Graph 401 InvalidAuthenticationToken) when expired, forged, or for another audience. */
  verifyAccessToken(token: string, expectedAudience: string | string[]): Promise<VerifiedAccessToken>;
  /** "Password change": the user's refresh tokens and SSO sessions die (AADSTS50173). */
  revokeUser(oid: string): void;
  /** New signing key (new kid) at once; the old one stays in the JWKS for settings.retiredKeyRetentionSeconds. */
  rotateSigningKey(options?: { dropPrevious?: boolean }): void;
  findUser(oid: string): EmulatedUser | undefined;
  /** By UPN, primary SMTP address or alias, case-insensitive. */
  findUserByEmail(address: string): EmulatedUser | undefined;
  /** By GUID or verified domain. */
  getTenant(idOrDomain: string): EmulatedTenant | undefined;
  tenants(): EmulatedTenant[];
  users(): EmulatedUser[];
  getApp(clientId: string): AppRegistration | undefined;
  apps(): AppRegistration[];
  grantAdminConsent(tenantId: string, clientId: string): void;
  readonly settings: IdentitySettings;
  updateSettings(patch: SettingsPatch): IdentitySettings;
  /** v2.0 issuer for a tenant ({baseUrl}/{tid}/v2.0); Graph tokens use the v1 issuer https://sts.windows.net/{tid}/. */
  issuer(tenantId: string, version?: "1.0" | "2.0"): string;
  /**
   * Test shortcut for other emulator parts: a signed access token for a user without the browser
   * flow and without consent checks. scopes as a client would pass them ("Mail.Read", "api://x/access_as_user").
   */
  mintAccessToken(p: { oid: string; clientId: string; scopes: string[]; lifetimeSeconds?: number }): Promise<string>;
}

export function createIdentityService(opts: IdentityServiceOptions): IdentityService {
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  const now = opts.now ?? Date.now;
  const settings: IdentitySettings = { ...defaultSettings(), ...settingsPatchSchema.parse(opts.settings ?? {}) };
  const logger = opts.logger ?? pino({ name: "identity", level: process.env.LOG_LEVEL ?? "info" });
  const directory = new Directory(now);
  const keys = new KeyRing(now, () => settings.retiredKeyRetentionSeconds);
  const tokens = new TokenService(baseUrl, keys, directory, now);
  const ctx: IdentityContext = {
    baseUrl,
    now,
    settings,
    directory,
    keys,
    tokens,
    codes: new CodeStore(now),
    refreshTokens: new RefreshTokenStore(now),
    sessions: new SessionStore(directory),
    logger,
  };

  const rotateSigningKey = (options?: { dropPrevious?: boolean }) => {
    const key = keys.rotate(options);
    logger.info({ kid: key.kid }, "signing key rotated");
  };

  const router = Router();
  router.use(discoveryRoutes(ctx));
  router.use(authorizeRoutes(ctx));
  router.use(adminConsentRoutes(ctx));
  router.use(tokenRoutes(ctx));

  return {
    router,
    controlRouter: controlRoutes(ctx, { rotateSigningKey }),
    addTenant: (t) => directory.addTenant(t),
    addUser: (tenantId, u) => directory.addUser(tenantId, u),
    registerApp: (a) => directory.registerApp(a),
    verifyAccessToken: (token, aud) => tokens.verifyAccessToken(token, aud),
    revokeUser: (oid) => void directory.revokeUser(oid),
    rotateSigningKey,
    findUser: (oid) => directory.user(oid),
    findUserByEmail: (address) => directory.findUserByLogin(address),
    getTenant: (id) => directory.tenant(id),
    tenants: () => directory.tenantList(),
    users: () => directory.userList(),
    getApp: (clientId) => directory.app(clientId),
    apps: () => directory.appList(),
    grantAdminConsent: (tenantId, clientId) => directory.setAdminConsent(tenantId, clientId, true),
    settings,
    updateSettings: (patch) => Object.assign(settings, settingsPatchSchema.parse(patch)),
    issuer: (tenantId, version = "2.0") => (version === "1.0" ? v1Issuer(tenantId) : v2Issuer(baseUrl, tenantId)),
    async mintAccessToken(p) {
      const user = directory.user(p.oid);
      const client = directory.app(p.clientId);
      if (!user || !client) throw new Error(`mintAccessToken: unknown ${user ? "client" : "user"}`);
      const tenant = directory.tenant(user.tenantId)!;
      const raw = p.scopes.join(" ");
      const scopes = parseScopes(raw, directory, client, tenant.displayName);
      const resource = tokenResource(scopes, raw);
      return tokens.accessToken({
        user,
        tenant,
        client,
        clientAuth: client.clientSecrets.length > 0 ? "1" : "0",
        resource,
        scopes: resource.names.filter((n) => n !== ".default"),
        oidc: scopes.oidc,
        lifetimeSeconds: p.lifetimeSeconds ?? settings.accessTokenLifetimeSeconds,
      });
    },
  };
}
