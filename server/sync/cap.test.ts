/**
 * Graph's filtered message delta returns at most 5,000 messages. A folder with more than that in
 * the 6-month window must still be synced completely — by backfilling the older part of the window
 * with the list endpoint — without enumerating anything twice (requests ≤ 1.1 × the minimum for
 * 1,000-item pages), and its incremental delta afterwards must see changes in that older part too.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestbed, type Testbed } from "./test-kit";

let bed: Testbed;
const BIG = 5_600;

function seedMessage(i: number, receivedMs: number) {
  const at = new Date(receivedMs).toISOString();
  return {
    subject: `Bulk ${i}`,
    internetMessageId: `<bulk-${i}@customer.test>`,
    conversationId: `conv-bulk-${i % 300}`,
    receivedDateTime: at,
    sentDateTime: at,
    isRead: true,
    from: { emailAddress: { name: `Sender ${i % 40}`, address: `sender${i % 40}@customer.test` } },
    toRecipients: [{ emailAddress: { name: "Me", address: "me@example.test" } }],
  };
}

before(async () => {
  bed = await startTestbed({ seed: "cap", sizes: { messagesPerMailbox: 40, eventsPerMailbox: 4, teamMembers: 1, customers: 3, contactsPerCustomer: 2 } });
  const now = Date.now();
  const span = 150 * 86400_000; // five months: all inside the window
  for (let i = 0; i < BIG; i++) {
    // Some messages share a second, so the keyset boundary of the backfill is exercised.
    bed.emu.graph.store.addMessage(bed.oid, "inbox", seedMessage(i, now - 3600_000 - Math.floor((i / BIG) * span / 1000) * 1000));
  }
});

after(async () => {
  await bed?.close();
});

describe("a folder over the 5,000-message cap of the filtered delta", () => {
  test("is synced completely, with requests within 1.1 × the minimum", async () => {
    await bed.control("/pipeline/stats/reset", {});
    const outcome = await bed.engine.runHistorySync(bed.memberId);
    assert.ok(outcome.ok && outcome.historyDone, JSON.stringify(outcome));
    await bed.assertConverged();

    const inbox = bed.engine.store.folders(bed.memberId).find((f) => f.well_known === "inbox")!;
    const inboxFacts = bed.engine.store.mailFacts(bed.memberId).filter((f) => f.folderId === inbox.folder_id);
    assert.ok(inboxFacts.length > BIG, `inbox holds ${inboxFacts.length} facts`);

    // The minimum for 1,000-item pages: per folder ceil(n/1000) (≥ 1), but a capped folder needs
    // 5 delta pages for its newest 5,000 plus list pages for the rest; the calendar; the listing.
    const expected = await bed.expected();
    const perFolder = new Map<string, number>();
    for (const folderId of expected.mail.values()) perFolder.set(folderId, (perFolder.get(folderId) ?? 0) + 1);
    const mailFolders = bed.engine.store.folders(bed.memberId).filter((f) => f.kind === "mail");
    let minimum = 0;
    for (const f of mailFolders) {
      const n = perFolder.get(f.folder_id) ?? 0;
      minimum += n > 5000 ? 5 + Math.ceil((n - 5000) / 1000) : Math.max(1, Math.ceil(n / 1000));
    }
    minimum += Math.max(1, Math.ceil(expected.events.size / 1000));
    const stats = await bed.stats();
    // The emulator counts the 8 sub-requests of the one $batch that resolves well-known folders, plus the batch.
    assert.equal(stats.requests, outcome.requests + 8, "the emulator saw the same requests");
    const fixed = 1 /* $batch of well-known folders */ + 1 /* /me/mailFolders */ + 2 /* childFolders of Inbox, Customers */;
    assert.ok(outcome.requests <= Math.ceil(1.1 * (minimum + fixed)), `requests ${outcome.requests} vs minimum ${minimum} + ${fixed}`);
    assert.ok(stats.peakConcurrency <= 4, `peak concurrency ${stats.peakConcurrency}`);
  });

  test("changes in the backfilled (older) part reach the facts through the delta", async () => {
    const inbox = bed.engine.store.folders(bed.memberId).find((f) => f.well_known === "inbox")!;
    const facts = bed.engine.store.mailFacts(bed.memberId).filter((f) => f.folderId === inbox.folder_id);
    const oldest = facts[0]!;
    const archive = bed.engine.store.folders(bed.memberId).find((f) => f.well_known === "archive")!;
    await bed.control(`/graph/mailboxes/${bed.oid}/messages/${encodeURIComponent(oldest.graphId)}/move`, { folder: "archive" });
    await bed.control(`/graph/mailboxes/${bed.oid}/messages/${encodeURIComponent(facts[1]!.graphId)}`, undefined, "DELETE");
    await bed.control(`/graph/mailboxes/${bed.oid}/messages`, { folder: "inbox", message: seedMessage(99_999, Date.now() - 60_000) });
    const outcome = await bed.engine.runMailbox(bed.memberId);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    await bed.assertConverged();
    assert.equal(bed.engine.store.mailFact(bed.memberId, oldest.graphId)?.folderId, archive.folder_id, "the moved message is one fact, now in Archive");
    assert.equal(bed.engine.store.mailFact(bed.memberId, facts[1]!.graphId), null, "the deleted one is gone");
  });
});
