/**
 * The provider DRIVER: every Graph call of the sync goes through here. It knows HTTP, tokens,
 * throttling and retries, and nothing about folders, cursors or facts.
 *
 * Built on @microsoft/microsoft-graph-client (Client.initWithMiddleware) with our own middleware
 * chain instead of the SDK's RetryHandler, because the RetryHandler falls short for a sync that
 * runs several requests per mailbox at once:
 *   - it sleeps out a Retry-After per request, while the other requests of the same mailbox keep
 *     firing (Outlook then throttles those too); Retry-After must gate the whole mailbox;
 *   - it holds nothing like a concurrency slot, so it cannot keep a mailbox at ≤ 4 in flight;
 *   - it never retries network errors (resets) or bodies cut mid-JSON, and ignores 500/502;
 *   - its retry budget is 3 and it has no jitter on Retry-After-less answers.
 * Chain (outermost first):
 *   RetryMiddleware   attempts, backoff with full jitter, 401 → refresh once
 *   GateMiddleware    per-mailbox slot (≤ 4) + global slot + per-mailbox Retry-After gate
 *   AuthMiddleware    bearer token for the member; client-request-id kept across retries
 *   BodyMiddleware    reads the whole body inside the slot, checks JSON, times the attempt out
 *   HTTPMessageHandler (the SDK's fetch)
 */
import { randomUUID } from "node:crypto";
import { Client, GraphError, HTTPMessageHandler, type Context, type Middleware, type MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import type { Logger } from "pino";
import { GraphRequestError, TransportError, TruncatedBodyError } from "./errors";

export interface TokenSource {
  /** A Graph access token for the member; forceRefresh after a 401. Throws the foundation's ConnectionLostError on invalid_grant. */
  getAccessToken(memberId: string, options: { forceRefresh: boolean }): Promise<string>;
  /** True for the error that means the grant is gone: never retried. */
  isConnectionLost(error: unknown): boolean;
}

export interface DriverLimits {
  /** Outlook allows 4 concurrent requests per app per mailbox. */
  perMailboxConcurrency: number;
  /** Across all mailboxes of this process. */
  globalConcurrency: number;
  /** Attempts for 5xx, network errors and truncated bodies. */
  maxAttempts: number;
  /** Attempts for 429 (each waits out its Retry-After, so a storm is ridden out rather than failed). */
  maxThrottledAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** One attempt (connect, headers and whole body) may take this long before it is treated as a network error. */
  attemptTimeoutMs: number;
  /** Added to every Retry-After so a timer firing a little early never arrives early. */
  retryAfterMarginMs: number;
}

export const DEFAULT_DRIVER_LIMITS: DriverLimits = {
  perMailboxConcurrency: 4,
  globalConcurrency: 32,
  maxAttempts: 8,
  maxThrottledAttempts: 30,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  attemptTimeoutMs: 60_000,
  retryAfterMarginMs: 50,
};

export interface GraphDriverOptions {
  /** GRAPH_BASE_URL, e.g. https://graph.microsoft.com/v1.0 (no trailing slash). */
  graphBaseUrl: string;
  tokens: TokenSource;
  logger: Logger;
  limits?: Partial<DriverLimits>;
  random?: () => number;
}

export interface RequestOptions {
  /** Prefer header values besides IdType="ImmutableId", which is always sent. */
  prefer?: string[];
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Mailbox slots the request occupies. Graph runs up to 4 sub-requests of a $batch at once against
   * the mailbox, so a batch counts as min(4, sub-requests), or it would push the mailbox past 4.
   */
  weight?: number;
}

/** Per-request state handed down the chain through the SDK's MiddlewareControl. */
export class SyncRequestOptions implements MiddlewareOptions {
  readonly clientRequestId = randomUUID();
  forceRefresh = false;
  attempt = 0;
  /** An error the chain wants the caller to see as is (the SDK wraps anything else into GraphError). */
  error: unknown = undefined;
  constructor(
    readonly memberId: string,
    readonly signal: AbortSignal | undefined,
    readonly weight: number = 1,
  ) {}
}

function requestOptions(context: Context): SyncRequestOptions {
  const o = context.middlewareControl?.getMiddlewareOptions(SyncRequestOptions) as SyncRequestOptions | undefined;
  if (!o) throw new Error("SyncRequestOptions missing: use GraphDriver to call Graph");
  return o;
}

function setHeader(context: Context, name: string, value: string): void {
  context.options ??= {};
  const headers = (context.options.headers ??= {}) as Record<string, string> | Headers;
  if (headers instanceof Headers) headers.set(name, value);
  else (headers as Record<string, string>)[name] = value;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error("aborted"));
    };
    if (signal) {
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
    }
  });
}

/** Retry-After in ms (delta-seconds or an HTTP date), or null. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** A FIFO counting semaphore whose acquirers may take several units at once (a $batch takes up to 4). */
class Semaphore {
  private active = 0;
  private readonly waiters: Array<{ units: number; resolve: () => void }> = [];
  constructor(private readonly limit: number) {}

  async acquire(units = 1): Promise<() => void> {
    const n = Math.max(1, Math.min(units, this.limit));
    if (this.waiters.length === 0 && this.active + n <= this.limit) {
      this.active += n;
    } else {
      // FIFO: a newcomer never overtakes a waiter, so a $batch waiting for 4 units is not starved.
      await new Promise<void>((resolve) => this.waiters.push({ units: n, resolve }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= n;
      while (this.waiters.length > 0 && this.active + this.waiters[0]!.units <= this.limit) {
        const next = this.waiters.shift()!;
        this.active += next.units;
        next.resolve();
      }
    };
  }

  get inUse(): number {
    return this.active;
  }
}

/** One mailbox's share of the limits: its slots and the time before which nothing may be sent to it. */
class MailboxGate {
  readonly slots: Semaphore;
  blockedUntil = 0;
  inFlight = 0;
  peakInFlight = 0;
  constructor(limit: number) {
    this.slots = new Semaphore(limit);
  }
}

class RetryMiddleware implements Middleware {
  private next!: Middleware;
  constructor(
    private readonly limits: DriverLimits,
    private readonly random: () => number,
    private readonly logger: Logger,
  ) {}
  setNext(next: Middleware): void {
    this.next = next;
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.limits.backoffMaxMs, this.limits.backoffBaseMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the exponential step, so retries still spread out but never hammer.
    return ceiling / 2 + this.random() * (ceiling / 2);
  }

  async execute(context: Context): Promise<void> {
    const o = requestOptions(context);
    let refreshed = false;
    let failures = 0;
    let throttles = 0;
    for (;;) {
      o.attempt++;
      context.response = undefined;
      try {
        await this.next.execute(context);
      } catch (error) {
        if (o.error !== undefined || o.signal?.aborted) throw error;
        failures++;
        if (failures >= this.limits.maxAttempts) {
          o.error = new TransportError(`Graph unreachable after ${failures} attempts: ${(error as Error).message}`, { cause: error });
          throw o.error;
        }
        const wait = this.backoff(failures);
        this.logger.debug({ memberId: o.memberId, attempt: o.attempt, err: (error as Error).message, waitMs: Math.round(wait) }, "graph request failed; retrying");
        await sleep(wait, o.signal);
        continue;
      }
      const response = context.response as Response | undefined;
      if (!response) throw new Error("middleware chain produced no response");
      const status = response.status;
      if (status === 401 && !refreshed) {
        refreshed = true;
        o.forceRefresh = true;
        continue;
      }
      if (status === 429) {
        throttles++;
        if (throttles >= this.limits.maxThrottledAttempts) return;
        // The gate already holds the whole mailbox until Retry-After has passed; without one, back off.
        if (retryAfterMs(response.headers) === null) await sleep(this.backoff(throttles), o.signal);
        continue;
      }
      if (status === 500 || status === 502 || status === 503 || status === 504) {
        failures++;
        if (failures >= this.limits.maxAttempts) return;
        if (retryAfterMs(response.headers) === null) await sleep(this.backoff(failures), o.signal);
        continue;
      }
      return;
    }
  }
}

class GateMiddleware implements Middleware {
  private next!: Middleware;
  constructor(
    private readonly gateFor: (memberId: string) => MailboxGate,
    private readonly global: Semaphore,
    private readonly limits: DriverLimits,
  ) {}
  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const o = requestOptions(context);
    const gate = this.gateFor(o.memberId);
    let releaseMailbox: () => void;
    let releaseGlobal: () => void;
    for (;;) {
      await sleep(gate.blockedUntil - Date.now(), o.signal);
      releaseMailbox = await gate.slots.acquire(o.weight);
      // A Retry-After may have arrived while this request waited for its slot.
      if (Date.now() < gate.blockedUntil) {
        releaseMailbox();
        continue;
      }
      releaseGlobal = await this.global.acquire();
      if (Date.now() < gate.blockedUntil) {
        releaseGlobal();
        releaseMailbox();
        continue;
      }
      break;
    }
    gate.inFlight += o.weight;
    gate.peakInFlight = Math.max(gate.peakInFlight, gate.inFlight);
    try {
      await this.next.execute(context);
      const response = context.response as Response | undefined;
      if (response && (response.status === 429 || response.status === 503 || response.status === 504)) {
        const wait = retryAfterMs(response.headers);
        // Blocked before the slot is released, so no queued request of this mailbox slips in early.
        if (wait !== null) gate.blockedUntil = Math.max(gate.blockedUntil, Date.now() + wait + this.limits.retryAfterMarginMs);
      }
    } finally {
      gate.inFlight -= o.weight;
      releaseGlobal();
      releaseMailbox();
    }
  }
}

class AuthMiddleware implements Middleware {
  private next!: Middleware;
  constructor(private readonly tokens: TokenSource) {}
  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const o = requestOptions(context);
    let token: string;
    try {
      token = await this.tokens.getAccessToken(o.memberId, { forceRefresh: o.forceRefresh });
    } catch (error) {
      if (this.tokens.isConnectionLost(error)) o.error = error;
      throw error;
    }
    o.forceRefresh = false;
    setHeader(context, "Authorization", `Bearer ${token}`);
    setHeader(context, "client-request-id", o.clientRequestId);
    await this.next.execute(context);
  }
}

class BodyMiddleware implements Middleware {
  private next!: Middleware;
  constructor(private readonly limits: DriverLimits) {}
  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const o = requestOptions(context);
    const timeout = AbortSignal.timeout(this.limits.attemptTimeoutMs);
    context.options ??= {};
    context.options.signal = (o.signal ? AbortSignal.any([o.signal, timeout]) : timeout) as never;
    await this.next.execute(context);
    const response = context.response as Response;
    // Read the whole body while the request still holds its slot: a reset or a cut mid-body then
    // surfaces here, inside the retry loop, instead of in the SDK's JSON parsing after it.
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    let parsed: unknown;
    if (response.ok && text.length > 0 && type.includes("json")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new TruncatedBodyError(text.length);
      }
    }
    const empty = text.length === 0 || response.status === 204 || response.status === 304;
    const checked = new Response(empty ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
    // Performance: the SDK's response handler reads JSON bodies with json(); hand it what was just
    // parsed to check the body instead of parsing a page of up to 1,000 messages a second time
    // (time and, above all, garbage: the parse was the largest allocation of a history sync).
    if (parsed !== undefined) checked.json = () => Promise.resolve(parsed);
    context.response = checked;
  }
}

export interface BatchResult<T> {
  /** HTTP status of the sub-response (0 when the batch never answered it). */
  status: number;
  body: T | null;
}

export interface MailboxRequestStats {
  /** Highest number of this process's requests in flight at once for the mailbox. */
  peakInFlight: number;
  /** Epoch ms until which the mailbox is held by a Retry-After (0 when free). */
  blockedUntil: number;
}

export class GraphDriver {
  private readonly client: Client;
  private readonly gates = new Map<string, MailboxGate>();
  private readonly limits: DriverLimits;
  readonly baseUrl: string;
  /** Requests started per member (attempts not counted twice): for the idle-cost test and benchmarks. */
  readonly requestCounts = new Map<string, number>();

  constructor(private readonly options: GraphDriverOptions) {
    this.limits = { ...DEFAULT_DRIVER_LIMITS, ...options.limits };
    this.baseUrl = options.graphBaseUrl.replace(/\/+$/, "");
    const global = new Semaphore(this.limits.globalConcurrency);
    const chain: Middleware[] = [
      new RetryMiddleware(this.limits, options.random ?? Math.random, options.logger),
      new GateMiddleware((id) => this.gate(id), global, this.limits),
      new AuthMiddleware(options.tokens),
      new BodyMiddleware(this.limits),
      new HTTPMessageHandler(),
    ];
    // The SDK joins baseUrl + defaultVersion + path; we always hand it the path below GRAPH_BASE_URL
    // (its own parsing of absolute URLs only knows https and splits a path prefix wrongly).
    const base = new URL(this.baseUrl);
    this.client = Client.initWithMiddleware({ middleware: chain, baseUrl: base.origin, defaultVersion: base.pathname.replace(/^\/+|\/+$/g, "") });
  }

  private gate(memberId: string): MailboxGate {
    let gate = this.gates.get(memberId);
    if (!gate) {
      gate = new MailboxGate(this.limits.perMailboxConcurrency);
      this.gates.set(memberId, gate);
    }
    return gate;
  }

  mailboxStats(memberId: string): MailboxRequestStats {
    const gate = this.gate(memberId);
    return { peakInFlight: gate.peakInFlight, blockedUntil: gate.blockedUntil };
  }

  /**
   * A Retry-After that did not pass through the chain (a 429 sub-response inside a $batch, which
   * itself answered 200): hold the whole mailbox until then, like any other Retry-After.
   */
  holdMailbox(memberId: string, retryAfterMs: number): void {
    const gate = this.gate(memberId);
    gate.blockedUntil = Math.max(gate.blockedUntil, Date.now() + retryAfterMs + this.limits.retryAfterMarginMs);
  }

  /** Epoch ms before which Graph asked us not to call this mailbox, or null. */
  retryAt(memberId: string): number | null {
    const until = this.gates.get(memberId)?.blockedUntil ?? 0;
    return until > Date.now() ? until : null;
  }

  /** The path below GRAPH_BASE_URL for a path ("/me/mailFolders") or a link Graph returned. */
  resolve(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) {
      // Tokens only ever go to the configured Graph endpoint, whatever a response's links say.
      if (!pathOrUrl.toLowerCase().startsWith(this.baseUrl.toLowerCase() + "/")) {
        throw new Error(`Refusing to follow a link outside ${this.baseUrl}`);
      }
      return pathOrUrl.slice(this.baseUrl.length);
    }
    return pathOrUrl.startsWith("/") ? pathOrUrl : `/${pathOrUrl}`;
  }

  /**
   * GETs through JSON $batch, 20 per batch. A batch answers 200 even when some of its requests were
   * throttled: a 429 (or 5xx) sub-response holds the whole mailbox for its Retry-After, like any
   * other, and only those requests are sent again. Returns one result per url, in order; a request
   * still failing after the retries keeps its last status.
   */
  async batchGet<T>(memberId: string, urls: string[], options: { signal?: AbortSignal; maxRounds?: number } = {}): Promise<Array<BatchResult<T>>> {
    const results: Array<BatchResult<T>> = urls.map(() => ({ status: 0, body: null }));
    for (let start = 0; start < urls.length; start += 20) {
      let pending = urls.slice(start, start + 20).map((url, i) => ({ index: start + i, url }));
      for (let round = 0; round < (options.maxRounds ?? 6) && pending.length > 0; round++) {
        const body = {
          requests: pending.map((p) => ({ id: String(p.index), method: "GET", url: this.resolve(p.url), headers: { Prefer: 'IdType="ImmutableId"' } })),
        };
        const res = await this.post<{ responses?: Array<{ id: string; status: number; headers?: Record<string, string>; body?: unknown }> }>(memberId, "/$batch", body, {
          signal: options.signal,
          weight: pending.length,
        });
        const retry: typeof pending = [];
        let holdMs = 0;
        for (const r of res.responses ?? []) {
          const index = Number(r.id);
          const entry = pending.find((p) => p.index === index);
          if (!entry) continue;
          results[index] = { status: r.status, body: (r.body ?? null) as T | null };
          if (r.status === 429 || r.status === 500 || r.status === 502 || r.status === 503 || r.status === 504) {
            retry.push(entry);
            const header = Object.entries(r.headers ?? {}).find(([k]) => k.toLowerCase() === "retry-after")?.[1];
            const seconds = header !== undefined ? Number(header) : Number.NaN;
            holdMs = Math.max(holdMs, Number.isFinite(seconds) ? seconds * 1000 : Math.min(this.limits.backoffMaxMs, this.limits.backoffBaseMs * 2 ** round));
          }
        }
        // Sub-requests the batch did not answer at all are sent again too.
        for (const p of pending) if (results[p.index]!.status === 0 && !retry.includes(p)) retry.push(p);
        if (holdMs > 0) this.holdMailbox(memberId, holdMs);
        pending = retry;
      }
    }
    return results;
  }

  get<T>(memberId: string, pathOrUrl: string, options: RequestOptions = {}): Promise<T> {
    return this.send<T>("GET", memberId, pathOrUrl, undefined, options);
  }

  post<T>(memberId: string, pathOrUrl: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.send<T>("POST", memberId, pathOrUrl, body, options);
  }

  patch<T>(memberId: string, pathOrUrl: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.send<T>("PATCH", memberId, pathOrUrl, body, options);
  }

  delete(memberId: string, pathOrUrl: string, options: RequestOptions = {}): Promise<void> {
    return this.send<void>("DELETE", memberId, pathOrUrl, undefined, options);
  }

  private async send<T>(method: "GET" | "POST" | "PATCH" | "DELETE", memberId: string, pathOrUrl: string, body: unknown, options: RequestOptions): Promise<T> {
    const url = this.resolve(pathOrUrl);
    const o = new SyncRequestOptions(memberId, options.signal, Math.max(1, Math.min(options.weight ?? 1, this.limits.perMailboxConcurrency)));
    this.requestCounts.set(memberId, (this.requestCounts.get(memberId) ?? 0) + 1);
    const request = this.client
      .api(url)
      .middlewareOptions([o])
      .header("Prefer", ['IdType="ImmutableId"', ...(options.prefer ?? [])].join(", "));
    for (const [name, value] of Object.entries(options.headers ?? {})) request.header(name, value);
    try {
      switch (method) {
        case "GET":
          return (await request.get()) as T;
        case "POST":
          return (await request.post(body)) as T;
        case "PATCH":
          return (await request.patch(body)) as T;
        case "DELETE":
          return (await request.delete()) as T;
      }
    } catch (error) {
      if (o.error !== undefined) throw o.error;
      if (options.signal?.aborted) throw options.signal.reason ?? error;
      if (error instanceof GraphError) {
        throw new GraphRequestError(error.statusCode, error.code ?? "unknown", error.message, this.retryAt(memberId));
      }
      throw error;
    }
  }
}
