import assert from "node:assert/strict";
import { test } from "node:test";
import { MailboxLimiter } from "./limits";

test("the fifth concurrent request for one app and mailbox is ApplicationThrottled", () => {
  const limiter = new MailboxLimiter({}, () => 0);
  const held = [1, 2, 3, 4].map(() => limiter.tryAcquire("app", "mbx"));
  assert.ok(held.every((r) => r.ok));
  const fifth = limiter.tryAcquire("app", "mbx");
  assert.equal(fifth.ok, false);
  if (!fifth.ok) {
    assert.equal(fifth.code, "ApplicationThrottled");
    assert.equal(fifth.message, "Application is over its MailboxConcurrency limit.");
    assert.equal(fifth.retryAfterSeconds, 1);
  }
  // Other mailboxes and other apps have their own budget.
  assert.equal(limiter.tryAcquire("app", "other").ok, true);
  assert.equal(limiter.tryAcquire("other-app", "mbx").ok, true);
  const first = held[0];
  if (first?.ok) first.release();
  assert.equal(limiter.tryAcquire("app", "mbx").ok, true);
});

test("release is idempotent", () => {
  const limiter = new MailboxLimiter({ maxConcurrent: 1 }, () => 0);
  const a = limiter.tryAcquire("app", "mbx");
  assert.ok(a.ok);
  if (a.ok) {
    a.release();
    a.release();
  }
  assert.equal(limiter.inFlight("app", "mbx"), 0);
});

test("the request window answers TooManyRequests with Retry-After until the oldest request leaves it", () => {
  let now = 1_000_000;
  const limiter = new MailboxLimiter({ windowRequests: 3, windowSeconds: 10 }, () => now);
  for (let i = 0; i < 3; i++) {
    const r = limiter.tryAcquire("app", "mbx");
    assert.ok(r.ok);
    if (r.ok) r.release();
    now += 1000;
  }
  const throttled = limiter.tryAcquire("app", "mbx");
  assert.equal(throttled.ok, false);
  if (!throttled.ok) {
    assert.equal(throttled.code, "TooManyRequests");
    assert.equal(throttled.reason, "window");
    // First request at t0, window 10 s, now t0+3 s → 7 s.
    assert.equal(throttled.retryAfterSeconds, 7);
  }
  now += 7000;
  assert.equal(limiter.tryAcquire("app", "mbx").ok, true);
});

test("throttled requests do not count toward the window", () => {
  let now = 0;
  const limiter = new MailboxLimiter({ windowRequests: 1, windowSeconds: 5 }, () => now);
  const first = limiter.tryAcquire("app", "mbx");
  assert.ok(first.ok);
  for (let i = 0; i < 10; i++) assert.equal(limiter.tryAcquire("app", "mbx").ok, false);
  now = 5000;
  assert.equal(limiter.tryAcquire("app", "mbx").ok, true);
});
