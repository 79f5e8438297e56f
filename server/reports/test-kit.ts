/**
 * Test helpers for the reports API, reusable by checks that run a real sync first:
 *  - stubPaneTokens(): a pane-token validator for tokens written "tenantId:objectId";
 *  - startReportsApp(): the reports router (plus optional extra mounts) on an HTTP port-0 server
 *    with the API's JSON 404/error handlers, authenticating through the real Authenticator;
 *  - httpClient(): small GET/POST helpers returning status, headers, parsed body and raw text;
 *  - a standard two-organisation scenario on the interactions engine's test kit (seedScenario).
 */
import express, { type Express } from "express";
import type { Db } from "../db/database";
import { createAuthenticator, type Authenticator } from "../auth/middleware";
import type { PaneTokenValidator } from "../auth/pane-token";
import { errorHandler, notFoundHandler } from "../api/errors";
import { createLogger } from "../logger";
import { listen } from "../test-support/http";
import { upsertCustomers, upsertTeamMembers, upsertUsers, rotateApiKey } from "../directory/service";
import { createKit, standardDirectory, type Kit } from "../interactions/test-kit";
import { reportsRoutes, type ReportsDeps } from "./routes";

export const TENANT_A = "aaaaaaaa-0000-4000-8000-0000000000a1";
export const TENANT_B = "bbbbbbbb-0000-4000-8000-0000000000b2";
export const JANE_OID = "00000000-0000-4000-8000-00000000a001";
export const TOM_OID = "00000000-0000-4000-8000-00000000a002";
export const BEA_OID = "00000000-0000-4000-8000-00000000b001";

/** Tokens are "tenantId:objectId" (the real Authenticator maps them to members). */
export const stubPaneTokens: PaneTokenValidator = async (token) => {
  const [tenantId, objectId] = token.split(":");
  if (!tenantId || !objectId) throw new Error("not a test token");
  return { tenantId, objectId, name: null, username: null, scopes: ["access_as_user"] };
};

export const paneToken = (tenantId: string, oid: string) => `${tenantId}:${oid}`;

export interface ReportsApp {
  url: string;
  app: Express;
  authenticator: Authenticator;
  close(): Promise<void>;
}

export async function startReportsApp(
  options: Omit<ReportsDeps, "authenticator"> & { authenticator?: Authenticator; mount?: (app: Express) => void },
): Promise<ReportsApp> {
  const authenticator = options.authenticator ?? createAuthenticator(options.db, stubPaneTokens);
  const app = express();
  app.use(reportsRoutes({ ...options, authenticator }));
  options.mount?.(app);
  app.use(notFoundHandler);
  app.use(errorHandler(createLogger("silent")));
  const server = await listen({ tls: false });
  server.setHandler(app);
  return { url: server.url, app, authenticator, close: () => server.close() };
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

export function httpClient(baseUrl: string) {
  const send = async (method: string, path: string, token: string | null): Promise<HttpResult> => {
    const res = await fetch(`${baseUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
    // ignoreBOM keeps a CSV's byte-order mark visible to the test (res.text() drops it).
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
    let body: unknown = null;
    if ((res.headers.get("content-type") ?? "").includes("json") && text) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, text, body };
  };
  return {
    get: (path: string, token: string | null) => send("GET", path, token),
    post: (path: string, token: string | null) => send("POST", path, token),
  };
}

// ───────────────────────────── a standard scenario ─────────────────────────────

export const SCENARIO_NOW = new Date("2024-06-15T12:00:00.000Z");
export const daysBefore = (days: number, now = SCENARIO_NOW) => new Date(now.getTime() - days * 86_400_000).toISOString();

/**
 * Organisation A ("Northwind"): Jane (admin, owns Acme) and Tom (owns Globex and the CSV-awkward
 * customer); Initech has no owner and no mail at all. Organisation B ("Other Org") has its own
 * Acme. Team members carry Entra ids so tokens map to them.
 */
export function scenarioDirectory(db: Db, orgId: string): void {
  standardDirectory(db, orgId);
  upsertCustomers(db, orgId, [
    { externalId: "acme", name: "Acme", ownerAddress: "jane@northwind.io", domains: ["acme.com"] },
    { externalId: "initech", name: "Initech" },
    { externalId: "awkward", name: 'Quotes "and", commas', ownerAddress: "tom@northwind.io" },
    { externalId: "formula", name: "=HYPERLINK(\"http://x\")", ownerAddress: "tom@northwind.io" },
  ]);
  upsertUsers(db, orgId, [
    { externalId: "carol", name: "Carol", address: "carol@initech.com", customerExternalId: "initech", createdAt: "2024-01-01T00:00:00Z" },
    { externalId: "quinn", name: "Quinn, Q.", address: "quinn@awkward.example", customerExternalId: "awkward", createdAt: "2024-01-01T00:00:00Z" },
    { externalId: "fred", name: "Fred", address: "fred@formula.example", customerExternalId: "formula", createdAt: "2024-01-01T00:00:00Z" },
  ]);
}

export interface Scenario {
  a: Kit;
  b: Kit;
  tokens: { jane: string; tom: string; bea: string; stranger: string; apiKeyA: string };
}

export function createScenarioKits(db: Db, now = SCENARIO_NOW): Scenario {
  const a = createKit({
    db,
    now,
    directory: scenarioDirectory,
    members: [
      { externalId: "jane", name: "Jane Doe", primaryAddress: "jane@northwind.io", entraObjectId: JANE_OID, entraTenantId: TENANT_A },
      { externalId: "tom", name: "Tom Berg", primaryAddress: "tom@northwind.io", entraObjectId: TOM_OID, entraTenantId: TENANT_A },
    ],
  });
  const b = createKit({
    db,
    now,
    orgName: "Other Org",
    directory: (d, orgId) => {
      upsertTeamMembers(d, orgId, [{ externalId: "bea", name: "Bea Other", primaryAddress: "bea@othercorp.io", isAdmin: true, entraObjectId: BEA_OID, entraTenantId: TENANT_B }]);
      upsertCustomers(d, orgId, [{ externalId: "acme", name: "Other Acme", ownerAddress: "bea@othercorp.io" }]);
      upsertUsers(d, orgId, [{ externalId: "alice", name: "Alice (B)", address: "alice@acme.com", customerExternalId: "acme", createdAt: "2024-01-01T00:00:00Z" }]);
    },
  });
  return {
    a,
    b,
    tokens: {
      jane: paneToken(TENANT_A, JANE_OID),
      tom: paneToken(TENANT_A, TOM_OID),
      bea: paneToken(TENANT_B, BEA_OID),
      stranger: paneToken(TENANT_A, "00000000-0000-4000-8000-0000000000ff"),
      apiKeyA: rotateApiKey(db, a.orgId),
    },
  };
}

/**
 * Mail and meetings for organisation A (times relative to SCENARIO_NOW) and one thread for B.
 * Expected numbers are derived in reports.test.ts; keep the two in step.
 */
export function seedScenario(s: Scenario): void {
  const { a, b } = s;
  const t = daysBefore;
  // Acme: a renewal thread — Jane writes, Alice replies 3 h later, Jane answers (Tom cc'd, copy in his mailbox).
  a.mail("jane", { id: "r1", imid: "<r1@nw>", conv: "renewal", from: "jane@northwind.io", to: ["alice@acme.com"], at: t(10), subject: "Renewal" });
  a.mail("jane", { id: "r2", imid: "<r2@acme>", conv: "renewal", from: "alice@acme.com", to: ["jane@northwind.io"], at: new Date(Date.parse(t(10)) + 3 * 3600_000).toISOString(), subject: "RE: Renewal" });
  a.mail("jane", { id: "r3", imid: "<r3@nw>", conv: "renewal", from: "jane@northwind.io", to: ["alice@acme.com"], cc: ["tom@northwind.io"], at: t(2), subject: "RE: Renewal" });
  a.mail("tom", { id: "r3t", imid: "<r3@nw>", conv: "renewal-t", from: "jane@northwind.io", to: ["alice@acme.com"], cc: ["tom@northwind.io"], at: t(2), subject: "RE: Renewal" });
  // Acme: an unanswered check-in 40 days ago (outside 30, inside 90).
  a.mail("jane", { id: "c1", imid: "<c1@nw>", conv: "checkin", from: "jane@northwind.io", to: ["alice@acme.com"], at: t(40), subject: "Checking in" });
  // Acme: a meeting 5 days ago (Jane and Tom attend), a cancelled one 3 days ago, one tomorrow.
  a.event("jane", { id: "m1", ical: "qbr", organizer: "jane@northwind.io", attendees: ["alice@acme.com", "tom@northwind.io"], start: t(5), subject: "QBR" });
  a.event("tom", { id: "m1t", ical: "qbr", organizer: "jane@northwind.io", attendees: ["alice@acme.com", "tom@northwind.io"], start: t(5), subject: "QBR" });
  a.event("jane", { id: "m2", ical: "sync", organizer: "jane@northwind.io", attendees: ["alice@acme.com"], start: t(3), cancelled: true, subject: "Weekly sync" });
  a.event("jane", { id: "m3", ical: "next", organizer: "jane@northwind.io", attendees: ["alice@acme.com"], start: t(-1), subject: "Planning" });
  // Globex: Bob writes to Tom 20 days ago, no answer; Tom meets Bob 70 days ago.
  a.mail("tom", { id: "g1", imid: "<g1@globex>", conv: "globex", from: "bob@globex.com", to: ["tom@northwind.io"], at: t(20), subject: "Question" });
  a.event("tom", { id: "gm", ical: "globex-m", organizer: "tom@northwind.io", attendees: ["bob@globex.com"], start: t(70), subject: "Kick-off" });
  // The awkward customer: Tom wrote once, 100 days ago.
  a.mail("tom", { id: "q1", imid: "<q1@nw>", conv: "q", from: "tom@northwind.io", to: ["quinn@awkward.example"], at: t(100), subject: "=SUM(A1:A2), \"quoted\"" });
  // Organisation B: Alice writes to Bea (Alice is a contact there too).
  b.mail("bea", { id: "b1", imid: "<b1@acme>", conv: "b", from: "alice@acme.com", to: ["bea@othercorp.io"], at: t(1), subject: "Other org thread" });
}
