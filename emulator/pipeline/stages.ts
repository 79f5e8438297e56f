import type { NextFunction, Request, Response } from "express";
import { sendUnauthorized } from "./auth";
import { Messages, sendGraphError } from "./errors";
import type { FaultInjector, FaultRuleState } from "./faults";
import type { MailboxLimiter } from "./limits";
import { getContext } from "./request-context";
import type { PipelineStats } from "./stats";

/**
 * The pipeline stages that run after authentication: accounting (stats + Retry-After bookkeeping),
 * mailbox limits, fault injection and added latency.
 */

/** Path and query relative to the /v1.0 mount, as the fault rules and stats see it. */
export function relativeUrl(req: Request): string {
  return req.url;
}

export function accountingStage(stats: PipelineStats) {
  return function accounting(req: Request, res: Response, next: NextFunction): void {
    const ctx = getContext(res);
    const caller = ctx.caller;
    if (!caller) return next();
    const oid = ctx.mailbox ?? caller.oid;
    const url = relativeUrl(req);
    const retryKey = ctx.suppliedClientRequestId ? `crid:${ctx.suppliedClientRequestId}` : `${req.method} ${url}`;
    const origin = ctx.batch?.parentRequestId ?? ctx.requestId;
    stats.recordArrival({ appId: caller.appId, oid, retryKey, origin, method: req.method, url, arrivedAt: ctx.arrivedAt });
    // The Retry-After deadline counts from the moment the answer is sent: its status line and headers are
    // committed in writeHead (Express calls it from end(); so does flushHeaders()), before a byte can reach
    // the caller. Stamping it on 'finish' instead (after the body was flushed, and in a busy process possibly
    // long after the caller had read the answer and waited its Retry-After) moved the deadline later than the
    // caller could know, and a caller that waited the full Retry-After from receipt was counted early.
    const writeHead = res.writeHead;
    res.writeHead = function writeHeadStamped(this: Response, ...args: unknown[]) {
      const sentAt = stats.now();
      const result = (writeHead as (...a: unknown[]) => Response).apply(this, args);
      const retryAfter = Number(headerOf(res, args, "retry-after"));
      if ([429, 503, 504].includes(res.statusCode) && Number.isFinite(retryAfter)) {
        stats.recordRetryAfterGiven({ appId: caller.appId, oid, retryKey, origin, seconds: retryAfter, sentAt });
      }
      return result;
    } as Response["writeHead"];
    next();
  };
}

/** A response header, whether set with setHeader or passed to writeHead (as an object or a flat array). */
function headerOf(res: Response, args: unknown[], name: string): unknown {
  const set = res.getHeader(name);
  if (set !== undefined) return Array.isArray(set) ? set[0] : set;
  const headers = args.find((a, i) => i > 0 && typeof a === "object" && a !== null);
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return headers[i + 1];
    return undefined;
  }
  if (headers) for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

export function limitsStage(limiter: MailboxLimiter, stats: PipelineStats) {
  return function limits(_req: Request, res: Response, next: NextFunction): void {
    const ctx = getContext(res);
    if (!ctx.caller || !ctx.mailbox) return next();
    const result = limiter.tryAcquire(ctx.caller.appId, ctx.mailbox);
    if (!result.ok) {
      stats.recordThrottled(ctx.caller.appId, ctx.mailbox, result.reason);
      sendGraphError(res, 429, result.code, result.message, { retryAfterSeconds: result.retryAfterSeconds });
      return;
    }
    stats.recordAccepted(ctx.caller.appId, ctx.mailbox, result.inFlight);
    // 'close' fires after 'finish' and also when the socket dies mid-response (reset faults).
    res.once("close", result.release);
    next();
  };
}

export interface FaultStageOptions {
  faults: FaultInjector;
  stats: PipelineStats;
  authorityBaseUrl: string;
  graphBaseUrl: string;
  /** Global added latency (benchmarks), applied to everything except the $batch envelope. */
  latencyMs: () => number;
}

export function faultStage(options: FaultStageOptions) {
  return async function faultsAndLatency(req: Request, res: Response, next: NextFunction): Promise<void> {
    const ctx = getContext(res);
    const url = relativeUrl(req);
    const verdict = options.faults.evaluate({
      method: req.method,
      path: url,
      oid: ctx.mailbox ?? ctx.caller?.oid,
      isSubRequest: ctx.batch !== undefined,
    });
    const isEnvelope = req.path === "/$batch";
    const delay = verdict.latencyMs + (isEnvelope ? 0 : options.latencyMs());
    if (verdict.action && ctx.caller) options.stats.recordFault(ctx.caller.appId, ctx.mailbox ?? ctx.caller.oid);
    if (delay > 0) await sleep(delay);
    if (verdict.hold) await options.faults.waitForRelease();
    if (res.destroyed) return;
    const action = verdict.action;
    if (!action) return next();
    applyFault(action, req, res, next, options);
  };
}

function applyFault(rule: FaultRuleState, req: Request, res: Response, next: NextFunction, options: FaultStageOptions): void {
  switch (rule.kind) {
    case "status": {
      const status = rule.status ?? 503;
      const [code, message] = statusError(status);
      sendGraphError(res, status, code, message, { retryAfterSeconds: rule.retryAfterSeconds });
      return;
    }
    case "401":
      sendUnauthorized(res, options.authorityBaseUrl, Messages.tokenExpired);
      return;
    case "delta410": {
      const location = new URL(options.graphBaseUrl + req.path);
      const original = new URL(req.url, "https://x");
      for (const [k, v] of original.searchParams) {
        if (!/^\$(deltatoken|skiptoken)$/i.test(k)) location.searchParams.append(k, v);
      }
      sendGraphError(res, 410, "SyncStateNotFound", Messages.syncStateNotFound, {
        headers: { Location: `${location.toString()}${location.search ? "&" : "?"}$deltatoken=` },
      });
      return;
    }
    case "reset":
    case "truncate":
      interceptBody(res, rule.kind);
      next();
      return;
    default:
      next();
  }
}

function statusError(status: number): [string, string] {
  switch (status) {
    case 429:
      return ["TooManyRequests", Messages.tooManyRequests];
    case 503:
      return ["ServiceNotAvailable", Messages.serviceUnavailable];
    case 504:
      return ["GatewayTimeout", Messages.gatewayTimeout];
    default:
      return ["InternalServerError", Messages.internalError];
  }
}

/**
 * Let the handler produce its answer, then damage it on the way out: "reset" sends the headers and
 * part of the body and destroys the socket; "truncate" sends a well-framed response whose body is
 * the first half of the JSON.
 */
function interceptBody(res: Response, kind: "reset" | "truncate"): void {
  const chunks: Buffer[] = [];
  const originalWrite = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const originalEnd = res.end.bind(res) as (...args: unknown[]) => Response;
  const toBuffer = (chunk: unknown, encoding?: unknown): Buffer | undefined => {
    if (chunk === undefined || chunk === null || typeof chunk === "function") return undefined;
    if (Buffer.isBuffer(chunk)) return chunk;
    if (chunk instanceof Uint8Array) return Buffer.from(chunk);
    return Buffer.from(String(chunk), typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
  };
  (res as { write: unknown }).write = (chunk: unknown, encoding?: unknown) => {
    const b = toBuffer(chunk, encoding);
    if (b) chunks.push(b);
    return true;
  };
  (res as { end: unknown }).end = (chunk?: unknown, encoding?: unknown) => {
    const b = toBuffer(chunk, encoding);
    if (b) chunks.push(b);
    const body = Buffer.concat(chunks);
    const half = body.subarray(0, Math.floor(body.length / 2));
    if (kind === "truncate") {
      res.removeHeader("Content-Length");
      res.setHeader("Content-Length", String(half.length));
      originalWrite(half);
      return originalEnd();
    }
    res.setHeader("Content-Length", String(body.length));
    res.flushHeaders();
    const socket = res.socket;
    if (half.length === 0) setImmediate(() => socket?.destroy());
    else originalWrite(half, () => socket?.destroy());
    return res;
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
