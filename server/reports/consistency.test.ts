/**
 * A busier organisation with churn (messages removed, meetings cancelled, a contact added
 * afterwards so earlier mail is captured retroactively, a customer deleted): the API's numbers
 * must equal the reference model (reference.ts) computed from the same tables, and the
 * trigger-kept dashboard counters must equal a recount after every step.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase, type Db } from "../db/database";
import { deleteCustomer, deleteTeamMember, upsertCustomers, upsertUsers } from "../directory/service";
import type { CustomerListResponse, DrilldownResponse, ImpactResponse, RelationshipActivity } from "../../shared/api/reports";
import { computeActivity } from "./activity";
import { ImpactReports } from "./impact";
import { refActivityInput, refCustomerFacts, refFromDb, refImpact } from "./reference";
import { SCENARIO_NOW, createScenarioKits, daysBefore, httpClient, startReportsApp, type ReportsApp, type Scenario } from "./test-kit";
import { mulberry32 } from "../../shared/random";

let db: Db;
let s: Scenario;
let app: ReportsApp;
let http: ReturnType<typeof httpClient>;

/** A seeded generator with a pick(). */
function rng(seed: number) {
  const next = mulberry32(seed);
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]! };
}

const members = ["jane", "tom"] as const;
const team = { jane: "jane@northwind.io", tom: "tom@northwind.io" };
const contacts = ["alice@acme.com", "bob@globex.com", "shared@partner.com", "carol@initech.com", "quinn@awkward.example", "fred@formula.example", "late@acme.com"];

before(async () => {
  db = openDatabase(":memory:");
  s = createScenarioKits(db);
  app = await startReportsApp({ db, now: () => SCENARIO_NOW, refreshDueActivity: () => s.a.engine.refreshDueActivity() });
  http = httpClient(app.url);
});

after(async () => {
  await app.close();
  s.a.close();
  s.b.close();
  db.close();
});

async function checkAgainstReference(step: string): Promise<void> {
  const impact = new ImpactReports(db);
  assert.deepEqual(impact.verify(s.a.orgId), [], `${step}: counters`);
  const ref = refFromDb(db, s.a.orgId);
  const facts = refCustomerFacts(ref, SCENARIO_NOW);
  const list = (await http.get("/api/customers?pageSize=200", s.tokens.jane)).body as CustomerListResponse;
  assert.ok(list.items.length > 0);
  for (const c of list.items) {
    const f = facts.get(c.id) ?? { emailsLast30Days: 0, meetingsLast30Days: 0, lastInteractionAt: null, lastEmailReplyAt: null };
    assert.deepEqual(
      [c.emailsLast30Days, c.meetingsLast30Days, c.lastInteractionAt, c.lastEmailReplyAt],
      [f.emailsLast30Days, f.meetingsLast30Days, f.lastInteractionAt, f.lastEmailReplyAt],
      `${step}: ${c.name}`,
    );
    const activity = (await http.get(`/api/customers/${c.id}/activity`, s.tokens.jane)).body as RelationshipActivity;
    assert.deepEqual(activity, computeActivity(refActivityInput(ref, { id: c.id, name: c.name }, SCENARIO_NOW), SCENARIO_NOW), `${step}: activity of ${c.name}`);
  }
  const from = "2023-12-01";
  const to = "2024-06-15";
  const api = (await http.get(`/api/impact?from=${from}&to=${to}`, s.tokens.jane)).body as ImpactResponse;
  const expected = refImpact(ref, from, to);
  assert.deepEqual(api.totals, expected.totals, `${step}: totals`);
  for (const d of api.byDay) assert.deepEqual({ emails: d.emails, meetings: d.meetings }, expected.byDay.get(d.day), `${step}: ${d.day}`);
  for (const m of api.byMember) {
    assert.deepEqual({ emails: m.emails, meetings: m.meetings }, expected.byMember.get(m.memberId) ?? { emails: 0, meetings: 0 }, `${step}: ${m.name}`);
    for (const kind of ["email", "meeting"] as const) {
      const d = (await http.get(`/api/impact/drilldown?from=${from}&to=${to}&member=${m.memberId}&kind=${kind}&limit=200`, s.tokens.jane)).body as DrilldownResponse;
      assert.equal(d.total.units, kind === "email" ? m.emails : m.meetings, `${step}: drill-down ${m.name} ${kind}`);
      assert.equal(d.items.reduce((n, i) => n + i.units, 0), d.total.units);
    }
  }
}

test("API = reference model through a busy history with churn", async () => {
  const r = rng(42);
  const mails: { member: string; id: string }[] = [];
  // 60 threads of 1–4 messages over the last ~200 days; a third also land in the other member's mailbox.
  for (let thread = 0; thread < 60; thread++) {
    const contact = r.pick(contacts);
    const owner = r.pick(members);
    let at = Date.parse(daysBefore(5 + r.next() * 195));
    const length = 1 + Math.floor(r.next() * 4);
    for (let i = 0; i < length; i++) {
      const fromTeam = r.next() < 0.55;
      const id = `t${thread}-${i}`;
      const spec = {
        imid: `<${id}@gen>`,
        conv: `conv-${thread}`,
        from: fromTeam ? team[owner] : contact,
        to: fromTeam ? [contact] : [team[owner]],
        cc: r.next() < 0.3 ? [team[owner === "jane" ? "tom" : "jane"]] : [],
        at: new Date(Math.min(at, SCENARIO_NOW.getTime() - 60_000)).toISOString(),
        subject: `Thread ${thread}`,
      };
      s.a.mail(owner, { id, ...spec });
      mails.push({ member: owner, id });
      if (spec.cc.length > 0) {
        const other = owner === "jane" ? "tom" : "jane";
        s.a.mail(other, { id: `${id}-copy`, ...spec });
        mails.push({ member: other, id: `${id}-copy` });
      }
      at += (1 + r.next() * 72) * 3600_000;
    }
  }
  // 25 meetings: some with both members, some cancelled, some declined by one of them, a few in the future.
  for (let m = 0; m < 25; m++) {
    const contact = r.pick(contacts);
    const start = daysBefore(-5 + r.next() * 150);
    const both = r.next() < 0.4;
    const cancelled = r.next() < 0.15;
    const spec = { ical: `ical-${m}`, organizer: team.jane, attendees: both ? [contact, team.tom] : [contact], start, cancelled, subject: `Meeting ${m}` };
    s.a.event("jane", { id: `e${m}`, ...spec });
    if (both) s.a.event("tom", { id: `e${m}-t`, ...spec, response: r.next() < 0.3 ? "declined" : "accepted" });
  }
  await checkAgainstReference("seeded");

  for (let i = 0; i < 15; i++) {
    const victim = mails.splice(Math.floor(r.next() * mails.length), 1)[0]!;
    s.a.removeMail(victim.member, victim.id);
  }
  s.a.event("jane", { id: "e3", ical: "ical-3", organizer: team.jane, attendees: [contacts[0]!], start: daysBefore(12), cancelled: true, subject: "Meeting 3" });
  await checkAgainstReference("after removals and a cancellation");

  // A contact added later: their earlier mail is decided again and synced retroactively.
  upsertUsers(db, s.a.orgId, [{ externalId: "late", name: "Late Contact", address: "late@acme.com", customerExternalId: "acme", createdAt: "2023-01-01T00:00:00Z" }]);
  s.a.engine.redecideOrganisation(s.a.orgId);
  await checkAgainstReference("after a contact was added");

  assert.ok(deleteCustomer(db, s.a.orgId, "globex"));
  await checkAgainstReference("after a customer was deleted");

  // Renamed, and its owner left: the list's copy follows (owner cleared by the foreign key).
  upsertCustomers(db, s.a.orgId, [{ externalId: "acme", name: "Acme Renamed" }]);
  assert.ok(deleteTeamMember(db, s.a.orgId, "tom"));
  await checkAgainstReference("after a rename and a team member left");
  const list = (await http.get("/api/customers?sort=name&pageSize=200", s.tokens.jane)).body as CustomerListResponse;
  assert.ok(list.items.some((c) => c.name === "Acme Renamed"));
  assert.equal(list.items.find((c) => c.name === "Initech")?.owner, null);
  assert.ok(list.items.every((c) => c.owner?.name !== "Tom Berg"));
  const impact = (await http.get("/api/impact?from=2023-12-01&to=2024-06-15", s.tokens.jane)).body as ImpactResponse;
  assert.ok(impact.byMember.some((m) => !m.current && m.name === "Former team member" && m.emails > 0), "a former member's work still counts");
});
