/**
 * A throttling storm: Graph answers a share of requests with 429 (and 503) carrying Retry-After,
 * including a 429 sub-response inside the $batch that resolves well-known folders, while two
 * mailboxes sync at once with more folder workers than Outlook's 4-concurrent limit. The emulator's
 * stats must show at most 4 requests in flight per mailbox and no request before a Retry-After.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestbed, type Testbed } from "./test-kit";

let bed: Testbed;

before(async () => {
  bed = await startTestbed({
    seed: "storm",
    sizes: { messagesPerMailbox: 300, eventsPerMailbox: 20, teamMembers: 2, customers: 4, contactsPerCustomer: 2 },
    connect: 2,
    // Small pages and more folder workers than the mailbox allows: plenty of parallel pressure.
    config: { deltaPageSize: 15, folderConcurrency: 8 },
  });
});

after(async () => {
  await bed?.close();
});

describe("throttling storm", () => {
  test("Retry-After is honoured per mailbox and no mailbox ever has more than 4 requests in flight", async () => {
    await bed.control("/pipeline/stats/reset", {});
    // A little latency so requests of one mailbox overlap the way they do against the real service.
    await bed.control("/pipeline/limits", { latencyMs: 15 });
    await bed.control("/pipeline/faults", {
      seed: 7,
      rules: [
        { match: { pathRegex: "^/me/mailFolders/drafts" }, kind: "status", status: 429, retryAfterSeconds: 1, count: 2 },
        { match: { method: "GET", pathRegex: "/delta" }, kind: "status", status: 429, retryAfterSeconds: 1, rate: 0.12, count: 10 },
        { match: { method: "GET", pathRegex: "/delta" }, kind: "status", status: 503, retryAfterSeconds: 1, rate: 0.05, count: 3 },
      ],
    });
    const outcomes = await Promise.all(bed.members.map((m) => bed.engine.runHistorySync(m.memberId)));
    for (const o of outcomes) assert.ok(o.ok && o.historyDone, JSON.stringify(o));
    const rules = (await bed.control("/pipeline/faults")).rules as Array<{ hits: number }>;
    assert.ok(rules[0]!.hits >= 1, "a $batch sub-response was throttled");
    assert.ok(rules[1]!.hits >= 3, `the storm hit (${rules[1]!.hits} throttles)`);
    for (const m of bed.members) {
      const stats = await bed.stats(m.oid);
      if (process.env.DEBUG_SYNC) console.log(JSON.stringify({ ...stats, byApp: undefined }));
      assert.ok(stats.peakConcurrency <= 4, `peak concurrency ${stats.peakConcurrency} for ${m.oid}`);
      assert.equal(stats.retryAfterViolations, 0, `no request before Retry-After: ${JSON.stringify(stats.violations)}`);
      assert.equal(stats.throttledConcurrency, 0, "never over the MailboxConcurrency limit");
      assert.ok(bed.engine.driver.mailboxStats(m.memberId).peakInFlight <= 4);
      await bed.control("/pipeline/faults", undefined, "DELETE");
      await bed.assertConverged(m.memberId, m.oid);
    }
  });
});
