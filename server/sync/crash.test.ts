/**
 * Crash safety: a page's facts, the listener's work and the folder's cursor commit together or not
 * at all. The import is made to throw at each step (before the page, after the facts, after the
 * listener — both inside the transaction — and after the commit), at several pages; a restarted
 * engine over the same database then finishes, and the end state equals the ground truth with no
 * duplicates. Dead claims (a crashed process, a hung run) are released or reaped.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { ImportFaultPoint } from "./store";
import { startTestbed, type Testbed } from "./test-kit";

let bed: Testbed;

class SimulatedCrash extends Error {}

function resetSyncState(): void {
  bed.ctx.db.exec(`DELETE FROM sync_mail_facts; DELETE FROM sync_event_facts; DELETE FROM sync_folders; DELETE FROM sync_mailboxes;
    DELETE FROM test_seen_mail; DELETE FROM test_seen_events;`);
}

before(async () => {
  bed = await startTestbed({
    seed: "crash",
    sizes: { messagesPerMailbox: 200, eventsPerMailbox: 16, teamMembers: 1, customers: 4, contactsPerCustomer: 2 },
    // Many small pages, one folder at a time: the k-th page is a different place on each run.
    config: { deltaPageSize: 10, folderConcurrency: 1 },
  });
});

after(async () => {
  await bed?.close();
});

describe("crash safety", () => {
  const points: ImportFaultPoint[] = ["before-page", "after-facts", "after-listener", "after-commit"];
  for (const point of points) {
    test(`a crash ${point} (at pages 2, 9 and 23) resumes to the same end state`, async () => {
      resetSyncState();
      for (const page of [2, 9, 23]) {
        let calls = 0;
        let crashed = false;
        const crashing = bed.restartEngine({
          importFault: (p) => {
            // Once "dead", the process writes nothing more: every later page fails before its transaction.
            if (crashed) throw new SimulatedCrash("the process is gone");
            if (p === point && ++calls === page) {
              crashed = true;
              throw new SimulatedCrash(`crash ${point} at page ${page}`);
            }
          },
        });
        const outcome = await crashing.runMailbox(bed.memberId);
        if (crashed) assert.equal(outcome.ok, false, "the crashed run did not complete");
        // A live change between the crash and the restart.
        const facts = bed.engine.store.mailFacts(bed.memberId);
        if (facts.length > 0) await bed.control(`/graph/mailboxes/${bed.oid}/messages/${encodeURIComponent(facts[0]!.graphId)}/move`, { folder: "archive" });
      }
      const restarted = bed.restartEngine();
      const outcome = await restarted.runHistorySync(bed.memberId);
      assert.ok(outcome.ok && outcome.historyDone, JSON.stringify(outcome));
      await bed.assertConverged();
    });
  }

  test("a claim left by a crashed process is released at start; a hung run is reaped", async () => {
    const mb = bed.engine.store.ensureMailbox(bed.memberId);
    assert.equal(mb.run_id, null);
    bed.ctx.db.prepare("UPDATE sync_mailboxes SET run_id = 'dead-process', heartbeat_at = ? WHERE member_id = ?").run(new Date().toISOString(), bed.memberId);
    const blocked = await bed.restartEngine().runMailbox(bed.memberId);
    assert.equal(blocked.ran, false, "a held claim keeps a second run out");
    const fresh = bed.restartEngine({ config: { pollIntervalMs: 3600_000, tickMs: 3600_000 } });
    fresh.start();
    await fresh.stop();
    assert.equal(bed.engine.store.mailbox(bed.memberId)?.run_id, null, "start() released the dead claim");

    bed.ctx.db
      .prepare("UPDATE sync_mailboxes SET run_id = 'hung-run', heartbeat_at = ?, next_due_at = ? WHERE member_id = ?")
      .run(new Date(Date.now() - 3600_000).toISOString(), new Date(Date.now() + 3600_000).toISOString(), bed.memberId);
    const reaper = bed.restartEngine({ config: { stuckAfterMs: 60_000 } });
    await reaper.tick();
    const after = bed.engine.store.mailbox(bed.memberId)!;
    assert.ok(after.run_id === null || after.run_id !== "hung-run", "the stuck run was reset");
    const outcome = await reaper.runMailbox(bed.memberId);
    assert.ok(outcome.ran && outcome.ok, JSON.stringify(outcome));
    await bed.assertConverged();
  });
});
