import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PageIterator, type PageCollection } from "@microsoft/microsoft-graph-client";
import { bulkMessages, emptySeed, startTestServer, testUser, type TestServer } from "./test-support";

const NOW = Date.parse("2025-06-02T09:00:00Z");
const BIG = "00000000-0000-4000-8000-000000000001";
const SMALL = "00000000-0000-4000-8000-000000000002";

async function collectDelta(server: TestServer, oid: string, url: string, headers: Record<string, string>) {
  const client = server.client(oid);
  const first = (await client.api(url).headers(headers).get()) as PageCollection;
  const items: any[] = [];
  const iterator = new PageIterator(client, first, (item) => {
    items.push(item);
    return true;
  }, { headers });
  await iterator.iterate();
  return { items, deltaLink: iterator.getDeltaLink() as string };
}

describe("message delta", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ now: () => NOW });
    const big = emptySeed();
    big.messages = bulkMessages(6000, "inbox", NOW - 60_000, "big");
    server.data.store.loadSeed(BIG, big, testUser(BIG, "Big Box"));
    const small = emptySeed();
    small.messages = bulkMessages(30, "inbox", NOW - 60_000, "small");
    server.data.store.loadSeed(SMALL, small, testUser(SMALL, "Small Box"));
  });
  after(() => server.close());

  it("enumerates a 6,000-message folder exactly once through PageIterator and Prefer: odata.maxpagesize", async () => {
    const { items, deltaLink } = await collectDelta(server, BIG, "/me/mailFolders/inbox/messages/delta?$select=subject,receivedDateTime", {
      Prefer: "odata.maxpagesize=500",
    });
    assert.equal(items.length, 6000);
    assert.equal(new Set(items.map((m) => m.id)).size, 6000);
    assert.match(deltaLink, /\/v1\.0\/me\/mailfolders\('[^']+'\)\/messages\/delta\?\$deltatoken=/);
    const sample = items[0];
    assert.equal(sample["@odata.type"], "#microsoft.graph.message");
    assert.ok(sample["@odata.etag"].startsWith('W/"'));
    assert.deepEqual(Object.keys(sample).sort(), ["@odata.etag", "@odata.type", "id", "receivedDateTime", "subject"]);
    // Newest first, as with $orderby=receivedDateTime desc.
    assert.ok(items[0].receivedDateTime >= items[5999].receivedDateTime);
  });

  it("returns at most 5,000 messages when the delta has a $filter, silently", async () => {
    const since = new Date(NOW - 365 * 86_400_000).toISOString();
    const { items, deltaLink } = await collectDelta(server, BIG, `/me/mailFolders/inbox/messages/delta?$filter=receivedDateTime ge ${since}&$select=id`, {
      Prefer: "odata.maxpagesize=1000",
    });
    assert.equal(items.length, 5000);
    assert.ok(deltaLink);
    const unfiltered = await collectDelta(server, BIG, "/me/mailFolders/inbox/messages/delta?$select=id", { Prefer: "odata.maxpagesize=1000" });
    assert.equal(unfiltered.items.length, 6000);
  });

  it("uses 10 items per page by default, reports the applied page size, and keeps options in the token", async () => {
    const client = server.client(SMALL);
    const raw = await server.raw(SMALL, "/me/mailFolders/inbox/messages/delta?$select=subject");
    assert.equal(raw.status, 200);
    assert.equal(raw.body.value.length, 10);
    assert.match(raw.headers.get("content-type")!, /^application\/json;odata\.metadata=minimal;odata\.streaming=true;IEEE754Compatible=false;charset=utf-8$/);
    const second = await client.api(raw.body["@odata.nextLink"]).header("Prefer", "odata.maxpagesize=7").responseType("raw" as never).get();
    assert.equal(second.headers.get("preference-applied"), "odata.maxpagesize=7");
    const page = await second.json();
    assert.equal(page.value.length, 7);
    assert.deepEqual(Object.keys(page.value[0]).sort(), ["@odata.etag", "@odata.type", "id", "subject"]);
  });

  it("rejects filters and orderings Graph does not support on message delta", async () => {
    const bad = await server.raw(SMALL, "/me/mailFolders/inbox/messages/delta?$filter=isRead eq false");
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error.code);
    assert.ok(bad.body.error.innerError["request-id"]);
    assert.ok(bad.body.error.innerError.date);
    const order = await server.raw(SMALL, "/me/mailFolders/inbox/messages/delta?$orderby=receivedDateTime asc");
    assert.equal(order.status, 400);
    const ok = await server.raw(SMALL, "/me/mailFolders/inbox/messages/delta?$orderby=receivedDateTime desc&$top=3");
    assert.equal(ok.status, 200);
    assert.equal(ok.body.value.length, 10, "$top is ignored on message delta");
  });
});

describe("message ids, moves and deletions in delta", () => {
  let server: TestServer;
  const OID = "00000000-0000-4000-8000-000000000010";
  before(async () => {
    server = await startTestServer({ now: () => NOW });
    const seed = emptySeed();
    seed.messages = bulkMessages(25, "inbox", NOW - 60_000, "mv");
    server.data.store.loadSeed(OID, seed, testUser(OID));
  });
  after(() => server.close());

  it("changes a message's id when it moves (regular ids) and reports the move as @removed + a new item", async () => {
    const headers = { Prefer: "odata.maxpagesize=100" };
    const inbox = await collectDelta(server, OID, "/me/mailFolders/inbox/messages/delta?$select=subject,internetMessageId", headers);
    const archive = await collectDelta(server, OID, "/me/mailFolders/archive/messages/delta?$select=subject,internetMessageId", headers);
    assert.equal(inbox.items.length, 25);
    assert.equal(archive.items.length, 0);
    const target = inbox.items.find((m) => m.subject === "mv 3")!;
    const oldId: string = target.id;
    const before = await server.client(OID).api(`/me/messages/${oldId}`).select("subject").get();
    assert.equal(before.subject, "mv 3");

    const moved = await server.control("POST", `/mailboxes/${OID}/messages/${encodeURIComponent(oldId)}/move`, { folder: "archive" });
    assert.equal(moved.status, 200);
    assert.notEqual(moved.body.id, oldId);

    await assert.rejects(server.client(OID).api(`/me/messages/${oldId}`).get(), (err: any) => err.statusCode === 404 && err.code === "ErrorItemNotFound");

    const inbox2 = await collectDelta(server, OID, inbox.deltaLink, headers);
    assert.deepEqual(inbox2.items, [{ "@odata.type": "#microsoft.graph.message", id: oldId, "@removed": { reason: "deleted" } }]);
    const archive2 = await collectDelta(server, OID, archive.deltaLink, headers);
    assert.equal(archive2.items.length, 1);
    assert.equal(archive2.items[0].internetMessageId, target.internetMessageId);
    assert.equal(archive2.items[0].id, moved.body.id);
    assert.notEqual(archive2.items[0].id, oldId);
    const fetched = await server.client(OID).api(`/me/messages/${archive2.items[0].id}`).select("parentFolderId").get();
    assert.ok(fetched.parentFolderId);
  });

  it("keeps the id stable across moves with Prefer: IdType=\"ImmutableId\"", async () => {
    const headers = { Prefer: 'odata.maxpagesize=100, IdType="ImmutableId"' };
    const inbox = await collectDelta(server, OID, "/me/mailFolders/inbox/messages/delta?$select=subject", headers);
    const junk = await collectDelta(server, OID, "/me/mailFolders/junkemail/messages/delta?$select=subject", headers);
    const target = inbox.items.find((m) => m.subject === "mv 5")!;
    const moved = await server.control("POST", `/mailboxes/${OID}/messages/${encodeURIComponent(target.id)}/move`, { folder: "junkemail" });
    assert.equal(moved.body.immutableId, target.id);
    const again = await server.client(OID).api(`/me/messages/${target.id}`).header("Prefer", 'IdType="ImmutableId"').select("subject").get();
    assert.equal(again.id, target.id);
    const inbox2 = await collectDelta(server, OID, inbox.deltaLink, headers);
    assert.deepEqual(inbox2.items.map((i) => [i.id, !!i["@removed"]]), [[target.id, true]]);
    const junk2 = await collectDelta(server, OID, junk.deltaLink, headers);
    assert.deepEqual(junk2.items.map((i) => [i.id, !!i["@removed"]]), [[target.id, false]]);
  });

  it("reports deletions and updates, and honours changeType", async () => {
    const headers = { Prefer: "odata.maxpagesize=100" };
    const all = await collectDelta(server, OID, "/me/mailFolders/inbox/messages/delta?$select=isRead", headers);
    const createdOnly = await collectDelta(server, OID, "/me/mailFolders/inbox/messages/delta?changeType=created&$select=isRead", headers);
    const victim = all.items[0];
    const updated = all.items[1];
    await server.control("DELETE", `/mailboxes/${OID}/messages/${encodeURIComponent(victim.id)}`);
    await server.control("PATCH", `/mailboxes/${OID}/messages/${encodeURIComponent(updated.id)}`, { isRead: !updated.isRead });
    const added = await server.control("POST", `/mailboxes/${OID}/messages`, {
      folder: "inbox",
      message: { subject: "fresh", receivedDateTime: new Date(NOW - 1000).toISOString(), from: { emailAddress: { address: "x@y.test" } } },
    });
    assert.equal(added.status, 201);
    const round = await collectDelta(server, OID, all.deltaLink, headers);
    const byId = new Map(round.items.map((i) => [i.id, i]));
    assert.deepEqual(byId.get(victim.id)!["@removed"], { reason: "deleted" });
    assert.equal(byId.get(updated.id)!.isRead, !updated.isRead);
    assert.ok(byId.get(added.body.id));
    assert.equal(round.items.length, 3);
    const created = await collectDelta(server, OID, createdOnly.deltaLink, headers);
    assert.deepEqual(created.items.map((i) => i.id), [added.body.id]);
    const quiet = await collectDelta(server, OID, round.deltaLink, headers);
    assert.equal(quiet.items.length, 0);
  });

  it("answers 410 SyncStateNotFound once delta tokens are expired", async () => {
    const headers = { Prefer: "odata.maxpagesize=5" };
    const client = server.client(OID);
    const first = await client.api("/me/mailFolders/inbox/messages/delta").headers(headers).get();
    const done = await collectDelta(server, OID, "/me/mailFolders/inbox/messages/delta", headers);
    const expired = await server.control("POST", "/delta/expire", { oid: OID, folder: "inbox" });
    assert.equal(expired.status, 200);
    for (const link of [first["@odata.nextLink"], done.deltaLink]) {
      const res = await server.raw(OID, link);
      assert.equal(res.status, 410);
      assert.equal(res.body.error.code.toLowerCase(), "syncstatenotfound");
      assert.ok(res.headers.get("location"));
      await assert.rejects(client.api(link).get(), (err: any) => err.statusCode === 410);
    }
    const garbage = await server.raw(OID, "/me/mailFolders/inbox/messages/delta?$deltatoken=not-a-token");
    assert.equal(garbage.status, 410);
  });

  it("can open a first round with @removed entries and answer empty pages that still have a nextLink", async () => {
    await server.control("PUT", "/knobs", { firstRoundRemovals: 5, emptyPageProbability: 0.4 });
    try {
      const { items } = await collectDelta(server, OID, "/me/mailFolders/inbox/messages/delta?$select=id", { Prefer: "odata.maxpagesize=4" });
      const removed = items.filter((i) => i["@removed"]);
      assert.ok(removed.length >= 1, "earlier deletions and moves show up as @removed");
      const truth = server.data.store.groundTruth(OID).messages.filter((m) => m.folderWellKnownName === "inbox");
      const live = new Set(items.filter((i) => !i["@removed"]).map((i) => i.id));
      assert.deepEqual([...live].sort(), truth.map((m) => m.id).sort());
      assert.ok(removed.every((r) => !live.has(r.id)));
    } finally {
      await server.control("PUT", "/knobs", { firstRoundRemovals: 0, emptyPageProbability: 0 });
    }
  });

  it("can replay the previous page's items without losing any (the emulator's duplicate knob)", async () => {
    // Certainty, not a coin: whether a page replays is drawn from its token (which carries the time), so
    // with 0.5 a short folder sometimes drew no replay at all and the test failed by chance. At 1 every
    // page after the first replays its predecessor once, and the round still ends.
    const put = await server.control("PUT", "/knobs", { replayProbability: 1 });
    assert.equal(put.body.replayProbability, 1);
    try {
      const { items } = await collectDelta(server, OID, "/me/mailFolders/inbox/messages/delta?$select=id", { Prefer: "odata.maxpagesize=3" });
      const unique = new Set(items.map((i) => i.id));
      const truth = server.data.store.groundTruth(OID).messages.filter((m) => m.folderWellKnownName === "inbox");
      assert.equal(unique.size, truth.length);
      assert.ok(items.length > unique.size, "some items were replayed");
    } finally {
      await server.control("PUT", "/knobs", { replayProbability: 0 });
    }
  });
});
