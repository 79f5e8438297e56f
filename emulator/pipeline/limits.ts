import { Messages } from "./errors";

/**
 * Outlook's per-app, per-mailbox limits: at most `maxConcurrent` requests in flight and
 * `windowRequests` requests per sliding `windowSeconds` window. Requests that are throttled do not
 * count toward the window (Outlook does not bill a rejected request against the quota).
 */
export interface LimitsConfig {
  maxConcurrent: number;
  windowRequests: number;
  windowSeconds: number;
  /** Retry-After sent with ApplicationThrottled (MailboxConcurrency) answers. */
  concurrencyRetryAfterSeconds: number;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  maxConcurrent: 4,
  windowRequests: 10_000,
  windowSeconds: 600,
  concurrencyRetryAfterSeconds: 1,
};

export type AcquireResult =
  | { ok: true; inFlight: number; release: () => void }
  | { ok: false; reason: "concurrency" | "window"; code: string; message: string; retryAfterSeconds: number };

interface Slot {
  inFlight: number;
  /** Arrival times of accepted requests inside the window, oldest first, from index `head`. */
  log: number[];
  head: number;
}

export class MailboxLimiter {
  private config: LimitsConfig;
  private readonly slots = new Map<string, Slot>();

  constructor(config: Partial<LimitsConfig> = {}, private readonly clock: () => number = Date.now) {
    this.config = { ...DEFAULT_LIMITS, ...config };
  }

  getConfig(): LimitsConfig {
    return { ...this.config };
  }

  configure(patch: Partial<LimitsConfig>): LimitsConfig {
    this.config = { ...this.config, ...patch };
    return this.getConfig();
  }

  /** Forget windows (not in-flight counts: those requests are still running). */
  resetWindows(): void {
    for (const slot of this.slots.values()) {
      slot.log = [];
      slot.head = 0;
    }
  }

  inFlight(appId: string, mailbox: string): number {
    return this.slots.get(key(appId, mailbox))?.inFlight ?? 0;
  }

  tryAcquire(appId: string, mailbox: string): AcquireResult {
    const now = this.clock();
    const slot = this.slot(appId, mailbox);
    const windowMs = this.config.windowSeconds * 1000;
    while (slot.head < slot.log.length && (slot.log[slot.head] as number) <= now - windowMs) slot.head++;
    if (slot.head > 1024 && slot.head * 2 > slot.log.length) {
      slot.log = slot.log.slice(slot.head);
      slot.head = 0;
    }
    const inWindow = slot.log.length - slot.head;
    if (inWindow >= this.config.windowRequests) {
      const oldest = slot.log[slot.head] as number;
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
      return { ok: false, reason: "window", code: "TooManyRequests", message: Messages.tooManyRequests, retryAfterSeconds };
    }
    if (slot.inFlight >= this.config.maxConcurrent) {
      return {
        ok: false,
        reason: "concurrency",
        code: "ApplicationThrottled",
        message: Messages.mailboxConcurrency,
        retryAfterSeconds: this.config.concurrencyRetryAfterSeconds,
      };
    }
    slot.inFlight++;
    slot.log.push(now);
    let released = false;
    return {
      ok: true,
      inFlight: slot.inFlight,
      release: () => {
        if (released) return;
        released = true;
        slot.inFlight--;
      },
    };
  }

  private slot(appId: string, mailbox: string): Slot {
    const k = key(appId, mailbox);
    let slot = this.slots.get(k);
    if (!slot) {
      slot = { inFlight: 0, log: [], head: 0 };
      this.slots.set(k, slot);
    }
    return slot;
  }
}

function key(appId: string, mailbox: string): string {
  return `${appId}\u0000${mailbox}`;
}
