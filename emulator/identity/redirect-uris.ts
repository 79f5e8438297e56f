import type { AppRegistration } from "../state";
import type { ClientType } from "./grants";

/**
 * Which platform of the app registration a redirect URI belongs to, or undefined when it is not
 * registered (AADSTS50011). Matching is exact, except that loopback URIs of the mobile/desktop
 * platform accept any port, as Entra does for native clients.
 */
export function classifyRedirectUri(app: AppRegistration, uri: string): ClientType | undefined {
  if (app.spaRedirectUris?.includes(uri)) return "spa";
  if (app.publicClientRedirectUris?.some((r) => r === uri || sameLoopback(r, uri))) return "public";
  if (app.redirectUris.includes(uri)) return app.clientSecrets.length > 0 ? "web" : "public";
  return undefined;
}

/** Entra falls back to a registered redirect URI when the request names none. */
export function defaultRedirectUri(app: AppRegistration): string | undefined {
  return app.redirectUris[0] ?? app.spaRedirectUris?.[0] ?? app.publicClientRedirectUris?.[0];
}

export function allRedirectUris(app: AppRegistration): string[] {
  return [...app.redirectUris, ...(app.spaRedirectUris ?? []), ...(app.publicClientRedirectUris ?? [])];
}

function sameLoopback(registered: string, requested: string): boolean {
  try {
    const a = new URL(registered);
    const b = new URL(requested);
    const loopback = (u: URL) => u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
    return loopback(a) && loopback(b) && a.hostname === b.hostname && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
