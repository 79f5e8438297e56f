import { randomHandle } from "./util";

/** How the redirect URI that obtained a grant is registered; decides client authentication and CORS rules. */
export type ClientType = "web" | "spa" | "public";

/** What a sign-in established; carried from the code into every refresh token derived from it. */
export interface SignInGrant {
  clientId: string;
  oid: string;
  tid: string;
  clientType: ClientType;
  /** When the user signed in; reported in AADSTS50173 as the grant's issue time. */
  authTime: number;
  /** Directory.revocationEpoch at sign-in: a later revocation kills the grant. */
  epoch: number;
}

export interface AuthorizationCode extends SignInGrant {
  code: string;
  redirectUri: string;
  scope: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  issuedAt: number;
  expiresAt: number;
  redeemed: boolean;
}

export interface RefreshGrant extends SignInGrant {
  token: string;
  issuedAt: number;
  redeemed: boolean;
}

/** Authorization codes: single use, short lived. */
export class CodeStore {
  private readonly codes = new Map<string, AuthorizationCode>();

  constructor(private readonly now: () => number) {}

  issue(data: Omit<AuthorizationCode, "code" | "issuedAt" | "expiresAt" | "redeemed">, lifetimeSeconds: number): AuthorizationCode {
    this.prune();
    const issuedAt = this.now();
    // Entra codes start "0.A"/"1.A"; some clients sniff that prefix, so keep the shape.
    const code: AuthorizationCode = { ...data, code: `1.A${randomHandle(48)}`, issuedAt, expiresAt: issuedAt + lifetimeSeconds * 1000, redeemed: false };
    this.codes.set(code.code, code);
    return code;
  }

  get(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }

  count(): number {
    this.prune();
    return this.codes.size;
  }

  /** Redeemed codes are kept until expiry so reuse answers AADSTS54005 rather than "malformed". */
  private prune(): void {
    const now = this.now();
    for (const [k, c] of this.codes) if (c.expiresAt + 3600_000 < now) this.codes.delete(k);
  }
}

/** Refresh tokens: opaque handles into server-side grants, rotated on every use. */
export class RefreshTokenStore {
  private readonly tokens = new Map<string, RefreshGrant>();

  constructor(private readonly now: () => number) {}

  issue(grant: SignInGrant): RefreshGrant {
    const rt: RefreshGrant = { ...grant, token: `1.A${randomHandle(96)}`, issuedAt: this.now(), redeemed: false };
    this.tokens.set(rt.token, rt);
    return rt;
  }

  get(token: string): RefreshGrant | undefined {
    return this.tokens.get(token);
  }

  /** Usable (not yet redeemed) refresh tokens, for the control API summary. */
  activeCount(): number {
    let n = 0;
    for (const t of this.tokens.values()) if (!t.redeemed) n++;
    return n;
  }
}
