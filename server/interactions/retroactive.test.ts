/**
 * Retroactive capture: every kind of directory or settings change, in both directions, decided
 * again locally from the stored facts. Graph is never listed: the only Graph calls are by-id
 * fetches of the details of items that newly match (counted here).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ServerEvents } from "../events";
import { getMember } from "../directory/read";
import { addManualAlias, removeManualAlias, updateMemberSettings } from "../directory/member-settings";
import { deleteUser, setAdminCompanyDomains, upsertCustomers, upsertUsers } from "../directory/service";
import type { SettingsUpdate } from "../../shared/api/contract";
import { createKit, type Kit } from "./test-kit";
import { toSummary } from "./read";

const kits: Kit[] = [];
after(() => kits.forEach((k) => k.close()));

interface Harness {
  k: Kit;
  events: ServerEvents;
  directoryChanged(): Promise<void>;
  settingsChanged(memberExternalId: string): Promise<void>;
  setting(memberExternalId: string, update: SettingsUpdate): Promise<void>;
  synced(graphId: string): boolean;
  /** Every Graph call made so far: by-id detail fetches and message lookups. */
  graphCalls(): string[];
}

function harness(setup?: (k: Kit) => void): Harness {
  const k = createKit();
  kits.push(k);
  setup?.(k);
  const events = new ServerEvents();
  k.engine.attach(events);
  return {
    k,
    events,
    directoryChanged: () => events.emitDirectoryChanged(k.orgId),
    settingsChanged: (ext) => events.emitSettingsChanged(k.member(ext)),
    async setting(ext, update) {
      updateMemberSettings(k.db, k.member(ext), update);
      await events.emitSettingsChanged(k.member(ext));
    },
    synced(graphId) {
      const r = k.db.prepare("SELECT COUNT(*) AS n FROM interaction_messages WHERE graph_id = ?").get(graphId) as { n: number };
      return r.n > 0;
    },
    graphCalls: () => [...k.fetcher.calls.map((c) => `details ${c.kind} ${c.graphId}`), ...k.lookup.calls],
  };
}

/** The item appeared: its subject shows "(loading…)" until the one by-id fetch brings it. */
async function expectCaptured(h: Harness, graphId: string, customerExternalId: string): Promise<void> {
  assert.equal(h.synced(graphId), true, `${graphId} is in the history`);
  const row = h.k.interactions(customerExternalId).find((r) => {
    const n = h.k.db.prepare("SELECT COUNT(*) AS n FROM interaction_messages WHERE interaction_id = ? AND graph_id = ?").get(r.id, graphId) as { n: number };
    return n.n > 0;
  });
  assert.ok(row, `${graphId} is on ${customerExternalId}`);
  assert.equal(toSummary(row).subject, "(loading…)");
  const before = h.k.fetcher.calls.length;
  await h.k.engine.processPendingDetails();
  assert.deepEqual(
    h.k.fetcher.calls.slice(before).map((c) => c.graphId),
    [graphId],
    "exactly one by-id fetch, of the newly matched item",
  );
  const after = h.k.db.prepare("SELECT subject FROM interactions WHERE id = ?").get(row.id) as { subject: string };
  assert.ok(after.subject && after.subject !== "(loading…)");
}

describe("retroactive capture", () => {
  test("contact added, then removed", async () => {
    const h = harness();
    const m = h.k.mail("jane", { id: "c1", from: "jane@northwind.io", to: ["carol@initech.com"], at: "2024-05-01T10:00:00Z" });
    assert.equal(h.synced(m.graphId), false);

    upsertUsers(h.k.db, h.k.orgId, [{ externalId: "carol", name: "Carol Chen", address: "carol@initech.com", customerExternalId: "globex" }]);
    await h.directoryChanged();
    await expectCaptured(h, "c1", "globex");

    deleteUser(h.k.db, h.k.orgId, "carol");
    await h.directoryChanged();
    assert.equal(h.synced("c1"), false);
    assert.equal(h.k.interactions("globex").length, 0);
    assert.equal(h.k.activity("globex")?.last_interaction_at ?? null, null);
    assert.deepEqual(h.graphCalls(), ["details email c1"]);
  });

  test("a contact added only re-decides facts that mention it", async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) h.k.mail("jane", { from: "jane@northwind.io", to: [`someone${i}@elsewhere.com`], at: "2024-05-01T10:00:00Z" });
    h.k.mail("jane", { id: "target", from: "jane@northwind.io", to: ["carol@initech.com"], at: "2024-05-01T10:00:00Z" });
    upsertUsers(h.k.db, h.k.orgId, [{ externalId: "carol", name: "Carol Chen", address: "carol@initech.com", customerExternalId: "globex" }]);
    const r = h.k.engine.redecideOrganisation(h.k.orgId);
    assert.equal(r.mode, "keys");
    assert.equal(r.decided, 1);
    assert.equal(h.synced("target"), true);
  });

  test("alias added, then removed", async () => {
    const h = harness();
    h.k.mail("jane", { id: "a1", from: "jane.doe@northwind.io", to: ["alice@acme.com"], at: "2024-05-01T10:00:00Z" });
    assert.equal(h.synced("a1"), false, "sent from an unregistered alias: sender unknown");

    addManualAlias(h.k.db, getMember(h.k.db, h.k.member("jane"))!, "jane.doe@northwind.io");
    await h.settingsChanged("jane");
    await expectCaptured(h, "a1", "acme");
    assert.equal(h.k.interactions("acme")[0]!.last_direction, "sent");

    removeManualAlias(h.k.db, getMember(h.k.db, h.k.member("jane"))!, "jane.doe@northwind.io");
    await h.settingsChanged("jane");
    assert.equal(h.synced("a1"), false);
    assert.deepEqual(h.graphCalls(), ["details email a1"]);
  });

  test('"sync to customers instead of users" on, then off', async () => {
    const h = harness((k) => upsertCustomers(k.db, k.orgId, [{ externalId: "acme", name: "Acme", domains: ["acme.com"] }]));
    h.k.mail("jane", { id: "d1", from: "jane@northwind.io", to: ["newperson@acme.com"], at: "2024-05-01T10:00:00Z" });
    assert.equal(h.synced("d1"), false);

    await h.setting("jane", { syncToCustomersByDomain: true });
    await expectCaptured(h, "d1", "acme");
    assert.equal(h.k.interactions("acme")[0]!.via_domain, 1);

    await h.setting("jane", { syncToCustomersByDomain: false });
    assert.equal(h.synced("d1"), false);
    assert.deepEqual(h.graphCalls(), ["details email d1"]);
  });

  test('"sync emails where the sender is unknown" on, then off', async () => {
    const h = harness();
    h.k.mail("jane", { id: "u1", from: "stranger@elsewhere.com", to: ["jane@northwind.io", "alice@acme.com"], at: "2024-05-01T10:00:00Z" });
    assert.equal(h.synced("u1"), false);

    await h.setting("jane", { syncUnknownSender: true });
    await expectCaptured(h, "u1", "acme");

    await h.setting("jane", { syncUnknownSender: false });
    assert.equal(h.synced("u1"), false);
    assert.deepEqual(h.graphCalls(), ["details email u1"]);
  });

  test('"sync events where the organiser is unknown" on, then off', async () => {
    const h = harness();
    h.k.event("jane", { id: "e1", organizer: "stranger@elsewhere.com", attendees: ["jane@northwind.io", "alice@acme.com"], start: "2024-05-01T10:00:00Z" });
    assert.equal(h.synced("e1"), false);

    await h.setting("jane", { syncUnknownOrganizer: true });
    await expectCaptured(h, "e1", "acme");

    await h.setting("jane", { syncUnknownOrganizer: false });
    assert.equal(h.synced("e1"), false);
    assert.deepEqual(h.graphCalls(), ["details meeting e1"]);
  });

  test("a toggle of one member re-decides that member's items only", async () => {
    const h = harness();
    h.k.mail("jane", { id: "mine", from: "stranger@elsewhere.com", to: ["jane@northwind.io", "alice@acme.com"], at: "2024-05-01T10:00:00Z" });
    h.k.mail("tom", { id: "his", from: "stranger@elsewhere.com", to: ["tom@northwind.io", "alice@acme.com"], at: "2024-05-01T11:00:00Z" });
    await h.setting("jane", { syncUnknownSender: true });
    assert.equal(h.synced("mine"), true);
    assert.equal(h.synced("his"), false);
  });

  test("customer domain filled in, then cleared", async () => {
    const h = harness();
    await h.setting("jane", { syncToCustomersByDomain: true });
    h.k.mail("jane", { id: "cd1", from: "jane@northwind.io", to: ["someone@initech.com"], at: "2024-05-01T10:00:00Z" });
    assert.equal(h.synced("cd1"), false);

    upsertCustomers(h.k.db, h.k.orgId, [{ externalId: "globex", name: "Globex", domains: ["initech.com"] }]);
    await h.directoryChanged();
    await expectCaptured(h, "cd1", "globex");

    upsertCustomers(h.k.db, h.k.orgId, [{ externalId: "globex", name: "Globex", domains: [] }]);
    await h.directoryChanged();
    assert.equal(h.synced("cd1"), false);
    assert.deepEqual(h.graphCalls(), ["details email cd1"]);
  });

  test("company domain added (mail with it becomes internal), then removed", async () => {
    const h = harness((k) =>
      upsertUsers(k.db, k.orgId, [{ externalId: "sub", name: "Sub Sidiary", address: "sam@subsidiary.com", customerExternalId: "acme", createdAt: "2024-01-01T00:00:00Z" }]),
    );
    h.k.mail("jane", { id: "cdm", from: "jane@northwind.io", to: ["sam@subsidiary.com"], at: "2024-05-01T10:00:00Z" });
    assert.equal(h.synced("cdm"), true);

    setAdminCompanyDomains(h.k.db, h.k.orgId, ["subsidiary.com"]);
    await h.directoryChanged();
    assert.equal(h.synced("cdm"), false);
    assert.equal(h.k.interactions("acme").length, 0);
    const kept = h.k.db.prepare("SELECT COUNT(*) AS n FROM interaction_facts WHERE graph_id = 'cdm'").get() as { n: number };
    assert.equal(kept.n, 0, "details of an item that no longer matches are dropped");

    setAdminCompanyDomains(h.k.db, h.k.orgId, []);
    await h.directoryChanged();
    await expectCaptured(h, "cdm", "acme");
    assert.deepEqual(h.graphCalls(), ["details email cdm"]);
  });

  test("a change made by another process is noticed on the next use", () => {
    const h = harness();
    h.k.mail("jane", { id: "x1", from: "jane@northwind.io", to: ["carol@initech.com"], at: "2024-05-01T10:00:00Z" });
    // No hook: as if the CSV import ran in another process.
    upsertUsers(h.k.db, h.k.orgId, [{ externalId: "carol", name: "Carol", address: "carol@initech.com", customerExternalId: "globex" }]);
    h.k.db.prepare("UPDATE organisations SET directory_updated_at = '2099-01-01T00:00:00.000Z' WHERE id = ?").run(h.k.orgId);
    h.k.engine.directory(h.k.orgId);
    assert.equal(h.synced("x1"), true);
  });

  test("nothing changed: nothing decided", () => {
    const h = harness();
    h.k.mail("jane", { from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-05-01T10:00:00Z" });
    const r = h.k.engine.redecideOrganisation(h.k.orgId);
    assert.equal(r.mode, "none");
    assert.equal(r.decided, 0);
  });

  test("a full re-decision gives the same interactions as deciding each page", () => {
    const h = harness();
    h.k.mail("jane", { conv: "k", from: "jane@northwind.io", to: ["alice@acme.com"], at: "2024-05-01T10:00:00Z" });
    h.k.mail("tom", { conv: "k", from: "alice@acme.com", to: ["tom@northwind.io", "shared@partner.com"], at: "2024-05-02T10:00:00Z" });
    h.k.event("jane", { organizer: "bob@globex.com", attendees: ["jane@northwind.io"], start: "2024-05-03T10:00:00Z" });
    const before = h.k.interactions().map((r) => ({ ...r, updated_at: "" }));
    const r = h.k.engine.redecideOrganisation(h.k.orgId, { full: true });
    assert.equal(r.mode, "full");
    assert.equal(r.changedFacts, 0);
    assert.deepEqual(
      h.k.interactions().map((x) => ({ ...x, updated_at: "" })),
      before,
    );
  });
});
