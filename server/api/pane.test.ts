/** The pane-facing routes: /api/me, /api/connection, /api/settings and aliases. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startApiFixture, type ApiFixture } from "../test-support/api-fixture";
import type { SyncStatusSnapshot } from "./connection-status";

let f: ApiFixture;
let snapshot: SyncStatusSnapshot | null = null;
before(async () => {
  f = await startApiFixture("pane-api");
  f.ctx.syncStatus = { getSyncStatus: () => snapshot };
});
after(() => f.close());

describe("pane API", () => {
  test("GET /api/me names the member and organisation", async () => {
    const res = await f.call("GET", "/api/me", await f.token("bob"));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.member.name, "Bob");
    assert.equal(res.body.member.primaryAddress, "bob@a.test");
    assert.equal(res.body.member.isAdmin, false);
    assert.deepEqual(res.body.organisation, { id: f.orgA, name: "Org A" });
  });

  test("a valid token of someone who is not a team member gets 403 with a clear message", async () => {
    const res = await f.call("GET", "/api/me", await f.token("stranger"));
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, "unknown_member");
    assert.match(res.body.error.message, /stranger@a\.test is not a team member/);
  });

  test("API keys are not team members", async () => {
    const res = await f.call("GET", "/api/settings", f.keyA);
    assert.equal(res.status, 403);
  });

  test("connection status: not connected by default, with the documented label", async () => {
    const res = await f.call("GET", "/api/connection", await f.token("bob"));
    assert.equal(res.status, 200);
    assert.equal(res.body.state, "not_connected");
    assert.equal(res.body.label, "Click to start authentication");
    assert.match(res.body.explanation, /Click to start authentication/);
  });

  test("connection status combines the stored state with the sync's report", async () => {
    const bob = f.ctx.db.prepare("SELECT id FROM team_members WHERE external_id = 'bob'").get() as { id: string };
    f.ctx.connections.markConnected(bob.id, {
      tenantId: "t",
      accountOid: "o",
      accountAddress: "bob@a.test",
      homeAccountId: "o.t",
      scopes: ["Mail.Read"],
      tokenCache: "{}",
    });
    snapshot = { initialSync: true, progress: { itemsDone: 10, itemsEstimated: 200 }, lastSyncAt: null, failing: null };
    let res = await f.call("GET", "/api/connection", await f.token("bob"));
    assert.equal(res.body.state, "initial_sync");
    assert.equal(res.body.label, "Authenticated (revoke)");
    assert.deepEqual(res.body.progress, { itemsDone: 10, itemsEstimated: 200 });
    assert.match(res.body.explanation, /last 6 months/);

    snapshot = { initialSync: false, progress: null, lastSyncAt: "2025-06-01T10:00:00.000Z", failing: { message: "throttled by Microsoft", retryAt: "2025-06-01T10:05:00.000Z" } };
    res = await f.call("GET", "/api/connection", await f.token("bob"));
    assert.equal(res.body.state, "temporarily_failing");
    assert.equal(res.body.label, "Authenticated (revoke)");
    assert.equal(res.body.retryAt, "2025-06-01T10:05:00.000Z");
    assert.equal(res.body.lastSyncAt, "2025-06-01T10:00:00.000Z");

    snapshot = { initialSync: false, progress: null, lastSyncAt: "2025-06-01T10:10:00.000Z", failing: null };
    res = await f.call("GET", "/api/connection", await f.token("bob"));
    assert.equal(res.body.state, "connected");
    assert.equal(res.body.accountAddress, "bob@a.test");
    assert.ok(!JSON.stringify(res.body).includes("{}"), "no token material in the response");

    const revoked = await f.call("POST", "/api/connection/revoke", await f.token("bob"));
    assert.equal(revoked.body.state, "not_connected");
    assert.equal(revoked.body.lastSyncAt, "2025-06-01T10:10:00.000Z", "history stays visible after revoke");
    snapshot = null;
  });

  test("auth-session returns a single-use URL on PUBLIC_URL", async () => {
    const res = await f.call("POST", "/api/connection/auth-session", await f.token("alice"));
    assert.equal(res.status, 201);
    assert.ok(res.body.url.startsWith(`${f.server.url}/auth/start?session=`));
    const other = await f.call("POST", "/api/connection/auth-session", await f.token("alice"));
    assert.notEqual(other.body.url, res.body.url);
  });

  test("settings: toggles update, unknown fields and wrong types are refused with the field named", async () => {
    const token = await f.token("alice");
    const initial = await f.call("GET", "/api/settings", token);
    assert.deepEqual(initial.body, {
      aliases: [],
      syncToCustomersByDomain: false,
      syncUnknownSender: false,
      syncUnknownOrganizer: false,
      customersWithDomainCount: 0,
    });
    const changes: string[] = [];
    const off = f.ctx.events.onSettingsChanged((id) => void changes.push(id));
    const put = await f.call("PUT", "/api/settings", token, { syncUnknownSender: true });
    assert.equal(put.status, 200);
    assert.equal(put.body.syncUnknownSender, true);
    assert.equal(put.body.syncToCustomersByDomain, false);
    await f.call("PUT", "/api/settings", token, { syncUnknownSender: true });
    off();
    assert.equal(changes.length, 1, "an unchanged value does not trigger a re-decision");

    const wrongType = await f.call("PUT", "/api/settings", token, { syncUnknownSender: "yes" });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.error.field, "syncUnknownSender");
    const unknown = await f.call("PUT", "/api/settings", token, { syncEverything: true });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /syncEverything/);
  });

  test("customersWithDomainCount counts the caller's organisation only", async () => {
    await f.call("PUT", "/api/directory/customers", f.keyB, { customers: [{ externalId: "b1", name: "B1", domains: ["b1.test"] }] });
    await f.call("PUT", "/api/directory/customers", f.keyA, {
      customers: [
        { externalId: "a1", name: "A1", domains: ["a1.test", "a1b.test"] },
        { externalId: "a2", name: "A2" },
      ],
    });
    const res = await f.call("GET", "/api/settings", await f.token("alice"));
    assert.equal(res.body.customersWithDomainCount, 1);
  });

  test("aliases: add (validated, lower-cased), refuse another member's address, remove", async () => {
    const token = await f.token("alice");
    const add = await f.call("POST", "/api/settings/aliases", token, { address: " Alice.Smith@A.test " });
    assert.equal(add.status, 201);
    assert.deepEqual(add.body.aliases, [{ address: "alice.smith@a.test", source: "manual" }]);
    const again = await f.call("POST", "/api/settings/aliases", token, { address: "alice.smith@a.test" });
    assert.equal(again.status, 200);
    const bad = await f.call("POST", "/api/settings/aliases", token, { address: "alice at a.test" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, "address");
    const taken = await f.call("POST", "/api/settings/aliases", token, { address: "bob@a.test" });
    assert.equal(taken.status, 409);
    const primary = await f.call("POST", "/api/settings/aliases", token, { address: "alice@a.test" });
    assert.equal(primary.status, 400);
    // Another organisation may have the same address as an alias: organisations are independent.
    const zed = await f.call("POST", "/api/settings/aliases", await f.token("zed"), { address: "alice.smith@a.test" });
    assert.equal(zed.status, 201);

    const del = await f.call("DELETE", `/api/settings/aliases/${encodeURIComponent("ALICE.SMITH@a.test")}`, token);
    assert.equal(del.status, 200);
    assert.deepEqual(del.body.aliases, []);
    const missing = await f.call("DELETE", "/api/settings/aliases/nobody%40a.test", token);
    assert.equal(missing.status, 404);
  });

  test("expired, foreign-audience and scope-less tokens are 401", async () => {
    const expired = await f.mint({ oid: "00000000-0000-4000-8000-0000000a11ce", tid: "aaaaaaaa-0000-4000-8000-00000000000a", expiresIn: -3600 });
    let res = await f.call("GET", "/api/me", expired);
    assert.equal(res.status, 401);
    assert.match(res.body.error.message, /expired/);
    res = await f.call("GET", "/api/me", await f.token("alice", { aud: "00000003-0000-0000-c000-000000000000" }));
    assert.equal(res.status, 401);
    res = await f.call("GET", "/api/me", await f.token("alice", { scp: "User.Read" }));
    assert.equal(res.status, 401);
    assert.match(res.body.error.message, /access_as_user/);
    res = await f.call("GET", "/api/me", await f.token("alice", { iss: "https://evil.test/aaaaaaaa-0000-4000-8000-00000000000a/v2.0" }));
    assert.equal(res.status, 401);
    res = await f.call("GET", "/api/me", "garbage");
    assert.equal(res.status, 401);
    res = await f.call("GET", "/api/me", null);
    assert.equal(res.status, 401);
  });

  test("a member named by address within a known tenant is linked at first sign-in", async () => {
    await f.call("PUT", "/api/directory/team-members", f.keyA, {
      teamMembers: [{ externalId: "eve", name: "Eve", primaryAddress: "eve@a.test", entraTenantId: "aaaaaaaa-0000-4000-8000-00000000000a" }],
    });
    const oid = "00000000-0000-4000-8000-000000000e0e";
    const fromOtherTenant = await f.mint({ oid, tid: "bbbbbbbb-0000-4000-8000-00000000000b", preferred_username: "eve@a.test" });
    assert.equal((await f.call("GET", "/api/me", fromOtherTenant)).status, 403, "the address alone is not proof across tenants");
    const res = await f.call("GET", "/api/me", await f.mint({ oid, tid: "aaaaaaaa-0000-4000-8000-00000000000a", preferred_username: "Eve@A.test" }));
    assert.equal(res.status, 200);
    assert.equal(res.body.member.name, "Eve");
    const row = f.ctx.db.prepare("SELECT entra_oid FROM team_members WHERE external_id = 'eve'").get() as { entra_oid: string };
    assert.equal(row.entra_oid, oid);
  });
});
