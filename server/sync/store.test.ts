/**
 * The import and the address keyer without Graph: malformed items are skipped (and reported)
 * while the rest of the page applies; replays change nothing; a move's @removed never deletes the
 * fact another folder now holds; the keyer normalises and separates addresses from domains.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { describe, test } from "node:test";
import { openDatabase } from "../db/database";
import { createOrganisation, upsertTeamMembers } from "../directory/service";
import { Vault } from "../security/vault";
import { createAddressKeyer, createAddressKeyStore } from "./address-keys";
import type { FactChanges } from "./facts";
import { dateTimeTimeZoneToIso, type GraphMessage } from "./mapping";
import { SyncStore, type SkippedItem } from "./store";

function setup() {
  const db = openDatabase(":memory:");
  const org = createOrganisation(db, "Org");
  upsertTeamMembers(db, org, [{ externalId: "m", name: "M", primaryAddress: "m@org.test" }]);
  const memberId = (db.prepare("SELECT id FROM team_members").get() as { id: string }).id;
  const changes: FactChanges[] = [];
  const skipped: SkippedItem[] = [];
  const keys = createAddressKeyStore(db, new Vault(crypto.randomBytes(32)));
  const store = new SyncStore(db, { listener: { onFactsChanged: (c) => changes.push(structuredClone(c)) }, keyerFor: (id) => keys.forMember(id), onSkipped: (s) => skipped.push(s) });
  const runId = "run-1";
  assert.ok(store.claim(memberId, runId, new Date()));
  const windowStart = "2025-01-01T00:00:00.000Z";
  store.upsertMailFolder(memberId, "A", { wellKnown: "inbox", totalItems: 3, windowStart });
  store.upsertMailFolder(memberId, "B", { wellKnown: null, totalItems: 0, windowStart });
  return { db, memberId, store, runId, changes, skipped, keys };
}

const msg = (id: unknown, received: unknown, extra: Record<string, unknown> = {}): GraphMessage => ({
  id,
  receivedDateTime: received,
  internetMessageId: `<${String(id)}@x.test>`,
  from: { emailAddress: { address: "Jane.Doe@Customer.TEST", name: "Jane" } },
  toRecipients: [{ emailAddress: { address: "m@org.test" } }, { emailAddress: { address: "/o=ExchangeLabs/ou=Exchange/cn=Recipients/cn=abc" } }],
  subject: "Hello",
  ...extra,
}) as GraphMessage;

describe("import", () => {
  test("a malformed item is skipped and reported; the rest of the page applies", () => {
    const { memberId, store, runId, changes, skipped } = setup();
    const result = store.applyMailPage(memberId, runId, "A", [msg(undefined, "2025-03-01T10:00:00Z"), msg("bad-date", "not a date"), msg("ok", "2025-03-01T10:00:00Z"), null as never], {
      cursor: "next-1",
    });
    assert.equal(result.upserted, 1);
    assert.equal(result.skipped, 3);
    assert.deepEqual(skipped.map((s) => s.reason).slice(0, 2), ["message without id", "message with missing or invalid receivedDateTime"]);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.upsertedMail[0]!.graphId, "ok");
    assert.equal(store.folder(memberId, "A")!.cursor, "next-1");
    const fact = store.mailFact(memberId, "ok")!;
    const x500 = fact.participants.find((p) => p.s === 0)!;
    assert.equal(x500.d, "", "a non-SMTP address has no domain");
    assert.ok(!JSON.stringify(fact).includes("customer.test"), "no readable address in the fact");
  });

  test("replays change nothing; a move's late @removed does not delete the moved fact; an early one is taken back", () => {
    const { memberId, store, runId, changes } = setup();
    store.applyMailPage(memberId, runId, "A", [msg("m1", "2025-03-01T10:00:00Z"), msg("m2", "2025-03-02T10:00:00Z")], { cursor: "d1" });
    const calls = changes.length;
    store.applyMailPage(memberId, runId, "A", [msg("m1", "2025-03-01T10:00:00Z")], { cursor: "d2" });
    assert.equal(changes.length, calls, "a replayed item is not announced again");
    // m1 moves A → B: B's add first, then A's @removed.
    store.applyMailPage(memberId, runId, "B", [msg("m1", "2025-03-01T10:00:00Z")], { cursor: "b1" });
    store.applyMailPage(memberId, runId, "A", [{ id: "m1", "@removed": { reason: "deleted" } }], { cursor: "d3" });
    assert.equal(store.mailFact(memberId, "m1")!.folderId, "B");
    // m2 moves A → B: A's @removed first (pending), then B's add takes it back.
    store.applyMailPage(memberId, runId, "A", [{ id: "m2", "@removed": { reason: "deleted" } }, { id: "never-seen", "@removed": { reason: "deleted" } }], { cursor: "d4" });
    assert.deepEqual(store.pendingRemovals(memberId), ["m2"], "pending until Graph says where it is");
    store.applyMailPage(memberId, runId, "B", [msg("m2", "2025-03-02T10:00:00Z")], { cursor: "b2" });
    assert.deepEqual(store.pendingRemovals(memberId), [], "taken back by the new folder's add");
    assert.deepEqual(store.resolvePending(memberId, runId, [{ graphId: "m2", folderId: null }]), { moved: 0, removed: 0 }, "a late answer does not undo that");
    assert.equal(store.mailFacts(memberId).length, 2);
    assert.ok(!changes.some((c) => c.removedMailIds.length > 0), "never announced as removed");
  });

  test("pending facts follow what Graph says by id: moved (kept, silently), gone or out of scope (removed, announced)", () => {
    const { memberId, store, runId, changes } = setup();
    store.applyMailPage(memberId, runId, "A", [msg("x", "2025-03-01T10:00:00Z"), msg("y", "2025-03-01T11:00:00Z"), msg("z", "2025-03-01T12:00:00Z")], { cursor: "d1" });
    store.applyMailPage(memberId, runId, "A", ["x", "y", "z"].map((id) => ({ id, "@removed": { reason: "deleted" } })), { cursor: "d2" });
    const before = changes.length;
    const result = store.resolvePending(memberId, runId, [
      { graphId: "x", folderId: "B" },
      { graphId: "y", folderId: null },
      { graphId: "z", folderId: "deleted-items-id" },
    ]);
    assert.deepEqual(result, { moved: 1, removed: 2 });
    assert.equal(store.mailFact(memberId, "x")!.folderId, "B");
    assert.deepEqual(changes.slice(before).flatMap((c) => c.removedMailIds).sort(), ["y", "z"]);
    assert.deepEqual(store.pendingRemovals(memberId), []);
  });

  test("a write from a run that lost its claim is refused and leaves nothing", () => {
    const { memberId, store, changes } = setup();
    assert.throws(() => store.applyMailPage(memberId, "someone-else", "A", [msg("m1", "2025-03-01T10:00:00Z")], { cursor: "x" }), /no longer holds/);
    assert.equal(store.mailFacts(memberId).length, 0);
    assert.equal(changes.length, 0);
  });
});

describe("address keys", () => {
  test("normalised, keyed per organisation, addresses and domains apart", () => {
    const { db, keys } = setup();
    const orgId = (db.prepare("SELECT id FROM organisations").get() as { id: string }).id;
    const k = keys.forOrganisation(orgId);
    assert.equal(k.addressKey(" Jane.Doe@Customer.TEST "), k.addressKey("jane.doe@customer.test"));
    assert.equal(k.addressKey("SMTP:jane.doe@customer.test"), k.addressKey("jane.doe@customer.test"));
    assert.notEqual(k.domainKey("customer.test"), k.addressKey("customer.test"));
    assert.equal(keys.forOrganisation(orgId).addressKey("a@b.test"), k.addressKey("a@b.test"), "the stored key is reused");
    const other = createAddressKeyer(crypto.randomBytes(32));
    assert.notEqual(other.addressKey("a@b.test"), k.addressKey("a@b.test"), "another organisation's key gives other hashes");
    assert.equal(k.addressKey("a@b.test").length, 22);
  });

  test("Graph's dateTimeTimeZone in UTC (seven fractional digits) becomes ISO", () => {
    assert.equal(dateTimeTimeZoneToIso({ dateTime: "2025-05-01T10:00:00.0000000", timeZone: "UTC" }), "2025-05-01T10:00:00.000Z");
    assert.equal(dateTimeTimeZoneToIso({ dateTime: "2025-05-01T10:00:00", timeZone: "Pacific Standard Time" }), null);
    assert.equal(dateTimeTimeZoneToIso({ dateTime: "garbage", timeZone: "UTC" }), null);
  });
});
