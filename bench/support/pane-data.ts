/**
 * Data for the pane benchmarks (bench/suites/pane.bench.ts): a large directory added to a generated
 * organisation before the product loads it (startProductFixture's `prepare`, so seedDirectory imports it
 * through the directory service functions, in one transaction), interactions for those customers written
 * straight into the interactions tables (the preview reads `interactions` and `customer_activity`; the
 * reports' triggers keep their counters), the open messages the preview is asked about, and a keep-alive
 * HTTPS JSON client.
 */
import https from "node:https";
import type { GeneratedOrganisation } from "../../emulator/generator/types";
import type { Db } from "../../server/db/database";
import type { MailAddress, OpenMessage } from "../../shared/api/contract";
import { mulberry32 } from "../../shared/random";

const pad = (n: number, w: number) => n.toString().padStart(w, "0");
const SUFFIXES = ["Logistics", "Health", "Retail", "Energy", "Media", "Foods", "Robotics", "Finance"];

export interface BulkDirectory {
  customers: number;
  contactsPerCustomer: number;
  /** Customers with a domain field (2 in 3, like real imports where it is often left empty). */
  withDomain: (c: number) => boolean;
  externalId: (c: number) => string;
  name: (c: number) => string;
  contactAddress: (c: number, u: number) => string;
  domain: (c: number) => string;
}

export function bulkDirectory(customers: number, contactsPerCustomer: number): BulkDirectory {
  return {
    customers,
    contactsPerCustomer,
    withDomain: (c) => c % 3 !== 0,
    externalId: (c) => `bench-c${pad(c, 5)}`,
    name: (c) => `Bench ${SUFFIXES[c % SUFFIXES.length]} ${pad(c, 5)}`,
    contactAddress: (c, u) => `contact${u}@cust${pad(c, 5)}.bench.example`,
    domain: (c) => `cust${pad(c, 5)}.bench.example`,
  };
}

/** Adds the bulk customers and their contacts to the organisation (owners round-robin over its team members). */
export function addBulkDirectory(org: GeneratedOrganisation, bulk: BulkDirectory): void {
  const owners = org.teamMembers.map((m) => m.primaryAddress);
  for (let c = 0; c < bulk.customers; c++) {
    org.customers.push({
      externalId: bulk.externalId(c),
      name: bulk.name(c),
      ownerAddress: owners[c % owners.length]!,
      domains: bulk.withDomain(c) ? [bulk.domain(c)] : [],
    });
    for (let u = 0; u < bulk.contactsPerCustomer; u++) {
      org.contacts.push({
        externalId: `${bulk.externalId(c)}-u${u}`,
        name: `Contact ${u} of ${pad(c, 5)}`,
        address: bulk.contactAddress(c, u),
        customerExternalId: bulk.externalId(c),
        createdAt: "2024-01-01T00:00:00Z",
      });
    }
  }
}

/**
 * Email interactions of the bulk customers over the last 6 months (1–4 messages each, the connected member
 * on every one, a second member on some), with each customer's activity. Returns how many were written.
 */
export function seedBulkInteractions(
  db: Db,
  orgId: string,
  bulk: BulkDirectory,
  memberIds: string[],
  count: number,
  now = new Date(),
): { interactions: number; messages: number; customersWithHistory: number } {
  const random = mulberry32(17);
  const DAY = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const nowMs = now.getTime();
  const nowIso = now.toISOString();
  const customerIds = new Map(
    (db.prepare("SELECT id, external_id FROM customers WHERE organisation_id = ? AND external_id LIKE 'bench-c%'").all(orgId) as { id: string; external_id: string }[]).map(
      (r) => [r.external_id, r.id],
    ),
  );
  const userIds = new Map(
    (db.prepare("SELECT id, external_id FROM users WHERE organisation_id = ? AND external_id LIKE 'bench-c%'").all(orgId) as { id: string; external_id: string }[]).map(
      (r) => [r.external_id, r.id],
    ),
  );
  const memberNames = new Map(
    (db.prepare("SELECT id, name, primary_address FROM team_members WHERE organisation_id = ?").all(orgId) as { id: string; name: string; primary_address: string }[]).map(
      (r) => [r.id, r],
    ),
  );
  const interaction = db.prepare(`INSERT INTO interactions (id, organisation_id, customer_id, kind, group_key, subject, first_at, last_at, end_at,
      message_count, last_direction, last_reply_at, cancelled, counted, via_domain, web_link, participants, team_member_ids, contact_user_ids,
      details_pending, updated_at) VALUES (?, ?, ?, 'email', ?, ?, ?, ?, NULL, ?, ?, ?, 0, 1, 0, ?, ?, ?, ?, 0, ?)`);
  const message = db.prepare(`INSERT INTO interaction_messages (interaction_id, organisation_id, member_id, graph_id, internet_message_id,
      message_key, at, direction, from_contact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const teamRow = db.prepare("INSERT INTO interaction_team_members (interaction_id, member_id, organisation_id) VALUES (?, ?, ?)");
  const activity = db.prepare(`INSERT INTO customer_activity (customer_id, organisation_id, last_interaction_at, last_email_reply_at, next_meeting_at, updated_at)
      VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT (customer_id) DO UPDATE SET last_interaction_at = excluded.last_interaction_at,
      last_email_reply_at = excluded.last_email_reply_at, updated_at = excluded.updated_at`);
  const latest = new Map<string, { last: string; reply: string | null }>();
  let messages = 0;
  db.transaction(() => {
    for (let k = 0; k < count; k++) {
      // Skewed: a fifth of the customers hold most of the history.
      const c = random() < 0.7 ? Math.floor(random() * (bulk.customers / 5)) * 5 : Math.floor(random() * bulk.customers);
      const customerId = customerIds.get(bulk.externalId(c));
      if (!customerId) throw new Error(`bulk customer ${c} is not in the directory`);
      const u = Math.floor(random() * bulk.contactsPerCustomer);
      const userId = userIds.get(`${bulk.externalId(c)}-u${u}`)!;
      const members = random() < 0.2 && memberIds.length > 1 ? [memberIds[0]!, memberIds[1 + Math.floor(random() * (memberIds.length - 1))]!] : [memberIds[0]!];
      const id = `bench_ix_${pad(k, 8)}`;
      const n = 1 + Math.floor(random() * 4);
      const lastMs = nowMs - Math.floor(random() * 180 * DAY);
      const msgs: { at: string; dir: "sent" | "received"; fromContact: number; imid: string }[] = [];
      let reply: string | null = null;
      for (let i = n - 1; i >= 0; i--) {
        const at = iso(lastMs - i * Math.floor(random() * DAY));
        const dir = random() < 0.5 ? "sent" : "received";
        const fromContact = dir === "received" ? 1 : 0;
        if (fromContact && (reply === null || at > reply)) reply = at;
        msgs.push({ at, dir, fromContact, imid: `<${id}-${msgs.length}@bench.example>` });
      }
      const people = JSON.stringify([
        { address: bulk.contactAddress(c, u), name: `Contact ${u} of ${pad(c, 5)}`, kind: "contact", userId },
        ...members.map((m) => ({ address: memberNames.get(m)!.primary_address, name: memberNames.get(m)!.name, kind: "team_member", memberId: m })),
      ]);
      const last = msgs[n - 1]!;
      interaction.run(id, orgId, customerId, msgs[0]!.imid, `Bench conversation ${k}`, msgs[0]!.at, last.at, n, last.dir, reply,
        `https://outlook.office.com/mail/deeplink/read/${id}`, people, JSON.stringify(members), JSON.stringify([userId]), nowIso);
      for (const [i, m] of msgs.entries()) {
        for (const member of members) {
          message.run(id, orgId, member, `bench-graph-${id}-${i}-${member}`, m.imid, `m:${m.imid}`, m.at, m.dir, m.fromContact);
          messages++;
        }
      }
      for (const member of members) teamRow.run(id, member, orgId);
      const a = latest.get(customerId) ?? { last: last.at, reply: null };
      if (last.at > a.last) a.last = last.at;
      if (reply && (a.reply === null || reply > a.reply)) a.reply = reply;
      latest.set(customerId, a);
    }
    for (const [customerId, a] of latest) activity.run(customerId, orgId, a.last, a.reply, nowIso);
  })();
  return { interactions: count, messages, customersWithHistory: latest.size };
}

export type MessageKind = "contact" | "member-to-contacts" | "two-customers" | "unknown-sender" | "unknown-at-customer-domain";

/** A varied open message as Outlook hands it to the pane, for the connected member. */
export function openMessages(bulk: BulkDirectory, memberAddress: string, count: number, seed: number): Array<{ kind: MessageKind; message: OpenMessage }> {
  const random = mulberry32(seed);
  const pick = () => Math.floor(random() * bulk.customers);
  const contact = (c: number): MailAddress => {
    const u = Math.floor(random() * bulk.contactsPerCustomer);
    return { name: `Contact ${u} of ${pad(c, 5)}`, address: bulk.contactAddress(c, u) };
  };
  const me: MailAddress = { name: "Me", address: memberAddress };
  const out: Array<{ kind: MessageKind; message: OpenMessage }> = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    const at = new Date(Date.now() - Math.floor(random() * 90 * 86_400_000)).toISOString();
    const base = { internetMessageId: `<open-${seed}-${i}@bench.example>`, subject: `Open message ${i}`, dateTimeCreated: at };
    let kind: MessageKind;
    let message: OpenMessage;
    if (r < 0.4) {
      kind = "contact";
      message = { ...base, from: contact(pick()), to: [me], cc: [] };
    } else if (r < 0.55) {
      kind = "member-to-contacts";
      const c = pick();
      message = { ...base, from: me, to: [contact(c)], cc: [contact(c)] };
    } else if (r < 0.75) {
      kind = "two-customers";
      message = { ...base, from: contact(pick()), to: [me], cc: [contact(pick())] };
    } else if (r < 0.9) {
      kind = "unknown-sender";
      message = { ...base, from: { name: "Someone", address: `someone${i}@elsewhere${i % 97}.example` }, to: [me], cc: [] };
    } else {
      kind = "unknown-at-customer-domain";
      let c = pick();
      while (!bulk.withDomain(c)) c = pick();
      message = { ...base, from: { name: "New person", address: `new.person${i}@${bulk.domain(c)}` }, to: [me], cc: [] };
    }
    out.push({ kind, message });
  }
  return out;
}

export interface JsonClient {
  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  close(): void;
}

/** One keep-alive connection, as the pane's browser keeps one to the server. */
export function jsonClient(baseUrl: string, token: string): JsonClient {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const base = new URL(baseUrl);
  return {
    post<T>(path: string, body: unknown) {
      const data = Buffer.from(JSON.stringify(body));
      return new Promise<{ status: number; body: T }>((resolve, reject) => {
        const req = https.request(
          {
            agent,
            host: base.hostname,
            port: base.port,
            path,
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json", "content-length": data.length },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => {
              const text = Buffer.concat(chunks).toString("utf8");
              try {
                resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as T });
              } catch {
                reject(new Error(`${path} answered ${res.statusCode} with non-JSON: ${text.slice(0, 200)}`));
              }
            });
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(data);
      });
    },
    close: () => agent.destroy(),
  };
}
