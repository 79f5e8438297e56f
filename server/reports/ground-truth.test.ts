/**
 * The reports API against the ground truth of a generated organisation (issue 6's acceptance):
 * the emulator serves the generator's organisation, every team member is connected through the
 * pane's real connect flow, the real sync reads their mailboxes and calendars into the product
 * (interactions engine as the sync's listener, the reports' triggers keeping the counters), and
 * the reports HTTP API is then checked against numbers computed here, independently of the
 * product's tables, from what the generator wrote:
 *   - mail: the generator's own messages (From/To/Cc/Bcc, folder, times) and its directory,
 *     decided with the documented rules at their defaults (docs/matching-rules.md) written out
 *     plainly below — not the product's decision function;
 *   - meetings: the emulator's ground truth of each calendar (occurrences expanded), same rules;
 *   - numbers: reference.ts's plain in-memory definitions (docs/reports.md) over that description.
 * Checked: per customer the 30-day counts, last interaction, last email reply, days since each,
 * the list's sort and quiet filter, the profile and the history's item count; relationship
 * activity (periods, trends, reply share, median time to reply); the dashboard's totals, days and
 * members; and for every bar (each member × kind, each day × kind) the drill-down's total equal
 * to the bar, with its items adding up to it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Recipient } from "@microsoft/microsoft-graph-types";
import type { GroundTruth } from "../../emulator/graph/store/mailbox-store";
import type {
  CustomerListResponse,
  CustomerProfile,
  DrilldownResponse,
  HistoryResponse,
  ImpactResponse,
  RelationshipActivity,
} from "../../shared/api/reports";
import { TEST_DRIVER_LIMITS, TEST_SYNC_CONFIG } from "../sync/test-kit";
import { startNode, startWorld, type ProductNode, type World } from "../sync/testing/world";
import { computeActivity } from "./activity";
import { ImpactReports } from "./impact";
import { refActivityInput, refCustomerFacts, refImpact, type RefInteraction, type RefMessage } from "./reference";
import { httpClient, startReportsApp, type ReportsApp } from "./test-kit";
import { addDays, dayOf, eachDay } from "./time";

/** Small enough to sync in a few seconds; the generator's fixtures (shared mail, series, declines…) are all in. */
const SIZES = { messagesPerMailbox: 120, eventsPerMailbox: 24, teamMembers: 3, customers: 8, contactsPerCustomer: 3 };
const DAY_MS = 86_400_000;

let world: World;
let node: ProductNode;
let app: ReportsApp;
let http: ReturnType<typeof httpClient>;
let token: string;
let now: Date;
/** Entra oid → product team member id. */
let memberIds: Record<string, string>;

before(async () => {
  world = await startWorld({ seed: "reports-ground-truth", sizes: SIZES });
  node = startNode(world, { label: "reports-ground-truth", config: TEST_SYNC_CONFIG, driverLimits: TEST_DRIVER_LIMITS });
  for (const m of world.org.teamMembers) await node.connect(m.oid);
  memberIds = node.memberIdsByOid;
  for (const m of world.org.teamMembers) {
    const outcome = await node.sync.engine.runHistorySync(memberIds[m.oid]!);
    assert.ok(outcome.ok && outcome.historyDone, JSON.stringify(outcome));
  }
  await node.interactions.engine.whenIdle();
  now = new Date();
  app = await startReportsApp({
    db: node.ctx.db,
    authenticator: node.ctx.authenticator,
    now: () => now,
    refreshDueActivity: () => node.interactions.engine.refreshDueActivity(),
  });
  http = httpClient(app.url);
  const first = world.org.teamMembers[0]!;
  token = await world.emu.identity.mintAccessToken({ oid: first.oid, clientId: world.emu.demoApp.clientId, scopes: [world.emu.demoApp.apiScope] });
});

after(async () => {
  await app?.close();
  await node?.close();
  await world?.close();
});

// ───────────────────────── the expectation, from what the generator wrote ─────────────────────────

interface Expectation {
  interactions: RefInteraction[];
  /** Customer external id → the interactions (conversations, meetings) its history lists up to now. */
  historyItems: Map<string, number>;
}

const lower = (a: string | null | undefined) => (a ?? "").trim().toLowerCase();
const domainOf = (a: string) => a.slice(a.lastIndexOf("@") + 1);
const addresses = (list: Recipient[] | null | undefined) => (list ?? []).map((r) => lower(r.emailAddress?.address)).filter(Boolean);

/**
 * Who is who (docs/matching-rules.md §1) with the settings at their defaults: team members'
 * primary addresses and registered aliases; internal Exchange addresses and company domains;
 * contacts (an address on two customers' records is a contact of both); everyone else unknown.
 */
function classifier(w: World) {
  const org = w.org;
  const team = new Map<string, string>();
  for (const m of org.teamMembers) for (const a of [m.primaryAddress, ...m.mailboxAliases]) team.set(lower(a), m.oid);
  const companyDomains = new Set([...org.organisation.companyDomains, ...org.teamMembers.map((m) => domainOf(lower(m.primaryAddress)))].map(lower));
  const contacts = new Map<string, Set<string>>();
  for (const c of org.contacts) {
    const set = contacts.get(lower(c.address)) ?? new Set<string>();
    set.add(c.customerExternalId);
    contacts.set(lower(c.address), set);
  }
  return (address: string): { kind: "team"; oid: string } | { kind: "internal" } | { kind: "contact"; customers: Set<string> } | { kind: "unknown" } => {
    const t = team.get(address);
    if (t) return { kind: "team", oid: t };
    if (address.startsWith("/o=") || address.startsWith("imceaex-") || companyDomains.has(domainOf(address))) return { kind: "internal" };
    const c = contacts.get(address);
    if (c) return { kind: "contact", customers: c };
    return { kind: "unknown" };
  };
}

const EXCLUDED_FOLDERS = new Set(["drafts", "deleteditems", "junkemail", "outbox", "conversationhistory"]);

async function expectation(): Promise<Expectation> {
  const org = world.org;
  const who = classifier(world);
  const mailWindowStart = node.sync.engine.mailWindowStart().toISOString();
  const nowIso = now.toISOString();

  // Email: per customer, per conversation, per message (internetMessageId), its synced copies.
  const conversations = new Map<string, { customerId: string; messages: Map<string, RefMessage> }>();
  for (const m of org.teamMembers) {
    const memberId = memberIds[m.oid]!;
    for (const msg of org.mailboxes[m.oid]!.messages) {
      if (EXCLUDED_FOLDERS.has(msg.folderKey) || msg.isDraft) continue;
      if (!msg.receivedDateTime || msg.receivedDateTime < mailWindowStart) continue;
      const sender = lower(msg.from?.emailAddress?.address);
      const participants = [sender, ...addresses(msg.toRecipients), ...addresses(msg.ccRecipients), ...addresses(msg.bccRecipients)].filter(Boolean);
      const customers = new Set<string>();
      for (const p of participants) {
        const c = who(p);
        if (c.kind === "contact") for (const id of c.customers) customers.add(id);
      }
      if (customers.size === 0) continue; // internal, or no customer contact
      const s = sender ? who(sender) : { kind: "unknown" as const };
      if (s.kind !== "team" && s.kind !== "contact") continue; // unknown sender (the toggle is off)
      const at = new Date(msg.sentDateTime!).toISOString();
      for (const customerId of customers) {
        const key = `${customerId}|${msg.conversationId}`;
        let conv = conversations.get(key);
        if (!conv) conversations.set(key, (conv = { customerId, messages: new Map() }));
        let rm = conv.messages.get(msg.internetMessageId!);
        if (!rm) {
          rm = { key: msg.internetMessageId!, fromTeam: s.kind === "team", fromContact: s.kind === "contact" && s.customers.has(customerId), copies: [] };
          conv.messages.set(msg.internetMessageId!, rm);
        }
        rm.copies.push({ memberId, at });
      }
    }
  }

  // Meetings: every connected calendar's occurrences in the sync's calendar window.
  const cal = node.sync.engine.calendarWindow();
  interface Occ {
    start: string;
    cancelled: boolean;
    customers: Set<string>;
    teamOids: Set<string>;
    declinedBy: Set<string>;
  }
  const occurrences = new Map<string, Occ>();
  for (const m of org.teamMembers) {
    const truth = (await world.control(`/graph/mailboxes/${m.oid}/ground-truth?start=${cal.start.toISOString()}&end=${cal.end.toISOString()}`)) as GroundTruth;
    for (const e of truth.events) {
      if (Date.parse(e.end) <= cal.start.getTime() || Date.parse(e.start) >= cal.end.getTime()) continue;
      const key = `${e.iCalUId}|${e.originalStart ?? ""}`;
      let occ = occurrences.get(key);
      if (!occ) occurrences.set(key, (occ = { start: new Date(e.start).toISOString(), cancelled: false, customers: new Set(), teamOids: new Set(), declinedBy: new Set() }));
      if (e.isCancelled) occ.cancelled = true;
      const participants = [lower(e.organizer), ...e.attendees.map(lower)].filter(Boolean);
      for (const p of participants) {
        const c = who(p);
        if (c.kind === "team") occ.teamOids.add(c.oid);
      }
      // Declined by the calendar's owner: doesn't count for them (nor sync from their calendar).
      if (e.response === "declined") {
        occ.declinedBy.add(m.oid);
        continue;
      }
      const organizer = e.organizer ? who(lower(e.organizer)) : { kind: "unknown" as const };
      if (organizer.kind !== "team" && organizer.kind !== "contact") continue; // unknown organiser (toggle off)
      for (const p of participants) {
        const c = who(p);
        if (c.kind === "contact") for (const id of c.customers) occ.customers.add(id);
      }
    }
  }

  const interactions: RefInteraction[] = [];
  const historyItems = new Map<string, number>();
  const listed = (customerId: string) => historyItems.set(customerId, (historyItems.get(customerId) ?? 0) + 1);
  for (const [key, conv] of conversations) {
    interactions.push({ id: key, customerId: conv.customerId, kind: "email", messages: [...conv.messages.values()] });
    listed(conv.customerId);
  }
  for (const [key, occ] of occurrences) {
    const attended = [...occ.teamOids].filter((oid) => !occ.declinedBy.has(oid)).map((oid) => memberIds[oid]!);
    for (const customerId of occ.customers) {
      interactions.push({ id: `${customerId}|${key}`, customerId, kind: "meeting", start: occ.start, counted: !occ.cancelled, memberIds: attended });
      if (occ.start <= nowIso) listed(customerId);
    }
  }
  return { interactions, historyItems };
}

// ───────────────────────────────────────────── the checks ─────────────────────────────────────────────

const daysSince = (t: string | null) => (t === null ? null : Math.floor((now.getTime() - Date.parse(t)) / DAY_MS));

async function get<T>(path: string): Promise<T> {
  const res = await http.get(path, token);
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.body as T;
}

test("the reports API equals the ground truth of a generated organisation synced by the real sync", async () => {
  const expected = await expectation();
  const ref = expected.interactions;
  const org = world.org;
  const db = node.ctx.db;

  // The product's own check: the trigger-kept counters equal a recount.
  const orgId = (db.prepare("SELECT id FROM organisations").get() as { id: string }).id;
  assert.deepEqual(new ImpactReports(db).verify(orgId), [], "the dashboard's counters equal a recount");

  // The expectation is not trivial: customers with mail and meetings, replies, several members.
  const emails = ref.filter((i) => i.kind === "email");
  const meetings = ref.filter((i) => i.kind === "meeting");
  assert.ok(emails.length >= 20, `email conversations in the ground truth: ${emails.length}`);
  assert.ok(meetings.filter((m) => m.kind === "meeting" && m.counted).length >= 10, `meetings in the ground truth: ${meetings.length}`);
  assert.ok(meetings.some((m) => m.kind === "meeting" && !m.counted), "a cancelled meeting");
  assert.ok(emails.some((i) => i.kind === "email" && i.messages.some((m) => m.copies.length > 1)), "a message in two mailboxes");

  // ── Customer list: every customer, its numbers ──
  const list = await get<CustomerListResponse>("/api/customers?pageSize=200&sort=name");
  assert.equal(list.total, org.customers.length);
  assert.deepEqual(list.items.map((c) => c.externalId).sort(), org.customers.map((c) => c.externalId).sort());
  const byExt = new Map(list.items.map((c) => [c.externalId, c]));
  const extOf = new Map(list.items.map((c) => [c.id, c.externalId]));
  const facts = refCustomerFacts(ref, now);
  const none = { emailsLast30Days: 0, meetingsLast30Days: 0, lastInteractionAt: null, lastEmailReplyAt: null };
  let withMail = 0;
  for (const c of list.items) {
    const f = facts.get(c.externalId) ?? none;
    if (f.emailsLast30Days > 0) withMail++;
    assert.deepEqual(
      {
        emailsLast30Days: c.emailsLast30Days,
        meetingsLast30Days: c.meetingsLast30Days,
        lastInteractionAt: c.lastInteractionAt,
        lastEmailReplyAt: c.lastEmailReplyAt,
        daysSinceLastInteraction: c.daysSinceLastInteraction,
        daysSinceLastEmailReply: c.daysSinceLastEmailReply,
      },
      { ...f, daysSinceLastInteraction: daysSince(f.lastInteractionAt), daysSinceLastEmailReply: daysSince(f.lastEmailReplyAt) },
      `customer ${c.name} (${c.externalId})`,
    );
  }
  assert.ok(withMail >= 3, `customers with mail in the last 30 days: ${withMail}`);
  assert.ok([...facts.values()].some((f) => f.lastEmailReplyAt !== null));

  // Sorted by last interaction, oldest first ("who has gone quiet"): no time first, ties by name then id.
  const quietOrder = [...list.items]
    .map((c) => ({ id: c.id, name: c.name, t: facts.get(c.externalId)?.lastInteractionAt ?? null }))
    .sort((a, b) => {
      if (a.t !== b.t) return a.t === null ? -1 : b.t === null ? 1 : a.t < b.t ? -1 : 1;
      return a.name !== b.name ? (a.name < b.name ? -1 : 1) : a.id < b.id ? -1 : 1;
    })
    .map((c) => c.id);
  const asc = await get<CustomerListResponse>("/api/customers?pageSize=200&sort=last_interaction&order=asc");
  assert.deepEqual(asc.items.map((c) => c.id), quietOrder, "sorted by last interaction, oldest first");
  const byReply = await get<CustomerListResponse>("/api/customers?pageSize=200&sort=last_email_reply&order=desc");
  const replies = byReply.items.map((c) => facts.get(c.externalId)?.lastEmailReplyAt ?? null);
  const present = replies.filter((t): t is string => t !== null);
  assert.deepEqual(present, [...present].sort().reverse(), "newest reply first");
  assert.ok(replies.indexOf(null) === -1 || replies.slice(replies.indexOf(null)).every((t) => t === null), "customers without a reply last");
  for (const quietDays of [3, 14]) {
    const quiet = await get<CustomerListResponse>(`/api/customers?pageSize=200&quietDays=${quietDays}`);
    const want = list.items
      .filter((c) => {
        const t = facts.get(c.externalId)?.lastInteractionAt ?? null;
        return t === null || now.getTime() - Date.parse(t) > quietDays * DAY_MS;
      })
      .map((c) => c.externalId)
      .sort();
    assert.deepEqual(quiet.items.map((c) => c.externalId).sort(), want, `quiet for more than ${quietDays} days`);
    assert.equal(quiet.total, want.length);
  }

  // ── Profile, history and relationship activity, per customer ──
  for (const gc of org.customers) {
    const c = byExt.get(gc.externalId)!;
    const f = facts.get(gc.externalId) ?? none;
    const profile = await get<CustomerProfile>(`/api/customers/${c.id}`);
    assert.deepEqual(
      [profile.emailsLast30Days, profile.meetingsLast30Days, profile.lastInteractionAt, profile.lastEmailReplyAt],
      [f.emailsLast30Days, f.meetingsLast30Days, f.lastInteractionAt, f.lastEmailReplyAt],
      `profile of ${c.name}`,
    );
    let items = 0;
    let cursor: string | null = null;
    do {
      const page: HistoryResponse = await get<HistoryResponse>(`/api/customers/${c.id}/history?tab=interactions&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      items += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(items, expected.historyItems.get(gc.externalId) ?? 0, `history items of ${c.name}`);

    const activity = await get<RelationshipActivity>(`/api/customers/${c.id}/activity`);
    const want = computeActivity(refActivityInput(ref, { id: gc.externalId, name: c.name }, now), now);
    assert.deepEqual(activity, { ...want, customerId: c.id }, `relationship activity of ${c.name}`);
  }
  const shares = await Promise.all(list.items.map((c) => get<RelationshipActivity>(`/api/customers/${c.id}/activity`)));
  assert.ok(shares.some((a) => a.replies.conversations > 0 && a.replies.replied > 0), "some customer replied within 90 days");

  // ── Impact dashboard: the default 30 days and a long period ──
  const today = dayOf(now);
  const periods = [
    { query: "", from: addDays(today, -29), to: today },
    { query: `?from=${addDays(today, -179)}&to=${today}`, from: addDays(today, -179), to: today },
  ];
  const memberNames = new Map(org.teamMembers.map((m) => [memberIds[m.oid]!, m.displayName]));
  for (const p of periods) {
    const impact = await get<ImpactResponse>(`/api/impact${p.query}`);
    const want = refImpact(ref, p.from, p.to);
    assert.deepEqual(impact.totals, want.totals, `totals ${p.from}…${p.to}`);
    assert.deepEqual(impact.byDay.map((d) => d.day), eachDay(p.from, p.to));
    for (const d of impact.byDay) assert.deepEqual({ emails: d.emails, meetings: d.meetings }, want.byDay.get(d.day), `day ${d.day}`);
    const got = new Map(impact.byMember.map((m) => [m.memberId, { emails: m.emails, meetings: m.meetings }]));
    for (const [id] of memberNames) assert.deepEqual(got.get(id) ?? { emails: 0, meetings: 0 }, want.byMember.get(id) ?? { emails: 0, meetings: 0 }, `member ${memberNames.get(id)}`);
    for (const [id, counts] of got) assert.deepEqual(counts, want.byMember.get(id) ?? { emails: 0, meetings: 0 }, `member ${id}`);
    assert.ok(want.totals.emails > 0 && want.totals.meetings > 0, `a busy period: ${JSON.stringify(want.totals)}`);
  }

  // ── Drill-down from every bar: total = the bar, items add up to it ──
  const drill = async (q: string, bar: number, label: string) => {
    let cursor: string | null = null;
    let sum = 0;
    let total: number | null = null;
    do {
      const page: DrilldownResponse = await get<DrilldownResponse>(`/api/impact/drilldown?${q}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      total ??= page.total.units;
      sum += page.items.reduce((n, i) => n + i.units, 0);
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(total, bar, `drill-down total of ${label}`);
    assert.equal(sum, bar, `drill-down items of ${label}`);
  };
  const long = periods[1]!;
  const wantLong = refImpact(ref, long.from, long.to);
  for (const [id, counts] of wantLong.byMember) {
    await drill(`from=${long.from}&to=${long.to}&member=${id}&kind=email`, counts.emails, `${memberNames.get(id)} emails`);
    await drill(`from=${long.from}&to=${long.to}&member=${id}&kind=meeting`, counts.meetings, `${memberNames.get(id)} meetings`);
  }
  await drill(`from=${long.from}&to=${long.to}`, wantLong.totals.emails + wantLong.totals.meetings, "the whole period");
  const def = periods[0]!;
  const wantDefault = refImpact(ref, def.from, def.to);
  for (const [d, counts] of wantDefault.byDay) {
    await drill(`day=${d}&kind=email`, counts.emails, `emails on ${d}`);
    await drill(`day=${d}&kind=meeting`, counts.meetings, `meetings on ${d}`);
  }
  // Drill-down items name customers the ground truth has interactions with.
  const sample = await get<DrilldownResponse>(`/api/impact/drilldown?from=${long.from}&to=${long.to}&limit=200`);
  const customersWithWork = new Set(ref.map((i) => i.customerId));
  assert.ok(sample.items.length > 0);
  for (const item of sample.items) assert.ok(customersWithWork.has(extOf.get(item.customer.id)!), `drill-down item of ${item.customer.name}: a customer with interactions`);
});
