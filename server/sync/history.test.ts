/**
 * The history sync of a generated mailbox against the real emulator: facts equal the emulator's
 * ground truth inside the window (mail in every correspondence folder, child folders included;
 * events of the calendar view), with no duplicates; an idle cycle costs one request per folder
 * plus the folder listing and the calendar; the status provider reports progress and the last sync.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestbed, type Testbed } from "./test-kit";

let bed: Testbed;

before(async () => {
  bed = await startTestbed({ seed: "tiny", sizes: { messagesPerMailbox: 400, eventsPerMailbox: 30, teamMembers: 2 } });
});

after(async () => {
  await bed?.close();
});

describe("history sync", () => {
  test("reads the 6-month history: facts equal the ground truth, no duplicates", async () => {
    // Connecting queued the history: the pane says "importing" from the start, with no estimate yet.
    assert.deepEqual(await bed.ctx.syncStatus.getSyncStatus(bed.memberId), { initialSync: true, progress: null, lastSyncAt: null, failing: null });
    // Look at the status the pane would get while the history is being read.
    const seen: Array<{ initialSync: boolean; done: number; estimated: number | null }> = [];
    let pages = 0;
    const engine = bed.restartEngine({
      config: { deltaPageSize: 25 },
      importFault: (point) => {
        if (point !== "after-commit" || ++pages % 4 !== 0) return;
        const snapshot = (bed.ctx.syncStatus.getSyncStatus(bed.memberId) as Awaited<ReturnType<typeof bed.ctx.syncStatus.getSyncStatus>>)!;
        seen.push({ initialSync: snapshot.initialSync, done: snapshot.progress?.itemsDone ?? -1, estimated: snapshot.progress?.itemsEstimated ?? null });
      },
    });
    const outcome = await engine.runHistorySync(bed.memberId);
    assert.ok(seen.length >= 3, `status sampled ${seen.length} times`);
    for (const s of seen) {
      assert.equal(s.initialSync, true);
      assert.ok(s.estimated !== null && s.done <= s.estimated, JSON.stringify(s));
    }
    assert.ok(seen.at(-1)!.done > seen[0]!.done, "progress moves");
    assert.ok(outcome.ok && outcome.historyDone, JSON.stringify(outcome));
    await bed.assertConverged();

    const folders = bed.engine.store.folders(bed.memberId);
    const mailFolders = folders.filter((f) => f.kind === "mail");
    const wellKnown = mailFolders.map((f) => f.well_known).filter(Boolean).sort();
    assert.deepEqual(wellKnown, ["archive", "inbox", "sentitems"], "drafts, deleted items, junk, outbox are not synced");
    const truthFolders = (await bed.control(`/graph/mailboxes/${bed.oid}/folders`)) as Array<{ id: string; path: string }>;
    const childPaths = truthFolders.filter((f) => f.path.split("/").length >= 3).map((f) => f.id);
    assert.ok(childPaths.length > 0, "the generator nests folders (Inbox/Customers/Key accounts)");
    for (const id of childPaths) assert.ok(mailFolders.some((f) => f.folder_id === id), "grandchild folders are synced");
    assert.ok(bed.engine.store.mailFacts(bed.memberId).length > 50);
    assert.ok(bed.engine.store.eventFacts(bed.memberId).length > 5);

    const withDetails = bed.ctx.db.prepare("SELECT COUNT(*) AS n FROM test_seen_mail WHERE with_details = 0").get() as { n: number };
    assert.equal(withDetails.n, 0, "new facts are handed over with their details");
    const stored = bed.ctx.db.prepare("SELECT participants FROM sync_mail_facts LIMIT 50").all() as { participants: string }[];
    for (const r of stored) assert.ok(!r.participants.includes("@"), "no readable address is stored");
  });

  test("the status provider reports the finished history and the last sync", async () => {
    const status = await bed.ctx.syncStatus.getSyncStatus(bed.memberId);
    assert.ok(status);
    assert.equal(status.initialSync, false);
    assert.equal(status.failing, null);
    assert.ok(status.lastSyncAt);
    const res = await fetch(`${bed.server.url}/api/connection/sync-now`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(res.status, 401, "sync-now needs the pane's token");

    const token = await bed.paneToken();
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const connection = await (await fetch(`${bed.server.url}/api/connection`, { headers })).json();
    assert.equal(connection.state, "connected");
    assert.equal(connection.lastSyncAt, status.lastSyncAt);
    const bad = await fetch(`${bed.server.url}/api/connection/sync-now`, { method: "POST", headers, body: JSON.stringify({ resync: "yes" }) });
    assert.equal(bad.status, 400);
    const now = await fetch(`${bed.server.url}/api/connection/sync-now`, { method: "POST", headers, body: JSON.stringify({ resync: true }) });
    assert.equal(now.status, 202);
    assert.equal((await now.json()).state, "connected");
    assert.equal(bed.engine.store.mailbox(bed.memberId)?.resync_requested, 1, "the next run re-enumerates");
    const rerun = await bed.engine.runMailbox(bed.memberId);
    assert.ok(rerun.ok && rerun.historyDone);
    assert.equal(bed.engine.store.mailbox(bed.memberId)?.resync_requested, 0);
    await bed.assertConverged();
  });

  test("an idle cycle costs one request per folder, plus the listing and the calendar", async () => {
    await bed.control("/pipeline/stats/reset", {});
    const outcome = await bed.engine.runMailbox(bed.memberId);
    assert.ok(outcome.ok);
    const folders = bed.engine.store.folders(bed.memberId).filter((f) => f.kind === "mail");
    const truthFolders = (await bed.control(`/graph/mailboxes/${bed.oid}/folders`)) as Array<{ id: string; path: string }>;
    // Listing: /me/mailFolders plus childFolders of each listed folder that has children.
    const parents = new Set(truthFolders.map((f) => f.path.split("/").slice(0, -1).join("/")).filter((p) => p !== ""));
    const listedParents = [...parents].filter((p) => !/^(Drafts|Deleted Items|Junk Email|Outbox|Conversation History)/.test(p)).length;
    const listing = 1 + listedParents;
    assert.equal(outcome.requests, listing + folders.length + 1, `requests ${outcome.requests}: listing ${listing} + ${folders.length} folders + calendar`);
    const stats = await bed.stats();
    assert.equal(stats.requests, outcome.requests, "the emulator saw exactly those requests");
    await bed.assertConverged();
  });
});
