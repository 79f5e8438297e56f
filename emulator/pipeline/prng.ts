import { mulberry32 } from "../../shared/random";

/** A small deterministic PRNG (mulberry32) so fault rules with a rate replay identically for a seed. */
export function createPrng(seed: string | number): () => number {
  return mulberry32(typeof seed === "number" ? seed : hashString(seed));
}

function hashString(s: string): number {
  // FNV-1a: stable across runs and platforms.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
