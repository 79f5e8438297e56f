import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startApiFixture, type ApiFixture } from "../test-support/api-fixture";

let f: ApiFixture;
before(async () => {
  f = await startApiFixture("directory-api");
});
after(() => f.close());

const customers = [
  { externalId: "c1", name: "Northwind", ownerAddress: "alice@a.test", domains: ["northwind.test"] },
  { externalId: "c2", name: "Fabrikam", domains: ["www.fabrikam.test", "@fabrikam-eu.test"] },
];

describe("directory API", () => {
  test("an admin's API key upserts customers and users; a second PUT updates", async () => {
    const put = await f.call("PUT", "/api/directory/customers", f.keyA, { customers });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body, { created: 2, updated: 0 });
    const users = await f.call("PUT", "/api/directory/users", f.keyA, {
      users: [
        { externalId: "u1", name: "Nancy", address: "Nancy@Northwind.test", customerExternalId: "c1", createdAt: "2024-01-15T09:00:00Z" },
        { externalId: "u2", name: "Nancy again", address: "nancy@northwind.test", customerExternalId: "c2" },
      ],
    });
    assert.equal(users.status, 200, JSON.stringify(users.body));
    const again = await f.call("PUT", "/api/directory/customers", f.keyA, { customers: [{ ...customers[0], name: "Northwind Traders" }] });
    assert.deepEqual(again.body, { created: 0, updated: 1 });

    const list = await f.call("GET", "/api/directory/customers", f.keyA);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.customers.map((c: { externalId: string; name: string; ownerAddress: string | null; domains: string[] }) => [c.externalId, c.name, c.ownerAddress, c.domains]),
      [
        ["c1", "Northwind Traders", "alice@a.test", ["northwind.test"]],
        ["c2", "Fabrikam", null, ["fabrikam-eu.test", "fabrikam.test"]],
      ],
    );
    const userList = await f.call("GET", "/api/directory/users?limit=1", f.keyA);
    assert.equal(userList.body.users.length, 1);
    assert.equal(userList.body.users[0].address, "nancy@northwind.test", "addresses are stored lower-case");
    assert.equal(userList.body.users[0].createdAt, "2024-01-15T09:00:00.000Z");
    assert.equal(userList.body.next, "u1");
    const page2 = await f.call("GET", "/api/directory/users?after=u1", f.keyA);
    assert.deepEqual(page2.body.users.map((u: { externalId: string }) => u.externalId), ["u2"]);
  });

  test("validation errors name the field and every bad row; nothing is saved", async () => {
    const res = await f.call("PUT", "/api/directory/users", f.keyA, {
      users: [
        { externalId: "u3", name: "Fine", address: "fine@northwind.test", customerExternalId: "c1" },
        { externalId: "u4", name: "Bad address", address: "not-an-address", customerExternalId: "c1" },
        { externalId: "u5", name: "Unknown customer", address: "x@y.test", customerExternalId: "nope" },
        { externalId: "u3", name: "Duplicate", address: "dup@y.test", customerExternalId: "c1" },
      ],
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, "invalid_request");
    assert.equal(res.body.error.field, "users.1.address");
    assert.match(res.body.error.message, /nothing was saved/);
    assert.deepEqual(
      res.body.error.rows.map((r: { index: number; field: string }) => `${r.index}:${r.field}`),
      ["1:address", "2:customerExternalId", "3:externalId"],
    );
    const list = await f.call("GET", "/api/directory/users", f.keyA);
    assert.ok(!list.body.users.some((u: { externalId: string }) => u.externalId === "u3"), "the valid row was not saved either");
  });

  test("malformed bodies get a 400 naming the field", async () => {
    const notArray = await f.call("PUT", "/api/directory/customers", f.keyA, { customers: {} });
    assert.equal(notArray.status, 400);
    assert.equal(notArray.body.error.field, "customers");
    const badJson = await f.call("PUT", "/api/directory/customers", f.keyA, "{nope");
    assert.equal(badJson.status, 400);
    const extra = await f.call("PUT", "/api/directory/customers", f.keyA, { customers: [{ externalId: "c9", name: "X", colour: "red" }] });
    assert.equal(extra.status, 400);
    assert.equal(extra.body.error.rows[0].field, "(row)");
    assert.match(extra.body.error.rows[0].message, /colour/);
    const owner = await f.call("PUT", "/api/directory/customers", f.keyA, { customers: [{ externalId: "c9", name: "X", ownerAddress: "zed@b.test" }] });
    assert.equal(owner.status, 400, "an owner from another organisation is unknown here");
    assert.equal(owner.body.error.field, "customers.0.ownerAddress");
  });

  test("organisations are isolated: B sees none of A's rows and cannot touch them", async () => {
    const listB = await f.call("GET", "/api/directory/customers", f.keyB);
    assert.deepEqual(listB.body.customers, []);
    const asZed = await f.call("GET", "/api/directory/users", await f.token("zed"));
    assert.deepEqual(asZed.body.users, []);
    const del = await f.call("DELETE", "/api/directory/customers/c1", f.keyB);
    assert.equal(del.status, 404);
    // The same external id in B is B's own customer.
    const putB = await f.call("PUT", "/api/directory/customers", f.keyB, { customers: [{ externalId: "c1", name: "B's c1" }] });
    assert.deepEqual(putB.body, { created: 1, updated: 0 });
    const listA = await f.call("GET", "/api/directory/customers", f.keyA);
    assert.equal(listA.body.customers[0].name, "Northwind Traders");
  });

  test("only admins write: a member token is refused, an admin member token works", async () => {
    const asBob = await f.call("PUT", "/api/directory/customers", await f.token("bob"), { customers });
    assert.equal(asBob.status, 403);
    assert.equal(asBob.body.error.code, "admin_required");
    const asAlice = await f.call("PUT", "/api/directory/customers", await f.token("alice"), { customers: [customers[1]] });
    assert.equal(asAlice.status, 200);
    const noAuth = await f.call("GET", "/api/directory/customers", null);
    assert.equal(noAuth.status, 401);
    const badKey = await f.call("GET", "/api/directory/customers", "sk_not-a-real-key");
    assert.equal(badKey.status, 401);
    assert.equal(badKey.body.error.code, "invalid_api_key");
  });

  test("team members: company domains follow primary addresses; admin domains add to them", async () => {
    const put = await f.call("PUT", "/api/directory/team-members", f.keyA, {
      teamMembers: [{ externalId: "carl", name: "Carl", primaryAddress: "carl@a-sales.test", aliases: ["c@a.test"] }],
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const domains = await f.call("PUT", "/api/directory/company-domains", f.keyA, { domains: ["a-group.test"] });
    assert.deepEqual(domains.body.domains, [
      { domain: "a-group.test", source: "admin" },
      { domain: "a-sales.test", source: "team_member" },
      { domain: "a.test", source: "team_member" },
    ]);
    const clash = await f.call("PUT", "/api/directory/team-members", f.keyA, {
      teamMembers: [{ externalId: "dora", name: "Dora", primaryAddress: "alice@a.test" }],
    });
    assert.equal(clash.status, 400);
    assert.equal(clash.body.error.field, "teamMembers.0.primaryAddress");
    const aliasClash = await f.call("PUT", "/api/directory/team-members", f.keyA, {
      teamMembers: [{ externalId: "dora", name: "Dora", primaryAddress: "dora@a.test", aliases: ["c@a.test"] }],
    });
    assert.equal(aliasClash.status, 400);
    assert.equal(aliasClash.body.error.field, "teamMembers.0.aliases.0");
    const otherOrgAccount = await f.call("PUT", "/api/directory/team-members", f.keyA, {
      teamMembers: [{ externalId: "dora", name: "Dora", primaryAddress: "dora@a.test", entraTenantId: "bbbbbbbb-0000-4000-8000-00000000000b", entraObjectId: "00000000-0000-4000-8000-0000000000ed" }],
    });
    assert.equal(otherOrgAccount.status, 400, "a Microsoft account belongs to one team member");
    assert.equal(otherOrgAccount.body.error.field, "teamMembers.0.entraObjectId");

    const list = await f.call("GET", "/api/directory/team-members", f.keyA);
    const carl = list.body.teamMembers.find((m: { externalId: string }) => m.externalId === "carl");
    assert.deepEqual(carl.aliases, [{ address: "c@a.test", source: "manual" }]);
    assert.equal(carl.connectionState, "not_connected");

    const del = await f.call("DELETE", "/api/directory/team-members/carl", f.keyA);
    assert.equal(del.status, 204);
    const after = await f.call("GET", "/api/directory/company-domains", f.keyA);
    assert.ok(!after.body.domains.some((d: { domain: string }) => d.domain === "a-sales.test"));
  });

  test("directory writes fire directoryChanged for the caller's organisation", async () => {
    const seen: string[] = [];
    const off = f.ctx.events.onDirectoryChanged((org) => void seen.push(org));
    await f.call("DELETE", "/api/directory/users/u2", f.keyA);
    await f.call("PUT", "/api/directory/company-domains", f.keyB, { domains: [] });
    off();
    assert.deepEqual(seen, [f.orgA, f.orgB]);
  });

  test("deleting a customer removes its users", async () => {
    const del = await f.call("DELETE", "/api/directory/customers/c1", f.keyA);
    assert.equal(del.status, 204);
    const users = await f.call("GET", "/api/directory/users", f.keyA);
    assert.deepEqual(users.body.users, []);
  });

  test("unknown routes answer JSON 404", async () => {
    const res = await f.call("GET", "/api/nothing-here", f.keyA);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, "not_found");
  });
});
