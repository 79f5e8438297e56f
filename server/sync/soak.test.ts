/**
 * Fault soak (small): 2,000 messages and 100 events, about 10% of requests failing in mixed ways
 * (429 and 503 with Retry-After, 500, connection resets, bodies cut mid-JSON, 410 on delta, 401),
 * with live changes between runs and during them. Runs repeat until one completes; then, faults
 * off, the facts must equal the ground truth with no duplicates, and the emulator must have seen
 * no Retry-After violation and never more than 4 requests in flight.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mulberry32 } from "../../shared/random";
import { startTestbed, type Testbed } from "./test-kit";

let bed: Testbed;

before(async () => {
  bed = await startTestbed({
    seed: "soak",
    sizes: { messagesPerMailbox: 2000, eventsPerMailbox: 100, teamMembers: 1, customers: 8, contactsPerCustomer: 3 },
    config: { deltaPageSize: 40, folderConcurrency: 4 },
  });
});

after(async () => {
  await bed?.close();
});

describe("fault soak", () => {
  test("ends equal to the ground truth despite ~10% mixed faults and live changes", async () => {
    const random = mulberry32(42);
    await bed.control("/pipeline/stats/reset", {});
    await bed.control("/pipeline/limits", { latencyMs: 5 });
    await bed.control("/pipeline/faults", {
      seed: 1234,
      rules: [
        { match: { method: "GET" }, kind: "status", status: 429, retryAfterSeconds: 1, rate: 0.02 },
        { match: { method: "GET" }, kind: "status", status: 503, retryAfterSeconds: 1, rate: 0.01 },
        { match: { method: "GET" }, kind: "status", status: 500, rate: 0.01 },
        { match: { method: "GET" }, kind: "reset", rate: 0.02 },
        { match: { method: "GET" }, kind: "truncate", rate: 0.02 },
        { match: { method: "GET" }, kind: "delta410", rate: 0.01 },
        { match: { method: "GET" }, kind: "401", rate: 0.01 },
      ],
    });

    const live = async (n: number) => {
      const truth = await bed.groundTruth();
      const inWindow = truth.messages.filter((m) => m.folderWellKnownName !== "drafts");
      for (let i = 0; i < n; i++) {
        const pick = inWindow[Math.floor(random() * inWindow.length)]!;
        const roll = random();
        const id = encodeURIComponent(pick.immutableId);
        try {
          if (roll < 0.35) {
            await bed.control(`/graph/mailboxes/${bed.oid}/messages/${id}/move`, { folder: ["archive", "inbox", "sentitems", "deleteditems"][Math.floor(random() * 4)] });
          } else if (roll < 0.55) {
            await bed.control(`/graph/mailboxes/${bed.oid}/messages/${id}`, undefined, "DELETE");
          } else {
            const at = new Date(Date.now() - Math.floor(random() * 90) * 86400_000).toISOString();
            await bed.control(`/graph/mailboxes/${bed.oid}/messages`, {
              folder: random() < 0.5 ? "inbox" : "sentitems",
              message: { subject: `soak ${i}`, internetMessageId: `<soak-${i}-${random()}@x.test>`, receivedDateTime: at, sentDateTime: at, from: { emailAddress: { address: `p${i}@customer.test` } }, toRecipients: [{ emailAddress: { address: "me@example.test" } }] },
            });
          }
        } catch {
          // The message was already moved away or deleted by an earlier pick: fine.
        }
      }
    };

    // Changes while a run is under way, too: made between two pages of whichever folder is being read.
    let pagesSeen = 0;
    let moving = true;
    const engine = bed.restartEngine({
      importFault: (point) => {
        if (!moving || point !== "after-commit" || ++pagesSeen % 7 !== 0) return;
        const truth = bed.emu.graph.store.groundTruth(bed.oid);
        const pick = truth.messages[Math.floor(random() * truth.messages.length)];
        if (pick && pick.folderWellKnownName !== "deleteditems") {
          try {
            bed.emu.graph.store.moveMessage(bed.oid, pick.immutableId, random() < 0.5 ? "archive" : "inbox");
          } catch {
            // gone meanwhile
          }
        }
      },
    });

    let completed = 0;
    for (let round = 0; round < 60 && completed < 10; round++) {
      const outcome = await engine.runMailbox(bed.memberId);
      if (outcome.ok && outcome.historyDone) completed++;
      if (process.env.DEBUG_SYNC) console.log(round, outcome.ok, outcome.historyDone, outcome.requests, outcome.error);
      await live(8);
    }
    assert.ok(completed >= 5, `runs complete despite the faults (${completed})`);
    const rules = (await bed.control("/pipeline/faults")).rules as Array<{ kind: string; hits: number }>;
    const hits = Object.fromEntries(rules.map((r) => [`${r.kind}`, r.hits]));
    assert.ok(rules.reduce((n, r) => n + r.hits, 0) >= 15, `faults fired: ${JSON.stringify(hits)}`);
    if (process.env.DEBUG_SYNC) console.log(rules.map((r) => `${r.kind}:${r.hits}`).join(" "), "facts", bed.engine.store.mailFacts(bed.memberId).length);

    await bed.control("/pipeline/faults", undefined, "DELETE");
    moving = false;
    const final = await engine.runMailbox(bed.memberId);
    assert.ok(final.ok, JSON.stringify(final));
    await bed.assertConverged();
    const stats = await bed.stats();
    assert.equal(stats.retryAfterViolations, 0, JSON.stringify(stats.violations));
    assert.ok(stats.peakConcurrency <= 4);
  });
});
