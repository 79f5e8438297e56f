import { z } from "zod";
import { createPrng } from "./prng";

/**
 * Fault injection by rule. A rule matches requests (method, path regex, mailbox/user oid) and fires
 * either on every Nth match or with probability `rate` drawn from a PRNG seeded by the rule set's
 * seed, at most `count` times. The pipeline asks `evaluate()` for each request and carries out the
 * verdict; this module only decides.
 */
export const faultKinds = ["status", "reset", "truncate", "latency", "delta410", "401", "hold"] as const;
export type FaultKind = (typeof faultKinds)[number];

export const faultRuleSchema = z
  .object({
    match: z
      .object({
        method: z.string().optional(),
        /** Matched case-insensitively against the path and query after /v1.0, e.g. "/me/messages?$top=5". */
        pathRegex: z.string().optional(),
        oid: z.string().optional(),
      })
      .default({}),
    kind: z.enum(faultKinds),
    status: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(504)]).optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    latencyMs: z.number().int().min(0).optional(),
    rate: z.number().min(0).max(1).optional(),
    everyNth: z.number().int().min(1).optional(),
    count: z.number().int().min(0).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.match.pathRegex !== undefined) {
      try {
        new RegExp(rule.match.pathRegex, "i");
      } catch {
        ctx.addIssue({ code: "custom", message: `invalid pathRegex: ${rule.match.pathRegex}`, path: ["match", "pathRegex"] });
      }
    }
    if (rule.kind === "status" && rule.status === undefined) {
      ctx.addIssue({ code: "custom", message: "kind \"status\" needs status", path: ["status"] });
    }
    if (rule.kind === "latency" && rule.latencyMs === undefined) {
      ctx.addIssue({ code: "custom", message: "kind \"latency\" needs latencyMs", path: ["latencyMs"] });
    }
  });

export const faultRulesBodySchema = z.object({
  rules: z.array(faultRuleSchema),
  seed: z.union([z.string(), z.number()]).optional(),
  /** Replace the current rules (default) or add to them. */
  append: z.boolean().optional(),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;

export interface FaultRuleState extends FaultRule {
  id: number;
  /** Requests that matched the rule's filter. */
  matched: number;
  /** Times the rule fired. */
  hits: number;
}

export interface FaultRequest {
  method: string;
  /** Path and query after /v1.0. */
  path: string;
  oid?: string;
  /** $batch sub-requests never get transport faults (reset/truncate): they have no socket of their own. */
  isSubRequest: boolean;
}

export interface FaultVerdict {
  /** Total added latency from firing latency rules. */
  latencyMs: number;
  /** A "hold" rule fired: the request waits (in flight) until release() — overlap without timing. */
  hold: boolean;
  /** The first firing terminal rule, if any. */
  action?: FaultRuleState;
}

export class FaultInjector {
  private rules: FaultRuleState[] = [];
  private random: () => number = createPrng(0);
  private nextId = 1;
  private held: Array<() => void> = [];

  set(rules: FaultRule[], seed: string | number = 0, append = false): FaultRuleState[] {
    if (!append) {
      this.rules = [];
      this.random = createPrng(seed);
    }
    for (const rule of rules) this.rules.push({ ...rule, id: this.nextId++, matched: 0, hits: 0 });
    return this.list();
  }

  clear(): void {
    this.rules = [];
    this.release();
  }

  /** Parks a request that a "hold" rule caught until release(). */
  waitForRelease(): Promise<void> {
    return new Promise((resolve) => this.held.push(resolve));
  }

  /** Lets every held request continue; returns how many there were. */
  release(): number {
    const waiting = this.held;
    this.held = [];
    for (const resume of waiting) resume();
    return waiting.length;
  }

  heldCount(): number {
    return this.held.length;
  }

  list(): FaultRuleState[] {
    return this.rules.map((r) => structuredClone(r));
  }

  evaluate(req: FaultRequest): FaultVerdict {
    const verdict: FaultVerdict = { latencyMs: 0, hold: false };
    for (const rule of this.rules) {
      if (!matches(rule, req)) continue;
      const modifier = rule.kind === "latency" || rule.kind === "hold";
      if (verdict.action && !modifier) continue;
      rule.matched++;
      if (rule.count !== undefined && rule.hits >= rule.count) continue;
      const fire = rule.everyNth !== undefined ? rule.matched % rule.everyNth === 0 : this.random() < (rule.rate ?? 1);
      if (!fire) continue;
      rule.hits++;
      if (rule.kind === "latency") verdict.latencyMs += rule.latencyMs ?? 0;
      else if (rule.kind === "hold") verdict.hold = true;
      else verdict.action = rule;
    }
    return verdict;
  }
}

function matches(rule: FaultRuleState, req: FaultRequest): boolean {
  const m = rule.match;
  if (m.method && m.method.toUpperCase() !== req.method.toUpperCase()) return false;
  if (m.oid && m.oid !== req.oid) return false;
  if (m.pathRegex !== undefined && !new RegExp(m.pathRegex, "i").test(req.path)) return false;
  if (rule.kind === "delta410" && !isDeltaPath(req.path)) return false;
  if ((rule.kind === "reset" || rule.kind === "truncate") && req.isSubRequest) return false;
  return true;
}

export function isDeltaPath(path: string): boolean {
  return /\/delta(\(\))?(\?|$)/i.test(path);
}
