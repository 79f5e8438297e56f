import assert from "node:assert/strict";
import { test } from "node:test";
import { createSemaphore, validateBatch } from "./batch";

const r = (id: string, extra: Record<string, unknown> = {}) => ({ id, method: "GET", url: "/me/messages", ...extra });

test("a batch has 1..20 requests with unique (case-insensitive) ids", () => {
  assert.equal(validateBatch({ requests: Array.from({ length: 20 }, (_, i) => r(String(i))) }).length, 20);
  assert.match(validateBatch({ requests: Array.from({ length: 21 }, (_, i) => r(String(i))) }) as string, /maximum of 20/);
  assert.match(validateBatch({ requests: [r("a"), r("A")] }) as string, /duplicate/);
  assert.equal(typeof validateBatch({}), "string");
  assert.equal(typeof validateBatch({ requests: [] }), "string");
});

test("a body needs a Content-Type header; dependsOn must name requests of the batch, without cycles", () => {
  assert.match(validateBatch({ requests: [r("1", { method: "POST", body: { a: 1 } })] }) as string, /Content-Type/);
  assert.ok(Array.isArray(validateBatch({ requests: [r("1", { method: "POST", body: {}, headers: { "content-type": "application/json" } })] })));
  assert.match(validateBatch({ requests: [r("1", { dependsOn: ["9"] })] }) as string, /not in the batch/);
  assert.match(validateBatch({ requests: [r("1", { dependsOn: ["2"] }), r("2", { dependsOn: ["1"] })] }) as string, /cycle/);
});

test("the semaphore admits at most max holders", async () => {
  const limit = createSemaphore(2);
  let active = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      const release = await limit();
      active++;
      peak = Math.max(peak, active);
      await new Promise((res) => setImmediate(res));
      active--;
      release();
    }),
  );
  assert.equal(peak, 2);
});
