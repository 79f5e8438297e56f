/**
 * The reports API end to end over HTTP: interactions written by the real interactions engine (its
 * test kit standing in for the sync), read through the router with the real Authenticator.
 * Expected numbers are derived by hand from seedScenario() (server/reports/test-kit.ts), with
 * SCENARIO_NOW = 2024-06-15T12:00Z; t(n) below is n days before it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase, type Db } from "../db/database";
import type {
  CustomerListResponse,
  CustomerProfile,
  DrilldownResponse,
  EmailConversationItem,
  HistoryResponse,
  ImpactResponse,
  MeetingItem,
  RelationshipActivity,
} from "../../shared/api/reports";
import { ImpactReports } from "./impact";
import {
  SCENARIO_NOW,
  createScenarioKits,
  daysBefore as t,
  httpClient,
  seedScenario,
  startReportsApp,
  type ReportsApp,
  type Scenario,
} from "./test-kit";

let db: Db;
let app: ReportsApp;
let s: Scenario;
let http: ReturnType<typeof httpClient>;
let refreshCalls = 0;

before(async () => {
  db = openDatabase(":memory:");
  s = createScenarioKits(db);
  seedScenario(s);
  app = await startReportsApp({
    db,
    now: () => SCENARIO_NOW,
    refreshDueActivity: () => {
      refreshCalls++;
      s.a.engine.refreshDueActivity();
    },
  });
  http = httpClient(app.url);
});

after(async () => {
  await app.close();
  s.a.close();
  s.b.close();
  db.close();
});

const get = (path: string, token: string | null = s.tokens.jane) => http.get(path, token);
const names = (r: CustomerListResponse) => r.items.map((i) => i.name);
const AWKWARD = 'Quotes "and", commas';
const FORMULA = '=HYPERLINK("http://x")';

describe("GET /api/customers", () => {
  test("newest last interaction first; never-contacted customers last; 30-day counts", async () => {
    const r = await get("/api/customers");
    assert.equal(r.status, 200, r.text);
    const body = r.body as CustomerListResponse;
    assert.deepEqual(names(body), ["Acme", "Globex", AWKWARD, FORMULA, "Initech"]);
    assert.equal(body.total, 5);
    assert.equal(body.sort, "last_interaction");
    assert.equal(body.order, "desc");
    const acme = body.items[0]!;
    // The renewal thread's last message (2 days ago) beats the QBR (5 days ago); the meeting tomorrow doesn't count yet.
    assert.equal(acme.lastInteractionAt, t(2));
    assert.equal(acme.daysSinceLastInteraction, 2);
    // Alice's reply, 10 days ago + 3 h.
    assert.equal(acme.lastEmailReplyAt, new Date(Date.parse(t(10)) + 3 * 3600_000).toISOString());
    assert.equal(acme.daysSinceLastEmailReply, 9);
    // r1, r2 and r3 (r3 is in two mailboxes: one email); the check-in 40 days ago is outside.
    assert.equal(acme.emailsLast30Days, 3);
    // The QBR; the cancelled sync and tomorrow's planning don't count.
    assert.equal(acme.meetingsLast30Days, 1);
    assert.deepEqual(acme.owner?.name, "Jane Doe");
    const globex = body.items[1]!;
    assert.equal(globex.lastInteractionAt, t(20));
    assert.equal(globex.lastEmailReplyAt, t(20));
    assert.equal(globex.emailsLast30Days, 1);
    assert.equal(globex.meetingsLast30Days, 0);
    const initech = body.items.find((i) => i.name === "Initech")!;
    assert.equal(initech.lastInteractionAt, null);
    assert.equal(initech.daysSinceLastInteraction, null);
    assert.equal(initech.owner, null);
  });

  test("oldest first puts customers never contacted at the top", async () => {
    const r = await get("/api/customers?sort=last_interaction&order=asc");
    assert.deepEqual(names(r.body), [FORMULA, "Initech", AWKWARD, "Globex", "Acme"]);
  });

  test("sort by last email reply, and by name", async () => {
    assert.deepEqual(names((await get("/api/customers?sort=last_email_reply")).body), ["Acme", "Globex", FORMULA, "Initech", AWKWARD]);
    assert.deepEqual(names((await get("/api/customers?sort=last_email_reply&order=asc")).body), [FORMULA, "Initech", AWKWARD, "Globex", "Acme"]);
    const byName = (await get("/api/customers?sort=name")).body as CustomerListResponse;
    assert.equal(byName.order, "asc");
    assert.deepEqual(names(byName), [FORMULA, "Acme", "Globex", "Initech", AWKWARD]);
    assert.deepEqual(names((await get("/api/customers?sort=name&order=desc")).body), [AWKWARD, "Initech", "Globex", "Acme", FORMULA]);
  });

  test("quiet for more than N days includes customers never contacted", async () => {
    assert.deepEqual(names((await get("/api/customers?quietDays=15")).body), ["Globex", AWKWARD, FORMULA, "Initech"]);
    assert.deepEqual(names((await get("/api/customers?quietDays=30")).body), [AWKWARD, FORMULA, "Initech"]);
    assert.deepEqual(names((await get("/api/customers?quietDays=1")).body), ["Acme", "Globex", AWKWARD, FORMULA, "Initech"]);
    // Exactly 2 days is not more than 2 days.
    assert.deepEqual(names((await get("/api/customers?quietDays=2")).body), ["Globex", AWKWARD, FORMULA, "Initech"]);
  });

  test("owner filter: me, a member id, none; search; paging", async () => {
    assert.deepEqual(names((await get("/api/customers?owner=me")).body), ["Acme"]);
    assert.deepEqual(names((await get("/api/customers?owner=me", s.tokens.tom)).body), ["Globex", AWKWARD, FORMULA]);
    assert.deepEqual(names((await get(`/api/customers?owner=${s.a.member("tom")}&quietDays=30`)).body), [AWKWARD, FORMULA]);
    assert.deepEqual(names((await get("/api/customers?owner=none")).body), ["Initech"]);
    assert.deepEqual(names((await get("/api/customers?q=GLOB")).body), ["Globex"]);
    assert.deepEqual(names((await get("/api/customers?q=initech")).body), ["Initech"], "external ids match too");
    assert.deepEqual(names((await get(`/api/customers?q=${encodeURIComponent("%")}`)).body), [], "LIKE wildcards are literal");
    const p1 = (await get("/api/customers?pageSize=2")).body as CustomerListResponse;
    const p3 = (await get("/api/customers?pageSize=2&page=3")).body as CustomerListResponse;
    assert.deepEqual(names(p1), ["Acme", "Globex"]);
    assert.deepEqual(names(p3), ["Initech"]);
    assert.equal(p3.total, 5);
  });

  test("another organisation sees only its own customers", async () => {
    const r = await get("/api/customers", s.tokens.bea);
    assert.deepEqual(names(r.body), ["Other Acme"]);
    assert.equal((r.body as CustomerListResponse).items[0]!.emailsLast30Days, 1);
  });

  test("due meetings are brought up to date before reading", async () => {
    const before = refreshCalls;
    await get("/api/customers");
    assert.ok(refreshCalls > before);
  });
});

describe("CSV exports", () => {
  test("customer list: escaping, formula neutralising, Content-Disposition, filters applied", async () => {
    const r = await get("/api/customers?format=csv&sort=name");
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/csv; charset=utf-8/);
    assert.equal(r.headers.get("content-disposition"), 'attachment; filename="customers-2024-06-15.csv"');
    assert.ok(r.text.startsWith("\uFEFF"), "BOM for spreadsheets");
    const lines = r.text.slice(1).split("\r\n");
    assert.equal(lines[0], "Customer,External id,Owner,Last interaction,Days since last interaction,Last email reply,Days since last email reply,Emails (30 days),Meetings (30 days)");
    assert.equal(lines[1], `"'=HYPERLINK(""http://x"")",formula,Tom Berg,,,,,0,0`);
    assert.equal(lines[2], `Acme,acme,Jane Doe,${t(2)},2,${new Date(Date.parse(t(10)) + 3 * 3600_000).toISOString()},9,3,1`);
    assert.equal(lines[5], `"Quotes ""and"", commas",awkward,Tom Berg,${t(100)},100,,,0,0`);
    assert.equal(lines[6], "");
    assert.equal(lines.length, 7);
    const quiet = await get("/api/customers?format=csv&quietDays=30&owner=none");
    assert.equal(quiet.text.slice(1).split("\r\n").length, 3, "header, Initech, trailing newline");
  });

  test("drill-down: every item behind the bar, subjects escaped", async () => {
    const r = await get("/api/impact/drilldown?from=2024-03-01&to=2024-06-15&kind=email&format=csv");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-disposition"), 'attachment; filename="interactions-2024-03-01-to-2024-06-15-email.csv"');
    const lines = r.text.slice(1).trimEnd().split("\r\n");
    assert.equal(lines[0], "Kind,Customer,Subject,Count in bar,First in bar,Last in bar,Messages in conversation,Last direction,Cancelled,Contacts,Team members,Link");
    assert.equal(lines.length, 1 + 4, "renewal, globex, check-in, awkward");
    const awkward = lines.find((l) => l.includes("awkward"))!;
    assert.ok(awkward.startsWith(`email,"Quotes ""and"", commas","'=SUM(A1:A2), ""quoted""",1,`), awkward);
    // Names as the message had them (the test kit's Graph details use the address's local part).
    assert.ok(awkward.endsWith(",1,sent,,quinn <quinn@awkward.example>,tom <tom@northwind.io>,https://outlook.example/q1"), awkward);
  });
});

describe("GET /api/customers/:id and history", () => {
  test("profile: owner, domains, contacts, upcoming meetings", async () => {
    const r = await get(`/api/customers/${s.a.customer("acme")}`);
    assert.equal(r.status, 200, r.text);
    const p = r.body as CustomerProfile;
    assert.equal(p.name, "Acme");
    assert.deepEqual(p.domains, ["acme.com"]);
    assert.deepEqual(
      p.contacts.map((c) => c.address),
      ["alice@acme.com", "shared@partner.com"],
    );
    assert.equal(p.emailsLast30Days, 3);
    assert.equal(p.upcomingMeetings.length, 1);
    assert.equal(p.upcomingMeetings[0]!.subject, "Planning");
    assert.equal(p.upcomingMeetings[0]!.start, t(-1));
  });

  test("History: newest first, keyset pages, email and meeting details, deep links", async () => {
    const id = s.a.customer("acme");
    const p1 = (await get(`/api/customers/${id}/history?limit=2`)).body as HistoryResponse;
    assert.equal(p1.tab, "history");
    assert.deepEqual(
      p1.items.map((i) => [i.kind, i.at]),
      [
        ["email", t(2)],
        ["meeting", t(3)],
      ],
    );
    assert.ok(p1.nextCursor);
    const renewal = p1.items[0] as EmailConversationItem;
    assert.equal(renewal.messageCount, 3);
    assert.equal(renewal.lastDirection, "sent");
    assert.equal(renewal.lastMessageAt, t(2));
    assert.equal(renewal.firstMessageAt, t(10));
    assert.match(renewal.subject, /Renewal/);
    assert.deepEqual(renewal.contacts.map((c) => c.address), ["alice@acme.com"]);
    assert.deepEqual(renewal.teamMembers.map((c) => c.address).sort(), ["jane@northwind.io", "tom@northwind.io"]);
    assert.match(renewal.webLink ?? "", /^https:\/\/outlook\.example\//);
    const cancelled = p1.items[1] as MeetingItem;
    assert.equal(cancelled.cancelled, true);
    assert.equal(cancelled.start, t(3));
    assert.deepEqual(cancelled.contacts.map((c) => c.address), ["alice@acme.com"]);

    const p2 = (await get(`/api/customers/${id}/history?limit=2&cursor=${p1.nextCursor}`)).body as HistoryResponse;
    assert.deepEqual(
      p2.items.map((i) => [i.kind, i.at]),
      [
        ["meeting", t(5)],
        ["email", t(40)],
      ],
    );
    assert.equal(p2.nextCursor, null);
    const qbr = p2.items[0] as MeetingItem;
    assert.equal(qbr.cancelled, false);
    assert.deepEqual(qbr.teamMembers.map((p) => p.address).sort(), ["jane@northwind.io", "tom@northwind.io"]);
  });

  test("Interactions tab: communication only (today the same items)", async () => {
    const r = (await get(`/api/customers/${s.a.customer("acme")}/history?tab=interactions&limit=50`)).body as HistoryResponse;
    assert.equal(r.tab, "interactions");
    assert.equal(r.items.length, 4);
    assert.ok(r.items.every((i) => i.kind === "email" || i.kind === "meeting"));
  });

  test("a customer without interactions has an empty first page", async () => {
    const r = (await get(`/api/customers/${s.a.customer("initech")}/history`)).body as HistoryResponse;
    assert.deepEqual(r, { tab: "history", items: [], nextCursor: null });
  });
});

describe("GET /api/customers/:id/activity", () => {
  test("Acme: counts per period, trend, reply share and median time to reply", async () => {
    const r = await get(`/api/customers/${s.a.customer("acme")}/activity`);
    assert.equal(r.status, 200, r.text);
    const a = r.body as RelationshipActivity;
    assert.deepEqual(a.last30Days, { emails: 3, meetings: 1 });
    assert.deepEqual(a.previous30Days, { emails: 1, meetings: 0 });
    assert.deepEqual(a.last90Days, { emails: 4, meetings: 1 });
    assert.deepEqual(a.previous90Days, { emails: 0, meetings: 0 });
    assert.deepEqual(a.trend30Days, { current: 4, previous: 1, change: 3, changeRatio: 3, direction: "up" });
    assert.deepEqual(a.trend90Days, { current: 5, previous: 0, change: 5, changeRatio: null, direction: "up" });
    assert.equal(a.lastInteractionAt, t(2));
    assert.equal(a.daysSinceLastInteraction, 2);
    assert.equal(a.daysSinceLastEmailReply, 9);
    // Renewal: Jane wrote, Alice replied 3 h later. Check-in: no reply.
    assert.deepEqual(a.replies, { conversations: 2, replied: 1, share: 0.5, medianTimeToReplySeconds: 3 * 3600 });
  });

  test("Globex: the customer wrote first and nobody answered — no conversation started by the team", async () => {
    const a = (await get(`/api/customers/${s.a.customer("globex")}/activity`)).body as RelationshipActivity;
    assert.deepEqual(a.last90Days, { emails: 1, meetings: 1 });
    assert.deepEqual(a.replies, { conversations: 0, replied: 0, share: null, medianTimeToReplySeconds: null });
  });

  test("the organisation's API key may read activity (the health assessment); not the member pages", async () => {
    assert.equal((await get(`/api/customers/${s.a.customer("acme")}/activity`, s.tokens.apiKeyA)).status, 200);
    assert.equal((await get("/api/customers", s.tokens.apiKeyA)).status, 403);
    assert.equal((await get(`/api/customers/${s.b.customer("acme")}/activity`, s.tokens.apiKeyA)).status, 404);
  });
});

describe("GET /api/impact and the drill-down", () => {
  test("default period: the 30 days up to today, per day and per team member", async () => {
    const r = await get("/api/impact");
    assert.equal(r.status, 200, r.text);
    const body = r.body as ImpactResponse;
    assert.deepEqual(body.period, { from: "2024-05-17", to: "2024-06-15", days: 30 });
    assert.equal(body.byDay.length, 30);
    assert.deepEqual(body.totals, { emails: 4, meetings: 1 });
    const day = (d: string) => body.byDay.find((x) => x.day === d);
    assert.deepEqual(day("2024-06-05"), { day: "2024-06-05", emails: 2, meetings: 0 });
    assert.deepEqual(day("2024-06-13"), { day: "2024-06-13", emails: 1, meetings: 0 });
    assert.deepEqual(day("2024-06-10"), { day: "2024-06-10", emails: 0, meetings: 1 });
    assert.deepEqual(day("2024-05-26"), { day: "2024-05-26", emails: 1, meetings: 0 });
    assert.deepEqual(
      body.byMember.map((m) => [m.name, m.emails, m.meetings, m.current]),
      [
        ["Jane Doe", 3, 1, true],
        ["Tom Berg", 2, 1, true],
      ],
    );
  });

  test("every bar's drill-down total equals the bar, across pages", async () => {
    const q = "from=2024-03-01&to=2024-06-15";
    const impact = (await get(`/api/impact?${q}`)).body as ImpactResponse;
    const bars: { query: string; value: number }[] = [];
    for (const m of impact.byMember) {
      bars.push({ query: `member=${m.memberId}&kind=email`, value: m.emails });
      bars.push({ query: `member=${m.memberId}&kind=meeting`, value: m.meetings });
    }
    for (const d of impact.byDay) {
      if (d.emails) bars.push({ query: `day=${d.day}&kind=email`, value: d.emails });
      if (d.meetings) bars.push({ query: `day=${d.day}&kind=meeting`, value: d.meetings });
    }
    bars.push({ query: "kind=email", value: impact.totals.emails }, { query: "kind=meeting", value: impact.totals.meetings });
    assert.ok(bars.length > 8);
    for (const bar of bars) {
      let cursor: string | null = null;
      let sum = 0;
      let total: number | null = null;
      do {
        const page = (await get(`/api/impact/drilldown?${q}&${bar.query}&limit=1${cursor ? `&cursor=${cursor}` : ""}`)).body as DrilldownResponse;
        total = page.total.units;
        sum += page.items.reduce((n, i) => n + i.units, 0);
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(total, bar.value, `total of ${bar.query}`);
      assert.equal(sum, bar.value, `items of ${bar.query}`);
    }
  });

  test("a drill-down lists the interactions with customer, subject and link", async () => {
    const r = (await get(`/api/impact/drilldown?member=${s.a.member("tom")}&kind=email`)).body as DrilldownResponse;
    assert.deepEqual(r.total, { emails: 2, meetings: 0, units: 2 });
    assert.deepEqual(
      r.items.map((i) => [i.customer.name, i.units, i.lastUnitAt]),
      [
        ["Acme", 1, t(2)],
        ["Globex", 1, t(20)],
      ],
    );
    const day = (await get("/api/impact/drilldown?day=2024-06-05")).body as DrilldownResponse;
    assert.deepEqual(day.filter, { from: "2024-06-05", to: "2024-06-05", kind: null, member: null, day: "2024-06-05" });
    assert.equal(day.items.length, 1);
    assert.equal(day.items[0]!.units, 2);
    assert.equal(day.items[0]!.messageCount, 3);
    const me = (await get("/api/impact/drilldown?member=me&kind=meeting", s.tokens.tom)).body as DrilldownResponse;
    assert.deepEqual(me.items.map((i) => i.subject), ["QBR"]);
  });

  test("organisations don't see each other's numbers", async () => {
    const b = (await get("/api/impact", s.tokens.bea)).body as ImpactResponse;
    assert.deepEqual(b.totals, { emails: 1, meetings: 0 });
    const leak = (await get(`/api/impact/drilldown?member=${s.a.member("jane")}`, s.tokens.bea)).body as DrilldownResponse;
    assert.equal(leak.total.units, 0);
  });

  test("the trigger-kept counters equal a recount; rebuild is admin-only", async () => {
    const impact = new ImpactReports(db);
    assert.deepEqual(impact.verify(s.a.orgId), []);
    assert.equal((await http.post("/api/reports/rebuild", s.tokens.tom)).status, 403);
    const ok = await http.post("/api/reports/rebuild", s.tokens.jane);
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.body.dayRows > 0);
    assert.equal((await http.post("/api/reports/rebuild", s.tokens.apiKeyA)).status, 200);
    assert.deepEqual(impact.verify(s.a.orgId), []);
    assert.deepEqual((await get("/api/impact")).body.totals, { emails: 4, meetings: 1 });
  });
});

describe("who may see what", () => {
  const routes = (id: string) => [
    "/api/customers",
    `/api/customers/${id}`,
    `/api/customers/${id}/history`,
    `/api/customers/${id}/activity`,
    "/api/impact",
    "/api/impact/drilldown",
    "/api/reports/team",
  ];

  test("no token: 401 everywhere; not a team member: 403", async () => {
    for (const path of routes(s.a.customer("acme"))) {
      assert.equal((await get(path, null)).status, 401, path);
      const r = await get(path, s.tokens.stranger);
      assert.equal(r.status, 403, path);
      assert.equal(r.body.error.code, "unknown_member");
    }
  });

  test("another organisation's customer is not found", async () => {
    const acmeA = s.a.customer("acme");
    for (const path of [`/api/customers/${acmeA}`, `/api/customers/${acmeA}/history`, `/api/customers/${acmeA}/activity`]) {
      const r = await get(path, s.tokens.bea);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.error.code, "not_found");
    }
    assert.equal((await get(`/api/customers/${s.b.customer("acme")}`, s.tokens.bea)).status, 200);
  });

  test("team list for the owner filter", async () => {
    const r = await get("/api/reports/team", s.tokens.tom);
    assert.deepEqual(r.body.members.map((m: { name: string }) => m.name), ["Jane Doe", "Tom Berg"]);
    assert.equal(r.body.me.name, "Tom Berg");
    assert.equal(r.body.me.isAdmin, false);
  });
});

describe("400 names the parameter", () => {
  const cases: [string, string][] = [
    ["/api/customers?sort=revenue", "sort"],
    ["/api/customers?order=up", "order"],
    ["/api/customers?quietDays=0", "quietDays"],
    ["/api/customers?quietDays=ten", "quietDays"],
    ["/api/customers?quietDays=-3", "quietDays"],
    ["/api/customers?pageSize=1000", "pageSize"],
    ["/api/customers?page=0", "page"],
    ["/api/customers?format=xml", "format"],
    ["/api/customers?sortBy=name", "sortBy"],
    ["/api/customers?sort=name&sort=last_interaction", "sort"],
    [`/api/customers?q=${"x".repeat(201)}`, "q"],
    ["/api/customers/ID/history?tab=notes", "tab"],
    ["/api/customers/ID/history?cursor=not-a-cursor", "cursor"],
    ["/api/customers/ID/history?limit=0", "limit"],
    ["/api/customers/ID?expand=all", "expand"],
    ["/api/impact?from=2024-13-01", "from"],
    ["/api/impact?to=2024-02-30", "to"],
    ["/api/impact?from=2024-06-10&to=2024-06-01", "from"],
    ["/api/impact?from=2023-01-01&to=2024-06-01", "to"],
    ["/api/impact/drilldown?kind=call", "kind"],
    ["/api/impact/drilldown?from=2024-06-01&to=2024-06-10&day=2024-06-11", "day"],
    ["/api/impact/drilldown?day=yesterday", "day"],
    ["/api/impact/drilldown?limit=500", "limit"],
    ["/api/impact/drilldown?cursor=%%%", "cursor"],
  ];
  for (const [path, field] of cases) {
    test(`${path} → 400 ${field}`, async () => {
      const r = await get(path.replace("ID", s.a.customer("acme")));
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.error.code, "invalid_request");
      assert.equal(r.body.error.field, field, r.text);
      assert.match(r.body.error.message, new RegExp(field));
    });
  }
});
