/**
 * The emulator's shared state: the identity side (tenants, users, app registrations, signing keys)
 * and, per user, a mailbox. Each part of the emulator owns its slice:
 *   identity/  — tenants, users, apps, keys, grants (authorization codes, refresh tokens)
 *   graph/     — mailboxes (folders, messages, events) and their change logs
 *   pipeline/  — per-mailbox limits, fault rules, subscriptions
 * This file holds only the identity types every part needs to agree on.
 */

/** The well-known application id of Microsoft Graph; Graph access tokens carry it (or its URI) as aud. */
export const GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
export const GRAPH_RESOURCE = "https://graph.microsoft.com";

export interface EmulatedUser {
  /** Object id (GUID): the `oid` claim and Graph's /me id. */
  oid: string;
  tenantId: string;
  userPrincipalName: string;
  displayName: string;
  mail: string;
  /** As Graph returns them: "SMTP:primary@x" (uppercase prefix marks the primary) and "smtp:alias@x", or "X500:/o=...". */
  proxyAddresses: string[];
  /** Bumped by the control API's "password change"/"revoke": refresh tokens issued before are dead (AADSTS50173). */
  tokensValidAfter: number;
}

export interface EmulatedTenant {
  /** Tenant id (GUID): the `tid` claim. */
  id: string;
  displayName: string;
  /** Verified domains, first is the default one. */
  domains: string[];
  /** When true, users cannot consent themselves: AADSTS65001/90094 until an admin consents via /adminconsent. */
  requiresAdminConsent: boolean;
  /** Client ids of apps an admin consented to for the whole tenant. */
  adminConsentedApps: Set<string>;
  /** Scripted tests: consent pages are skipped and the first (or login_hint) user is signed in. */
  autoConsent: boolean;
  users: Map<string, EmulatedUser>;
}

export interface AppRegistration {
  clientId: string;
  displayName: string;
  /** Confidential clients have secrets; public clients (the pane, with PKCE only) have none. */
  clientSecrets: string[];
  redirectUris: string[];
  /** "api://{clientId}" style identifier URI when the app exposes an API (the product's own server). */
  identifierUri?: string;
  /** Scopes the app exposes, e.g. ["access_as_user"]. */
  exposedScopes: string[];
  /** Multi-tenant apps can be used from any tenant; the app's home tenant otherwise. */
  homeTenantId: string;
  /** "AzureADMyOrg": only users of homeTenantId may sign in (AADSTS700016 elsewhere). Default "AzureADMultipleOrgs". */
  signInAudience?: "AzureADMyOrg" | "AzureADMultipleOrgs";
  /** Single-page-application platform: codes redeemable only cross-origin (CORS) with PKCE; refresh tokens live 24 h. */
  spaRedirectUris?: string[];
  /** Mobile/desktop platform: codes redeemable without a client secret even when the app has secrets. */
  publicClientRedirectUris?: string[];
  /** Version of the access tokens issued for this app's own API (manifest accessTokenAcceptedVersion). Default 2. */
  accessTokenAcceptedVersion?: 1 | 2;
  /** Statically configured delegated permissions (e.g. ["User.Read", "Mail.Read"]): what "/.default" resolves to. */
  requiredScopes?: string[];
}
