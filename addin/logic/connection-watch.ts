/**
 * When the pane looks at GET /api/connection again. A pinned pane stays open all day, so it must notice a lost
 * connection, a finished initial sync or a new last-sync time by itself, without hammering the server:
 *
 * - every `delayMs` after the last check (the hook sets it from the status: 5 s during the initial sync,
 *   60 s otherwise), but only while the pane is visible; when it becomes visible again after a longer
 *   while, at once;
 * - soon after the selection changes (ItemChanged), at most once per ITEM_CHANGED_CHECK_GAP_MS however fast
 *   the member moves through the inbox;
 * - never two checks at once, and not while an action (authentication dialog, revoke, sync) is running.
 *
 * Timers, the clock and visibility are passed in, so tests drive it without waiting.
 */
import { IDLE_CHECK_MS, ITEM_CHANGED_CHECK_GAP_MS } from "./connection";

export interface WatchClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WatchVisibility {
  visible(): boolean;
  /** Subscribes to visibility changes; returns the unsubscribe function. */
  onChange(callback: () => void): () => void;
}

export const browserClock: WatchClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => window.setTimeout(callback, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
};

/** document.visibilityState: "hidden" when Outlook is minimised or the pane is in a background tab. */
export const documentVisibility: WatchVisibility = {
  visible: () => typeof document === "undefined" || document.visibilityState !== "hidden",
  onChange(callback) {
    if (typeof document === "undefined") return () => {};
    document.addEventListener("visibilitychange", callback);
    return () => document.removeEventListener("visibilitychange", callback);
  },
};

export class ConnectionWatch {
  private lastCheckAt: number;
  private delayMs = IDLE_CHECK_MS;
  private paused = false;
  private started = false;
  private inFlight = false;
  /** When a selection change asked for a check that hasn't happened yet. */
  private nudgedAt: number | null = null;
  private timer: unknown = null;
  private stopVisibility: () => void = () => {};

  constructor(
    private readonly check: () => Promise<void>,
    private readonly clock: WatchClock = browserClock,
    private readonly visibility: WatchVisibility = documentVisibility,
  ) {
    this.lastCheckAt = clock.now();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopVisibility = this.visibility.onChange(() => this.schedule());
    this.schedule();
  }

  stop(): void {
    this.started = false;
    this.stopVisibility();
    this.stopVisibility = () => {};
    this.clear();
  }

  /** The status's pace (see checkDelayMs). */
  setDelay(ms: number): void {
    if (ms === this.delayMs) return;
    this.delayMs = ms;
    this.schedule();
  }

  /** While an action runs, its own answer brings the status; checking meanwhile could overwrite it. */
  pause(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    this.schedule();
  }

  /** A fresh status arrived some other way (an action's answer): the next check counts from now. */
  checked(): void {
    this.lastCheckAt = this.clock.now();
    this.nudgedAt = null;
    this.schedule();
  }

  /** The selection changed (ItemChanged). */
  nudge(): void {
    if (this.nudgedAt === null) this.nudgedAt = this.clock.now();
    this.schedule();
  }

  /** When the next check is due (ms since the epoch), or null when none is scheduled; for tests. */
  get nextCheckAt(): number | null {
    return this.timer === null ? null : this.dueAt();
  }

  private dueAt(): number {
    const periodic = this.lastCheckAt + this.delayMs;
    if (this.nudgedAt === null) return periodic;
    return Math.min(periodic, Math.max(this.nudgedAt, this.lastCheckAt + ITEM_CHANGED_CHECK_GAP_MS));
  }

  private clear(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.clear();
    if (!this.started || this.paused || this.inFlight || !this.visibility.visible()) return;
    const wait = Math.max(0, this.dueAt() - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    if (this.inFlight || this.paused || !this.started) return;
    this.inFlight = true;
    try {
      await this.check();
    } catch {
      // The hook shows the problem; the next check is still due (a network blip must not stop the watch).
    } finally {
      this.inFlight = false;
      this.lastCheckAt = this.clock.now();
      this.nudgedAt = null;
      this.schedule();
    }
  }
}
