/** The shape every benchmark suite reports in, so bench/run.ts can print and record them uniformly. */
export interface BenchResult {
  /** What was measured, in words a reader of BENCHMARKS.md understands. */
  name: string;
  value: number;
  unit: string;
  /** The target from the issue, in words ("≥ 20,000"); empty when there is none. */
  target: string;
  /** Whether the target holds; null when there is no target. */
  met: boolean | null;
  /** Anything needed to read the number (sizes, ratios' denominators). */
  notes?: string;
}

export interface BenchSuite {
  name: string;
  run(): Promise<BenchResult[]>;
}

export function atLeast(name: string, value: number, unit: string, min: number, notes?: string): BenchResult {
  return { name, value, unit, target: `≥ ${min.toLocaleString("en-US")}`, met: value >= min, notes };
}

export function atMost(name: string, value: number, unit: string, max: number, notes?: string): BenchResult {
  return { name, value, unit, target: `≤ ${max.toLocaleString("en-US")}`, met: value <= max, notes };
}

/** A figure recorded for reading beside the targets, with no target of its own. */
export function untargeted(name: string, value: number, unit: string, notes?: string): BenchResult {
  return { name, value, unit, target: "", met: null, notes };
}

/** A count for notes: rounded, with thousands separators ("37,037"). */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export async function timeMs<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}
