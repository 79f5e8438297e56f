import { z } from "zod";

/** Knobs tests turn (via the control API) to make time-dependent behaviour reachable quickly. */
export interface IdentitySettings {
  /** expires_in of access tokens. Entra picks 60-90 min; the emulator answers 3599 like most recorded responses. */
  accessTokenLifetimeSeconds: number;
  /** Refresh tokens die after this much inactivity (Entra: 90 days, AADSTS700082). */
  refreshTokenMaxInactiveSeconds: number;
  /** Fixed lifetime of refresh tokens issued to SPA redirect URIs (Entra: 24 h, AADSTS700084). */
  spaRefreshTokenLifetimeSeconds: number;
  /** Authorization codes are single use and short lived (Entra: about 10 minutes). */
  authorizationCodeLifetimeSeconds: number;
  /**
   * "reject" (default): a refresh token stops working once it has been redeemed, so a product that forgets to
   * store the rotated token fails in tests. Real Entra keeps old refresh tokens valid until they expire ("allow").
   */
  refreshTokenReuse: "reject" | "allow";
  /** Global override of EmulatedTenant.autoConsent for scripted runs. */
  autoConsentAllTenants: boolean;
  /** How long a rotated-out signing key stays published in the JWKS. */
  retiredKeyRetentionSeconds: number;
}

export const defaultSettings = (): IdentitySettings => ({
  accessTokenLifetimeSeconds: 3599,
  refreshTokenMaxInactiveSeconds: 90 * 24 * 3600,
  spaRefreshTokenLifetimeSeconds: 24 * 3600,
  authorizationCodeLifetimeSeconds: 600,
  refreshTokenReuse: "reject",
  autoConsentAllTenants: false,
  retiredKeyRetentionSeconds: 24 * 3600,
});

const positive = z.number().int().positive();

export const settingsPatchSchema = z
  .object({
    accessTokenLifetimeSeconds: positive,
    refreshTokenMaxInactiveSeconds: positive,
    spaRefreshTokenLifetimeSeconds: positive,
    authorizationCodeLifetimeSeconds: positive,
    refreshTokenReuse: z.enum(["reject", "allow"]),
    autoConsentAllTenants: z.boolean(),
    retiredKeyRetentionSeconds: z.number().int().nonnegative(),
  })
  .partial()
  .strict();

export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
