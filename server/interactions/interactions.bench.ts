/**
 * Benchmarks of the interactions engine (a BenchSuite for bench/run.ts; also runnable alone:
 * `npx tsx server/interactions/interactions.bench.ts`).
 *
 *   - facts → interactions through the FactListener, pages of 500 (the sync's share of its budget);
 *   - re-deciding a 50,000-message, 2,000-event mailbox after one contact is added (target ≤ 1 s);
 *   - the same after a toggle (every fact of the member decided again) and a forced full pass;
 *   - POST /api/preview's work (decision + customer summaries) with 100,000 contacts (p95 ≤ 20 ms).
 */
import crypto from "node:crypto";
import { pathToFileURL } from "node:url";
import type { BenchResult, BenchSuite } from "../../bench/harness";
import { atMost, percentile } from "../../bench/harness";

function info(name: string, value: number, unit: string, notes: string): BenchResult {
  return { name, value, unit, target: "", met: null, notes };
}
import { openDatabase, type Db } from "../db/database";
import { createOrganisation, upsertCustomers, upsertTeamMembers, upsertUsers } from "../directory/service";
import { updateMemberSettings } from "../directory/member-settings";
import { createAddressKeyer } from "../sync/address-keys";
import type { EventFact, FactChanges, MailFact, StoredParticipant } from "../sync/facts";
import { InteractionsEngine } from "./engine";
import { InteractionReads } from "./read";
import { previewMessage } from "./preview";
import { mulberry32 } from "../../shared/random";

const NOW = new Date("2025-06-02T09:00:00Z");
const DAY = 86400_000;


interface Setup {
  db: Db;
  orgId: string;
  memberId: string;
  engine: InteractionsEngine;
  /** An address that is in ~25 messages but not (yet) a contact. */
  newContact: string;
}

export function setup(messages: number, events: number, customers: number, contactsPerCustomer: number): Setup {
  const db = openDatabase(":memory:");
  const orgId = createOrganisation(db, "Bench");
  upsertTeamMembers(db, orgId, [
    { externalId: "m1", name: "Mia One", primaryAddress: "mia@ourco.test" },
    { externalId: "m2", name: "Max Two", primaryAddress: "max@ourco.test" },
  ]);
  const custRows = [];
  const userRows = [];
  for (let c = 0; c < customers; c++) {
    custRows.push({ externalId: `c${c}`, name: `Customer ${c}`, domains: c % 3 === 0 ? [] : [`cust${c}.test`] });
    for (let u = 0; u < contactsPerCustomer; u++) {
      userRows.push({ externalId: `u${c}-${u}`, name: `Contact ${c}/${u}`, address: `p${u}@cust${c}.test`, customerExternalId: `c${c}`, createdAt: "2024-01-01T00:00:00Z" });
    }
  }
  for (let i = 0; i < custRows.length; i += 5000) upsertCustomers(db, orgId, custRows.slice(i, i + 5000));
  for (let i = 0; i < userRows.length; i += 5000) upsertUsers(db, orgId, userRows.slice(i, i + 5000));
  const memberId = (db.prepare("SELECT id FROM team_members WHERE external_id = 'm1'").get() as { id: string }).id;
  const keyer = createAddressKeyer(crypto.createHash("sha256").update("bench").digest());
  const engine = new InteractionsEngine({ db, keyerFor: () => keyer, now: () => NOW, autoFetchDetails: false });
  const rand = mulberry32(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const contact = () => `p${Math.floor(rand() * contactsPerCustomer)}@cust${Math.floor(rand() * Math.min(customers, 400))}.test`;
  const stranger = () => `x${Math.floor(rand() * 20000)}@elsewhere${Math.floor(rand() * 50)}.test`;
  const newContact = "newbie@cust7.test";
  const own = "mia@ourco.test";
  const colleagues = ["max@ourco.test"];

  const insertMail = db.prepare(`INSERT INTO sync_mail_facts (member_id, graph_id, folder_id, internet_message_id, conversation_id,
      received_at, sent_at, is_draft, participants, seen_generation, updated_at) VALUES (?, ?, 'inbox', ?, ?, ?, ?, 0, ?, 1, ?)`);
  const insertEvent = db.prepare(`INSERT INTO sync_event_facts (member_id, graph_id, ical_uid, series_master_id, original_start, start_at,
      end_at, is_cancelled, owner_response, participants, seen_generation, updated_at) VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, 1, ?)`);
  const p = (a: string, r: StoredParticipant["r"]) => keyer.participant(a, r)!;

  const mail: MailFact[] = [];
  let conv = 0;
  let convLeft = 0;
  const windowMs = 180 * DAY;
  for (let i = 0; i < messages; i++) {
    if (convLeft === 0) {
      conv++;
      convLeft = 1 + Math.floor(rand() * 4);
    }
    convLeft--;
    const kind = rand();
    let from: string;
    let to: string[];
    if (i % 2000 === 7) {
      from = own;
      to = [newContact];
    } else if (kind < 0.35) {
      from = rand() < 0.5 ? own : contact();
      to = from === own ? [contact(), ...(rand() < 0.3 ? [contact()] : [])] : [own];
    } else if (kind < 0.55) {
      from = own;
      to = [pick(colleagues)];
    } else if (kind < 0.8) {
      from = stranger();
      to = [own];
    } else {
      from = stranger();
      to = [own, contact()];
    }
    const at = new Date(NOW.getTime() - Math.floor(rand() * windowMs)).toISOString();
    const participants = [p(from, "from"), ...to.map((a) => p(a, "to"))];
    mail.push({
      memberId,
      graphId: `m${i}`,
      folderId: "inbox",
      internetMessageId: `<m${i}@bench>`,
      conversationId: `conv${conv}`,
      receivedAt: at,
      sentAt: at,
      isDraft: false,
      participants,
      details: { subject: `Subject ${conv}`, webLink: null, participants: [] },
    });
  }
  const evts: EventFact[] = [];
  for (let i = 0; i < events; i++) {
    const start = new Date(NOW.getTime() - Math.floor(rand() * windowMs) + 30 * DAY).toISOString();
    const end = new Date(Date.parse(start) + 3600_000).toISOString();
    const attendees = rand() < 0.6 ? [contact(), own] : [pick(colleagues), own];
    evts.push({
      memberId,
      graphId: `e${i}`,
      iCalUId: `ical${i}`,
      seriesMasterId: null,
      originalStart: null,
      start,
      end,
      isCancelled: rand() < 0.05,
      ownerResponse: rand() < 0.1 ? "declined" : "accepted",
      participants: [p(own, "organizer"), ...attendees.map((a) => p(a, "attendee"))],
      details: { subject: `Meeting ${i}`, webLink: null, participants: [] },
    });
  }
  return { db, orgId, memberId, engine, newContact, ...{ mail, evts, insertMail, insertEvent } } as Setup & {
    mail: MailFact[];
    evts: EventFact[];
    insertMail: typeof insertMail;
    insertEvent: typeof insertEvent;
  };
}

export async function runInteractionsBench(size = { messages: 50_000, events: 2_000 }): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const s = setup(size.messages, size.events, 200, 4) as ReturnType<typeof setup> & {
    mail: MailFact[];
    evts: EventFact[];
    insertMail: { run: (...a: unknown[]) => unknown };
    insertEvent: { run: (...a: unknown[]) => unknown };
  };
  const { db, engine, memberId, orgId } = s;
  engine.directory(orgId);

  // 1. Through the FactListener, in pages of 500 as the sync hands them over.
  const pageSize = 500;
  let t0 = performance.now();
  for (let i = 0; i < s.mail.length; i += pageSize) {
    const page = s.mail.slice(i, i + pageSize);
    const changes: FactChanges = { memberId, upsertedMail: page, removedMailIds: [], upsertedEvents: [], removedEventIds: [] };
    db.transaction(() => {
      for (const f of page) s.insertMail.run(memberId, f.graphId, f.internetMessageId, f.conversationId, f.receivedAt, f.sentAt, JSON.stringify(f.participants), f.receivedAt);
      engine.onFactsChanged(changes);
    })();
  }
  for (let i = 0; i < s.evts.length; i += pageSize) {
    const page = s.evts.slice(i, i + pageSize);
    const changes: FactChanges = { memberId, upsertedMail: [], removedMailIds: [], upsertedEvents: page, removedEventIds: [] };
    db.transaction(() => {
      for (const f of page) s.insertEvent.run(memberId, f.graphId, f.iCalUId, f.start, f.end, f.isCancelled ? 1 : 0, f.ownerResponse, JSON.stringify(f.participants), f.start);
      engine.onFactsChanged(changes);
    })();
  }
  const listenerMs = performance.now() - t0;
  const items = s.mail.length + s.evts.length;
  const interactions = (db.prepare("SELECT COUNT(*) AS n FROM interactions").get() as { n: number }).n;
  results.push(
    info(
      "FactListener: facts decided and materialised per second (incl. the bench writing the facts)",
      (items / listenerMs) * 1000,
      "items/s",
      `${items.toLocaleString("en-US")} items → ${interactions.toLocaleString("en-US")} interactions, pages of ${pageSize}; part of the sync's end-to-end budget (≥ 20,000 messages/s)`,
    ),
  );

  // 2. One contact added: only facts mentioning it are decided again.
  upsertUsers(db, orgId, [{ externalId: "newbie", name: "New Bie", address: s.newContact, customerExternalId: "c7", createdAt: "2025-01-01T00:00:00Z" }]);
  t0 = performance.now();
  const r1 = engine.redecideOrganisation(orgId);
  const contactMs = performance.now() - t0;
  results.push(
    atMost(`re-decide ${size.messages.toLocaleString("en-US")} messages + ${size.events.toLocaleString("en-US")} events after one contact is added`, contactMs, "ms", 1000, `mode ${r1.mode}, ${r1.decided} facts decided, ${r1.changedFacts} newly matched`),
  );

  // 3. A toggle: every fact of the member decided again in a tight loop.
  updateMemberSettings(db, memberId, { syncUnknownSender: true });
  t0 = performance.now();
  const r2 = engine.redecideMember(memberId);
  const toggleMs = performance.now() - t0;
  results.push(info("re-decide after a toggle (every fact of the member decided again)", toggleMs, "ms", `${r2.decided} decided, ${r2.changedFacts} newly matched and written`));

  // 4. Forced full pass with nothing changed (e.g. after a restart with a changed directory).
  t0 = performance.now();
  const r3 = engine.redecideOrganisation(orgId, { full: true });
  const fullMs = performance.now() - t0;
  results.push(info("full re-decision of the window, nothing changed (e.g. after a restart with a changed directory)", fullMs, "ms", `${r3.decided} decided`));
  engine.close();
  db.close();

  // 5. Preview with 100,000 contacts.
  const big = setup(2_000, 0, 25_000, 4);
  const reads = new InteractionReads(big.db);
  let tb = performance.now();
  const dir = big.engine.directory(big.orgId);
  const buildMs = performance.now() - tb;
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    tb = performance.now();
    const d = big.engine.directory(big.orgId);
    previewMessage(d, big.memberId, { from: { address: `p${i % 4}@cust${i % 25_000}.test` }, to: [{ address: "mia@ourco.test" }], cc: [{ address: `p1@cust${(i * 7) % 25_000}.test` }] }, reads, NOW);
    samples.push(performance.now() - tb);
  }
  results.push(atMost("preview decision + customer summaries, 100,000 contacts (p95)", percentile(samples, 95), "ms", 20, `index build ${Math.round(buildMs)} ms once per directory version (cold: every address hashed); ${dir.index.users.size.toLocaleString("en-US")} contacts`));
  upsertUsers(big.db, big.orgId, [{ externalId: "late", name: "Late Contact", address: "late@cust3.test", customerExternalId: "c3" }]);
  tb = performance.now();
  const r4 = big.engine.redecideOrganisation(big.orgId);
  results.push(
    info("directory rebuild + re-decision after one contact is added, 100,000 contacts", performance.now() - tb, "ms", `mode ${r4.mode}; the index is rebuilt whole (shared/matching buildDirectoryIndex), hashes are memoised`),
  );
  big.engine.close();
  big.db.close();
  return results;
}

const suite: BenchSuite = { name: "interactions", run: () => runInteractionsBench() };
export default suite;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  void runInteractionsBench().then((results) => {
    for (const r of results) {
      console.log(`${r.met === null ? " " : r.met ? "✔" : "✖"} ${r.name}: ${r.value.toFixed(1)} ${r.unit} (target ${r.target}) — ${r.notes ?? ""}`);
    }
  });
}
