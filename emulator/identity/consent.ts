import type { AppRegistration, EmulatedTenant, EmulatedUser } from "../state";
import type { Directory } from "./directory";
import { isGraphIdentifier, needsAdminConsent, scopeKey, type ResourceRequest, type ScopeRequest } from "./scopes";

export type ConsentState = "granted" | "needs_user_consent" | "needs_admin_consent";

/**
 * Whether the user may get tokens for these scopes without a prompt. Admin consent covers every
 * scope the app asks for (simplification: the emulator has no per-permission admin grants).
 * A user who never consented to the app at all needs a prompt even for sign-in-only scopes,
 * as on the real consent screen.
 */
export function consentState(
  directory: Directory,
  tenant: EmulatedTenant,
  user: EmulatedUser,
  app: AppRegistration,
  request: ScopeRequest,
): ConsentState {
  if (tenant.adminConsentedApps.has(app.clientId)) return "granted";
  const grants = lowerSet(directory.grantsOf(user.oid, app.clientId));
  const missing: Array<{ resource: ResourceRequest; name: string }> = [];
  for (const r of request.resources) {
    for (const name of r.names) {
      const has = name === ".default" ? [...grants].some((g) => g.startsWith(`${r.resourceId.toLowerCase()}:`)) : grants.has(scopeKey(r.resourceId, name).toLowerCase());
      if (!has) missing.push({ resource: r, name });
    }
  }
  if (missing.length === 0 && grants.size > 0) return "granted";
  if (tenant.requiresAdminConsent || missing.some((m) => needsAdminConsent(m.resource, m.name))) return "needs_admin_consent";
  return "needs_user_consent";
}

/** The user clicked Accept: an oauth2PermissionGrant for everything shown. */
export function recordUserConsent(directory: Directory, user: EmulatedUser, app: AppRegistration, request: ScopeRequest): void {
  const keys: string[] = [...request.oidc].map((s) => scopeKey("oidc", s));
  for (const r of request.resources) {
    for (const name of r.names) {
      if (name === ".default") {
        keys.push(...requiredScopes(directory, app).filter((s) => s.resourceId === r.resourceId).map((s) => scopeKey(s.resourceId, s.name)));
      } else {
        keys.push(scopeKey(r.resourceId, name));
      }
    }
  }
  directory.addGrants(user.oid, app.clientId, keys);
}

/**
 * Permission names that go into the token's scp: what was asked plus everything consented before
 * for that resource (Entra tokens carry all consented scopes, which is how incremental consent works).
 */
export function effectiveScopeNames(
  directory: Directory,
  tenant: EmulatedTenant,
  user: EmulatedUser,
  app: AppRegistration,
  resource: ResourceRequest,
): string[] {
  const names = new Map<string, string>();
  const add = (n: string) => {
    if (!names.has(n.toLowerCase())) names.set(n.toLowerCase(), n);
  };
  for (const n of resource.names) if (n !== ".default") add(n);
  const prefix = `${resource.resourceId.toLowerCase()}:`;
  for (const key of directory.grantsOf(user.oid, app.clientId)) {
    if (key.toLowerCase().startsWith(prefix)) add(key.slice(prefix.length));
  }
  if (tenant.adminConsentedApps.has(app.clientId)) {
    for (const s of requiredScopes(directory, app)) if (s.resourceId === resource.resourceId) add(s.name);
  }
  if (names.size === 0 && resource.names.includes(".default")) {
    if (resource.resource.kind === "graph") add("User.Read");
    else for (const s of resource.resource.app.exposedScopes) add(s);
  }
  return [...names.values()];
}

/** app.requiredScopes, resolved to resources: bare names are Graph, "api://x/y" an exposed API. */
function requiredScopes(directory: Directory, app: AppRegistration): Array<{ resourceId: string; name: string }> {
  const out: Array<{ resourceId: string; name: string }> = [];
  for (const s of app.requiredScopes ?? []) {
    const slash = s.lastIndexOf("/");
    if (slash < 0) {
      out.push({ resourceId: "graph", name: s });
      continue;
    }
    const resource = s.slice(0, slash);
    const name = s.slice(slash + 1);
    if (isGraphIdentifier(resource)) out.push({ resourceId: "graph", name });
    else {
      const api = directory.appByResource(resource);
      if (api) out.push({ resourceId: api.clientId, name });
    }
  }
  return out;
}

function lowerSet(values: Iterable<string>): Set<string> {
  return new Set([...values].map((v) => v.toLowerCase()));
}
