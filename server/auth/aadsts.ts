/**
 * Microsoft identity errors in plain words. Entra reports the real reason as an AADSTS number
 * inside error_description (or error_codes); the OAuth `error` string alone is too coarse.
 */

export type AuthFailureKind =
  /** The tenant requires an admin to consent first (AADSTS65001 at sign-in, 90094, 90095). */
  | "admin_consent_required"
  /** The user cancelled or declined (access_denied, AADSTS65004). */
  | "cancelled"
  /** The refresh token is dead: password change, revoked sessions, expiry. Reconnect needed. */
  | "grant_lost"
  /** Worth retrying later: network, 5xx, throttling. */
  | "temporary"
  | "other";

export interface AuthFailure {
  kind: AuthFailureKind;
  code: number | null;
  /** One sentence for the member. */
  message: string;
}

export function aadstsCode(...texts: (string | undefined | null)[]): number | null {
  for (const t of texts) {
    const m = t ? /AADSTS(\d+)/.exec(t) : null;
    if (m) return Number(m[1]);
  }
  return null;
}

const ADMIN_CONSENT = new Set([65001, 90094, 90095, 90099]);
const CANCELLED = new Set([65004]);
const GRANT_LOST = new Set([50173, 70008, 700082, 700084, 50076, 50078, 50079, 50132, 70043, 50133, 530003, 53003, 50057, 50053, 50055, 50034, 500014]);
const TEMPORARY = new Set([90033, 50196, 90002, 80014, 80002]);

function firstLine(text: string | undefined): string {
  return (text ?? "").split(/\r?\n/)[0]!.trim();
}

function plain(code: number | null, error: string, description?: string): string {
  switch (code) {
    case 50011:
    case 500113:
      return "Microsoft rejected the sign-in return address (redirect URI) of this app; an admin must register it in the app registration.";
    case 700016:
      return "Startdeliver's app is not known in your Microsoft 365 organisation; an admin must approve (consent to) it first.";
    case 50020:
      return "Your Microsoft 365 organisation is not allowed to use this app; ask your admin.";
    case 53003:
    case 530003:
      return "A conditional access policy of your organisation blocked the sign-in; ask your Microsoft 365 admin.";
    case 50173:
    case 70008:
    case 700082:
    case 700084:
      return "Microsoft 365 no longer accepts Startdeliver's access (for example after a password change or when sessions were revoked); click to start authentication again.";
    case 70043:
    case 50133:
      return "Your organisation requires you to sign in again; click to start authentication.";
    case 50076:
    case 50079:
      return "Your organisation requires multi-factor authentication; click to start authentication and complete it.";
  }
  const detail = firstLine(description) || error;
  return `Microsoft sign-in failed: ${detail}`;
}

/** An error returned to the redirect URI (error, error_description, error_subcode). */
export function classifyAuthorizeError(error: string, description?: string, subcode?: string): AuthFailure {
  const code = aadstsCode(description, error);
  if ((code && ADMIN_CONSENT.has(code)) || error === "consent_required") {
    return { kind: "admin_consent_required", code, message: "Your Microsoft 365 admin must approve Startdeliver before you can connect." };
  }
  if ((code && CANCELLED.has(code)) || error === "access_denied" || subcode === "cancel") {
    return { kind: "cancelled", code, message: "You cancelled the Microsoft sign-in, so nothing was connected." };
  }
  if (error === "temporarily_unavailable" || error === "server_error" || (code && TEMPORARY.has(code))) {
    return { kind: "temporary", code, message: "Microsoft's sign-in service is temporarily unavailable; try again in a few minutes." };
  }
  return { kind: "other", code, message: plain(code, error, description) };
}

interface MsalLikeError {
  name?: string;
  errorCode?: string;
  errorMessage?: string;
  subError?: string;
  errorNo?: string | number;
  status?: number;
  message?: string;
}

/**
 * An error from a token request (code redemption or refresh) as MSAL throws it:
 * InteractionRequiredAuthError / ServerError carry errorCode (invalid_grant …) and the AADSTS text.
 */
export function classifyTokenError(err: unknown): AuthFailure {
  const e = (err ?? {}) as MsalLikeError;
  const errorCode = e.errorCode ?? "";
  const code = e.errorNo ? Number(e.errorNo) || aadstsCode(e.errorMessage, e.message) : aadstsCode(e.errorMessage, e.message);
  if (code && ADMIN_CONSENT.has(code)) {
    return { kind: "admin_consent_required", code, message: "Your Microsoft 365 admin must approve Startdeliver before you can connect." };
  }
  if (code && CANCELLED.has(code)) {
    return { kind: "cancelled", code, message: "You declined the permissions, so nothing was connected." };
  }
  if (code && TEMPORARY.has(code)) {
    return { kind: "temporary", code, message: "Microsoft's sign-in service is temporarily unavailable; sync retries automatically." };
  }
  if ((code && GRANT_LOST.has(code)) || ["invalid_grant", "interaction_required", "login_required", "consent_required", "bad_token", "no_tokens_found", "refresh_token_expired"].includes(errorCode) || e.name === "InteractionRequiredAuthError") {
    return { kind: "grant_lost", code, message: plain(code ?? 50173, errorCode, e.errorMessage) };
  }
  const status = typeof e.status === "number" ? e.status : 0;
  if (status >= 500 || status === 429 || ["network_error", "endpoints_resolution_error", "temporarily_unavailable", "server_error", "openid_config_error"].includes(errorCode) || isNetworkError(err)) {
    return { kind: "temporary", code, message: "Microsoft's sign-in service could not be reached; sync retries automatically." };
  }
  return { kind: "other", code, message: plain(code, errorCode || "error", e.errorMessage ?? e.message) };
}

function isNetworkError(err: unknown): boolean {
  const codes = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"];
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === "object"; i++) {
    const c = (e as { code?: string }).code;
    if (c && codes.includes(c)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
