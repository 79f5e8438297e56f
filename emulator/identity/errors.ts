import { entraIsoTime, entraTimestamp } from "./util";

/**
 * An Entra ID (AADSTS) protocol error. The same value renders as the token endpoint's JSON body,
 * as the query of an authorize redirect, or as the HTML error page, so each failure is written once.
 * Texts follow what login.microsoftonline.com returns (MicrosoftDocs/entra-docs reference-error-codes
 * plus recorded responses); products must key on `error`/the AADSTS number, never on the prose.
 */
export class AadError extends Error {
  constructor(
    readonly error: string,
    readonly code: number,
    readonly text: string,
    readonly status: number = 400,
    readonly suberror?: string,
  ) {
    super(`AADSTS${code}: ${text}`);
    this.name = "AadError";
  }
}

export interface ErrorMeta {
  baseUrl: string;
  now: number;
  traceId: string;
  correlationId: string;
}

/** error_description as Entra writes it: message, then CRLF-separated trace lines. */
export function describeError(err: AadError, meta: ErrorMeta): string {
  return (
    `AADSTS${err.code}: ${err.text}\r\n` +
    `Trace ID: ${meta.traceId}\r\n` +
    `Correlation ID: ${meta.correlationId}\r\n` +
    `Timestamp: ${entraTimestamp(meta.now)}`
  );
}

export function errorUri(baseUrl: string, code: number): string {
  return `${baseUrl}/error?code=${code}`;
}

/** The token endpoint's error JSON, field for field. */
export function tokenErrorBody(err: AadError, meta: ErrorMeta): Record<string, unknown> {
  const body: Record<string, unknown> = {
    error: err.error,
    error_description: describeError(err, meta),
    error_codes: [err.code],
    timestamp: entraTimestamp(meta.now),
    trace_id: meta.traceId,
    correlation_id: meta.correlationId,
    error_uri: errorUri(meta.baseUrl, err.code),
  };
  if (err.suberror) body.suberror = err.suberror;
  return body;
}

/** Parameters appended to redirect_uri when /authorize fails after the redirect URI was validated. */
export function redirectErrorParams(err: AadError, meta: ErrorMeta, extra: Record<string, string> = {}): Record<string, string> {
  return {
    error: err.error,
    ...extra,
    error_description: describeError(err, meta),
    error_uri: errorUri(meta.baseUrl, err.code),
  };
}

const e = (error: string, code: number, text: string, status = 400, suberror?: string) =>
  new AadError(error, code, text, status, suberror);

/** Catalogue of the AADSTS errors the emulator produces. */
export const aad = {
  missingParameter: (name: string) =>
    e("invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`),
  malformed: (detail?: string) =>
    e("invalid_request", 9002313, `Invalid request. Request is malformed or invalid.${detail ? ` ${detail}` : ""}`),
  tenantNotFound: (tenant: string) =>
    e(
      "invalid_tenant",
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  appNotFound: (clientId: string, directory: string) =>
    e(
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  redirectUriMismatch: (uri: string, clientId: string) =>
    e(
      "invalid_request",
      50011,
      `The redirect URI '${uri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    ),
  unsupportedResponseType: (type: string) =>
    e("unsupported_response_type", 70005, `response_type '${type}' is not enabled for the application.`),
  unsupportedResponseMode: (mode: string) =>
    e("invalid_request", 70007, `The application returned an unsupported value of 'response_mode': '${mode}'.`),
  invalidCodeChallengeMethod: (method: string) =>
    e("invalid_request", 9002313, `Invalid request. Request is malformed or invalid. The code_challenge_method '${method}' is not supported; use 'S256' or 'plain'.`),
  invalidCodeChallengeSize: () =>
    e("invalid_request", 501491, "Invalid size of Code_Challenge parameter."),
  userDeclinedConsent: () => e("access_denied", 65004, "User declined to consent to access the app."),
  /** prompt=none, or a token request for scopes nobody consented to. */
  consentRequired: (clientId: string, appName: string, atTokenEndpoint = false) =>
    e(
      atTokenEndpoint ? "invalid_grant" : "consent_required",
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. Send an interactive authorization request for this user and resource.`,
      400,
      atTokenEndpoint ? "consent_required" : undefined,
    ),
  adminConsentRequired: () => e("access_denied", 90094, "The grant requires admin permission."),
  loginRequired: () => e("login_required", 50058, "A silent sign-in request was sent but no user is signed in."),
  multipleAccounts: () =>
    e(
      "interaction_required",
      16000,
      "Either multiple user identities are available for the current request or selected account is not supported for the scenario.",
    ),
  codeAlreadyRedeemed: () =>
    e(
      "invalid_grant",
      54005,
      "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    ),
  grantExpired: (detail?: string) =>
    e(
      "invalid_grant",
      70008,
      `The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.${detail ? ` ${detail}` : ""}`,
      400,
      "bad_token",
    ),
  grantMalformed: () => e("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid."),
  grantForOtherClient: () => e("invalid_grant", 70000, "Provided grant is invalid or malformed."),
  grantForOtherTenant: () =>
    e(
      "invalid_grant",
      700005,
      "Provided Authorization Code is intended to use against other tenant, thus rejected.",
    ),
  codeRedirectMismatch: (uri: string) =>
    e(
      "invalid_grant",
      50011,
      `The redirect URI '${uri}' specified in the request does not match the redirect URI specified in the authorization request that issued this code.`,
    ),
  pkceMismatch: () =>
    e("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request."),
  pkceRequiredCrossOrigin: () =>
    e("invalid_request", 9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption."),
  crossOriginOnlyForSpa: (origin: string) =>
    e(
      "invalid_request",
      9002326,
      `Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '${origin}'.`,
    ),
  spaRequiresCrossOrigin: () =>
    e(
      "invalid_request",
      9002327,
      "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
    ),
  multipleResources: (scope: string) =>
    e(
      "invalid_request",
      28000,
      `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
    ),
  invalidScope: (scope: string) =>
    e("invalid_scope", 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`),
  resourceNotFound: (resource: string, tenant: string) =>
    e(
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  scopeNotOnResource: (appName: string, scope: string, resourceId: string) =>
    e(
      "invalid_client",
      650053,
      `The application '${appName}' asked for scope '${scope}' that doesn't exist on the resource '${resourceId}'. Contact the app vendor.`,
    ),
  invalidClientSecret: (clientId: string) =>
    e(
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      401,
    ),
  missingClientCredential: () =>
    e("invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", 401),
  publicClientWithSecret: () =>
    e("invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", 401),
  clientAssertionUnsupported: () =>
    e("invalid_client", 700027, "Client assertion failed signature validation. (The emulator supports client secrets only.)", 401),
  unsupportedGrantType: (grantType: string) =>
    e("unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType}'.`),
  grantRevoked: (grantIssuedMs: number, validFromMs: number) =>
    e(
      "invalid_grant",
      50173,
      `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${entraIsoTime(grantIssuedMs)}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${entraIsoTime(validFromMs)}'.`,
      400,
      "bad_token",
    ),
  refreshTokenInactive: (issuedMs: number, inactiveSeconds: number) =>
    e(
      "invalid_grant",
      700082,
      `The refresh token has expired due to inactivity. The token was issued on ${entraIsoTime(issuedMs)} and was inactive for ${formatDuration(inactiveSeconds)}.`,
      400,
      "bad_token",
    ),
  spaRefreshTokenExpired: (lifetimeSeconds: number, issuedMs: number) =>
    e(
      "invalid_grant",
      700084,
      `The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of ${formatDuration(lifetimeSeconds)}, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on ${entraIsoTime(issuedMs)}.`,
      400,
      "bad_token",
    ),
  userNotFound: () =>
    e(
      "invalid_grant",
      50034,
      "The user account does not exist in the directory. To sign into this application, the account must be added to the directory.",
    ),
  assertionExpired: (nowMs: number, expMs: number) =>
    e(
      "invalid_grant",
      500133,
      `Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token. Current time: ${entraIsoTime(nowMs)}, expiry time of assertion ${entraIsoTime(expMs)}.`,
    ),
  assertionInvalid: (reason: string) => e("invalid_grant", 50013, `Assertion failed signature validation. [Reason - ${reason}]`),
  assertionAudienceMismatch: (aud: string, clientId: string) =>
    e(
      "invalid_grant",
      50013,
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${aud}' and the expected audience is '${clientId}' or one of the Application Id URIs of this application.`,
    ),
};

function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return `${String(d).padStart(2, "0")}:${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** Why verifyAccessToken refused a bearer token; the Graph pipeline answers 401 InvalidAuthenticationToken with `message`. */
export type AccessTokenFailure = "malformed" | "expired" | "not_yet_valid" | "invalid_signature" | "invalid_audience" | "invalid_issuer" | "unknown_tenant";

export class AccessTokenError extends Error {
  readonly code = "InvalidAuthenticationToken";
  readonly status = 401;
  constructor(
    readonly reason: AccessTokenFailure,
    message: string,
  ) {
    super(message);
    this.name = "AccessTokenError";
  }
}

/** Messages as Microsoft Graph words them in its 401 bodies. */
export const accessTokenErrors = {
  malformed: () =>
    new AccessTokenError(
      "malformed",
      "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
    ),
  expired: () => new AccessTokenError("expired", "Lifetime validation failed, the token is expired."),
  notYetValid: () => new AccessTokenError("not_yet_valid", "Lifetime validation failed, the token is not yet valid (nbf)."),
  signature: () => new AccessTokenError("invalid_signature", "Access token validation failure. Invalid signature."),
  audience: () => new AccessTokenError("invalid_audience", "Access token validation failure. Invalid audience."),
  issuer: () => new AccessTokenError("invalid_issuer", "Access token validation failure. Invalid issuer."),
  tenant: () => new AccessTokenError("unknown_tenant", "Access token validation failure. The tenant for the token does not exist."),
};
