/**
 * ~8 months of mail per mailbox, as threads: customer conversations (inbox, sent items, archive,
 * user folders), internal mail, newsletters with List-Unsubscribe, strangers copying a contact,
 * cold outreach, drafts. A message delivered to two team members exists in both mailboxes with the
 * same internetMessageId and conversationId. Fixed "fixture" threads come first so every edge case
 * exists even in a tiny organisation; random threads then fill each mailbox to its target size.
 */
import type { InternetMessageHeader, Recipient } from "@microsoft/microsoft-graph-types";
import { graphBase64 } from "../graph/ids";
import type { MailboxSeed, SeedFolder, SeedMessage } from "../graph/seed-types";
import {
  COLD_SENDERS,
  COLD_SUBJECTS,
  CUSTOMER_SUBJECTS,
  FIRST_NAMES,
  INTERNAL_SUBJECTS,
  LAST_NAMES,
  NEWSLETTER_SENDERS,
  NEWSLETTER_SUBJECTS,
  SENTENCES,
} from "./names";
import { type ContactPerson, DAY, type OrgModel, type Person } from "./organisation";
import type { Rng } from "./prng";
import type { GeneratedCases, GeneratedTeamMember } from "./types";

export const MAILBOX_FOLDERS: SeedFolder[] = [
  { key: "customers", displayName: "Customers", parentKey: "inbox" },
  { key: "key-accounts", displayName: "Key accounts", parentKey: "customers" },
  { key: "newsletters", displayName: "Newsletters" },
  { key: "projects", displayName: "Projects" },
];

type Folder = "inbox" | "sentitems" | "drafts" | "deleteditems" | "junkemail" | "archive" | "customers" | "key-accounts" | "newsletters" | "projects";

interface Delivery {
  member: number;
  folder: Folder;
  /** The sender's own copy (Sent Items): bcc visible, no transport headers. */
  sent?: boolean;
  draft?: boolean;
  isRead?: boolean;
  /** Show the sender as this address in this copy (an X500 legacy DN). */
  fromAddress?: string;
}

const EMPTY: Recipient[] = [];
const MIME_VERSION: InternetMessageHeader = { name: "MIME-Version", value: "1.0" };
const CONTENT_TYPE: InternetMessageHeader = { name: "Content-Type", value: 'text/html; charset="utf-8"' };

interface Thread {
  conversationId: string;
  /** Random bytes of each reply's Thread-Index block, shared by every copy of the message. */
  indexSalt: number[];
  indexHeader: Buffer;
  subject: string;
  replies: number;
  lastMessageId: string | undefined;
  references: string[];
}

interface Emission {
  thread: Thread;
  from: Person;
  to: Person[];
  cc?: Person[];
  bcc?: Person[];
  at: number;
  deliveries: Delivery[];
  headers?: InternetMessageHeader[];
  inference?: "focused" | "other";
  importance?: "low" | "normal" | "high";
}

const MINUTE = 60_000;

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export class MailGenerator {
  private readonly counts: number[];
  private readonly entries: Array<Array<[number, SeedMessage]>>;
  private readonly bodies: Array<{ body: { contentType: "html"; content: string }; preview: string }> = [];
  private readonly memberPeople: Person[];
  private readonly newsletterPeople = NEWSLETTER_SENDERS.map((s) => ({ person: { name: s.name, address: s.address }, list: s.list }));
  private readonly coldPeople: Person[] = COLD_SENDERS.map((s) => ({ ...s }));
  private imidCounter = 0;
  private threadCounter = 0;
  private readonly historyStart: number;
  private readonly outlookHost: string;
  private readonly unknownPeople: Person[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly org: OrgModel,
    private readonly target: number,
    private readonly nowMs: number,
    private readonly cases: GeneratedCases,
  ) {
    this.counts = org.members.map(() => 0);
    this.memberPeople = org.members.map((m) => ({ name: m.displayName, address: m.primaryAddress }));
    this.entries = org.members.map(() => []);
    this.historyStart = nowMs - 240 * DAY;
    const n = rng.int(1, 9);
    this.outlookHost = `AM${n}PR0${rng.int(1, 9)}MB${rng.int(1000, 9999)}.eurprd0${n}.prod.outlook.com`;
    for (let i = 0; i < 64; i++) {
      const parts = [rng.pick(SENTENCES), rng.pick(SENTENCES), rng.chance(0.5) ? rng.pick(SENTENCES) : ""].filter(Boolean);
      const text = parts.join(" ");
      this.bodies.push({
        body: {
          contentType: "html",
          content: `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><p>${text}</p><p>Best regards</p></body></html>`,
        },
        preview: `${text} Best regards`,
      });
    }
    // People at customers who are not in the directory (they write, copying a contact).
    const urng = rng.fork("unknown-people");
    org.customerMailDomains.forEach((domains) => {
      const first = urng.pick(FIRST_NAMES);
      const last = urng.pick(LAST_NAMES);
      this.unknownPeople.push({ name: `${first} ${last}`, address: `${first.toLowerCase()}.${last.toLowerCase()}.ext@${domains[0]}` });
    });
  }

  private member(i: number): Person {
    return this.memberPeople[i]!;
  }

  private recipient(p: Person & { recipient?: Recipient }): Recipient {
    return (p.recipient ??= { emailAddress: { name: p.name, address: p.address } });
  }

  private newThread(subject: string, startMs: number): Thread {
    const n = ++this.threadCounter;
    const guid = Buffer.alloc(16);
    guid.writeUInt32BE(this.rng.u32(), 0);
    guid.writeUInt32BE(this.rng.u32(), 4);
    guid.writeUInt32BE(n, 8);
    guid.writeUInt32BE(this.rng.u32(), 12);
    const header = Buffer.alloc(22);
    header[0] = 0x01;
    // FILETIME (100 ns since 1601) of the first message, top 5 bytes, as in Thread-Index.
    const filetime = BigInt(startMs + 11_644_473_600_000) * 10_000n;
    for (let i = 0; i < 5; i++) header[1 + i] = Number((filetime >> BigInt(56 - 8 * i)) & 0xffn);
    guid.copy(header, 6);
    const convBytes = Buffer.alloc(44);
    convBytes[1] = 0x10;
    Buffer.from(this.org.company.tenantId.replace(/-/g, ""), "hex").copy(convBytes, 2);
    guid.copy(convBytes, 24);
    return {
      conversationId: `AAQkA${graphBase64(convBytes).slice(1)}`,
      indexHeader: header,
      indexSalt: [],
      subject,
      replies: 0,
      lastMessageId: undefined,
      references: [],
    };
  }

  private internetMessageId(from: Person): string {
    const n = (++this.imidCounter).toString(36).toUpperCase();
    const domain = from.address.split("@")[1] ?? "";
    if (this.org.company.domains.includes(domain) || from.address.startsWith("/o=")) {
      return `<${this.outlookHost.slice(0, 15).replace(/\./g, "")}${this.rng.hex(12).toUpperCase()}${n}@${this.outlookHost}>`;
    }
    return `<${this.rng.hex(16)}.${n}@mail.${domain}>`;
  }

  /** Writes one message into every mailbox it reached. Returns its internetMessageId. */
  emit(e: Emission): string {
    const t = e.thread;
    const index = Buffer.allocUnsafe(22 + 5 * t.replies);
    t.indexHeader.copy(index);
    for (let i = 0; i < t.replies; i++) {
      index.writeUInt32BE(t.indexSalt[i] ?? (t.indexSalt[i] = this.rng.u32()), 22 + 5 * i);
      index[26 + 5 * i] = i;
    }
    const imid = this.internetMessageId(e.from);
    const body = this.rng.pick(this.bodies);
    const subject = t.replies === 0 ? t.subject : `RE: ${t.subject}`;
    const transport: InternetMessageHeader[] = [{ name: "Message-ID", value: imid }, MIME_VERSION, CONTENT_TYPE];
    if (t.lastMessageId) {
      transport.push({ name: "In-Reply-To", value: t.lastMessageId }, { name: "References", value: t.references.slice(-5).join(" ") });
    }
    if (e.headers) for (const h of e.headers) transport.push(h);
    const fromRecipient = this.recipient(e.from);
    const to = e.to.map((p) => this.recipient(p));
    const cc = e.cc && e.cc.length ? e.cc.map((p) => this.recipient(p)) : EMPTY;
    const bcc = e.bcc && e.bcc.length ? e.bcc.map((p) => this.recipient(p)) : EMPTY;
    const conversationIndex = index.toString("base64");
    const sentAt = iso(e.at);
    const age = this.nowMs - e.at;
    for (const d of e.deliveries) {
      const own = d.sent || d.draft;
      const received = own ? e.at : e.at + 2000 + (this.rng.u32() % 45_000);
      if (received > this.nowMs) continue;
      const from = d.fromAddress ? { emailAddress: { name: e.from.name, address: d.fromAddress } } : fromRecipient;
      const msg: SeedMessage = {
        folderKey: d.folder,
        receivedDateTime: own ? sentAt : iso(received),
        sentDateTime: d.draft ? null : sentAt,
        hasAttachments: false,
        internetMessageId: imid,
        subject,
        bodyPreview: body.preview,
        importance: e.importance ?? "normal",
        conversationId: t.conversationId,
        conversationIndex,
        isDeliveryReceiptRequested: false,
        isReadReceiptRequested: false,
        isRead: d.isRead ?? (own ? true : age > 3 * DAY ? this.rng.chance(0.96) : this.rng.chance(0.4)),
        isDraft: !!d.draft,
        inferenceClassification: e.inference ?? "focused",
        body: body.body,
        sender: d.draft ? null : from,
        from: d.draft ? null : from,
        toRecipients: to,
        ccRecipients: cc,
        bccRecipients: own ? bcc : EMPTY,
        replyTo: EMPTY,
        internetMessageHeaders: own ? null : transport,
      };
      if (d.draft) msg.createdDateTime = sentAt;
      this.entries[d.member]!.push([received, msg]);
      this.counts[d.member]!++;
    }
    t.lastMessageId = imid;
    t.references.push(imid);
    t.replies++;
    return imid;
  }

  private workTime(dayMs: number): number {
    const day = Math.floor(dayMs / DAY) * DAY;
    return day + this.rng.int(7 * 60, 17 * 60) * MINUTE + this.rng.int(0, 59) * 1000;
  }

  private randomStart(recentDays?: number): number {
    const from = recentDays ? this.nowMs - recentDays * DAY : this.historyStart;
    return Math.min(this.workTime(from + this.rng.next() * (this.nowMs - from)), this.nowMs - 10 * MINUTE);
  }

  private replyGap(): number {
    return this.rng.chance(0.6) ? this.rng.int(10, 240) * MINUTE : this.rng.int(1, 4) * DAY + this.rng.int(0, 300) * MINUTE;
  }

  private otherMember(m: number): number | undefined {
    const n = this.org.members.length;
    if (n < 2) return undefined;
    return (m + 1 + this.rng.int(0, n - 2)) % n;
  }

  private memberFrom(m: number, forceUnregistered = false): Person {
    const member: GeneratedTeamMember = this.org.members[m]!;
    if (forceUnregistered && member.unregisteredAlias) return { name: member.displayName, address: member.unregisteredAlias };
    const roll = this.rng.next();
    if (member.unregisteredAlias && roll < 0.05) return { name: member.displayName, address: member.unregisteredAlias };
    if (roll < 0.15 && member.mailboxAliases.length) return { name: member.displayName, address: this.rng.pick(member.mailboxAliases) };
    return this.member(m);
  }

  private inboundFolder(customerIndex: number): Folder {
    const roll = this.rng.next();
    if (roll < 0.7) return "inbox";
    if (roll < 0.85) return "archive";
    if (roll < 0.97) return customerIndex % 4 === 0 ? "key-accounts" : "customers";
    return "deleteditems";
  }

  customerThread(
    m: number,
    opts: {
      contact?: Person & { customerIndex: number };
      ccMember?: number | null;
      messages?: number;
      inboundFirst?: boolean;
      start?: number;
      folder?: Folder;
      forceUnregistered?: boolean;
      draftAtEnd?: boolean;
    } = {},
  ): string[] {
    const owned = this.org.customers.map((c, i) => (c.ownerAddress === this.org.members[m]!.primaryAddress ? i : -1)).filter((i) => i >= 0);
    const ci = opts.contact?.customerIndex ?? (owned.length && this.rng.chance(0.6) ? this.rng.pick(owned) : this.rng.int(0, this.org.customers.length - 1));
    const people = this.org.contactsByCustomer[ci]!;
    const contact: Person = opts.contact ?? this.rng.pick(people);
    const cc2 = people.length > 1 && this.rng.chance(0.2) ? people.find((p) => p.address !== contact.address) : undefined;
    const ccMember = opts.ccMember === null ? undefined : opts.ccMember ?? (this.rng.chance(0.15) ? this.otherMember(m) : undefined);
    const n = opts.messages ?? Math.min(6, 1 + Math.floor(Math.log(1 - this.rng.next()) / Math.log(0.55)));
    const inboundFirst = opts.inboundFirst ?? this.rng.chance(0.6);
    const folder = opts.folder ?? this.inboundFolder(ci);
    let at = opts.start ?? this.randomStart();
    const thread = this.newThread(this.rng.pick(CUSTOMER_SUBJECTS), at);
    const ids: string[] = [];
    const me = this.memberFrom(m, opts.forceUnregistered);
    for (let i = 0; i < n && at < this.nowMs; i++) {
      const inbound = inboundFirst ? i % 2 === 0 : i % 2 === 1;
      const cc = [cc2, ccMember !== undefined ? this.member(ccMember) : undefined].filter((p): p is Person => !!p);
      if (inbound) {
        const deliveries: Delivery[] = [{ member: m, folder }];
        if (ccMember !== undefined) deliveries.push({ member: ccMember, folder: "inbox" });
        ids.push(this.emit({ thread, from: contact, to: [this.member(m)], cc, at, deliveries }));
      } else {
        const last = i === n - 1 && opts.draftAtEnd;
        const deliveries: Delivery[] = last ? [{ member: m, folder: "drafts", draft: true }] : [{ member: m, folder: "sentitems", sent: true }];
        if (ccMember !== undefined && !last) deliveries.push({ member: ccMember, folder: "inbox" });
        ids.push(this.emit({ thread, from: me, to: [contact], cc, at, deliveries }));
      }
      at += this.replyGap();
    }
    return ids;
  }

  internalThread(m: number, opts: { other?: number; x500?: boolean; start?: number } = {}): string[] {
    const other = opts.other ?? this.otherMember(m);
    if (other === undefined) return [];
    let at = opts.start ?? this.randomStart();
    const thread = this.newThread(this.rng.pick(INTERNAL_SUBJECTS), at);
    const n = this.rng.int(1, 4);
    const ids: string[] = [];
    for (let i = 0; i < n && at < this.nowMs; i++) {
      const [sender, receiver] = i % 2 === 0 ? [other, m] : [m, other];
      const x500 = (opts.x500 && i === 0) || this.rng.chance(0.04);
      const folder: Folder = this.rng.chance(0.8) ? "inbox" : this.rng.chance(0.5) ? "archive" : "projects";
      const id = this.emit({
        thread,
        from: this.member(sender),
        to: [this.member(receiver)],
        at,
        headers: [{ name: "X-MS-Exchange-Organization-AuthAs", value: "Internal" }],
        deliveries: [
          { member: sender, folder: "sentitems", sent: true },
          { member: receiver, folder, ...(x500 ? { fromAddress: this.org.members[sender]!.legacyExchangeDn } : {}) },
        ],
      });
      if (x500) this.cases.x500InternetMessageIds.push(id);
      ids.push(id);
      at += this.replyGap();
    }
    return ids;
  }

  newsletter(m: number, opts: { start?: number; alsoTo?: number } = {}): string {
    const fromCustomer = this.rng.chance(0.2);
    let sender: Person;
    let listHost: string;
    if (fromCustomer) {
      const domains = this.rng.pick(this.org.customerMailDomains);
      sender = { name: "Product News", address: `news@${domains[0]}` };
      listHost = domains[0]!;
    } else {
      const s = this.rng.pick(this.newsletterPeople);
      sender = s.person;
      listHost = s.list;
    }
    const at = opts.start ?? this.randomStart();
    const thread = this.newThread(this.rng.pick(NEWSLETTER_SUBJECTS), at);
    const folder = (): Folder => (this.rng.chance(0.6) ? "inbox" : this.rng.chance(0.75) ? "newsletters" : "deleteditems");
    const deliveries: Delivery[] = [{ member: m, folder: folder() }];
    const also = opts.alsoTo ?? (this.rng.chance(0.3) ? this.otherMember(m) : undefined);
    if (also !== undefined) deliveries.push({ member: also, folder: folder() });
    return this.emit({
      thread,
      from: sender,
      to: [{ name: "Subscribers", address: `subscribers@${listHost}` }],
      at,
      inference: "other",
      headers: [
        { name: "List-Unsubscribe", value: `<mailto:unsubscribe@${listHost}?subject=unsubscribe>, <https://${listHost}/unsubscribe/${this.rng.hex(12)}>` },
        { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
        { name: "List-Id", value: `<updates.${listHost}>` },
        { name: "Precedence", value: "bulk" },
      ],
      deliveries,
    });
  }

  /** Someone not in the directory writes to a member, copying a customer contact. */
  unknownCopyingContact(m: number, opts: { start?: number } = {}): string[] {
    const ci = this.rng.int(0, this.org.customers.length - 1);
    const contact = this.rng.pick(this.org.contactsByCustomer[ci]!);
    const stranger = this.rng.chance(0.3)
      ? { name: `${this.rng.pick(FIRST_NAMES)} at Partner`, address: `${this.rng.pick(FIRST_NAMES).toLowerCase()}@${this.org.partnerDomain}` }
      : this.unknownPeople[ci]!;
    if (!this.cases.unknownSendersCopyingContacts.includes(stranger.address)) this.cases.unknownSendersCopyingContacts.push(stranger.address);
    let at = opts.start ?? this.randomStart();
    const thread = this.newThread(this.rng.pick(CUSTOMER_SUBJECTS), at);
    const ids = [this.emit({ thread, from: stranger, to: [this.member(m)], cc: [contact], at, deliveries: [{ member: m, folder: "inbox" }] })];
    if (this.rng.chance(0.7)) {
      at += this.replyGap();
      if (at < this.nowMs) {
        ids.push(
          this.emit({ thread, from: this.member(m), to: [stranger], cc: [contact], at, deliveries: [{ member: m, folder: "sentitems", sent: true }] }),
        );
      }
    }
    return ids;
  }

  coldOutreach(m: number, opts: { folder?: Folder; start?: number } = {}): string {
    const s = this.rng.pick(this.coldPeople);
    const at = opts.start ?? this.randomStart();
    const thread = this.newThread(this.rng.pick(COLD_SUBJECTS), at);
    const folder = opts.folder ?? (this.rng.chance(0.6) ? "inbox" : "junkemail");
    return this.emit({ thread, from: s, to: [this.member(m)], at, deliveries: [{ member: m, folder }] });
  }

  /** The deliberate edge cases, then random threads until every mailbox reaches its size. */
  run(): void {
    const org = this.org;
    const members = org.members.length;
    const second = members > 1 ? 1 : undefined;
    const recentStart = (days: number) => this.workTime(this.nowMs - days * DAY);

    const shared = this.customerThread(0, {
      contact: org.contactsByCustomer[0]![0]!,
      ccMember: second ?? null,
      messages: 3,
      inboundFirst: true,
      start: recentStart(20),
      folder: "inbox",
    });
    if (second !== undefined) this.cases.sharedInternetMessageIds.push(...shared);
    if (second !== undefined) this.internalThread(0, { other: second, x500: true, start: recentStart(15) });
    this.newsletter(0, { start: recentStart(3) });
    this.unknownCopyingContact(0, { start: recentStart(12) });
    this.customerThread(0, { messages: 2, inboundFirst: true, draftAtEnd: true, start: recentStart(2), ccMember: null });
    const aliasMember = org.members.findIndex((mm) => mm.unregisteredAlias);
    if (aliasMember >= 0) {
      const ids = this.customerThread(aliasMember, { messages: 2, inboundFirst: false, forceUnregistered: true, start: recentStart(9), ccMember: null });
      this.cases.unregisteredAliasInternetMessageIds.push(ids[0]!);
    }
    const sharedPerson = org.contactsByCustomer[org.sharedContact.customers[0]]!.find((p) => p.address === org.sharedContact.address)!;
    this.customerThread(0, { contact: sharedPerson, messages: 2, start: recentStart(25), ccMember: null });
    const recent: ContactPerson = org.recentContact;
    const owner = Math.max(0, org.members.findIndex((mm) => mm.primaryAddress === org.customers[recent.customerIndex]!.ownerAddress));
    this.customerThread(owner, { contact: recent, messages: 4, inboundFirst: true, start: recentStart(60), ccMember: null });
    this.customerThread(0, { contact: org.contactsByCustomer[0]![0]!, messages: 2, folder: "key-accounts", start: recentStart(30), ccMember: null });
    this.customerThread(0, { messages: 2, folder: "archive", start: recentStart(40), ccMember: null });
    const noDomain = org.customers.findIndex((c) => c.domains.length === 0);
    if (noDomain >= 0) this.customerThread(0, { contact: org.contactsByCustomer[noDomain]![0]!, messages: 2, start: recentStart(35), ccMember: null });
    this.coldOutreach(0, { folder: "junkemail", start: recentStart(4) });

    // Fill: each round gives the emptiest mailbox one more thread.
    const kinds = { customer: 44, internal: 18, newsletter: 20, unknown: 5, cold: 5 } as const;
    let guard = 0;
    for (;;) {
      let m = -1;
      let lowest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < members; i++) {
        if (this.counts[i]! < this.target && this.counts[i]! < lowest) {
          lowest = this.counts[i]!;
          m = i;
        }
      }
      if (m < 0 || guard++ > this.target * members * 4) break;
      switch (this.rng.weighted(kinds)) {
        case "customer":
          this.customerThread(m, { draftAtEnd: this.rng.chance(0.02) });
          break;
        case "internal":
          if (members > 1) this.internalThread(m);
          else this.customerThread(m);
          break;
        case "newsletter":
          this.newsletter(m);
          break;
        case "unknown":
          this.unknownCopyingContact(m);
          break;
        case "cold":
          this.coldOutreach(m);
          break;
      }
    }
  }

  /** Per-mailbox messages, newest first, trimmed to the target (the oldest extras go). */
  messagesFor(member: number): SeedMessage[] {
    const list = this.entries[member]!;
    list.sort((a, b) => b[0] - a[0]);
    const kept = list.length > this.target ? list.slice(0, this.target) : list;
    return kept.map(([, msg]) => msg);
  }
}

export function mailboxSeed(messages: SeedMessage[]): MailboxSeed {
  return { folders: MAILBOX_FOLDERS.map((f) => ({ ...f })), messages, events: [] };
}
