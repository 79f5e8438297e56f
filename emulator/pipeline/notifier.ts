import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { HttpClient } from "./http-client";
import { TimeoutError } from "./http-client";

/**
 * Graph's change-notification publisher, as seen by a receiver:
 *  - validation: POST {url}?validationToken=<url-encoded token> with an empty text/plain body; the
 *    receiver has 10 s to answer 200 text/plain with the decoded token, byte for byte;
 *  - deliveries: POST {"value":[...]} (notifications for the same URL collected for a short moment
 *    and sent together), 3 s client timeout, anything but 2xx is retried with back-off for up to
 *    4 hours, then dropped.
 */
export interface NotifierConfig {
  /** How long changes are collected before one POST per notification URL. */
  batchDelayMs: number;
  /** Graph's publisher gives up on a delivery attempt after 3 s. */
  deliveryTimeoutMs: number;
  validationTimeoutMs: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** Total time a notification is retried before it is discarded (Graph: 4 hours). */
  retryForMs: number;
}

export const DEFAULT_NOTIFIER_CONFIG: NotifierConfig = {
  batchDelayMs: 100,
  deliveryTimeoutMs: 3000,
  validationTimeoutMs: 10_000,
  retryBaseMs: 1000,
  retryMaxDelayMs: 5 * 60_000,
  retryForMs: 4 * 3600_000,
};

export interface DeliveryRecord {
  id: string;
  url: string;
  kind: "validation" | "change" | "lifecycle";
  firstAttemptAt: string;
  attempts: number;
  /** Last HTTP status, or the transport error. */
  lastResult: string;
  state: "pending" | "delivered" | "retrying" | "dropped";
  notifications: number;
}

export type ValidationResult = { ok: true } | { ok: false; message: string };

interface Outbox {
  url: string;
  kind: "change" | "lifecycle";
  items: unknown[];
  timer: NodeJS.Timeout;
}

const MAX_LOG = 500;

export class Notifier {
  private config: NotifierConfig;
  private readonly outboxes = new Map<string, Outbox>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly log: DeliveryRecord[] = [];
  private closed = false;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly http: HttpClient,
    config: Partial<NotifierConfig> = {},
    private readonly clock: () => number = Date.now,
    private readonly logger?: Logger,
  ) {
    this.config = { ...DEFAULT_NOTIFIER_CONFIG, ...config };
  }

  getConfig(): NotifierConfig {
    return { ...this.config };
  }

  configure(patch: Partial<NotifierConfig>): NotifierConfig {
    this.config = { ...this.config, ...patch };
    return this.getConfig();
  }

  deliveries(): DeliveryRecord[] {
    return this.log.map((r) => ({ ...r }));
  }

  /** The token Graph sends; it has spaces and colons, so a receiver that forgets to URL-decode fails. */
  static newValidationToken(): string {
    return `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  }

  async validate(url: string, token = Notifier.newValidationToken()): Promise<ValidationResult> {
    const target = new URL(url);
    target.searchParams.set("validationToken", token);
    const record = this.record(url, "validation", 0);
    record.attempts = 1;
    try {
      const result = await this.http.request({
        url: target.toString(),
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8", accept: "text/plain" },
        body: "",
        timeoutMs: this.config.validationTimeoutMs,
      });
      record.lastResult = String(result.status);
      const type = String(result.headers["content-type"] ?? "");
      const fail = (message: string): ValidationResult => {
        record.state = "dropped";
        return { ok: false, message };
      };
      if (result.status !== 200) {
        return fail("Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.");
      }
      if (!/^text\/plain\b/i.test(type)) {
        return fail("Subscription validation request failed. Response must be in text/plain format.");
      }
      if (result.body.toString("utf8") !== token) {
        return fail("Subscription validation request failed. Response must exactly match validationToken query parameter.");
      }
      record.state = "delivered";
      return { ok: true };
    } catch (error) {
      record.state = "dropped";
      record.lastResult = describe(error);
      if (error instanceof TimeoutError) return { ok: false, message: "Subscription validation request timed out." };
      return {
        ok: false,
        message: "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
      };
    }
  }

  /** Queue a notification; those for the same URL and kind within batchDelayMs go out together. */
  enqueue(url: string, kind: "change" | "lifecycle", notification: unknown): void {
    if (this.closed) return;
    const key = `${kind} ${url}`;
    const existing = this.outboxes.get(key);
    if (existing) {
      existing.items.push(notification);
      return;
    }
    const timer = setTimeout(() => {
      this.outboxes.delete(key);
      this.timers.delete(timer);
      void this.deliver(url, kind, outbox.items);
    }, this.config.batchDelayMs);
    this.timers.add(timer);
    const outbox: Outbox = { url, kind, items: [notification], timer };
    this.outboxes.set(key, outbox);
  }

  /** Resolves when nothing is queued, being sent or waiting for a retry (for tests and shutdown). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.outboxes.clear();
    this.wakeIdle();
  }

  private isIdle(): boolean {
    return this.closed || (this.timers.size === 0 && this.inFlight === 0);
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async deliver(url: string, kind: "change" | "lifecycle", items: unknown[]): Promise<void> {
    const record = this.record(url, kind, items.length);
    const started = this.clock();
    const body = JSON.stringify({ value: items });
    const attempt = async (): Promise<void> => {
      if (this.closed) return;
      record.attempts++;
      this.inFlight++;
      let ok = false;
      try {
        const result = await this.http.request({
          url,
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8" },
          body,
          timeoutMs: this.config.deliveryTimeoutMs,
        });
        record.lastResult = String(result.status);
        ok = result.status >= 200 && result.status < 300;
      } catch (error) {
        record.lastResult = describe(error);
      } finally {
        this.inFlight--;
      }
      if (ok) {
        record.state = "delivered";
        this.logger?.debug({ url, kind, notifications: items.length, attempts: record.attempts }, "notification delivered");
      } else {
        const delay = Math.min(this.config.retryBaseMs * 2 ** (record.attempts - 1), this.config.retryMaxDelayMs);
        if (this.closed || this.clock() + delay - started > this.config.retryForMs) {
          record.state = "dropped";
          this.logger?.warn({ url, kind, attempts: record.attempts, lastResult: record.lastResult }, "notification dropped");
        } else {
          this.logger?.info({ url, kind, attempts: record.attempts, lastResult: record.lastResult, retryInMs: delay }, "notification delivery failed; retrying");
          record.state = "retrying";
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            void attempt();
          }, delay);
          this.timers.add(timer);
        }
      }
      this.wakeIdle();
    };
    await attempt();
  }

  private record(url: string, kind: DeliveryRecord["kind"], notifications: number): DeliveryRecord {
    const record: DeliveryRecord = {
      id: randomUUID(),
      url,
      kind,
      firstAttemptAt: new Date(this.clock()).toISOString(),
      attempts: 0,
      lastResult: "",
      state: "pending",
      notifications,
    };
    this.log.push(record);
    if (this.log.length > MAX_LOG) this.log.shift();
    return record;
  }
}

function describe(error: unknown): string {
  if (error instanceof TimeoutError) return `timeout after ${error.timeoutMs} ms`;
  const e = error as { code?: string; message?: string };
  return e?.code ?? e?.message ?? String(error);
}
