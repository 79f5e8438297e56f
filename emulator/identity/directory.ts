import { randomBytes } from "node:crypto";
import type { AppRegistration, EmulatedTenant, EmulatedUser } from "../state";
import { GUID_PATTERN, newGuid } from "./util";

export interface NewTenant {
  id?: string;
  displayName: string;
  domains: string[];
  requiresAdminConsent?: boolean;
  autoConsent?: boolean;
}

export interface NewUser {
  oid?: string;
  displayName: string;
  mail: string;
  /** Defaults to mail. */
  userPrincipalName?: string;
  aliases?: string[];
  /** Legacy Exchange DN, e.g. "/o=ExchangeLabs/ou=.../cn=Recipients/cn=..."; stored as "X500:" proxy address. */
  x500?: string;
}

export type NewApp = Partial<AppRegistration> & {
  displayName: string;
  redirectUris: string[];
  /** No client secret is generated (the pane: PKCE only). Ignored when clientSecrets is given. */
  publicClient?: boolean;
};

export type RegisteredApp = AppRegistration & { clientSecret?: string };

export type TenantSegment = { kind: "tenant"; tenant: EmulatedTenant } | { kind: "common" | "organizations" };

export class DirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DirectoryError";
  }
}

/** Tenants, users, app registrations and the delegated-permission grants between them. */
export class Directory {
  private readonly tenants = new Map<string, EmulatedTenant>();
  private readonly users = new Map<string, EmulatedUser>();
  private readonly apps = new Map<string, AppRegistration>();
  /** oauth2PermissionGrants: `${oid}|${clientId}` → scope keys (see scopes.ts scopeKey). */
  private readonly userGrants = new Map<string, Set<string>>();
  private readonly revocationEpochs = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  addTenant(input: NewTenant): EmulatedTenant {
    const id = (input.id ?? newGuid()).toLowerCase();
    if (!GUID_PATTERN.test(id)) throw new DirectoryError(`tenant id must be a GUID: ${id}`);
    if (this.tenants.has(id)) throw new DirectoryError(`tenant ${id} already exists`);
    const domains = input.domains.map((d) => d.trim().toLowerCase()).filter(Boolean);
    if (domains.length === 0) throw new DirectoryError("a tenant needs at least one verified domain");
    for (const d of domains) {
      if (this.tenantByDomain(d)) throw new DirectoryError(`domain ${d} is already verified by another tenant`);
    }
    const tenant: EmulatedTenant = {
      id,
      displayName: input.displayName,
      domains,
      requiresAdminConsent: input.requiresAdminConsent ?? false,
      adminConsentedApps: new Set(),
      autoConsent: input.autoConsent ?? false,
      users: new Map(),
    };
    this.tenants.set(id, tenant);
    return tenant;
  }

  addUser(tenantId: string, input: NewUser): EmulatedUser {
    const tenant = this.tenant(tenantId);
    if (!tenant) throw new DirectoryError(`tenant ${tenantId} does not exist`);
    const oid = (input.oid ?? newGuid()).toLowerCase();
    if (!GUID_PATTERN.test(oid)) throw new DirectoryError(`oid must be a GUID: ${oid}`);
    if (this.users.has(oid)) throw new DirectoryError(`user ${oid} already exists`);
    const mail = input.mail.trim();
    const upn = (input.userPrincipalName ?? mail).trim();
    const aliases = (input.aliases ?? []).map((a) => a.trim()).filter(Boolean);
    for (const login of [mail, upn, ...aliases]) {
      if (this.findUserByLogin(login)) throw new DirectoryError(`address ${login} already belongs to another user`);
    }
    const proxyAddresses = [`SMTP:${mail}`, ...aliases.map((a) => `smtp:${a}`)];
    if (input.x500) proxyAddresses.push(/^x500:/i.test(input.x500) ? `X500:${input.x500.slice(5)}` : `X500:${input.x500}`);
    const user: EmulatedUser = {
      oid,
      tenantId: tenant.id,
      userPrincipalName: upn,
      displayName: input.displayName,
      mail,
      proxyAddresses,
      tokensValidAfter: 0,
    };
    tenant.users.set(oid, user);
    this.users.set(oid, user);
    return user;
  }

  registerApp(input: NewApp): RegisteredApp {
    const clientId = (input.clientId ?? newGuid()).toLowerCase();
    if (!GUID_PATTERN.test(clientId)) throw new DirectoryError(`clientId must be a GUID: ${clientId}`);
    if (this.apps.has(clientId)) throw new DirectoryError(`app ${clientId} already exists`);
    const secrets = input.clientSecrets ?? (input.publicClient ? [] : [generateClientSecret()]);
    const exposedScopes = input.exposedScopes ?? [];
    const homeTenantId = input.homeTenantId ?? this.tenants.keys().next().value ?? "";
    const app: AppRegistration = {
      clientId,
      displayName: input.displayName,
      clientSecrets: [...secrets],
      redirectUris: [...input.redirectUris],
      exposedScopes: [...exposedScopes],
      identifierUri: input.identifierUri ?? (exposedScopes.length > 0 ? `api://${clientId}` : undefined),
      homeTenantId,
      signInAudience: input.signInAudience ?? "AzureADMultipleOrgs",
      spaRedirectUris: [...(input.spaRedirectUris ?? [])],
      publicClientRedirectUris: [...(input.publicClientRedirectUris ?? [])],
      accessTokenAcceptedVersion: input.accessTokenAcceptedVersion ?? 2,
      requiredScopes: input.requiredScopes ? [...input.requiredScopes] : undefined,
    };
    this.apps.set(clientId, app);
    return secrets[0] ? { ...app, clientSecret: secrets[0] } : { ...app };
  }

  tenant(idOrDomain: string): EmulatedTenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.tenants.get(key) ?? this.tenantByDomain(key);
  }

  tenantList(): EmulatedTenant[] {
    return [...this.tenants.values()];
  }

  /** The {tenant} path segment of an endpoint: a tenant GUID, a verified domain, or organizations/common. */
  resolveSegment(segment: string): TenantSegment | undefined {
    const key = segment.toLowerCase();
    if (key === "common" || key === "organizations") return { kind: key };
    const tenant = this.tenant(key);
    return tenant ? { kind: "tenant", tenant } : undefined;
  }

  user(oid: string): EmulatedUser | undefined {
    return this.users.get(oid.toLowerCase());
  }

  userList(): EmulatedUser[] {
    return [...this.users.values()];
  }

  /** Sign-in names: UPN, primary SMTP address, or any smtp: alias. */
  findUserByLogin(login: string): EmulatedUser | undefined {
    const key = login.trim().toLowerCase();
    if (!key) return undefined;
    for (const user of this.users.values()) {
      if (user.userPrincipalName.toLowerCase() === key || user.mail.toLowerCase() === key) return user;
      if (user.proxyAddresses.some((p) => /^smtp:/i.test(p) && p.slice(5).toLowerCase() === key)) return user;
    }
    return undefined;
  }

  app(clientId: string): AppRegistration | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  appList(): AppRegistration[] {
    return [...this.apps.values()];
  }

  /** An API named by its identifier URI ("api://...") or its client id. */
  appByResource(resource: string): AppRegistration | undefined {
    const key = resource.replace(/\/+$/, "").toLowerCase();
    const byId = this.apps.get(key);
    if (byId) return byId;
    return this.appList().find((a) => a.identifierUri?.replace(/\/+$/, "").toLowerCase() === key);
  }

  /** Single-tenant apps exist only in their home tenant. */
  appVisibleIn(app: AppRegistration, tenantId: string): boolean {
    return app.signInAudience !== "AzureADMyOrg" || app.homeTenantId === tenantId;
  }

  /** "Password change" / revokeSignInSessions: refresh tokens from earlier sign-ins stop working. */
  revokeUser(oid: string): EmulatedUser {
    const user = this.user(oid);
    if (!user) throw new DirectoryError(`user ${oid} does not exist`);
    user.tokensValidAfter = this.now();
    this.revocationEpochs.set(user.oid, this.revocationEpoch(user.oid) + 1);
    return user;
  }

  /**
   * Grants remember the epoch they were issued in. Comparing epochs rather than timestamps keeps
   * "revoke, then sign in again" correct even when a test clock does not move between the two.
   */
  revocationEpoch(oid: string): number {
    return this.revocationEpochs.get(oid) ?? 0;
  }

  grantsOf(oid: string, clientId: string): ReadonlySet<string> {
    return this.userGrants.get(`${oid}|${clientId}`) ?? new Set();
  }

  addGrants(oid: string, clientId: string, scopeKeys: Iterable<string>): void {
    const key = `${oid}|${clientId}`;
    const set = this.userGrants.get(key) ?? new Set<string>();
    for (const s of scopeKeys) set.add(s);
    this.userGrants.set(key, set);
  }

  grantCount(): number {
    return this.userGrants.size;
  }

  setAdminConsent(tenantId: string, clientId: string, granted: boolean): void {
    const tenant = this.tenant(tenantId);
    if (!tenant) throw new DirectoryError(`tenant ${tenantId} does not exist`);
    if (granted) tenant.adminConsentedApps.add(clientId.toLowerCase());
    else tenant.adminConsentedApps.delete(clientId.toLowerCase());
  }

  private tenantByDomain(domain: string): EmulatedTenant | undefined {
    for (const t of this.tenants.values()) if (t.domains.includes(domain)) return t;
    return undefined;
  }
}

/** Entra secret values look like "Abc8Q~" followed by 34 characters. */
function generateClientSecret(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  const bytes = randomBytes(37);
  let out = "";
  for (let i = 0; i < 37; i++) out += alphabet[bytes[i]! % alphabet.length];
  return `${out.slice(0, 3)}8Q~${out.slice(3)}`;
}
