/**
 * $select: property names are matched case-insensitively against the resource's properties and
 * returned in their canonical spelling; an unknown name is a 400, as on Graph.
 */
import { errors } from "../errors";

export function parseSelect(text: string | undefined, known: readonly string[], typeName: string): string[] | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out: string[] = [];
  for (const part of text.split(",")) {
    const name = part.trim();
    if (!name) continue;
    const canonical = byLower.get(name.toLowerCase());
    if (!canonical) throw errors.unknownProperty(name, typeName);
    if (!out.includes(canonical)) out.push(canonical);
  }
  return out;
}

/** Bit i set ⇔ known[i] selected; lets tokens carry a $select compactly (≤ 31 properties). */
export function selectMask(selected: readonly string[] | undefined, known: readonly string[]): number {
  if (!selected) return 0;
  let mask = 0;
  for (const name of selected) {
    const i = known.indexOf(name);
    if (i >= 0) mask |= 1 << i;
  }
  return mask >>> 0;
}

export function maskToSelect(mask: number, known: readonly string[]): string[] | undefined {
  if (!mask) return undefined;
  const out: string[] = [];
  for (let i = 0; i < known.length; i++) if (mask & (1 << i)) out.push(known[i]!);
  return out;
}
