import assert from "node:assert/strict";
import { test } from "node:test";
import { FaultInjector, faultRulesBodySchema } from "./faults";

const req = (path: string, extra: Partial<{ method: string; oid: string; isSubRequest: boolean }> = {}) => ({
  method: extra.method ?? "GET",
  path,
  oid: extra.oid,
  isSubRequest: extra.isSubRequest ?? false,
});

test("everyNth fires on every Nth matching request, at most count times", () => {
  const f = new FaultInjector();
  f.set([{ match: { pathRegex: "/messages" }, kind: "status", status: 503, everyNth: 2, count: 2 }]);
  const fired = Array.from({ length: 8 }, () => f.evaluate(req("/me/messages")).action !== undefined);
  assert.deepEqual(fired, [false, true, false, true, false, false, false, false]);
  assert.equal(f.evaluate(req("/me/events")).action, undefined);
  const [rule] = f.list();
  assert.equal(rule?.hits, 2);
  assert.equal(rule?.matched, 8);
});

test("a rate replays identically for the same seed", () => {
  const run = (seed: string) => {
    const f = new FaultInjector();
    f.set([{ match: {}, kind: "reset", rate: 0.3 }], seed);
    return Array.from({ length: 50 }, () => (f.evaluate(req("/me/messages")).action ? 1 : 0)).join("");
  };
  assert.equal(run("abc"), run("abc"));
  assert.notEqual(run("abc"), run("xyz"));
  const ones = run("abc").split("").filter((c) => c === "1").length;
  assert.ok(ones > 5 && ones < 30, `about 30% fired: ${ones}`);
});

test("matching by method, oid and case-insensitive path; delta410 only for delta requests", () => {
  const f = new FaultInjector();
  f.set([
    { match: { method: "post", oid: "u1" }, kind: "401" },
    { match: {}, kind: "delta410" },
  ]);
  assert.equal(f.evaluate(req("/me/messages", { method: "POST", oid: "u1" })).action?.kind, "401");
  assert.equal(f.evaluate(req("/me/messages", { method: "POST", oid: "u2" })).action, undefined);
  assert.equal(f.evaluate(req("/me/mailFolders('inbox')/messages/DELTA?$deltatoken=x")).action?.kind, "delta410");
});

test("latency rules add up and do not stop a terminal rule; transport faults skip batch sub-requests", () => {
  const f = new FaultInjector();
  f.set([
    { match: {}, kind: "latency", latencyMs: 5 },
    { match: {}, kind: "latency", latencyMs: 7 },
    { match: {}, kind: "truncate" },
  ]);
  const v = f.evaluate(req("/me/messages"));
  assert.equal(v.latencyMs, 12);
  assert.equal(v.action?.kind, "truncate");
  assert.equal(f.evaluate(req("/me/messages", { isSubRequest: true })).action, undefined);
});

test("the control schema rejects incomplete rules", () => {
  assert.equal(faultRulesBodySchema.safeParse({ rules: [{ kind: "status" }] }).success, false);
  assert.equal(faultRulesBodySchema.safeParse({ rules: [{ kind: "latency" }] }).success, false);
  assert.equal(faultRulesBodySchema.safeParse({ rules: [{ kind: "reset", match: { pathRegex: "(" } }] }).success, false);
  assert.equal(faultRulesBodySchema.safeParse({ rules: [{ kind: "status", status: 503, retryAfterSeconds: 2 }], seed: 7 }).success, true);
});

test("hold rules park requests until released; clearing the rules releases them too", async () => {
  const f = new FaultInjector();
  f.set([{ match: {}, kind: "hold", count: 2 }]);
  assert.equal(f.evaluate(req("/me/messages")).hold, true);
  assert.equal(f.evaluate(req("/me/messages")).hold, true);
  assert.equal(f.evaluate(req("/me/messages")).hold, false, "count reached");
  let resumed = 0;
  const a = f.waitForRelease().then(() => resumed++);
  const b = f.waitForRelease().then(() => resumed++);
  assert.equal(f.heldCount(), 2);
  assert.equal(f.release(), 2);
  await Promise.all([a, b]);
  assert.equal(resumed, 2);
  const c = f.waitForRelease();
  f.clear();
  await c;
});
