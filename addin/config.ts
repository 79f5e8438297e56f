/**
 * Runtime configuration, served by the server next to the pane (GET /addin/config.json) so one build works for
 * every deployment and for the emulator. Nothing secret: a public client id and where to sign in.
 */
export interface RuntimeConfig {
  /** Entra ID application (client) id of the pane. */
  clientId: string;
  /** Sign-in authority, e.g. https://login.microsoftonline.com/organizations or the emulator's tenant URL. */
  authority: string;
  /** Hosts MSAL may trust as authorities (needed for anything that isn't login.microsoftonline.com). */
  knownAuthorities: string[];
  /** The scope of the server's own API, e.g. api://<client id>/access_as_user. */
  apiScope: string;
  /** Optional: where MSAL's popup returns. Default: <pane folder>/auth-redirect.html. */
  redirectUri?: string;
  /** Optional: the server's base URL. Default: the origin (and path prefix) the pane was served from. */
  apiBaseUrl?: string;
}

export class ConfigError extends Error {}

/** Checks the shape by hand: zod would cost bundle size for four fields. */
export function parseConfig(value: unknown): RuntimeConfig {
  const v = value as Partial<RuntimeConfig> | null;
  const isString = (x: unknown): x is string => typeof x === "string" && x.length > 0;
  if (!v || typeof v !== "object") throw new ConfigError("config.json is not an object");
  for (const key of ["clientId", "authority", "apiScope"] as const) {
    if (!isString(v[key])) throw new ConfigError(`config.json has no ${key}`);
  }
  const knownAuthorities = Array.isArray(v.knownAuthorities) ? v.knownAuthorities.filter(isString) : [];
  return {
    clientId: v.clientId!,
    authority: v.authority!,
    knownAuthorities,
    apiScope: v.apiScope!,
    redirectUri: isString(v.redirectUri) ? v.redirectUri : undefined,
    apiBaseUrl: isString(v.apiBaseUrl) ? v.apiBaseUrl : undefined,
  };
}

/** The pane lives at <base>/addin/taskpane.html: config.json sits next to it, the API at <base>/api. */
export function paneUrls(pageUrl: string) {
  return {
    config: new URL("config.json", pageUrl).href,
    apiBase: new URL("../", pageUrl).href.replace(/\/$/, ""),
    redirect: new URL("auth-redirect.html", pageUrl).href,
  };
}

export async function loadConfig(pageUrl = document.baseURI): Promise<RuntimeConfig> {
  const response = await fetch(paneUrls(pageUrl).config, { cache: "no-store" });
  if (!response.ok) throw new ConfigError(`config.json answered ${response.status}`);
  return parseConfig(await response.json());
}
