/**
 * Typed calls to the Startdeliver server. Requests and responses are exactly the shapes in
 * shared/api/contract.ts; every call carries the pane's bearer token for the server's own API.
 */
import type {
  ApiError as ApiErrorBody,
  AuthSessionResponse,
  ConnectionStatus,
  MeResponse,
  MemberSettings,
  OpenMessage,
  PreviewResponse,
  SettingsUpdate,
  WhyRequest,
  WhyResponse,
} from "../../shared/api/contract";

export type ProblemKind =
  | "network" // no answer at all
  | "sign_in" // no token yet, or the server said 401
  | "forbidden" // 403: signed in, but not a team member
  | "invalid" // 400/422: the server rejected what was sent
  | "not_found"
  | "unavailable" // 5xx
  | "unexpected";

/** What every failed call throws: a kind the pane turns into plain words and a next step. */
export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly status: number | null = null,
    readonly code: string | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "ApiProblem";
  }
}

export interface TokenSource {
  /** A bearer token for the server's API; throws ApiProblem("sign_in") when the user must sign in. */
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

export interface ApiClient {
  me(): Promise<MeResponse>;
  connection(): Promise<ConnectionStatus>;
  startAuthSession(): Promise<AuthSessionResponse>;
  revoke(): Promise<ConnectionStatus>;
  syncNow(): Promise<ConnectionStatus>;
  settings(): Promise<MemberSettings>;
  updateSettings(update: SettingsUpdate): Promise<MemberSettings>;
  addAlias(address: string): Promise<MemberSettings>;
  removeAlias(address: string): Promise<MemberSettings>;
  preview(message: OpenMessage, signal?: AbortSignal): Promise<PreviewResponse>;
  why(request: WhyRequest, signal?: AbortSignal): Promise<WhyResponse>;
}

function kindForStatus(status: number): ProblemKind {
  if (status === 401) return "sign_in";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 400 || status === 409 || status === 422) return "invalid";
  if (status >= 500) return "unavailable";
  return "unexpected";
}

export function createApiClient(baseUrl: string, tokens: TokenSource, fetchImpl: typeof fetch = (...a) => fetch(...a)): ApiClient {
  const root = baseUrl.replace(/\/$/, "");

  async function send(method: string, path: string, token: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetchImpl(`${root}${path}`, {
        method,
        headers: {
          Accept: "application/json",
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if ((error as Error).name === "AbortError") throw error;
      throw new ApiProblem("network", "Startdeliver can't be reached.");
    }
  }

  async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let response = await send(method, path, await tokens.getToken(), body, signal);
    if (response.status === 401) {
      // The cached token may have expired or been revoked: one fresh token, then give up.
      response = await send(method, path, await tokens.getToken({ forceRefresh: true }), body, signal);
    }
    if (response.ok) {
      if (response.status === 204) return undefined as T;
      try {
        return (await response.json()) as T;
      } catch {
        throw new ApiProblem("unexpected", "Startdeliver sent an answer the pane couldn't read.", response.status);
      }
    }
    let error: ApiErrorBody["error"] | undefined;
    try {
      error = ((await response.json()) as ApiErrorBody).error;
    } catch {
      error = undefined;
    }
    throw new ApiProblem(
      kindForStatus(response.status),
      error?.message ?? `Startdeliver answered ${response.status}.`,
      response.status,
      error?.code ?? null,
      error?.field ?? null,
    );
  }

  return {
    me: () => call<MeResponse>("GET", "/api/me"),
    connection: () => call<ConnectionStatus>("GET", "/api/connection"),
    startAuthSession: () => call<AuthSessionResponse>("POST", "/api/connection/auth-session", {}),
    revoke: () => call<ConnectionStatus>("POST", "/api/connection/revoke", {}),
    syncNow: () => call<ConnectionStatus>("POST", "/api/connection/sync-now", {}),
    settings: () => call<MemberSettings>("GET", "/api/settings"),
    updateSettings: (update) => call<MemberSettings>("PUT", "/api/settings", update),
    addAlias: (address) => call<MemberSettings>("POST", "/api/settings/aliases", { address }),
    removeAlias: (address) => call<MemberSettings>("DELETE", `/api/settings/aliases/${encodeURIComponent(address)}`),
    preview: (message, signal) => call<PreviewResponse>("POST", "/api/preview", message, signal),
    why: (request, signal) => call<WhyResponse>("POST", "/api/why", request, signal),
  };
}
