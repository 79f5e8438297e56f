/**
 * Change notifications against the emulator's real subscription service and notifier: after a run
 * the mailbox is subscribed to me/messages and me/events (validation handshake passed, random
 * clientState stored); a new message pushes a (coalesced) delta run; a forged notification is
 * dropped; lifecycle events reauthorize, resync or recreate; revoke deletes the subscriptions.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isPublicHttpsUrl, LIFECYCLE_PATH, NOTIFICATION_PATH } from "./push";
import { startTestbed, type Testbed } from "./test-kit";

let bed: Testbed;

async function until(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type EmuSub = { id: string; resource: string; clientState: string; reauthorizationRequired: boolean; mailbox: string };
const emulatorSubs = async (): Promise<EmuSub[]> => ((await bed.control("/pipeline/subscriptions")).subscriptions as EmuSub[]).filter((s) => s.mailbox === bed.oid);
const storedSubs = () =>
  bed.ctx.db.prepare("SELECT id, resource, client_state FROM sync_subscriptions WHERE member_id = ? ORDER BY resource").all(bed.memberId) as Array<{ id: string; resource: string; client_state: string }>;

before(async () => {
  // PUBLIC_URL is https://localhost:…: not public, so push is switched on explicitly for the test.
  bed = await startTestbed({ seed: "push", sizes: { messagesPerMailbox: 60, eventsPerMailbox: 6, teamMembers: 1, customers: 3, contactsPerCustomer: 2 }, push: true });
  const outcome = await bed.engine.runHistorySync(bed.memberId);
  assert.ok(outcome.ok && outcome.historyDone);
});

after(async () => {
  await bed?.close();
});

describe("push", () => {
  test("only a public HTTPS PUBLIC_URL enables push by default", () => {
    assert.equal(isPublicHttpsUrl("https://sync.example.com"), true);
    for (const url of ["http://sync.example.com", "https://localhost:3000", "https://10.0.0.4", "https://192.168.1.2", "https://intranet", "https://[::1]:3000"]) {
      assert.equal(isPublicHttpsUrl(url), false, url);
    }
  });

  test("after a run the mailbox is subscribed to messages and events, each with its own stored clientState", async () => {
    await until("two subscriptions", async () => storedSubs().length === 2);
    const stored = storedSubs();
    assert.deepEqual(stored.map((s) => s.resource), ["me/events", "me/messages"]);
    assert.notEqual(stored[0]!.client_state, stored[1]!.client_state);
    const subs = await emulatorSubs();
    for (const s of stored) assert.equal(subs.find((e) => e.id === s.id)?.clientState, s.client_state);
  });

  test("the validation handshake echoes the decoded token as text/plain", async () => {
    for (const path of [NOTIFICATION_PATH, LIFECYCLE_PATH]) {
      const res = await fetch(`${bed.server.url}${path}?validationToken=${encodeURIComponent("Validation: Testing client: id 1")}`, { method: "POST", headers: { "content-type": "text/plain" }, body: "" });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
      assert.equal(await res.text(), "Validation: Testing client: id 1");
    }
  });

  test("a new message triggers a delta run through the notification; a forged one is dropped", async () => {
    assert.ok(Date.parse(bed.engine.store.mailbox(bed.memberId)!.next_due_at!) > Date.now() + 60_000, "no poll is due for minutes");
    bed.engine.start();
    try {
      const at = new Date(Date.now() - 30_000).toISOString();
      const added = await bed.control(`/graph/mailboxes/${bed.oid}/messages`, {
        folder: "inbox",
        message: { subject: "Pushed", internetMessageId: "<pushed@customer.test>", receivedDateTime: at, sentDateTime: at, from: { emailAddress: { address: "x@customer.test" } } },
      });
      await until("the pushed message to become a fact", () => bed.engine.store.mailFact(bed.memberId, added.immutableId) !== null);
      const deliveries = (await bed.control("/pipeline/notifications")).deliveries as Array<{ kind: string; state: string; url: string }>;
      assert.ok(deliveries.some((d) => d.kind === "change" && d.state === "delivered" && d.url.endsWith(NOTIFICATION_PATH)), "Graph's notification reached us");
      const sub = storedSubs()[1]!;
      assert.equal(bed.sync.push!.handleNotifications([{ subscriptionId: sub.id, clientState: "forged", changeType: "created" }]), 0);
      assert.equal(bed.sync.push!.handleNotifications([{ subscriptionId: "unknown", clientState: sub.client_state }]), 0);
      assert.equal(bed.sync.push!.handleNotifications([{ subscriptionId: sub.id, clientState: sub.client_state }]), 1);
      const res = await fetch(`${bed.server.url}${NOTIFICATION_PATH}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ value: [{ subscriptionId: sub.id, clientState: "nope" }] }) });
      assert.equal(res.status, 202);
    } finally {
      await bed.engine.stop();
    }
    await bed.assertConverged();
  });

  test("lifecycle: reauthorizationRequired reauthorizes, subscriptionRemoved recreates", async () => {
    const [events] = storedSubs();
    await bed.control(`/pipeline/subscriptions/${events!.id}/lifecycle`, { event: "reauthorizationRequired" });
    await bed.control("/pipeline/notifications/flush", {});
    await until("reauthorization", async () => (await emulatorSubs()).find((s) => s.id === events!.id)?.reauthorizationRequired === false);

    await bed.control(`/pipeline/subscriptions/${events!.id}/lifecycle`, { event: "subscriptionRemoved" });
    await bed.control("/pipeline/notifications/flush", {});
    await until("a new events subscription", () => storedSubs().some((s) => s.resource === "me/events" && s.id !== events!.id));
    const subs = await emulatorSubs();
    assert.ok(!subs.some((s) => s.id === events!.id), "the removed one is gone");
    assert.equal(subs.length, 2);
  });

  test("revoke deletes the subscriptions on Graph and here, and stops the sync", async () => {
    await bed.ctx.events.emitRevoke(bed.memberId);
    assert.equal(storedSubs().length, 0);
    assert.equal((await emulatorSubs()).length, 0);
    assert.equal(bed.engine.store.mailbox(bed.memberId)?.paused_reason, "revoked");
  });
});
