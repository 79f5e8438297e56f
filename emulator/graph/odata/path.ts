/**
 * Splits a Graph resource path into segments, understanding OData key syntax:
 * "mailfolders('AAMk…')" and "mailFolders/AAMk…" both name the same folder, and
 * "microsoft.graph.delta()" is the fully qualified spelling of "delta".
 */
export interface PathSegment {
  /** Lower-cased segment name (or the raw key when the segment is a bare id). */
  name: string;
  /** The raw, case-preserved, decoded text of the segment. */
  raw: string;
  /** Key given in parentheses, e.g. mailfolders('inbox') → "inbox". */
  key?: string;
}

export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const part of path.split("/")) {
    if (!part) continue;
    let raw: string;
    try {
      raw = decodeURIComponent(part);
    } catch {
      raw = part;
    }
    const keyed = /^([^(]+)\((.*)\)$/.exec(raw);
    if (keyed) {
      let key = keyed[2]!.trim();
      if (key.startsWith("'") && key.endsWith("'") && key.length >= 2) key = key.slice(1, -1).replace(/''/g, "'");
      const name = normaliseName(keyed[1]!);
      segments.push(key === "" ? { name, raw } : { name, raw, key });
    } else {
      segments.push({ name: normaliseName(raw), raw });
    }
  }
  return segments;
}

function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith("microsoft.graph.") ? lower.slice("microsoft.graph.".length) : lower;
}
