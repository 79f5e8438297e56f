import { test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionWatch, type WatchClock, type WatchVisibility } from "./connection-watch";
import { IDLE_CHECK_MS, INITIAL_SYNC_POLL_MS, ITEM_CHANGED_CHECK_GAP_MS } from "./connection";

/** A clock whose timers run only when the test moves time on. */
class FakeClock implements WatchClock {
  time = 1_000_000;
  private nextId = 1;
  private timers = new Map<number, { at: number; callback: () => void }>();
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, callback });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers.delete(handle as number);
  };
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time on by `ms`, running every timer that falls due (and what they schedule) in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
      await settle();
    }
    this.time = end;
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

class FakeVisibility implements WatchVisibility {
  isVisible = true;
  private listeners = new Set<() => void>();
  visible = () => this.isVisible;
  onChange = (callback: () => void) => {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  };
  set(visible: boolean) {
    this.isVisible = visible;
    for (const l of this.listeners) l();
  }
  get subscribers(): number {
    return this.listeners.size;
  }
}

function setup() {
  const clock = new FakeClock();
  const visibility = new FakeVisibility();
  const checks: number[] = [];
  let fail = false;
  const watch = new ConnectionWatch(
    async () => {
      checks.push(clock.now());
      if (fail) throw new Error("network");
    },
    clock,
    visibility,
  );
  return { clock, visibility, checks, watch, failNext: (f: boolean) => (fail = f) };
}

test("connected and visible: one check a minute, not sooner", async () => {
  const { clock, checks, watch } = setup();
  const t0 = clock.now();
  watch.start();
  await clock.advance(IDLE_CHECK_MS - 1);
  assert.equal(checks.length, 0);
  await clock.advance(1);
  await clock.advance(IDLE_CHECK_MS * 2);
  assert.deepEqual(checks, [t0 + IDLE_CHECK_MS, t0 + 2 * IDLE_CHECK_MS, t0 + 3 * IDLE_CHECK_MS]);
  watch.stop();
  assert.equal(clock.pending, 0);
});

test("during the initial sync: every 5 s; back to a minute once the status says so", async () => {
  const { clock, checks, watch } = setup();
  watch.start();
  watch.setDelay(INITIAL_SYNC_POLL_MS);
  await clock.advance(30_000);
  assert.equal(checks.length, 6);
  watch.setDelay(IDLE_CHECK_MS);
  await clock.advance(IDLE_CHECK_MS - 1);
  assert.equal(checks.length, 6);
  await clock.advance(1);
  assert.equal(checks.length, 7);
  watch.stop();
});

test("hidden: no checks at all; visible again after a long while: at once, then the usual pace", async () => {
  const { clock, visibility, checks, watch } = setup();
  watch.start();
  visibility.set(false);
  await clock.advance(10 * IDLE_CHECK_MS);
  assert.equal(checks.length, 0);
  assert.equal(clock.pending, 0, "no timer while hidden");
  visibility.set(true);
  await clock.advance(0);
  assert.equal(checks.length, 1, "the status may be stale: checked as soon as the pane shows");
  await clock.advance(IDLE_CHECK_MS);
  assert.equal(checks.length, 2);
  watch.stop();
  assert.equal(visibility.subscribers, 0);
});

test("hidden briefly: no extra check when visible again, the minute still counts", async () => {
  const { clock, visibility, checks, watch } = setup();
  const t0 = clock.now();
  watch.start();
  await clock.advance(20_000);
  visibility.set(false);
  await clock.advance(10_000);
  visibility.set(true);
  await clock.advance(0);
  assert.equal(checks.length, 0);
  await clock.advance(IDLE_CHECK_MS);
  assert.deepEqual(checks, [t0 + IDLE_CHECK_MS]);
  watch.stop();
});

test("ItemChanged: a check soon after, but at most one per gap however fast the selection moves", async () => {
  const { clock, checks, watch } = setup();
  const t0 = clock.now();
  watch.start();
  await clock.advance(ITEM_CHANGED_CHECK_GAP_MS + 5000);
  watch.nudge();
  await clock.advance(0);
  assert.deepEqual(checks, [t0 + ITEM_CHANGED_CHECK_GAP_MS + 5000], "the last check is old enough: at once");

  // Arrowing through the inbox: twenty selections in four seconds.
  for (let i = 0; i < 20; i++) {
    watch.nudge();
    await clock.advance(200);
  }
  assert.equal(checks.length, 1);
  await clock.advance(ITEM_CHANGED_CHECK_GAP_MS);
  assert.equal(checks.length, 2, "one trailing check covers them all");
  assert.equal(checks[1]! - checks[0]!, ITEM_CHANGED_CHECK_GAP_MS);
  watch.stop();
});

test("an action's own answer counts as a check; no checks while it runs", async () => {
  const { clock, checks, watch } = setup();
  const t0 = clock.now();
  watch.start();
  watch.pause(true);
  await clock.advance(2 * IDLE_CHECK_MS);
  watch.nudge();
  await clock.advance(ITEM_CHANGED_CHECK_GAP_MS);
  assert.equal(checks.length, 0);
  watch.checked(); // the dialog closed and the pane read the status itself
  watch.pause(false);
  await clock.advance(IDLE_CHECK_MS - 1);
  assert.equal(checks.length, 0);
  await clock.advance(1);
  assert.deepEqual(checks, [t0 + 2 * IDLE_CHECK_MS + ITEM_CHANGED_CHECK_GAP_MS + IDLE_CHECK_MS]);
  watch.stop();
});

test("a failed check doesn't stop the watch, and never two checks at once", async () => {
  const { clock, checks, watch, failNext } = setup();
  watch.start();
  failNext(true);
  await clock.advance(IDLE_CHECK_MS);
  failNext(false);
  await clock.advance(IDLE_CHECK_MS);
  assert.equal(checks.length, 2);
  watch.stop();

  // A slow answer: nudges meanwhile don't start a second request.
  const slowClock = new FakeClock();
  const visibility = new FakeVisibility();
  let inFlight = 0;
  let most = 0;
  let release: () => void = () => {};
  const slow = new ConnectionWatch(
    () => {
      inFlight++;
      most = Math.max(most, inFlight);
      return new Promise<void>((resolve) => (release = () => (inFlight--, resolve())));
    },
    slowClock,
    visibility,
  );
  slow.start();
  await slowClock.advance(IDLE_CHECK_MS);
  slow.nudge();
  slow.setDelay(INITIAL_SYNC_POLL_MS);
  await slowClock.advance(IDLE_CHECK_MS);
  assert.equal(most, 1);
  assert.equal(slow.nextCheckAt, null);
  release();
  await settle();
  assert.equal(slow.nextCheckAt, slowClock.now() + INITIAL_SYNC_POLL_MS);
  slow.stop();
});
