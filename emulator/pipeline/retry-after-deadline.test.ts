/**
 * Issue 4 (throttle.test.ts saw a request "30 ms before Retry-After" under heavy load): the emulator must
 * count a Retry-After from the moment it SENDS the answer, not from when Node later reports the response as
 * finished. In a busy process the 'finish' event can run long after the caller has read the 429 and waited
 * out its Retry-After; a deadline stamped then lies in the caller's future, and an honest caller is counted
 * early. Here the process is "busy" deterministically: the pipeline's clock is advanced by 500 ms between
 * sending the 429 and its 'finish' event.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startHarness, stubToken, type Harness } from "./test-harness";

const USER = "aaaaaaaa-0000-0000-0000-0000000000d1";
const APP = "bbbbbbbb-0000-0000-0000-0000000000d1";
const token = stubToken(USER, APP);

let h: Harness;
let now = 1_000_000;
/** Set by the test: how long the process stays busy between sending an answer and its 'finish' event. */
let busyBeforeFinishMs = 0;
let sentAt: number | null = null;

before(async () => {
  h = await startHarness({ clock: () => now }, (_req, res, next) => {
    // Registered before the pipeline's own listeners, so it runs first on each event.
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: unknown[]) {
      sentAt ??= now;
      return (writeHead as (...a: unknown[]) => typeof res).apply(this, args);
    } as typeof res.writeHead;
    res.once("finish", () => {
      now += busyBeforeFinishMs;
    });
    next();
  });
});
after(async () => {
  await h.close();
});

function get(path: string, crid: string) {
  return fetch(`${h.graph}${path}`, { headers: { authorization: `Bearer ${token}`, "client-request-id": crid } });
}

test("Retry-After counts from when the 429 was sent, however late the response's 'finish' comes", async () => {
  h.pipeline.stats.reset();
  h.pipeline.faults.set([{ match: { pathRegex: "^/me/messages" }, kind: "status", status: 429, retryAfterSeconds: 1, count: 1 }], 1);
  busyBeforeFinishMs = 500;
  sentAt = null;
  const first = await get("/me/messages", "retry-1");
  assert.equal(first.status, 429);
  assert.equal(first.headers.get("retry-after"), "1");
  await first.text();
  // The caller received the answer no earlier than it was sent; it waits Retry-After from then.
  assert.ok(sentAt !== null);
  busyBeforeFinishMs = 0;

  // 100 ms too early: still a violation (the check has not gone lenient).
  now = sentAt + 900;
  assert.equal((await get("/me/messages", "retry-1")).status, 200);
  let stats = h.pipeline.stats.get(USER);
  assert.equal(stats.retryAfterViolations, 1);
  assert.equal(stats.violations[0]?.earlyByMs, 100);

  // Exactly Retry-After after it was sent: honoured, although 'finish' was reported 500 ms later.
  now = sentAt + 1000;
  assert.equal((await get("/me/messages", "retry-1")).status, 200);
  stats = h.pipeline.stats.get(USER);
  assert.equal(stats.retryAfterViolations, 1, `no new violation: ${JSON.stringify(stats.violations)}`);
});

test("the mailbox limits' own 429 (request window) is stamped when sent too", async () => {
  h.pipeline.stats.reset();
  sentAt = null;
  busyBeforeFinishMs = 0;
  // The limits stage's 429: a request window of 1 request.
  h.pipeline.faults.clear();
  h.pipeline.limiter.resetWindows();
  h.pipeline.configure({ windowRequests: 1, windowSeconds: 60 });
  try {
    assert.equal((await get("/me/messages", "w-1")).status, 200);
    sentAt = null;
    busyBeforeFinishMs = 500;
    const throttled = await get("/me/messages", "w-2");
    assert.equal(throttled.status, 429);
    const seconds = Number(throttled.headers.get("retry-after"));
    assert.ok(seconds >= 59);
    now = sentAt! + seconds * 1000 - 1000;
    assert.equal((await get("/me/messages", "w-2")).status, 429);
    assert.equal(h.pipeline.stats.get(USER).retryAfterViolations, 1);
    busyBeforeFinishMs = 0;
    now = sentAt! + seconds * 1000;
    assert.equal((await get("/me/messages", "w-2")).status, 200);
    assert.equal(h.pipeline.stats.get(USER).retryAfterViolations, 1, "on time, although 'finish' came 500 ms after sending");
  } finally {
    h.pipeline.configure({ windowRequests: 10_000, windowSeconds: 600 });
    busyBeforeFinishMs = 0;
    h.pipeline.limiter.resetWindows();
  }
});
