/**
 * Property test over a generated organisation (emulator/generator, small size): facts are built
 * from the mailbox seeds with the sync's own mapping and keyer, and applied page by page as the
 * sync would. Then, for every message and meeting occurrence:
 *   - the "why" answer's synced equals whether it is in the interaction history;
 *   - the why answer's own decision (plain addresses) agrees with the sync's (keyed facts);
 *   - the history equals a from-scratch fold of decisions made on plain Graph data.
 * And the same after retroactive changes in both directions.
 */
import crypto from "node:crypto";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { WhyResponse } from "../../shared/api/contract";
import { decideEvent, decideMessage } from "../../shared/matching/decide";
import { eventFactsFromGraph, messageFactsFromGraph } from "../../shared/matching/participants";
import { plainKeys } from "../../shared/matching/directory";
import { foldEmailInteractions, foldMeetingInteractions, messageKey, occurrenceKey } from "../../shared/matching/threads";
import { generateOrganisation, type GeneratedOrganisation } from "../../emulator/generator/index";
import { occurrenceStarts } from "../../emulator/graph/calendar/recurrence";
import { parseGraphDateTime } from "../../emulator/graph/calendar/calendar-view";
import { openDatabase, type Db } from "../db/database";
import { createOrganisation, setAdminCompanyDomains, upsertCustomers, upsertTeamMembers, upsertUsers, deleteUser } from "../directory/service";
import { updateMemberSettings } from "../directory/member-settings";
import { createAddressKeyer, type AddressKeyer } from "../sync/address-keys";
import type { EventFact, FactChanges, ItemDetails, ItemDetailsFetcher, MailFact } from "../sync/facts";
import { toEventFact, toMailFact, type GraphEvent, type GraphMessage } from "../sync/mapping";
import { InteractionsEngine } from "./engine";
import { windowStartFor } from "../sync/windows";
import { InteractionReads } from "./read";
import { WhyService } from "./why";

const NOW = new Date("2025-06-02T09:00:00Z");
const EXCLUDED = new Set(["drafts", "deleteditems", "junkemail", "outbox", "conversationhistory"]);
const POSITIVE = new Set(["contact_participates", "customer_domain", "unknown_sender_allowed", "unknown_organizer_allowed"]);
const OUTLOOK_UID = /^040000008200E00074C5B7101A82E008[0-9A-F]{8}/i;

function occurrenceUid(masterUid: string | null | undefined, originalStartMs: number): string | null {
  if (!masterUid) return null;
  if (!OUTLOOK_UID.test(masterUid)) return masterUid;
  const d = new Date(originalStartMs);
  const y = d.getUTCFullYear();
  const hex = [y >> 8, y & 0xff, d.getUTCMonth() + 1, d.getUTCDate()].map((n) => n.toString(16).padStart(2, "0")).join("").toUpperCase();
  return masterUid.slice(0, 32) + hex + masterUid.slice(40);
}

interface Item {
  kind: "email" | "meeting";
  memberId: string;
  graphId: string;
  graph: GraphMessage | GraphEvent;
}

let db: Db;
let gen: GeneratedOrganisation;
let orgId: string;
let keyer: AddressKeyer;
let engine: InteractionsEngine;
let why: WhyService;
const items: Item[] = [];
const details = new Map<string, ItemDetails>();
const memberIdByOid = new Map<string, string>();

const fetcher: ItemDetailsFetcher = {
  fetchMessageDetails: async (m, g) => details.get(`${m}/${g}`) ?? null,
  fetchEventDetails: async (m, g) => details.get(`${m}/${g}`) ?? null,
};

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The calendar view's occurrences of one seed event inside [from, to), as Graph would return them. */
function expand(seed: GeneratedOrganisation["mailboxes"][string]["events"][number], from: number, to: number): GraphEvent[] {
  const startMs = parseGraphDateTime(seed.start, "start");
  const endMs = parseGraphDateTime(seed.end, "end");
  const base = {
    subject: seed.subject,
    organizer: seed.organizer,
    attendees: seed.attendees,
    isOrganizer: seed.isOrganizer,
    responseStatus: seed.responseStatus,
    webLink: `https://outlook.example/cal/${seed.key}`,
  } as GraphEvent;
  if (!seed.recurrence) {
    if (!(startMs < to && endMs > from)) return [];
    return [{ ...base, type: "singleInstance", iCalUId: seed.iCalUId, start: { dateTime: iso(startMs), timeZone: "UTC" }, end: { dateTime: iso(endMs), timeZone: "UTC" }, isCancelled: !!seed.isCancelled }];
  }
  const overrides = new Map((seed.occurrenceOverrides ?? []).map((o) => [Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(o.originalStart) ? o.originalStart : `${o.originalStart}Z`), o]));
  const out: GraphEvent[] = [];
  for (const original of occurrenceStarts(seed.recurrence, startMs, endMs - startMs, from, to)) {
    const ov = overrides.get(original);
    if (ov?.deleted) continue;
    const s = ov?.changes?.start ? parseGraphDateTime(ov.changes.start, "start") : original;
    const e = ov?.changes?.end ? parseGraphDateTime(ov.changes.end, "end") : s + (endMs - startMs);
    out.push({
      ...base,
      type: ov ? "exception" : "occurrence",
      iCalUId: occurrenceUid(seed.iCalUId, original),
      originalStart: iso(original),
      start: { dateTime: iso(s), timeZone: "UTC" },
      end: { dateTime: iso(e), timeZone: "UTC" },
      isCancelled: !!(seed.isCancelled || ov?.isCancelled),
    });
  }
  return out;
}

function applyPage(memberId: string, changes: FactChanges): void {
  const insertMail = db.prepare(`INSERT OR REPLACE INTO sync_mail_facts (member_id, graph_id, folder_id, internet_message_id, conversation_id,
      received_at, sent_at, is_draft, participants, seen_generation, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`);
  const insertEvent = db.prepare(`INSERT OR REPLACE INTO sync_event_facts (member_id, graph_id, ical_uid, series_master_id, original_start, start_at,
      end_at, is_cancelled, owner_response, participants, seen_generation, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`);
  db.transaction(() => {
    for (const f of changes.upsertedMail) {
      insertMail.run(memberId, f.graphId, f.folderId, f.internetMessageId, f.conversationId, f.receivedAt, f.sentAt, f.isDraft ? 1 : 0, JSON.stringify(f.participants), f.receivedAt);
    }
    for (const f of changes.upsertedEvents) {
      insertEvent.run(memberId, f.graphId, f.iCalUId, f.seriesMasterId, f.originalStart, f.start, f.end, f.isCancelled ? 1 : 0, f.ownerResponse, JSON.stringify(f.participants), f.start);
    }
    engine.onFactsChanged(changes);
  })();
}

before(() => {
  gen = generateOrganisation({ seed: "interactions-property", messagesPerMailbox: 120, eventsPerMailbox: 20, teamMembers: 3, customers: 6, contactsPerCustomer: 3, now: NOW });
  db = openDatabase(":memory:");
  orgId = createOrganisation(db, gen.organisation.name);
  upsertTeamMembers(
    db,
    orgId,
    gen.teamMembers.map((m) => ({ externalId: m.oid, name: m.displayName, primaryAddress: m.primaryAddress, aliases: m.mailboxAliases })),
  );
  for (const m of gen.teamMembers) {
    memberIdByOid.set(m.oid, (db.prepare("SELECT id FROM team_members WHERE organisation_id = ? AND external_id = ?").get(orgId, m.oid) as { id: string }).id);
  }
  const memberDomains = new Set(gen.teamMembers.map((m) => m.primaryAddress.split("@")[1]));
  setAdminCompanyDomains(db, orgId, gen.organisation.companyDomains.filter((d) => !memberDomains.has(d)));
  upsertCustomers(
    db,
    orgId,
    gen.customers.map((c) => ({ externalId: c.externalId, name: c.name, ownerAddress: c.ownerAddress, domains: c.domains })),
  );
  upsertUsers(
    db,
    orgId,
    gen.contacts.map((c) => ({ externalId: c.externalId, name: c.name, address: c.address, customerExternalId: c.customerExternalId, createdAt: c.createdAt })),
  );
  keyer = createAddressKeyer(crypto.createHash("sha256").update("property").digest());
  engine = new InteractionsEngine({ db, keyerFor: () => keyer, fetcher, now: () => NOW, autoFetchDetails: false });
  why = new WhyService({ db, engine, reads: new InteractionReads(db), fetcher: () => fetcher, lookup: () => null, now: () => NOW });

  const mailFrom = windowStartFor(NOW, 6).getTime();
  const calTo = NOW.getTime() + 180 * 86400_000;
  for (const m of gen.teamMembers) {
    const memberId = memberIdByOid.get(m.oid)!;
    const seed = gen.mailboxes[m.oid]!;
    const wellKnown = new Map(seed.folders.map((f) => [f.key, f.wellKnownName ?? null]));
    const mail: MailFact[] = [];
    seed.messages.forEach((msg, i) => {
      const wk = wellKnown.get(msg.folderKey) ?? msg.folderKey;
      if (EXCLUDED.has(wk)) return;
      if (Date.parse(msg.receivedDateTime!) < mailFrom) return;
      const graph: GraphMessage = { ...(msg as unknown as GraphMessage), id: `${m.oid}-m${i}`, parentFolderId: msg.folderKey, webLink: `https://outlook.example/${m.oid}/${i}` };
      const mapped = toMailFact(graph, memberId, msg.folderKey, keyer);
      assert.ok(mapped.ok);
      mail.push(mapped.fact);
      details.set(`${memberId}/${mapped.fact.graphId}`, mapped.fact.details!);
      items.push({ kind: "email", memberId, graphId: mapped.fact.graphId, graph });
    });
    const events: EventFact[] = [];
    seed.events.forEach((ev, i) => {
      expand(ev, mailFrom, calTo).forEach((occ, j) => {
        const graph: GraphEvent = { ...occ, id: `${m.oid}-e${i}-${j}` };
        const mapped = toEventFact(graph, memberId, keyer);
        assert.ok(mapped.ok);
        events.push(mapped.fact);
        details.set(`${memberId}/${mapped.fact.graphId}`, mapped.fact.details!);
        items.push({ kind: "meeting", memberId, graphId: mapped.fact.graphId, graph });
      });
    });
    // Pages of 40, as the sync hands them over, newest first like a delta round.
    mail.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1));
    for (let i = 0; i < mail.length; i += 40) {
      applyPage(memberId, { memberId, upsertedMail: mail.slice(i, i + 40), removedMailIds: [], upsertedEvents: [], removedEventIds: [] });
    }
    for (let i = 0; i < events.length; i += 40) {
      applyPage(memberId, { memberId, upsertedMail: [], removedMailIds: [], upsertedEvents: events.slice(i, i + 40), removedEventIds: [] });
    }
  }
});

after(() => {
  engine.close();
  db.close();
});

function inHistory(it: Item): boolean {
  const imid = it.kind === "email" ? ((it.graph as GraphMessage).internetMessageId ?? null) : null;
  const n = db
    .prepare("SELECT COUNT(*) AS n FROM interaction_messages WHERE (member_id = ? AND graph_id = ?) OR (organisation_id = ? AND internet_message_id = ?)")
    .get(it.memberId, it.graphId, orgId, imid) as { n: number };
  return n.n > 0;
}

function ownCopySynced(it: Item): boolean {
  const r = db.prepare("SELECT synced FROM interaction_facts WHERE member_id = ? AND kind = ? AND graph_id = ?").get(it.memberId, it.kind, it.graphId) as { synced: number } | undefined;
  return r?.synced === 1;
}

async function whyOf(it: Item): Promise<WhyResponse> {
  const request = it.kind === "email" ? { internetMessageId: (it.graph as GraphMessage).internetMessageId ?? undefined, restId: it.graphId } : { restId: it.graphId };
  return why.why(orgId, it.memberId, request, { state: "connected", lastSyncAt: NOW.toISOString() });
}

/** The history from scratch: plain decisions on the Graph items, folded with shared/matching. */
function expectedPairs(): Set<string> {
  const dir = engine.directory(orgId);
  const emails = [];
  const meetings = [];
  for (const it of items) {
    const ctx = dir.contexts.get(it.memberId)!;
    if (it.kind === "email") {
      const g = it.graph as GraphMessage;
      const d = decideMessage(messageFactsFromGraph(g as never, plainKeys), dir.index, ctx);
      emails.push({ mailboxMemberId: it.memberId, id: it.graphId, internetMessageId: g.internetMessageId, conversationId: g.conversationId, at: Date.parse(g.sentDateTime ?? g.receivedDateTime!), decision: d });
    } else {
      const g = it.graph as GraphEvent;
      const f = eventFactsFromGraph(g as never, plainKeys);
      const d = decideEvent({ ...f, type: null, memberResponse: g.isOrganizer ? "organizer" : f.memberResponse }, dir.index, ctx);
      meetings.push({ mailboxMemberId: it.memberId, id: it.graphId, iCalUId: g.iCalUId, start: Date.parse(g.start!.dateTime! + "Z".repeat(g.start!.dateTime!.endsWith("Z") ? 0 : 1)), decision: d });
    }
  }
  const out = new Set<string>();
  for (const e of foldEmailInteractions(emails)) for (const k of e.messageKeys) out.add(`${e.customerId}|${k}`);
  for (const m of foldMeetingInteractions(meetings)) out.add(`${m.customerId}|${m.occurrenceKey}`);
  return out;
}

function actualPairs(): Set<string> {
  const rows = db
    .prepare("SELECT i.customer_id, im.message_key FROM interaction_messages im JOIN interactions i ON i.id = im.interaction_id WHERE i.organisation_id = ?")
    .all(orgId) as { customer_id: string; message_key: string }[];
  return new Set(rows.map((r) => `${r.customer_id}|${r.message_key}`));
}

async function checkProperties(label: string): Promise<{ synced: number; total: number }> {
  let synced = 0;
  for (const it of items) {
    const answer = await whyOf(it);
    const expected = inHistory(it);
    assert.equal(answer.synced, expected, `${label}: why.synced for ${it.kind} ${it.graphId}: ${answer.headline}`);
    const positive = answer.reasons.some((r) => POSITIVE.has(r.code));
    assert.equal(positive, ownCopySynced(it), `${label}: why's decision for ${it.kind} ${it.graphId} agrees with the sync's: ${JSON.stringify(answer.reasons)}`);
    if (answer.synced) {
      synced++;
      assert.ok(answer.interactions.length > 0, `${label}: a synced item lists its interactions`);
    }
  }
  assert.deepEqual([...actualPairs()].sort(), [...expectedPairs()].sort(), `${label}: history equals a from-scratch fold`);
  return { synced, total: items.length };
}

describe("property: why agrees with the history over a generated organisation", () => {
  test("after the initial sync", async () => {
    const { synced, total } = await checkProperties("initial");
    assert.ok(items.some((i) => i.kind === "meeting"), "the mailbox has meetings");
    assert.ok(synced > 0 && synced < total, `some items sync and some don't (${synced}/${total})`);
    // The generator's deliberate cases are present and decided.
    const shared = gen.cases.sharedInternetMessageIds[0];
    if (shared) {
      const n = db.prepare("SELECT COUNT(DISTINCT member_id) AS n FROM interaction_messages WHERE internet_message_id = ?").get(shared) as { n: number };
      assert.ok(n.n <= 2);
    }
  });

  test("after toggles on, and off again", async () => {
    for (const memberId of memberIdByOid.values()) {
      updateMemberSettings(db, memberId, { syncToCustomersByDomain: true, syncUnknownSender: true, syncUnknownOrganizer: true });
      engine.redecideMember(memberId);
    }
    const on = await checkProperties("toggles on");
    for (const memberId of memberIdByOid.values()) {
      updateMemberSettings(db, memberId, { syncToCustomersByDomain: false, syncUnknownSender: false, syncUnknownOrganizer: false });
      engine.redecideMember(memberId);
    }
    const off = await checkProperties("toggles off");
    assert.ok(on.synced >= off.synced);
  });

  test("after a contact is removed, and added back", async () => {
    const contact = gen.contacts[0]!;
    deleteUser(db, orgId, contact.externalId);
    engine.redecideOrganisation(orgId);
    await checkProperties("contact removed");
    upsertUsers(db, orgId, [{ externalId: contact.externalId, name: contact.name, address: contact.address, customerExternalId: contact.customerExternalId, createdAt: contact.createdAt }]);
    engine.redecideOrganisation(orgId);
    await checkProperties("contact added back");
  });
});
