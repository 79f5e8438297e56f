import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";

export interface SigningKey {
  /** Like Entra's kid: a base64url SHA-1 thumbprint (27 characters). */
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  createdAt: number;
  retiredAt?: number;
}

export interface PublishedJwk {
  kty: "RSA";
  use: "sig";
  kid: string;
  n: string;
  e: string;
  issuer: string;
}

/**
 * RS256 signing keys. Rotation makes a new key the signer at once and keeps the old one published
 * for a retention period, so tokens signed just before a rotation keep validating — and tokens
 * outliving the retention stop validating, as when Entra retires a key.
 */
export class KeyRing {
  private keys: SigningKey[] = [];

  constructor(
    private readonly now: () => number,
    private readonly retentionSeconds: () => number,
  ) {
    this.keys.push(createKey(now()));
  }

  current(): SigningKey {
    return this.keys[this.keys.length - 1]!;
  }

  rotate(options: { dropPrevious?: boolean } = {}): SigningKey {
    const at = this.now();
    for (const k of this.keys) k.retiredAt ??= at;
    if (options.dropPrevious) this.keys = [];
    const key = createKey(at);
    this.keys.push(key);
    this.prune();
    return key;
  }

  /** Keys still in the JWKS: the current one and those retired less than the retention period ago. */
  published(): SigningKey[] {
    this.prune();
    return [...this.keys];
  }

  find(kid: string): SigningKey | undefined {
    return this.published().find((k) => k.kid === kid);
  }

  /** JWKS document; Entra annotates each key with the issuer template it signs for. */
  jwks(issuer: string): { keys: PublishedJwk[] } {
    return {
      keys: this.published()
        .reverse()
        .map((k) => {
          const jwk = k.publicKey.export({ format: "jwk" }) as { n: string; e: string };
          return { kty: "RSA", use: "sig", kid: k.kid, n: jwk.n, e: jwk.e, issuer };
        }),
    };
  }

  private prune(): void {
    const cutoff = this.now() - this.retentionSeconds() * 1000;
    const current = this.current();
    this.keys = this.keys.filter((k) => k === current || k.retiredAt === undefined || k.retiredAt > cutoff);
  }
}

function createKey(at: number): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const kid = createHash("sha1").update(spki).digest("base64url");
  return { kid, privateKey, publicKey, createdAt: at };
}
