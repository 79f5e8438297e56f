/**
 * Validates the access token the pane sends (Authorization: Bearer …), obtained from Entra for
 * our own API scope (api://{clientId}/access_as_user). Checks signature (authority's JWKS),
 * issuer ({authorityHost}/{tid}/v2.0: one per tenant, so checked after reading tid), audience,
 * expiry and the access_as_user scope. A valid token proves who the person is; whether they are
 * a team member is decided by the caller.
 */
import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";

export interface PaneIdentity {
  tenantId: string;
  objectId: string;
  name: string | null;
  /** preferred_username/upn: shown in messages, used to link a member only within a known tenant. */
  username: string | null;
  scopes: string[];
}

export class PaneTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaneTokenError";
  }
}

export interface PaneTokenValidatorOptions {
  authorityHost: string;
  /** organizations/common accept any tenant; a tenant id restricts tokens to that tenant. */
  tenant: string;
  audiences: string[];
  requiredScope: string;
  keys: () => Promise<JWTVerifyGetKey>;
  clockToleranceSeconds?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type PaneTokenValidator = (token: string) => Promise<PaneIdentity>;

export function createPaneTokenValidator(opts: PaneTokenValidatorOptions): PaneTokenValidator {
  const singleTenant = GUID.test(opts.tenant) ? opts.tenant.toLowerCase() : null;
  return async (token: string) => {
    let payload: JWTPayload;
    try {
      const keys = await opts.keys();
      ({ payload } = await jwtVerify(token, keys, {
        audience: opts.audiences,
        algorithms: ["RS256"],
        clockTolerance: opts.clockToleranceSeconds ?? 60,
        requiredClaims: ["exp", "iss", "aud", "tid", "oid"],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new PaneTokenError("Your sign-in has expired; reload the pane");
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        throw new PaneTokenError(`The access token is not for Startdeliver (${err.claim} claim ${err.reason})`);
      }
      if (err instanceof joseErrors.JOSEError) throw new PaneTokenError(`The access token is not valid (${err.code})`);
      throw err;
    }
    const tid = String(payload.tid).toLowerCase();
    const oid = String(payload.oid).toLowerCase();
    if (!GUID.test(tid) || !GUID.test(oid)) throw new PaneTokenError("The access token lacks a valid tid/oid");
    if (payload.iss !== `${opts.authorityHost}/${tid}/v2.0`) {
      throw new PaneTokenError("The access token was not issued by the expected Microsoft authority");
    }
    if (singleTenant && tid !== singleTenant) throw new PaneTokenError("The access token is from another Microsoft 365 organisation");
    const scopes = typeof payload.scp === "string" ? payload.scp.split(" ").filter(Boolean) : [];
    if (!scopes.includes(opts.requiredScope)) {
      throw new PaneTokenError(`The access token lacks the ${opts.requiredScope} scope`);
    }
    const username = [payload.preferred_username, payload.upn, payload.email].find((v): v is string => typeof v === "string") ?? null;
    return {
      tenantId: tid,
      objectId: oid,
      name: typeof payload.name === "string" ? payload.name : null,
      username: username?.toLowerCase() ?? null,
      scopes,
    };
  };
}
