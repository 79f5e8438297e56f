/**
 * POST /api/preview, POST /api/why and GET /api/customers/:id/summary through the real app:
 * pane-token authentication (a stub validator), validation errors that name the field, and
 * organisation isolation.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createApp } from "../app";
import { openDatabase } from "../db/database";
import { rotateApiKey } from "../directory/service";
import { listen, type RunningServer } from "../test-support/http";
import { removeDir, tempDir, testConfig, testContext } from "../test-support/env";
import type { ServerContext } from "../context";
import type { PreviewResponse, WhyResponse } from "../../shared/api/contract";
import type { ItemDetails, ItemDetailsFetcher } from "../sync/facts";
import type { GraphMessage } from "../sync/mapping";
import { createAddressKeyStore } from "../sync/address-keys";
import { createServerInteractions, type ServerInteractions } from "./index";
import { createKit, standardDirectory, type Kit } from "./test-kit";

const TENANT_A = "aaaaaaaa-0000-4000-8000-000000000001";
const TENANT_B = "bbbbbbbb-0000-4000-8000-000000000002";
const JANE_OID = "00000000-0000-4000-8000-00000000a001";
const TOM_OID = "00000000-0000-4000-8000-00000000a002";
const BEA_OID = "00000000-0000-4000-8000-00000000b001";

const daysAgo = (n: number) => new Date(Date.now() - n * 86400_000).toISOString();

let dir: string;
let ctx: ServerContext;
let server: RunningServer;
let interactions: ServerInteractions;
let a: Kit;
let b: Kit;
let lookupCalls: string[] = [];

async function call(path: string, token: string | null, body?: unknown, method = "POST"): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const jane = `${TENANT_A}:${JANE_OID}`;
const tom = `${TENANT_A}:${TOM_OID}`;
const bea = `${TENANT_B}:${BEA_OID}`;

before(async () => {
  dir = tempDir("interactions-routes");
  const db = openDatabase(":memory:");
  ctx = testContext(testConfig(dir), {
    db,
    validatePaneToken: async (token) => {
      const [tenantId, objectId] = token.split(":");
      if (!tenantId || !objectId) throw new Error("bad token");
      return { tenantId, objectId, name: null, username: null, scopes: ["access_as_user"] };
    },
    syncStatus: { getSyncStatus: () => ({ initialSync: false, progress: null, lastSyncAt: daysAgo(0.01), failing: null }) },
  });
  interactions = createServerInteractions(ctx);
  const keys = createAddressKeyStore(db, ctx.vault);
  a = createKit({
    db,
    engine: interactions.engine,
    keyerFor: (orgId) => keys.forOrganisation(orgId),
    members: [
      { externalId: "jane", name: "Jane Doe", primaryAddress: "jane@northwind.io", entraObjectId: JANE_OID, entraTenantId: TENANT_A },
      { externalId: "tom", name: "Tom Berg", primaryAddress: "tom@northwind.io", entraObjectId: TOM_OID, entraTenantId: TENANT_A },
    ],
  });
  b = createKit({
    db,
    orgName: "Other Org",
    engine: interactions.engine,
    keyerFor: (orgId) => keys.forOrganisation(orgId),
    directory: (d, orgId) => {
      standardDirectory(d, orgId);
    },
    members: [{ externalId: "bea", name: "Bea Other", primaryAddress: "bea@othercorp.io", entraObjectId: BEA_OID, entraTenantId: TENANT_B }],
  });
  const fetcher: ItemDetailsFetcher = {
    fetchMessageDetails: async (m, g) => a.fetcher.known.get(`${m}/${g}`) ?? b.fetcher.known.get(`${m}/${g}`) ?? null,
    fetchEventDetails: async (m, g) => a.fetcher.known.get(`${m}/${g}`) ?? b.fetcher.known.get(`${m}/${g}`) ?? null,
  };
  const lookup = {
    getMessage: async (m: string, id: string): Promise<GraphMessage | null> => {
      lookupCalls.push(`get ${id}`);
      return (await a.lookup.getMessage(m, id)) ?? (await b.lookup.getMessage(m, id));
    },
    findMessage: async (m: string, imid: string): Promise<GraphMessage | null> => {
      lookupCalls.push(`find ${imid}`);
      return (await a.lookup.findMessage(m, imid)) ?? (await b.lookup.findMessage(m, imid));
    },
  };
  interactions.useSync({ details: fetcher, lookup });
  for (const ext of ["jane", "tom"]) {
    ctx.connections.markConnected(a.member(ext), {
      tenantId: TENANT_A,
      accountOid: ext === "jane" ? JANE_OID : TOM_OID,
      accountAddress: `${ext}@northwind.io`,
      homeAccountId: "x",
      scopes: [],
      tokenCache: "{}",
    });
  }

  // Jane's mailbox: a synced thread with Acme, and a message to someone who is not a contact.
  a.mail("jane", { id: "s1", imid: "<s1@x>", conv: "t", from: "jane@northwind.io", to: ["alice@acme.com"], at: daysAgo(3), subject: "Renewal" });
  a.mail("jane", { id: "s2", imid: "<s2@x>", conv: "t", from: "alice@acme.com", to: ["jane@northwind.io"], at: daysAgo(2), subject: "RE: Renewal" });
  a.mail("jane", { id: "u1", imid: "<u1@x>", from: "jane@northwind.io", to: ["carol@initech.com"], at: daysAgo(2), subject: "Intro" });
  // In Graph but not synced yet.
  a.lookup.messages.set(`${a.member("jane")}/fresh-rest-id`, {
    id: "fresh-immutable",
    internetMessageId: "<fresh@x>",
    receivedDateTime: daysAgo(0.001),
    sentDateTime: daysAgo(0.001),
    isDraft: false,
    parentFolderId: "inbox",
    from: { emailAddress: { address: "alice@acme.com", name: "Alice" } },
    toRecipients: [{ emailAddress: { address: "jane@northwind.io" } }],
  });
  b.mail("bea", { id: "b1", imid: "<b1@x>", from: "bea@othercorp.io", to: ["alice@acme.com"], at: daysAgo(1) });

  server = await listen({ tls: false });
  server.setHandler(createApp(ctx, { mount: (app) => app.use(interactions.routes) }));
});

after(async () => {
  await server.close();
  interactions.stop();
  a.close();
  b.close();
  ctx.db.close();
  removeDir(dir);
});

describe("POST /api/preview", () => {
  test("matches the open message's customers with their activity", async () => {
    const r = await call("/api/preview", jane, {
      from: { address: "Alice@Acme.com", name: "Alice" },
      to: [{ address: "jane@northwind.io" }],
      cc: [],
    });
    assert.equal(r.status, 200);
    const body = r.body as PreviewResponse;
    assert.equal(body.customers.length, 1);
    const acme = body.customers[0]!;
    assert.equal(acme.name, "Acme");
    assert.equal(acme.owner, "Jane Doe");
    assert.deepEqual(acme.matchedContacts.map((c) => c.address), ["alice@acme.com"]);
    assert.equal(acme.matchedByDomain, false);
    assert.ok(acme.lastInteractionAt);
    assert.ok(acme.lastEmailReplyAt);
    assert.equal(acme.recentInteractions[0]?.subject, "Renewal");
    assert.equal(acme.recentInteractions[0]?.messageCount, 2);
    assert.equal(body.summary, "Syncs to Acme.");
  });

  test("a message being composed (no sender yet) is previewed as sent by the member", async () => {
    const r = await call("/api/preview", jane, { to: [{ address: "bob@globex.com" }], cc: [] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.customers.map((c: { name: string }) => c.name), ["Globex"]);
    assert.equal(r.body.summary, "Syncs to Globex.");
  });

  test("no customer: says so", async () => {
    const r = await call("/api/preview", jane, { from: { address: "news@letters.example" }, to: [{ address: "jane@northwind.io" }], cc: [] });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.customers, []);
    assert.equal(r.body.summary, "No customer contact in this email.");
  });

  test("400 names the offending field", async () => {
    let r = await call("/api/preview", jane, { to: "alice@acme.com", cc: [] });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, "to");
    r = await call("/api/preview", jane, { to: [{ name: "x" }], cc: [] });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, "to.0.address");
    r = await call("/api/preview", jane, { to: [] });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, "cc");
    r = await call("/api/preview", jane, { to: [], cc: [], dateTimeCreated: "yesterday" });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, "dateTimeCreated");
    r = await call("/api/preview", jane, "{not json");
    assert.equal(r.status, 400);
  });

  test("401 without a token, 403 for an API key or an unknown account", async () => {
    assert.equal((await call("/api/preview", null, { to: [], cc: [] })).status, 401);
    const key = rotateApiKey(ctx.db, a.orgId);
    assert.equal((await call("/api/preview", key, { to: [], cc: [] })).status, 403);
    assert.equal((await call("/api/preview", `${TENANT_A}:99999999-0000-4000-8000-000000000000`, { to: [], cc: [] })).status, 403);
  });

  test("another organisation's member sees their own directory only", async () => {
    const r = await call("/api/preview", bea, { from: { address: "alice@acme.com" }, to: [{ address: "bea@othercorp.io" }], cc: [] });
    assert.equal(r.status, 200);
    const acme = (r.body as PreviewResponse).customers[0]!;
    assert.equal(acme.customerId, b.customer("acme"));
    assert.notEqual(acme.customerId, a.customer("acme"));
    assert.ok(acme.recentInteractions.every((i) => !["Renewal"].includes(i.subject)));
  });
});

describe("POST /api/why", () => {
  test("a synced message: synced, with its interaction and customer", async () => {
    const r = await call("/api/why", jane, { internetMessageId: "<s2@x>" });
    assert.equal(r.status, 200);
    const body = r.body as WhyResponse;
    assert.equal(body.synced, true);
    assert.equal(body.headline, "Synced to Acme");
    assert.deepEqual(body.customers.map((c) => c.name), ["Acme"]);
    assert.equal(body.interactions.length, 1);
    assert.equal(body.interactions[0]!.subject, "Renewal");
    assert.ok(body.reasons.some((x) => x.code === "contact_participates"));
  });

  test("a stored message that did not match: reasons name the address, a fix adds it", async () => {
    const r = await call("/api/why", jane, { restId: "u1" });
    assert.equal(r.status, 200);
    const body = r.body as WhyResponse;
    assert.equal(body.synced, false);
    assert.equal(body.reasons[0]?.code, "no_customer_contact");
    assert.match(body.reasons[0]!.text, /carol@initech\.com/);
    assert.ok(body.fixes.some((f) => f.kind === "add_contact" && f.address === "carol@initech.com"));
  });

  test("a message the sync has not stored is read from Graph by id and decided the same way", async () => {
    lookupCalls = [];
    const r = await call("/api/why", jane, { restId: "fresh-rest-id" });
    assert.equal(r.status, 200);
    const body = r.body as WhyResponse;
    assert.equal(body.synced, false);
    assert.ok(body.reasons.some((x) => x.code === "not_yet_synced"));
    assert.ok(body.reasons.some((x) => x.code === "contact_participates"));
    assert.deepEqual(lookupCalls, ["get fresh-rest-id"]);
  });

  test("400 names the field", async () => {
    const r = await call("/api/why", jane, {});
    assert.equal(r.status, 400);
    assert.equal(r.body.error.field, "internetMessageId");
    const r2 = await call("/api/why", jane, { restId: 42 });
    assert.equal(r2.status, 400);
    assert.equal(r2.body.error.field, "restId");
  });

  test("another organisation's message is not found (404), and nothing leaks", async () => {
    // Not connected yet: the answer says so and nothing else.
    const nc = await call("/api/why", bea, { internetMessageId: "<s1@x>" });
    assert.equal(nc.status, 200);
    assert.equal(nc.body.synced, false);
    assert.equal(nc.body.headline, "Not synced: Outlook isn't connected");
    assert.deepEqual(nc.body.reasons.map((x: { code: string }) => x.code), ["not_connected"]);
    assert.deepEqual(nc.body.fixes.map((x: { kind: string }) => x.kind), ["authenticate"]);
    assert.deepEqual(nc.body.interactions, []);
    ctx.connections.markConnected(b.member("bea"), { tenantId: TENANT_B, accountOid: BEA_OID, accountAddress: "bea@othercorp.io", homeAccountId: "y", scopes: [], tokenCache: "{}" });
    const r = await call("/api/why", bea, { internetMessageId: "<s1@x>" });
    assert.equal(r.status, 404);
    assert.equal(JSON.stringify(r.body).includes("Renewal"), false);
    const r2 = await call("/api/why", bea, { restId: "s1" });
    assert.equal(r2.status, 404);
    // A colleague in the same organisation, without the message in their mailbox: also 404.
    const r3 = await call("/api/why", tom, { restId: "s1" });
    assert.equal(r3.status, 404);
  });

  test("403 for an API key", async () => {
    const key = rotateApiKey(ctx.db, a.orgId);
    assert.equal((await call("/api/why", key, { restId: "s1" })).status, 403);
  });
});

describe("GET /api/customers/:id/summary", () => {
  test("own customer: summary; another organisation's: 404", async () => {
    const own = await call(`/api/customers/${a.customer("acme")}/summary`, jane, undefined, "GET");
    assert.equal(own.status, 200);
    assert.equal(own.body.name, "Acme");
    assert.equal(own.body.recentInteractions.length, 1);
    const other = await call(`/api/customers/${a.customer("acme")}/summary`, bea, undefined, "GET");
    assert.equal(other.status, 404);
  });
});

void ({} as ItemDetails);
