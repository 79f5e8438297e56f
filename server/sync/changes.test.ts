/**
 * After the history: live changes made through the emulator's control API (add, update, move,
 * delete; new folders; calendar edits and cancellations) converge to the ground truth; a message
 * moved between folders stays one fact whichever folder is read first; 410 / SyncStateNotFound
 * resyncs without duplicates; "resync" re-enumerates without re-announcing unchanged facts;
 * details are fetched by id; invalid_grant pauses the mailbox and keeps the data.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestbed, type Testbed } from "./test-kit";

let bed: Testbed;

function message(tag: string, receivedMs = Date.now() - 60_000) {
  const at = new Date(receivedMs).toISOString();
  return {
    subject: `Live ${tag}`,
    internetMessageId: `<live-${tag}@customer.test>`,
    conversationId: `conv-live-${tag}`,
    receivedDateTime: at,
    sentDateTime: at,
    from: { emailAddress: { name: "Customer", address: `c-${tag}@customer.test` } },
    toRecipients: [{ emailAddress: { name: "Me", address: "me@example.test" } }],
  };
}

function event(tag: string, startMs: number, extra: Record<string, unknown> = {}) {
  return {
    key: `live-${tag}`,
    subject: `Meeting ${tag}`,
    start: { dateTime: new Date(startMs).toISOString().replace("Z", ""), timeZone: "UTC" },
    end: { dateTime: new Date(startMs + 3600_000).toISOString().replace("Z", ""), timeZone: "UTC" },
    organizer: { emailAddress: { name: "Customer", address: `org-${tag}@customer.test` } },
    attendees: [{ emailAddress: { name: "Me", address: "me@example.test" }, type: "required", status: { response: "accepted" } }],
    ...extra,
  };
}

/** Well-formed, never issued. */
const NONEXISTENT_ID = "AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0AxxxxxxxxxxxxxxxxxxxxAAA=";
const mbox = () => `/graph/mailboxes/${bed.oid}`;

before(async () => {
  // One folder at a time, in folder-id order: makes "which folder is read first" controllable.
  bed = await startTestbed({ seed: "changes", sizes: { messagesPerMailbox: 150, eventsPerMailbox: 12, teamMembers: 1, customers: 4, contactsPerCustomer: 2 }, config: { folderConcurrency: 1 } });
  const outcome = await bed.engine.runHistorySync(bed.memberId);
  assert.ok(outcome.ok && outcome.historyDone);
});

after(async () => {
  await bed?.close();
});

async function syncAndCheck(): Promise<void> {
  const outcome = await bed.engine.runMailbox(bed.memberId);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  if (process.env.DEBUG_SYNC) console.log("requests", outcome.requests);
  await bed.assertConverged();
}

describe("changes after the history", () => {
  test("a moved message stays one fact, whether its old or its new folder is read first", async () => {
    const folders = bed.engine.store.folders(bed.memberId).filter((f) => f.kind === "mail");
    const sorted = [...folders].sort((a, b) => (a.folder_id < b.folder_id ? -1 : 1));
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const pick = (folderId: string) => bed.engine.store.mailFacts(bed.memberId).find((f) => f.folderId === folderId)!;
    for (const [from, to] of [
      [first, last], // @removed (old folder) is read before the add (new folder)
      [last, first], // the add is read before the @removed
    ] as const) {
      // Make sure the source folder holds something to move.
      await bed.control(`${mbox()}/messages`, { folder: from.folder_id, message: message(`mv-${from.folder_id.slice(-12, -4)}`) });
      await syncAndCheck();
      const fact = pick(from.folder_id);
      const removalsBefore = bed.listener.removals;
      const count = bed.engine.store.mailFacts(bed.memberId).length;
      await bed.control(`${mbox()}/messages/${encodeURIComponent(fact.graphId)}/move`, { folder: to.folder_id });
      await syncAndCheck();
      assert.equal(bed.engine.store.mailFact(bed.memberId, fact.graphId)?.folderId, to.folder_id, "same immutable id, new folder");
      assert.equal(bed.engine.store.mailFacts(bed.memberId).length, count, "one fact, not two, not none");
      assert.equal(bed.listener.removals, removalsBefore, "the interactions engine never saw it disappear");
    }
  });

  test("a move during the pass, after the new folder was read, is settled by asking Graph: no delete + add", async () => {
    const folders = bed.engine.store.folders(bed.memberId).filter((f) => f.kind === "mail");
    const sorted = [...folders].sort((a, b) => (a.folder_id < b.folder_id ? -1 : 1));
    const target = sorted[0]!;
    const source = sorted[sorted.length - 1]!;
    const fact = bed.engine.store.mailFacts(bed.memberId).find((f) => f.folderId === source.folder_id)!;
    let moved = false;
    const engine = bed.restartEngine({
      importFault: (point, info) => {
        // Right after the target folder's (empty) delta page is committed, the user moves the message.
        if (!moved && point === "after-commit" && info.folderId === target.folder_id) {
          moved = true;
          bed.emu.graph.store.moveMessage(bed.oid, fact.graphId, target.folder_id);
        }
      },
    });
    const removalsBefore = bed.listener.removals;
    const outcome = await engine.runMailbox(bed.memberId);
    assert.ok(outcome.ok && moved);
    assert.equal(outcome.requests, folders.length + 1 + 3 + 1, "idle cost (folders, calendar, listing) plus one $batch lookup");
    assert.equal(bed.engine.store.mailFact(bed.memberId, fact.graphId)?.folderId, target.folder_id);
    assert.equal(bed.listener.removals, removalsBefore, "never reported as removed");
    await bed.assertConverged();
    // The target folder's next delta reports the add it missed: nothing changes.
    await syncAndCheck();
    assert.equal(bed.listener.removals, removalsBefore);
  });

  test("adds, updates, deletes and moves out of synced folders converge", async () => {
    const facts = bed.engine.store.mailFacts(bed.memberId);
    const added = await bed.control(`${mbox()}/messages`, { folder: "inbox", message: message("new") });
    await bed.control(`${mbox()}/messages/${encodeURIComponent(facts[3]!.graphId)}`, { toRecipients: [{ emailAddress: { address: "someone-else@customer.test" } }] }, "PATCH");
    await bed.control(`${mbox()}/messages/${encodeURIComponent(facts[4]!.graphId)}`, undefined, "DELETE");
    await bed.control(`${mbox()}/messages/${encodeURIComponent(facts[5]!.graphId)}/move`, { folder: "deleteditems" });
    await bed.control(`${mbox()}/messages/${encodeURIComponent(facts[6]!.graphId)}/move`, { folder: "drafts" });
    await syncAndCheck();
    assert.ok(bed.engine.store.mailFact(bed.memberId, added.immutableId), "the new message is a fact");
    assert.equal(bed.engine.store.mailFact(bed.memberId, facts[5]!.graphId), null, "moved to Deleted Items: gone");
    const updated = bed.engine.store.mailFact(bed.memberId, facts[3]!.graphId)!;
    assert.notDeepEqual(updated.participants, facts[3]!.participants, "the update reached the fact");
  });

  test("a new folder (and a child of it) is picked up on the next cycle", async () => {
    const parent = await bed.control(`${mbox()}/folders`, { displayName: "Renewals 2025" });
    const child = await bed.control(`${mbox()}/folders`, { displayName: "Q3", parent: parent.id });
    await bed.control(`${mbox()}/messages`, { folder: child.id, message: message("in-new-child") });
    await syncAndCheck();
    assert.ok(bed.engine.store.folders(bed.memberId).some((f) => f.folder_id === child.id));
  });

  test("calendar: new meetings, edits, cancelled occurrences and deletions converge", async () => {
    const day = 86400_000;
    const single = await bed.control(`${mbox()}/events`, { event: event("single", Date.now() + 3 * day) });
    const seriesStart = Math.floor((Date.now() - 10 * day) / 3600_000) * 3600_000;
    const series = await bed.control(`${mbox()}/events`, {
      event: event("series", seriesStart, {
        recurrence: {
          pattern: { type: "weekly", interval: 1, firstDayOfWeek: "monday" },
          range: { type: "numbered", startDate: new Date(seriesStart).toISOString().slice(0, 10), numberOfOccurrences: 6 },
        },
      }),
    });
    await syncAndCheck();
    const truth = await bed.groundTruth();
    const occurrences = truth.events.filter((e) => e.seriesMasterImmutableId === series.immutableId);
    assert.ok(occurrences.length >= 2, `series expanded into ${occurrences.length} occurrences`);
    await bed.control(`${mbox()}/events/${encodeURIComponent(series.immutableId)}/cancel?originalStart=${encodeURIComponent(occurrences[1]!.originalStart!)}`, {});
    await bed.control(`${mbox()}/events/${encodeURIComponent(single.immutableId)}`, { subject: "Moved", start: event("x", Date.now() + 4 * day).start, end: event("x", Date.now() + 4 * day).end }, "PATCH");
    await syncAndCheck();
    const cancelled = bed.engine.store.eventFact(bed.memberId, occurrences[1]!.immutableId);
    assert.equal(cancelled?.isCancelled, true, "the cancelled occurrence is marked");
    assert.equal(cancelled?.seriesMasterId, series.immutableId);
    await bed.control(`${mbox()}/events/${encodeURIComponent(single.immutableId)}`, undefined, "DELETE");
    await syncAndCheck();
    assert.equal(bed.engine.store.eventFact(bed.memberId, single.immutableId), null);
  });

  test("410 / SyncStateNotFound resets the cursors and resyncs without duplicates", async () => {
    const facts = bed.engine.store.mailFacts(bed.memberId);
    const upsertsBefore = bed.listener.upserts;
    // Every folder's and the calendar's tokens die; meanwhile a message goes away.
    await bed.control("/graph/delta/expire", { oid: bed.oid });
    await bed.control(`${mbox()}/messages/${encodeURIComponent(facts[10]!.graphId)}`, undefined, "DELETE");
    await syncAndCheck();
    assert.equal(bed.engine.store.mailFact(bed.memberId, facts[10]!.graphId), null, "the fresh enumeration's reconcile removed it");
    assert.equal(bed.listener.upserts, upsertsBefore, "re-enumerated facts that did not change are not announced again");
    assert.ok(bed.engine.store.folders(bed.memberId).every((f) => f.generation >= 2), "every folder went through a new generation");
  });

  test("resync (sync now with resync) re-reads everything and changes nothing", async () => {
    const upsertsBefore = bed.listener.upserts;
    const removalsBefore = bed.listener.removals;
    const outcome = await bed.engine.runMailbox(bed.memberId, { resync: true });
    assert.ok(outcome.ok && outcome.historyDone);
    await bed.assertConverged();
    assert.equal(bed.listener.upserts, upsertsBefore);
    assert.equal(bed.listener.removals, removalsBefore);
  });

  test("a week later the calendar window re-anchors (fresh delta) and facts that aged out are pruned", async () => {
    // A message two days inside today's window: a week from now it is outside.
    const old = await bed.control(`${mbox()}/messages`, { folder: "inbox", message: message("aging", bed.engine.mailWindowStart().getTime() + 2 * 86400_000) });
    await syncAndCheck();
    assert.ok(bed.engine.store.mailFact(bed.memberId, old.immutableId));
    const later = () => new Date(Date.now() + 8 * 86400_000);
    const engine = bed.restartEngine({ now: later });
    const before = bed.engine.store.folder(bed.memberId, "calendar")!;
    const removalsBefore = bed.listener.removals;
    const outcome = await engine.runMailbox(bed.memberId);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    const after = bed.engine.store.folder(bed.memberId, "calendar")!;
    assert.equal(after.generation, before.generation + 1, "a new enumeration of the calendar view");
    assert.ok(after.window_start > before.window_start && after.window_end! > before.window_end!, "the window moved forward");
    assert.ok(bed.listener.removals > removalsBefore, "facts older than the new window start were pruned");
    assert.equal(bed.engine.store.mailFact(bed.memberId, old.immutableId), null);
    await bed.assertConverged(bed.memberId, bed.oid, engine);
  });

  test("details of an item are fetched by id through the same driver", async () => {
    const fact = bed.engine.store.mailFacts(bed.memberId).at(-1)!;
    const details = await bed.sync.details.fetchMessageDetails(bed.memberId, fact.graphId);
    assert.ok(details && details.subject.length > 0);
    assert.ok(details.participants.some((p) => p.role === "from"));
    const ev = bed.engine.store.eventFacts(bed.memberId)[0]!;
    const evDetails = await bed.sync.details.fetchEventDetails(bed.memberId, ev.graphId);
    assert.ok(evDetails && evDetails.subject.length > 0);
    const gone = await bed.sync.details.fetchMessageDetails(bed.memberId, NONEXISTENT_ID);
    assert.equal(gone, null, "a message that no longer exists has no details");
  });

  test("invalid_grant pauses the mailbox as connection_lost and keeps its facts", async () => {
    const count = bed.engine.store.mailFacts(bed.memberId).length;
    await bed.control(`/identity/users/${bed.oid}/revoke`, {});
    // The cached access token still works until Graph rejects it; a 401 makes the driver refresh.
    await bed.control("/pipeline/faults", { rules: [{ kind: "401", count: 1 }] });
    const outcome = await bed.engine.runMailbox(bed.memberId);
    assert.equal(outcome.ok, false);
    assert.equal(outcome.error, "connection_lost");
    assert.equal(bed.engine.store.mailbox(bed.memberId)?.paused_reason, "connection_lost");
    assert.equal(bed.ctx.connections.get(bed.memberId).state, "connection_lost");
    assert.equal(bed.engine.store.mailFacts(bed.memberId).length, count, "data kept");
    const again = await bed.engine.runMailbox(bed.memberId);
    assert.equal(again.ran, false, "a paused mailbox is not synced");
    await bed.control("/pipeline/faults", undefined, "DELETE");
  });
});

