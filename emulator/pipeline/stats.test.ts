import assert from "node:assert/strict";
import { test } from "node:test";
import { PipelineStats } from "./stats";

const arrival = (over: Partial<Parameters<PipelineStats["recordArrival"]>[0]> = {}) => ({
  appId: "app",
  oid: "mbx",
  retryKey: "crid:1",
  origin: "req-2",
  method: "GET",
  url: "/me/messages",
  arrivedAt: 0,
  ...over,
});

test("a retry before Retry-After elapsed is a violation; at or after it, or from another request, is not", () => {
  let now = 1000;
  const stats = new PipelineStats(() => now);
  stats.recordRetryAfterGiven({ appId: "app", oid: "mbx", retryKey: "crid:1", origin: "req-1", seconds: 2 });
  assert.equal(stats.recordArrival(arrival({ arrivedAt: 2000 })), true);
  assert.equal(stats.recordArrival(arrival({ arrivedAt: 2000, retryKey: "crid:other" })), false);
  assert.equal(stats.recordArrival(arrival({ arrivedAt: 2000, appId: "other-app" })), false);
  assert.equal(stats.recordArrival(arrival({ arrivedAt: 2995 })), false, "within the timer slack");
  assert.equal(stats.recordArrival(arrival({ arrivedAt: 2996 })), false, "the pending entry is gone once honoured");
  const m = stats.get("mbx");
  assert.equal(m.retryAfterViolations, 1);
  assert.equal(m.violations[0]?.earlyByMs, 1000);
  assert.equal(m.byApp.app?.retryAfterViolations, 1);
  now = 0;
});

test("sub-requests of the batch that received the Retry-After are not violations", () => {
  const stats = new PipelineStats(() => 0);
  stats.recordRetryAfterGiven({ appId: "app", oid: "mbx", retryKey: "GET /me/messages", origin: "batch-1", seconds: 5 });
  assert.equal(stats.recordArrival(arrival({ retryKey: "GET /me/messages", origin: "batch-1", arrivedAt: 10 })), false);
  assert.equal(stats.recordArrival(arrival({ retryKey: "GET /me/messages", origin: "batch-2", arrivedAt: 20 })), true);
});

test("peak concurrency and throttle counters", () => {
  const stats = new PipelineStats();
  stats.recordAccepted("app", "mbx", 1);
  stats.recordAccepted("app", "mbx", 4);
  stats.recordAccepted("app", "mbx", 2);
  stats.recordThrottled("app", "mbx", "concurrency");
  stats.recordThrottled("app", "mbx", "window");
  const m = stats.get("mbx");
  assert.equal(m.peakConcurrency, 4);
  assert.equal(m.throttled, 2);
  assert.equal(m.throttledConcurrency, 1);
  assert.equal(m.throttledWindow, 1);
  stats.reset();
  assert.equal(stats.get("mbx").accepted, 0);
});
