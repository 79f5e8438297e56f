/**
 * Pane tokens signed by a local key (no emulator): for API tests that only need "a valid token
 * for member X" and for cases the emulator cannot mint (expired, wrong issuer).
 */
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK } from "jose";
import { createPaneTokenValidator, type PaneTokenValidator } from "../auth/pane-token";
import type { Config } from "../config";

export interface LocalTokenIssuer {
  validator: PaneTokenValidator;
  mint(claims: { oid: string; tid: string; preferred_username?: string; scp?: string; aud?: string; iss?: string; expiresIn?: number }): Promise<string>;
}

export async function localTokenIssuer(config: Config): Promise<LocalTokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "local-1", alg: "RS256", use: "sig" };
  const keySet = createLocalJWKSet({ keys: [jwk] });
  const ms = config.microsoft;
  return {
    validator: createPaneTokenValidator({
      authorityHost: ms.authorityHost,
      tenant: ms.tenant,
      audiences: ms.apiAudiences,
      requiredScope: "access_as_user",
      keys: async () => keySet,
    }),
    async mint(c) {
      const now = Math.floor(Date.now() / 1000);
      const { expiresIn = 3600, aud = ms.clientId, iss = `${ms.authorityHost}/${c.tid}/v2.0`, scp = "access_as_user", ...rest } = c;
      return new SignJWT({ ...rest, scp, ver: "2.0" })
        .setProtectedHeader({ alg: "RS256", kid: "local-1", typ: "JWT" })
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt(now - 60)
        .setNotBefore(now - 60)
        .setExpirationTime(now + expiresIn)
        .sign(privateKey);
    },
  };
}
