import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { MailboxStore } from "../graph/store/mailbox-store";
import { generateOrganisation, PRESET_NOW, PRESETS, userProfileFor } from "./index";
import { Rng } from "./prng";

const options = { ...PRESETS.tiny, now: PRESET_NOW };
const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

describe("organisation generator", () => {
  const org = generateOrganisation(options);
  const allMessages = Object.entries(org.mailboxes).flatMap(([oid, m]) => m.messages.map((msg) => ({ oid, msg })));
  const address = (r: any) => r?.emailAddress?.address as string | undefined;

  it("is deterministic: same seed, same output; another seed, another organisation", () => {
    assert.equal(hash(generateOrganisation(options)), hash(org));
    assert.notEqual(hash(generateOrganisation({ ...options, seed: "other" })), hash(org));
    const a = new Rng("x");
    const b = new Rng("x");
    assert.deepEqual([a.u32(), a.u32(), a.next()], [b.u32(), b.u32(), b.next()]);
  });

  it("builds the directory: two company domains, aliases, customers with and without domains, contacts", () => {
    assert.equal(org.organisation.companyDomains.length, 2);
    assert.ok(org.tenant.domains.some((d) => d.endsWith(".onmicrosoft.com")));
    assert.equal(org.teamMembers.length, 3);
    assert.ok(org.teamMembers.every((m) => m.mailboxAliases.length >= 1 && m.legacyExchangeDn.startsWith("/o=ExchangeLabs/")));
    const withUnregistered = org.teamMembers.filter((m) => m.unregisteredAlias);
    assert.ok(withUnregistered.length >= 1);
    for (const m of withUnregistered) {
      assert.ok(!m.mailboxAliases.includes(m.unregisteredAlias!));
      assert.ok(!userProfileFor(org, m).proxyAddresses.some((p) => p.toLowerCase() === `smtp:${m.unregisteredAlias!.toLowerCase()}`));
    }
    assert.ok(org.customers.some((c) => c.domains.length === 0));
    assert.ok(org.customers.some((c) => c.domains.length === 2));
    assert.deepEqual(org.cases.customersWithoutDomain, org.customers.filter((c) => c.domains.length === 0).map((c) => c.externalId));
    for (const c of org.customers) {
      const count = org.contacts.filter((k) => k.customerExternalId === c.externalId && k.address !== org.cases.sharedContactAddress).length;
      assert.ok(count >= 2 && count <= 5, `${c.name} has ${count} contacts`);
    }
    const shared = org.contacts.filter((k) => k.address === org.cases.sharedContactAddress);
    assert.equal(shared.length, 2);
    assert.notEqual(shared[0]!.customerExternalId, shared[1]!.customerExternalId);
  });

  it("has mail with a contact that predates the contact's record", () => {
    const recent = org.contacts.find((c) => c.address === org.cases.recentContactAddress)!;
    const withRecent = allMessages.filter(({ msg }) => [msg.from, ...(msg.toRecipients ?? []), ...(msg.ccRecipients ?? [])].some((r) => address(r) === recent.address));
    assert.ok(withRecent.length >= 2);
    assert.ok(withRecent.some(({ msg }) => msg.receivedDateTime! < recent.createdAt));
    assert.ok(recent.createdAt < PRESET_NOW.toISOString());
  });

  it("spreads mail over folders, including a child folder, drafts and junk", () => {
    const folders = new Set(allMessages.map(({ msg }) => msg.folderKey));
    for (const f of ["inbox", "sentitems", "archive", "drafts", "junkemail", "customers", "key-accounts", "newsletters"]) assert.ok(folders.has(f), f);
    const seed = Object.values(org.mailboxes)[0]!;
    assert.equal(seed.folders.find((f) => f.key === "key-accounts")!.parentKey, "customers");
    assert.equal(seed.folders.find((f) => f.key === "customers")!.parentKey, "inbox");
    const drafts = allMessages.filter(({ msg }) => msg.isDraft);
    assert.ok(drafts.length >= 1 && drafts.every(({ msg }) => msg.folderKey === "drafts"));
    const times = allMessages.map(({ msg }) => msg.receivedDateTime!).sort();
    assert.ok(times[times.length - 1]! <= PRESET_NOW.toISOString());
    assert.ok(Date.parse(times[0]!) < PRESET_NOW.getTime() - 150 * 86_400_000, "history reaches back months");
    for (const m of Object.values(org.mailboxes)) assert.equal(m.messages.length, options.messagesPerMailbox);
  });

  it("covers sent mail from primary and alias addresses, internal mail, X500 senders, newsletters and strangers copying contacts", () => {
    const members = org.teamMembers;
    const memberAddresses = new Set(members.flatMap((m) => [m.primaryAddress, ...m.mailboxAliases]));
    const sent = allMessages.filter(({ msg }) => msg.folderKey === "sentitems");
    assert.ok(sent.some(({ msg }) => members.some((m) => m.primaryAddress === address(msg.from))));
    const unregistered = new Set(members.map((m) => m.unregisteredAlias).filter(Boolean));
    assert.ok(sent.some(({ msg }) => unregistered.has(address(msg.from))));
    assert.ok(org.cases.unregisteredAliasInternetMessageIds.length >= 1);
    const internal = allMessages.filter(({ msg }) => memberAddresses.has(address(msg.from)!) && (msg.toRecipients ?? []).every((r) => memberAddresses.has(address(r)!)));
    assert.ok(internal.length >= 2);
    const x500 = allMessages.filter(({ msg }) => address(msg.from)?.startsWith("/o=ExchangeLabs/"));
    assert.ok(x500.length >= 1);
    assert.ok(x500.every(({ msg }) => org.cases.x500InternetMessageIds.includes(msg.internetMessageId!)));
    const newsletters = allMessages.filter(({ msg }) => msg.internetMessageHeaders?.some((h) => h.name === "List-Unsubscribe"));
    assert.ok(newsletters.length >= 1);
    const contacts = new Set(org.contacts.map((c) => c.address));
    const strangers = allMessages.filter(({ msg }) => org.cases.unknownSendersCopyingContacts.includes(address(msg.from)!));
    assert.ok(strangers.length >= 1);
    assert.ok(strangers.every(({ msg }) => !contacts.has(address(msg.from)!) && (msg.ccRecipients ?? []).some((r) => contacts.has(address(r)!))));
    assert.ok(allMessages.some(({ msg }) => address(msg.from) === org.cases.sharedContactAddress || msg.toRecipients?.some((r) => address(r) === org.cases.sharedContactAddress)));
    const sentCopies = allMessages.filter(({ msg }) => msg.folderKey !== "sentitems" && msg.folderKey !== "drafts");
    assert.ok(sentCopies.every(({ msg }) => (msg.bccRecipients ?? []).length === 0));
  });

  it("delivers one message to two mailboxes with the same internetMessageId and conversationId", () => {
    assert.ok(org.cases.sharedInternetMessageIds.length >= 1);
    for (const imid of org.cases.sharedInternetMessageIds) {
      const copies = allMessages.filter(({ msg }) => msg.internetMessageId === imid);
      assert.ok(new Set(copies.map((c) => c.oid)).size >= 2, imid);
      assert.equal(new Set(copies.map((c) => c.msg.conversationId)).size, 1);
    }
    for (const [oid, box] of Object.entries(org.mailboxes)) {
      const ids = box.messages.map((m) => m.internetMessageId);
      assert.equal(new Set(ids).size, ids.length, `internetMessageId unique within ${oid}`);
      const byConversation = new Map<string, Set<string>>();
      for (const m of box.messages) {
        const subjects = byConversation.get(m.conversationId!) ?? new Set();
        subjects.add(m.subject!.replace(/^RE: /, ""));
        byConversation.set(m.conversationId!, subjects);
      }
      assert.ok([...byConversation.values()].every((s) => s.size === 1), "one thread, one subject");
    }
  });

  it("fills calendars with the meeting kinds a sync must handle", () => {
    const events = Object.values(org.mailboxes).flatMap((m) => m.events);
    const series = events.filter((e) => e.iCalUId === org.cases.recurringSeriesICalUId);
    assert.ok(series.length >= 1);
    const s = series[0]!;
    assert.equal(s.recurrence?.pattern?.type, "weekly");
    assert.ok(s.occurrenceOverrides!.some((o) => o.changes?.start));
    assert.ok(s.occurrenceOverrides!.some((o) => o.isCancelled));
    assert.equal(s.isOrganizer, false);
    assert.ok(events.some((e) => e.iCalUId === org.cases.cancelledMeetingICalUId && e.isCancelled));
    assert.ok(events.some((e) => e.iCalUId === org.cases.declinedMeetingICalUId && e.responseStatus?.response === "declined"));
    const ext = events.find((e) => e.iCalUId === org.cases.externalOrganizerMeetingICalUId)!;
    const contacts = new Set(org.contacts.map((c) => c.address));
    assert.ok(!contacts.has(ext.organizer!.emailAddress!.address!));
    assert.ok(ext.attendees!.some((a) => contacts.has(a.emailAddress!.address!)));
    assert.ok(events.some((e) => e.attendees?.some((a) => a.type === "resource" && a.emailAddress?.address === org.cases.roomResourceAddress)));
    // A meeting two members attend sits in both calendars under one iCalUId.
    const byUid = new Map<string, number>();
    for (const e of events) byUid.set(e.iCalUId!, (byUid.get(e.iCalUId!) ?? 0) + 1);
    assert.ok([...byUid.values()].some((n) => n >= 2));
  });

  it("loads into the mailbox store, which agrees on counts", () => {
    const store = new MailboxStore(() => PRESET_NOW.getTime());
    for (const m of org.teamMembers) store.loadSeed(m.oid, org.mailboxes[m.oid]!, userProfileFor(org, m));
    const truth = store.groundTruth(org.teamMembers[0]!.oid);
    assert.equal(truth.messages.length, options.messagesPerMailbox);
    assert.ok(truth.messages.some((m) => m.folder === "Inbox/Customers/Key accounts"));
    assert.ok(truth.events.some((e) => e.type === "occurrence"));
    assert.ok(truth.events.some((e) => e.type === "exception"));
  });
});
