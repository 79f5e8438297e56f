/**
 * Validates the access token the pane sends (Authorization: Bearer …), obtained from Entra for
 * our own API scope (api://{clientId}/access_as_user). Checks signature (authority's JWKS),
 * issuer ({authorityHost}/{tid}/v2.0: one per tenant, so checked after reading tid), audience,
 * expiry and the access_as_user scope. A valid token proves who the person is; whether they are
 * a team member is decided by the caller.
 *
 * Verified tokens are remembered until their own expiry (exp, with no clock tolerance): the pane sends the
 * same token with every call for about an hour, and verifying its RS256 signature each time was the largest
 * single cost of POST /api/preview. The cache is keyed by the exact token string (a different token, even of
 * the same person, is verified in full), bounded in size, and an entry never outlives its token's exp. Every
 * check (signature, issuer, audience, tenant, scope) has passed before anything is cached.
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
  /** Verified tokens kept (until their exp) so that repeated calls skip the signature check; 0 disables. Default 1,000. */
  cacheSize?: number;
  /** Clock (epoch ms), for tests; defaults to Date.now. Used for the token's time claims and the cache. */
  now?: () => number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type PaneTokenValidator = (token: string) => Promise<PaneIdentity>;

interface CachedIdentity {
  identity: PaneIdentity;
  /** Epoch ms of the token's exp: the entry is not used at or after it. */
  expiresAt: number;
}

function copyIdentity(id: PaneIdentity): PaneIdentity {
  return { ...id, scopes: [...id.scopes] };
}

export function createPaneTokenValidator(opts: PaneTokenValidatorOptions): PaneTokenValidator {
  const singleTenant = GUID.test(opts.tenant) ? opts.tenant.toLowerCase() : null;
  const now = opts.now ?? Date.now;
  const maxEntries = Math.max(0, opts.cacheSize ?? 1000);
  /** Insertion order is expiry order for tokens of one lifetime, so the oldest entry is evicted first. */
  const cache = new Map<string, CachedIdentity>();

  const remember = (token: string, identity: PaneIdentity, exp: unknown) => {
    if (maxEntries === 0 || typeof exp !== "number" || !Number.isFinite(exp)) return;
    const expiresAt = exp * 1000;
    const at = now();
    if (expiresAt <= at) return; // accepted within the clock tolerance only: verified again next time
    if (cache.size >= maxEntries) {
      for (const [k, e] of cache) if (e.expiresAt <= at) cache.delete(k);
      while (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    }
    cache.set(token, { identity: copyIdentity(identity), expiresAt });
  };

  return async (token: string) => {
    const hit = cache.get(token);
    if (hit) {
      if (now() < hit.expiresAt) return copyIdentity(hit.identity);
      cache.delete(token);
    }
    return verify(token);
  };

  async function verify(token: string): Promise<PaneIdentity> {
    let payload: JWTPayload;
    try {
      const keys = await opts.keys();
      ({ payload } = await jwtVerify(token, keys, {
        audience: opts.audiences,
        algorithms: ["RS256"],
        clockTolerance: opts.clockToleranceSeconds ?? 60,
        currentDate: new Date(now()),
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
    const identity: PaneIdentity = {
      tenantId: tid,
      objectId: oid,
      name: typeof payload.name === "string" ? payload.name : null,
      username: username?.toLowerCase() ?? null,
      scopes,
    };
    remember(token, identity, payload.exp);
    return identity;
  }
}
