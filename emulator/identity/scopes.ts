import { GRAPH_APP_ID, GRAPH_RESOURCE, type AppRegistration } from "../state";
import { aad } from "./errors";
import type { Directory } from "./directory";

export const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];

export type Resource = { kind: "graph" } | { kind: "api"; app: AppRegistration };

/** The part of a scope request aimed at one resource (Microsoft Graph, or an app's exposed API). */
export interface ResourceRequest {
  resource: Resource;
  /** "graph" or the API's client id: the key grants are stored under. */
  resourceId: string;
  /** Permission names as the resource defines them: "Mail.Read", "access_as_user", ".default". */
  names: string[];
  /** The request used full URIs ("https://graph.microsoft.com/Mail.Read"); responses echo that form. */
  qualified: boolean;
}

export interface ScopeRequest {
  oidc: Set<OidcScope>;
  /** Several at /authorize (consent for many APIs at once is allowed); exactly one at /token. */
  resources: ResourceRequest[];
}

const GRAPH_NAME = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9-]+)+$/;

/**
 * Parses a space-separated scope parameter the way the v2.0 endpoint reads it: bare names are
 * Microsoft Graph permissions, "https://graph.microsoft.com/X" and "00000003-.../X" too, and
 * "api://{id}/X" or "{clientId}/X" address an app's exposed API.
 */
export function parseScopes(raw: string, directory: Directory, requestingApp: AppRegistration, tenantName: string): ScopeRequest {
  const oidc = new Set<OidcScope>();
  const byResource = new Map<string, ResourceRequest>();
  const tokens = raw.split(/\s+/).filter(Boolean);
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if ((OIDC_SCOPES as readonly string[]).includes(lower)) {
      oidc.add(lower as OidcScope);
      continue;
    }
    const slash = token.lastIndexOf("/");
    let resource: Resource;
    let name: string;
    let qualified = false;
    if (slash < 0) {
      if (!GRAPH_NAME.test(token)) throw aad.invalidScope(token);
      resource = { kind: "graph" };
      name = token;
    } else {
      const resourcePart = token.slice(0, slash);
      name = token.slice(slash + 1);
      qualified = true;
      if (isGraphIdentifier(resourcePart)) {
        resource = { kind: "graph" };
        if (name !== ".default" && !GRAPH_NAME.test(name)) throw aad.invalidScope(token);
      } else {
        const app = directory.appByResource(resourcePart);
        if (!app) throw aad.resourceNotFound(resourcePart, tenantName);
        const exposed = app.exposedScopes.find((s) => s.toLowerCase() === name.toLowerCase());
        if (name !== ".default" && !exposed) throw aad.scopeNotOnResource(requestingApp.displayName, token, app.clientId);
        resource = { kind: "api", app };
        name = exposed ?? name;
      }
    }
    const resourceId = resource.kind === "graph" ? "graph" : resource.app.clientId;
    const entry = byResource.get(resourceId) ?? { resource, resourceId, names: [], qualified };
    if (!entry.names.some((n) => n.toLowerCase() === name.toLowerCase())) entry.names.push(name);
    entry.qualified ||= qualified;
    byResource.set(resourceId, entry);
  }
  return { oidc, resources: [...byResource.values()] };
}

/**
 * A token is for one resource. Only OIDC scopes means a token for Graph's userinfo, as Entra does.
 * More than one resource is AADSTS28000.
 */
export function tokenResource(request: ScopeRequest, rawScope: string): ResourceRequest {
  if (request.resources.length > 1) throw aad.multipleResources(rawScope);
  return request.resources[0] ?? { resource: { kind: "graph" }, resourceId: "graph", names: [], qualified: false };
}

export function isGraphIdentifier(value: string): boolean {
  const v = value.replace(/\/+$/, "").toLowerCase();
  return v === GRAPH_RESOURCE || v === GRAPH_APP_ID;
}

export function scopeKey(resourceId: string, name: string): string {
  return `${resourceId}:${name}`;
}

/** Graph delegated permissions whose "Admin consent required" is Yes (a representative subset). */
const ADMIN_ONLY_GRAPH = new Set(
  [
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "AuditLog.Read.All",
    "RoleManagement.Read.Directory",
  ].map((s) => s.toLowerCase()),
);

export function needsAdminConsent(resource: ResourceRequest, name: string): boolean {
  return resource.resource.kind === "graph" && ADMIN_ONLY_GRAPH.has(name.toLowerCase());
}

/** How a scope is written back in the token response's "scope" field. */
export function formatScope(resource: ResourceRequest, name: string): string {
  if (!resource.qualified) return name;
  if (resource.resource.kind === "graph") return `${GRAPH_RESOURCE}/${name}`;
  return `${resource.resource.app.identifierUri ?? resource.resource.app.clientId}/${name}`;
}

const GRAPH_DESCRIPTIONS: Record<string, string> = {
  "user.read": "Sign you in and read your profile",
  "mail.read": "Read your mail",
  "mail.readbasic": "Read your basic mail",
  "mail.readwrite": "Read and write access to your mail",
  "mail.send": "Send mail as you",
  "calendars.read": "Read your calendars",
  "calendars.readwrite": "Have full access to your calendars",
  "calendars.read.shared": "Read calendars you can access",
  "contacts.read": "Read your contacts",
  "mailboxsettings.read": "Read your mailbox settings",
  "people.read": "Read your relevant people list",
  "user.readbasic.all": "Read all users' basic profiles",
  "user.read.all": "Read all users' full profiles",
};

const OIDC_DESCRIPTIONS: Record<OidcScope, string> = {
  openid: "Sign you in",
  profile: "View your basic profile",
  email: "View your email address",
  offline_access: "Maintain access to data you have given it access to",
};

/** Lines of the consent prompt ("App wants to: ..."). */
export function describeRequest(request: ScopeRequest): Array<{ scope: string; text: string }> {
  const lines: Array<{ scope: string; text: string }> = [];
  for (const r of request.resources) {
    for (const name of r.names) {
      if (r.resource.kind === "graph") {
        lines.push({ scope: name, text: GRAPH_DESCRIPTIONS[name.toLowerCase()] ?? `${name} (Microsoft Graph)` });
      } else {
        lines.push({ scope: `${r.resource.app.identifierUri ?? r.resource.app.clientId}/${name}`, text: `Access ${r.resource.app.displayName}` });
      }
    }
  }
  for (const s of request.oidc) lines.push({ scope: s, text: OIDC_DESCRIPTIONS[s] });
  return lines;
}
