/**
 * "Why wasn't this synced?" on hand-built facts: the reasons and fixes named in the spec, each
 * agreeing with what the engine stored.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { upsertUsers } from "../directory/service";
import type { WhyResponse } from "../../shared/api/contract";
import { InteractionReads } from "./read";
import { createKit, KIT_NOW, type Kit } from "./test-kit";
import { WhyService, type WhyConnection } from "./why";

const kits: Kit[] = [];
after(() => kits.forEach((k) => k.close()));

const CONNECTED: WhyConnection = { state: "connected", lastSyncAt: "2024-06-15T11:00:00.000Z" };

function setup(): { k: Kit; why: (memberExt: string, req: { restId?: string; internetMessageId?: string }, c?: WhyConnection) => Promise<WhyResponse> } {
  const k = createKit();
  kits.push(k);
  const service = new WhyService({
    db: k.db,
    engine: k.engine,
    reads: new InteractionReads(k.db),
    fetcher: () => k.fetcher,
    lookup: () => k.lookup,
    now: () => KIT_NOW,
  });
  return { k, why: (ext, req, c = CONNECTED) => service.why(k.orgId, k.member(ext), req, c) };
}

const codes = (r: WhyResponse) => r.reasons.map((x) => x.code);

describe("why", () => {
  test("a draft never syncs", async () => {
    const { k, why } = setup();
    k.mail("jane", { id: "d", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z", draft: true });
    const r = await why("jane", { restId: "d" });
    assert.equal(r.synced, false);
    assert.equal(codes(r)[0], "draft");
  });

  test("internal mail", async () => {
    const { k, why } = setup();
    k.mail("jane", { id: "i", from: "jane@northwind.io", to: ["tom@northwind.io"], at: "2024-06-01T10:00:00Z" });
    const r = await why("jane", { restId: "i" });
    assert.equal(r.synced, false);
    assert.equal(codes(r)[0], "internal");
  });

  test("sent from what looks like the member's unregistered alias: a fix adds it", async () => {
    const { k, why } = setup();
    k.mail("jane", { id: "a", from: "jane.doe@northwind.io", to: ["alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    const r = await why("jane", { restId: "a" });
    assert.equal(r.synced, false);
    assert.ok(codes(r).includes("sender_unknown"));
    assert.ok(codes(r).includes("sender_looks_like_unregistered_alias"), JSON.stringify(r.reasons));
    assert.ok(r.fixes.some((f) => f.kind === "add_alias" && f.address === "jane.doe@northwind.io"));
  });

  test("sender unknown: the setting that would sync it is offered", async () => {
    const { k, why } = setup();
    k.mail("jane", { id: "u", from: "stranger@elsewhere.com", to: ["jane@northwind.io", "alice@acme.com"], at: "2024-06-01T10:00:00Z" });
    const r = await why("jane", { restId: "u" });
    assert.equal(r.synced, false);
    assert.equal(codes(r)[0], "sender_unknown");
    assert.ok(r.fixes.some((f) => f.kind === "enable_setting" && f.setting === "syncUnknownSender"));
  });

  test("an address on several user records is linked to all of them", async () => {
    const { k, why } = setup();
    k.mail("jane", { id: "s", from: "shared@partner.com", to: ["jane@northwind.io"], at: "2024-06-01T10:00:00Z" });
    const r = await why("jane", { internetMessageId: "<s@mail>" });
    assert.equal(r.synced, true);
    assert.deepEqual(r.customers.map((c) => c.name).sort(), ["Acme", "Globex"]);
    assert.equal(r.interactions.length, 2);
    assert.ok(codes(r).includes("address_on_several_users"));
  });

  test("a contact created after the message: captured retroactively, and said so", async () => {
    const { k, why } = setup();
    k.mail("jane", { id: "late", from: "carol@initech.com", to: ["jane@northwind.io"], at: "2024-05-01T10:00:00Z" });
    upsertUsers(k.db, k.orgId, [{ externalId: "carol", name: "Carol Chen", address: "carol@initech.com", customerExternalId: "globex", createdAt: "2024-06-01T00:00:00Z" }]);
    k.engine.redecideOrganisation(k.orgId);
    const r = await why("jane", { restId: "late" });
    assert.equal(r.synced, true);
    const note = r.reasons.find((x) => x.code === "contact_created_after_message");
    assert.ok(note, JSON.stringify(r.reasons));
    assert.match(note.text, /captured retroactively/);
  });

  test("a message newer than the last sync: not yet synced, with the last sync time", async () => {
    const { k, why } = setup();
    k.lookup.messages.set(`${k.member("jane")}/new-rest`, {
      id: "new-immutable",
      internetMessageId: "<new@x>",
      receivedDateTime: "2024-06-15T11:30:00Z",
      sentDateTime: "2024-06-15T11:30:00Z",
      isDraft: false,
      parentFolderId: "inbox",
      from: { emailAddress: { address: "alice@acme.com" } },
      toRecipients: [{ emailAddress: { address: "jane@northwind.io" } }],
    });
    const r = await why("jane", { restId: "new-rest" });
    assert.equal(r.synced, false);
    const pending = r.reasons.find((x) => x.code === "not_yet_synced");
    assert.ok(pending);
    assert.match(pending.text, /last sync at 15 Jun 2024, 11:00 UTC/);
    assert.ok(r.fixes.some((f) => f.kind === "sync_now"));
  });

  test("a message in a folder that isn't synced says so", async () => {
    const { k, why } = setup();
    k.db.prepare("INSERT INTO sync_folders (member_id, folder_id, kind, stage, window_start, updated_at) VALUES (?, 'inbox', 'mail', 'incremental', '2023-12-15T00:00:00Z', '2024-06-15T00:00:00Z')").run(k.member("jane"));
    k.lookup.messages.set(`${k.member("jane")}/junk-rest`, {
      id: "junk-immutable",
      internetMessageId: "<junk@x>",
      receivedDateTime: "2024-06-10T11:30:00Z",
      sentDateTime: "2024-06-10T11:30:00Z",
      isDraft: false,
      parentFolderId: "junkemail-folder-id",
      from: { emailAddress: { address: "alice@acme.com" } },
      toRecipients: [{ emailAddress: { address: "jane@northwind.io" } }],
    });
    const r = await why("jane", { restId: "junk-rest" });
    assert.equal(r.synced, false);
    assert.equal(codes(r)[0], "folder_not_synced");
    assert.ok(!codes(r).includes("not_yet_synced"));
  });

  test("older than the 6-month window", async () => {
    const { k, why } = setup();
    k.lookup.messages.set(`${k.member("jane")}/old-rest`, {
      id: "old-immutable",
      internetMessageId: "<old@x>",
      receivedDateTime: "2023-10-01T10:00:00Z",
      sentDateTime: "2023-10-01T10:00:00Z",
      isDraft: false,
      parentFolderId: "inbox",
      from: { emailAddress: { address: "alice@acme.com" } },
      toRecipients: [{ emailAddress: { address: "jane@northwind.io" } }],
    });
    const r = await why("jane", { restId: "old-rest" });
    assert.equal(r.synced, false);
    assert.ok(codes(r).includes("outside_window"));
    assert.equal(r.headline, "Not synced: older than 6 months");
  });

  test("a cancelled meeting: in the history, marked cancelled", async () => {
    const { k, why } = setup();
    k.event("jane", { id: "m", ical: "mc", organizer: "jane@northwind.io", attendees: ["alice@acme.com"], start: "2024-06-03T09:00:00Z", cancelled: true });
    const r = await why("jane", { restId: "m" });
    assert.equal(r.synced, true);
    assert.match(r.headline, /cancelled/);
    assert.ok(codes(r).includes("cancelled"));
  });

  test("not connected: says so, offers to connect", async () => {
    const { why } = setup();
    const r = await why("jane", { internetMessageId: "<nothing@x>" }, { state: "not_connected", lastSyncAt: null });
    assert.equal(r.synced, false);
    assert.deepEqual(codes(r), ["not_connected"]);
    assert.deepEqual(r.fixes.map((f) => f.kind), ["authenticate"]);
  });
});
