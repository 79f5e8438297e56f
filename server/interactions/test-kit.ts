/**
 * Test kit for the interactions engine: an in-memory database with every migration, a small
 * organisation, and a stand-in for the sync that writes hand-built facts (keyed with a real
 * AddressKeyer) into sync_mail_facts / sync_event_facts and calls the listener in the same
 * transaction, exactly as server/sync/store.ts does. No Graph anywhere: the details fetcher and
 * the message lookup are counting fakes.
 */
import crypto from "node:crypto";
import { openDatabase, type Db } from "../db/database";
import { createOrganisation, upsertCustomers, upsertTeamMembers, upsertUsers } from "../directory/service";
import { createAddressKeyer, type AddressKeyer } from "../sync/address-keys";
import type { EventFact, FactChanges, ItemDetails, ItemDetailsFetcher, MailFact, StoredParticipant } from "../sync/facts";
import type { GraphMessage } from "../sync/mapping";
import { InteractionsEngine } from "./engine";
import type { MessageLookup } from "./graph-lookup";
import type { InteractionRow } from "./read";

export const KIT_NOW = new Date("2024-06-15T12:00:00.000Z");

export class CountingFetcher implements ItemDetailsFetcher {
  readonly calls: { kind: "email" | "meeting"; memberId: string; graphId: string }[] = [];
  readonly known = new Map<string, ItemDetails>();
  fail = false;
  async fetchMessageDetails(memberId: string, graphId: string): Promise<ItemDetails | null> {
    this.calls.push({ kind: "email", memberId, graphId });
    if (this.fail) throw new Error("Graph is unavailable");
    return this.known.get(`${memberId}/${graphId}`) ?? null;
  }
  async fetchEventDetails(memberId: string, graphId: string): Promise<ItemDetails | null> {
    this.calls.push({ kind: "meeting", memberId, graphId });
    if (this.fail) throw new Error("Graph is unavailable");
    return this.known.get(`${memberId}/${graphId}`) ?? null;
  }
}

export class CountingLookup implements MessageLookup {
  readonly calls: string[] = [];
  readonly messages = new Map<string, GraphMessage>();
  async getMessage(memberId: string, id: string): Promise<GraphMessage | null> {
    this.calls.push(`get ${memberId} ${id}`);
    return this.messages.get(`${memberId}/${id}`) ?? null;
  }
  async findMessage(memberId: string, internetMessageId: string): Promise<GraphMessage | null> {
    this.calls.push(`find ${memberId} ${internetMessageId}`);
    for (const [k, m] of this.messages) if (k.startsWith(`${memberId}/`) && m.internetMessageId === internetMessageId) return m;
    return null;
  }
}

export interface MailSpec {
  id?: string;
  imid?: string | null;
  conv?: string | null;
  from?: string | null;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  at: string;
  draft?: boolean;
  subject?: string;
  /** false: the page carries no details (as in a re-decision). Default true. */
  details?: boolean;
}

export interface EventSpec {
  id?: string;
  ical?: string | null;
  organizer: string;
  attendees: string[];
  rooms?: string[];
  start: string;
  end?: string;
  cancelled?: boolean;
  response?: EventFact["ownerResponse"];
  subject?: string;
  details?: boolean;
}

export interface Kit {
  db: Db;
  engine: InteractionsEngine;
  keyer: AddressKeyer;
  fetcher: CountingFetcher;
  lookup: CountingLookup;
  orgId: string;
  /** externalId → id */
  member: (externalId: string) => string;
  customer: (externalId: string) => string;
  user: (externalId: string) => string;
  mail(memberExternalId: string, spec: MailSpec): MailFact;
  event(memberExternalId: string, spec: EventSpec): EventFact;
  removeMail(memberExternalId: string, graphId: string): void;
  removeEvent(memberExternalId: string, graphId: string): void;
  /** Interactions of the organisation (optionally of one customer), oldest first. */
  interactions(customerExternalId?: string): InteractionRow[];
  activity(customerExternalId: string): { last_interaction_at: string | null; last_email_reply_at: string | null } | undefined;
  close(): void;
}

let seq = 0;

export interface KitOptions {
  db?: Db;
  orgName?: string;
  /** Extra setup before the engine sees the directory. */
  directory?: (db: Db, orgId: string) => void;
  now?: Date;
  autoFetchDetails?: boolean;
  /** Use this engine (e.g. the server's) instead of a private one. */
  engine?: InteractionsEngine;
  /** The organisation's keyer (e.g. from the server's key store); default: a fixed test key. */
  keyerFor?: (orgId: string) => AddressKeyer;
  /** Directory rows with extra fields (Entra ids for pane tokens). */
  members?: unknown[];
}

/** A standard organisation: two team members, Acme and Globex, contacts incl. one address on two records. */
export function standardDirectory(db: Db, orgId: string): void {
  upsertTeamMembers(db, orgId, [
    { externalId: "jane", name: "Jane Doe", primaryAddress: "jane@northwind.io", isAdmin: true },
    { externalId: "tom", name: "Tom Berg", primaryAddress: "tom@northwind.io" },
  ]);
  upsertCustomers(db, orgId, [
    { externalId: "acme", name: "Acme", ownerAddress: "jane@northwind.io" },
    { externalId: "globex", name: "Globex", ownerAddress: "tom@northwind.io" },
  ]);
  upsertUsers(db, orgId, [
    { externalId: "alice", name: "Alice Andersson", address: "alice@acme.com", customerExternalId: "acme", createdAt: "2024-01-01T00:00:00Z" },
    { externalId: "bob", name: "Bob Baker", address: "bob@globex.com", customerExternalId: "globex", createdAt: "2024-01-01T00:00:00Z" },
    { externalId: "pat1", name: "Pat Partner", address: "shared@partner.com", customerExternalId: "acme", createdAt: "2024-01-01T00:00:00Z" },
    { externalId: "pat2", name: "Pat Partner", address: "shared@partner.com", customerExternalId: "globex", createdAt: "2024-01-01T00:00:00Z" },
  ]);
}

export function createKit(options: KitOptions = {}): Kit {
  const db = options.db ?? openDatabase(":memory:");
  const orgId = createOrganisation(db, options.orgName ?? "Northwind");
  (options.directory ?? standardDirectory)(db, orgId);
  if (options.members) upsertTeamMembers(db, orgId, options.members);
  const keyer = options.keyerFor ? options.keyerFor(orgId) : createAddressKeyer(crypto.createHash("sha256").update(`kit-key-${orgId}`).digest());
  const fetcher = new CountingFetcher();
  const lookup = new CountingLookup();
  const now = options.now ?? KIT_NOW;
  const engine =
    options.engine ??
    new InteractionsEngine({
      db,
      keyerFor: () => keyer,
      fetcher,
      now: () => now,
      autoFetchDetails: options.autoFetchDetails ?? false,
    });
  const idOf = (table: string) => (externalId: string) => {
    const r = db.prepare(`SELECT id FROM ${table} WHERE organisation_id = ? AND external_id = ?`).get(orgId, externalId) as { id: string } | undefined;
    if (!r) throw new Error(`No ${table} ${externalId}`);
    return r.id;
  };
  const member = idOf("team_members");
  const customer = idOf("customers");
  const user = idOf("users");

  const insertMail = db.prepare(`INSERT INTO sync_mail_facts (member_id, graph_id, folder_id, internet_message_id, conversation_id,
      received_at, sent_at, is_draft, participants, seen_generation, updated_at) VALUES (?, ?, 'inbox', ?, ?, ?, ?, ?, ?, 1, ?)
    ON CONFLICT (member_id, graph_id) DO UPDATE SET internet_message_id = excluded.internet_message_id,
      conversation_id = excluded.conversation_id, received_at = excluded.received_at, sent_at = excluded.sent_at,
      is_draft = excluded.is_draft, participants = excluded.participants`);
  const insertEvent = db.prepare(`INSERT INTO sync_event_facts (member_id, graph_id, ical_uid, series_master_id, original_start, start_at,
      end_at, is_cancelled, owner_response, participants, seen_generation, updated_at) VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, 1, ?)
    ON CONFLICT (member_id, graph_id) DO UPDATE SET ical_uid = excluded.ical_uid, start_at = excluded.start_at, end_at = excluded.end_at,
      is_cancelled = excluded.is_cancelled, owner_response = excluded.owner_response, participants = excluded.participants`);

  const page = (changes: FactChanges, write: () => void) => {
    db.transaction(() => {
      write();
      engine.onFactsChanged(changes);
    })();
  };
  const empty = (memberId: string): FactChanges => ({ memberId, upsertedMail: [], removedMailIds: [], upsertedEvents: [], removedEventIds: [] });

  return {
    db,
    engine,
    keyer,
    fetcher,
    lookup,
    orgId,
    member,
    customer,
    user,
    mail(memberExternalId, spec) {
      const memberId = member(memberExternalId);
      const id = spec.id ?? `msg-${++seq}`;
      const participants: StoredParticipant[] = [];
      const plain: ItemDetails["participants"] = [];
      const add = (a: string | null | undefined, r: StoredParticipant["r"]) => {
        if (!a) return;
        const p = keyer.participant(a, r);
        if (p) participants.push(p);
        plain.push({ address: a, name: a.split("@")[0]!, role: r });
      };
      add(spec.from, "from");
      for (const a of spec.to ?? []) add(a, "to");
      for (const a of spec.cc ?? []) add(a, "cc");
      for (const a of spec.bcc ?? []) add(a, "bcc");
      const at = new Date(spec.at).toISOString();
      const details: ItemDetails = { subject: spec.subject ?? `Subject of ${id}`, webLink: `https://outlook.example/${id}`, participants: plain };
      fetcher.known.set(`${memberId}/${id}`, details);
      const fact: MailFact = {
        memberId,
        graphId: id,
        folderId: "inbox",
        internetMessageId: spec.imid === undefined ? `<${id}@mail>` : spec.imid,
        conversationId: spec.conv === undefined ? `conv-${id}` : spec.conv,
        receivedAt: at,
        sentAt: at,
        isDraft: spec.draft === true,
        participants,
      };
      if (spec.details !== false) fact.details = details;
      const changes = empty(memberId);
      changes.upsertedMail.push(fact);
      page(changes, () =>
        insertMail.run(memberId, id, fact.internetMessageId, fact.conversationId, at, at, fact.isDraft ? 1 : 0, JSON.stringify(participants), at),
      );
      lookup.messages.set(`${memberId}/${id}`, {
        id,
        internetMessageId: fact.internetMessageId,
        conversationId: fact.conversationId,
        receivedDateTime: at,
        sentDateTime: at,
        isDraft: fact.isDraft,
        parentFolderId: "inbox",
        from: spec.from ? { emailAddress: { address: spec.from, name: spec.from.split("@")[0] } } : null,
        toRecipients: (spec.to ?? []).map((a) => ({ emailAddress: { address: a } })),
        ccRecipients: (spec.cc ?? []).map((a) => ({ emailAddress: { address: a } })),
        bccRecipients: (spec.bcc ?? []).map((a) => ({ emailAddress: { address: a } })),
        subject: details.subject,
      });
      return fact;
    },
    event(memberExternalId, spec) {
      const memberId = member(memberExternalId);
      const id = spec.id ?? `evt-${++seq}`;
      const participants: StoredParticipant[] = [];
      const plain: ItemDetails["participants"] = [];
      const add = (a: string, r: StoredParticipant["r"], resource = false) => {
        const p = keyer.participant(a, r, resource);
        if (p) participants.push(p);
        plain.push({ address: a, name: a.split("@")[0]!, role: r });
      };
      add(spec.organizer, "organizer");
      for (const a of spec.attendees) add(a, "attendee");
      for (const a of spec.rooms ?? []) add(a, "attendee", true);
      const start = new Date(spec.start).toISOString();
      const end = new Date(spec.end ?? Date.parse(spec.start) + 3600_000).toISOString();
      const details: ItemDetails = { subject: spec.subject ?? `Meeting ${id}`, webLink: `https://outlook.example/cal/${id}`, participants: plain };
      fetcher.known.set(`${memberId}/${id}`, details);
      const fact: EventFact = {
        memberId,
        graphId: id,
        iCalUId: spec.ical === undefined ? `ical-${id}` : spec.ical,
        seriesMasterId: null,
        originalStart: null,
        start,
        end,
        isCancelled: spec.cancelled === true,
        ownerResponse: spec.response ?? "accepted",
        participants,
      };
      if (spec.details !== false) fact.details = details;
      const changes = empty(memberId);
      changes.upsertedEvents.push(fact);
      page(changes, () =>
        insertEvent.run(memberId, id, fact.iCalUId, start, end, fact.isCancelled ? 1 : 0, fact.ownerResponse, JSON.stringify(participants), start),
      );
      return fact;
    },
    removeMail(memberExternalId, graphId) {
      const memberId = member(memberExternalId);
      const changes = empty(memberId);
      changes.removedMailIds.push(graphId);
      page(changes, () => db.prepare("DELETE FROM sync_mail_facts WHERE member_id = ? AND graph_id = ?").run(memberId, graphId));
    },
    removeEvent(memberExternalId, graphId) {
      const memberId = member(memberExternalId);
      const changes = empty(memberId);
      changes.removedEventIds.push(graphId);
      page(changes, () => db.prepare("DELETE FROM sync_event_facts WHERE member_id = ? AND graph_id = ?").run(memberId, graphId));
    },
    interactions(customerExternalId) {
      if (customerExternalId) {
        return db
          .prepare("SELECT * FROM interactions WHERE customer_id = ? ORDER BY first_at, id")
          .all(customer(customerExternalId)) as InteractionRow[];
      }
      return db.prepare("SELECT * FROM interactions WHERE organisation_id = ? ORDER BY first_at, customer_id, id").all(orgId) as InteractionRow[];
    },
    activity(customerExternalId) {
      return db
        .prepare("SELECT last_interaction_at, last_email_reply_at FROM customer_activity WHERE customer_id = ?")
        .get(customer(customerExternalId)) as { last_interaction_at: string | null; last_email_reply_at: string | null } | undefined;
    },
    close() {
      if (!options.engine) engine.close();
      if (!options.db) db.close();
    },
  };
}
