import { test } from "node:test";
import assert from "node:assert/strict";
import type { ConnectionState, Fix, InteractionSummary, WhyResponse } from "../api/contract";
import { buildDirectoryIndex, memberContext, type Directory, type MatchSettings } from "./directory";
import { decideEvent, decideMessage } from "./decide";
import { eventFactsFromGraph, messageFacts, type GraphEventLike, type PlainMessage } from "./participants";
import { aliasLookAlike, diagnose, type DiagnoseFacts, type DiagnoseInput } from "./diagnose";
import { T0, testDirectory } from "./fixtures";

const DAY = 86_400_000;
const LAST_SYNC = T0 + DAY;

interface WhyOpts {
  email?: PlainMessage;
  event?: GraphEventLike;
  member?: string;
  settings?: Partial<MatchSettings>;
  dir?: Directory;
  connection?: { state: ConnectionState; lastSyncAt: number | null };
  stored?: { known: boolean; synced: boolean };
  landedIn?: DiagnoseInput["landedIn"];
  itemAt?: number;
  windowStart?: number;
}

function facts(o: WhyOpts): DiagnoseFacts {
  if (o.email) return { kind: "email", ...messageFacts({ at: T0, ...o.email }) };
  return { kind: "meeting", ...eventFactsFromGraph({ start: { dateTime: "2024-05-15T12:00:00", timeZone: "UTC" }, ...o.event! }) };
}

const summary = (subject = "Renewal"): InteractionSummary => ({
  id: "i1", kind: "email", subject, occurredAt: new Date(T0).toISOString(), direction: "received", messageCount: 1, cancelled: false, webLink: null,
});

/** By default the state after a completed sync: stored and synced exactly as the decision says. */
function why(o: WhyOpts): WhyResponse {
  const dir = o.dir ?? testDirectory();
  const index = buildDirectoryIndex(dir);
  const member = memberContext(index, o.member ?? "m1", o.settings ?? {});
  const f = facts(o);
  const decision = f.kind === "email" ? decideMessage(f, index, member) : decideEvent(f, index, member);
  const landedIn = o.landedIn ?? (decision.sync && !o.stored ? decision.customers.map((h) => ({ customerId: h.customerId, interaction: summary() })) : []);
  return diagnose({
    facts: f,
    decision,
    index,
    member,
    itemAt: o.itemAt,
    connection: o.connection ?? { state: "connected", lastSyncAt: LAST_SYNC },
    windowStart: o.windowStart ?? T0 - 180 * DAY,
    stored: o.stored ?? { known: true, synced: decision.sync },
    landedIn,
    customerUrl: (id) => `https://app.example/customers/${id}`,
  });
}

const codes = (r: WhyResponse) => r.reasons.map((x) => x.code);
const fixKinds = (r: WhyResponse) => r.fixes.map((f) => (f.kind === "enable_setting" ? `${f.kind}:${f.setting}` : f.kind === "add_contact" ? `${f.kind}:${f.address}:${f.customerId}` : f.kind === "add_alias" ? `${f.kind}:${f.address}` : f.kind));

/** Apply a fix to the directory/settings and decide again: every offered fix must make the item sync. */
function assertFixesWork(o: WhyOpts, r: WhyResponse): void {
  for (const fix of r.fixes) {
    if (fix.kind === "authenticate" || fix.kind === "sync_now") continue;
    const dir = structuredClone(o.dir ?? testDirectory());
    let settings = { ...(o.settings ?? {}) };
    if (fix.kind === "add_alias") {
      const m = dir.teamMembers.find((t) => t.id === (o.member ?? "m1"))!;
      (m as { aliases?: string[] }).aliases = [...(m.aliases ?? []), fix.address];
    } else if (fix.kind === "enable_setting") {
      settings = { ...settings, [fix.setting]: true };
    } else if (fix.kind === "add_contact") {
      const customerId = fix.customerId ?? "c3";
      (dir.users as unknown[]).push({ id: "new", name: "New", address: fix.address, customerId, createdAt: T0 - DAY });
    }
    const index = buildDirectoryIndex(dir);
    const member = memberContext(index, o.member ?? "m1", settings);
    const f = facts(o);
    const d = f.kind === "email" ? decideMessage(f, index, member) : decideEvent(f, index, member);
    assert.equal(d.sync, true, `fix ${fix.label} should make it sync`);
  }
}

test("why: synced email names the customer and the contact, no fixes", () => {
  const r = why({ email: { from: "alice@acme.com", to: ["jane@northwind.io"] } });
  assert.equal(r.synced, true);
  assert.equal(r.headline, "Synced to Acme");
  assert.deepEqual(r.customers, [{ customerId: "c1", name: "Acme" }]);
  assert.equal(r.interactions.length, 1);
  assert.deepEqual(codes(r), ["contact_participates"]);
  assert.match(r.reasons[0]!.text, /Alice Andersson \(alice@acme.com\) is a user of Acme/);
  assert.deepEqual(r.fixes, []);
  assert.equal(r.lastSyncAt, new Date(LAST_SYNC).toISOString());
});

test("why: synced to two customers and through several records", () => {
  const r = why({ email: { from: "shared@partner.com", to: ["jane@northwind.io"] } });
  assert.equal(r.headline, "Synced to Acme and Globex");
  assert.deepEqual(codes(r), ["contact_participates", "address_on_several_users"]);
  assert.match(r.reasons[0]!.text, /^Pat Partner \(shared@partner.com\) is a user of Acme and Globex\. The sender is a customer contact/);
  assert.match(r.reasons[1]!.text, /shared@partner.com is on 2 user records \(Acme and Globex\)\. The email is linked to all of them\./);
});

test("why: domain match explains the domain field", () => {
  const r = why({ email: { from: "jane@northwind.io", to: ["ceo@umbrella.org"] }, settings: { syncToCustomersByDomain: true } });
  assert.equal(r.synced, true);
  assert.deepEqual(codes(r), ["customer_domain"]);
  assert.match(r.reasons[0]!.text, /ceo@umbrella.org is on umbrella.org, in the domain field of Umbrella/);
});

test("why: not connected", () => {
  const r = why({ email: { from: "alice@acme.com", to: ["jane@northwind.io"] }, connection: { state: "not_connected", lastSyncAt: null }, stored: { known: false, synced: false } });
  assert.equal(r.synced, false);
  assert.equal(r.headline, "Not synced: Outlook isn't connected");
  assert.equal(codes(r)[0], "not_connected");
  assert.deepEqual(fixKinds(r), ["authenticate"]);
  assert.equal(r.lastSyncAt, null);
});

test("why: connection lost, admin consent, temporarily failing", () => {
  const base: WhyOpts = { email: { from: "alice@acme.com", to: ["jane@northwind.io"] }, stored: { known: false, synced: false } };
  const lost = why({ ...base, connection: { state: "connection_lost", lastSyncAt: LAST_SYNC } });
  assert.equal(codes(lost)[0], "connection_lost");
  assert.deepEqual(lost.fixes, [{ kind: "authenticate", label: "Re-authenticate" }]);
  const consent = why({ ...base, connection: { state: "admin_consent_required", lastSyncAt: null } });
  assert.equal(codes(consent)[0], "admin_consent_required");
  const failing = why({ ...base, itemAt: LAST_SYNC + DAY, connection: { state: "temporarily_failing", lastSyncAt: LAST_SYNC } });
  assert.deepEqual(codes(failing).slice(0, 2), ["sync_delayed", "not_yet_synced"]);
});

test("why: not yet synced since the last sync, with a sync-now fix", () => {
  const r = why({ email: { from: "alice@acme.com", to: ["jane@northwind.io"], at: LAST_SYNC + 60_000 }, stored: { known: false, synced: false } });
  assert.equal(r.synced, false);
  assert.equal(r.headline, "Not synced yet: it syncs in the next cycle");
  assert.equal(codes(r)[0], "not_yet_synced");
  assert.match(r.reasons[0]!.text, /newer than the last sync \(last sync at 16 May 2024, 12:00 UTC\)/);
  assert.deepEqual(fixKinds(r), ["sync_now"]);
});

test("why: first sync still running", () => {
  const r = why({ email: { from: "alice@acme.com", to: ["jane@northwind.io"] }, connection: { state: "initial_sync", lastSyncAt: null }, stored: { known: false, synced: false } });
  assert.equal(codes(r)[0], "initial_sync_running");
  assert.equal(r.headline, "Not synced yet: the first sync is still running");
});

test("why: contact created after the message, not yet captured (retroactive capture on the next cycle)", () => {
  const r = why({ email: { from: "carol@initech.com", to: ["jane@northwind.io"] }, stored: { known: true, synced: false } });
  assert.equal(r.synced, false);
  assert.deepEqual(codes(r), ["not_yet_synced", "contact_participates", "contact_created_after_message"]);
  assert.match(r.reasons[2]!.text, /carol@initech.com was added as a user of Initech on 1 Jun 2024, after this email \(15 May 2024\)\. It's captured retroactively in the next sync\./);
  assert.deepEqual(fixKinds(r), ["sync_now"]);
});

test("why: contact created after the message, already captured", () => {
  const r = why({ email: { from: "carol@initech.com", to: ["jane@northwind.io"] } });
  assert.equal(r.synced, true);
  assert.match(r.reasons.find((x) => x.code === "contact_created_after_message")!.text, /It was captured retroactively\./);
});

test("why: outside the 6-month window", () => {
  const r = why({ email: { from: "alice@acme.com", to: ["jane@northwind.io"], at: T0 - 200 * DAY }, stored: { known: false, synced: false } });
  assert.equal(r.headline, "Not synced: older than 6 months");
  assert.equal(codes(r)[0], "outside_window");
  assert.deepEqual(r.fixes, []);
  const old = why({ email: { from: "stranger@other.com", to: ["jane@northwind.io"], at: T0 - 200 * DAY }, stored: { known: false, synced: false } });
  assert.deepEqual(codes(old), ["no_customer_contact", "outside_window"]);
  assert.deepEqual(old.fixes, [], "no fix changes the outcome for an item older than the window");
});

test("why: draft", () => {
  const r = why({ email: { isDraft: true, from: "jane@northwind.io", to: ["alice@acme.com"] } });
  assert.equal(r.headline, "Not synced: it's a draft");
  assert.deepEqual(codes(r), ["draft"]);
  assert.match(r.reasons[0]!.text, /syncs once it's sent \(to Acme\)/);
  assert.deepEqual(r.fixes, []);
});

test("why: internal names the company domains", () => {
  const r = why({ email: { from: "jane@northwind.io", to: ["tom@northwind.io", "x@northwind-labs.com"] } });
  assert.equal(r.headline, "Not synced: internal");
  assert.equal(codes(r)[0], "internal");
  assert.match(r.reasons[0]!.text, /northwind.io, nwind.se and northwind-labs.com/);
  assert.deepEqual(r.fixes, []);
});

test("why: no customer contact, suggests the customer whose domain matches and the domain setting", () => {
  const o: WhyOpts = { email: { from: "jane@northwind.io", to: [{ name: "Nina New", address: "new@acme.com" }] } };
  const r = why(o);
  assert.equal(r.headline, "Not synced: no customer contact on it");
  assert.deepEqual(codes(r), ["no_customer_contact", "domain_setting_off"]);
  assert.match(r.reasons[1]!.text, /acme.com is in the domain field of Acme and Acme Nordics\. Turn on "Sync to customers instead of users"/);
  assert.match(r.reasons[0]!.text, /Nina New \(new@acme.com\) isn't registered as a user of any customer/);
  assert.deepEqual(fixKinds(r), ["enable_setting:syncToCustomersByDomain", "add_contact:new@acme.com:c1", "add_contact:new@acme.com:c6"]);
  const add = r.fixes[1] as Extract<Fix, { kind: "add_contact" }>;
  assert.equal(add.label, "Add new@acme.com as a user of Acme");
  assert.equal(add.customerUrl, "https://app.example/customers/c1");
  assertFixesWork(o, r);
});

test("why: no customer contact, suggests the customer that already has users on the domain", () => {
  const o: WhyOpts = { email: { from: "someone@initech.com", to: ["jane@northwind.io"] } };
  const r = why(o);
  assert.deepEqual(fixKinds(r), ["add_contact:someone@initech.com:c3"]);
  assertFixesWork(o, r);
});

test("why: no customer contact, unknown domain: add as a user of the right customer", () => {
  const o: WhyOpts = { email: { from: "jane@northwind.io", to: ["stranger@other.com"] } };
  const r = why(o);
  assert.deepEqual(r.fixes, [{ kind: "add_contact", label: "Add stranger@other.com as a user of the right customer", address: "stranger@other.com", customerId: null, customerUrl: null }]);
});

test("why: sender unknown offers the sender as a user and the unknown-sender setting", () => {
  const o: WhyOpts = { email: { from: "stranger@other.com", to: ["jane@northwind.io", "alice@acme.com"] } };
  const r = why(o);
  assert.equal(r.headline, "Not synced: the sender isn't known");
  assert.deepEqual(codes(r), ["sender_unknown"]);
  assert.match(r.reasons[0]!.text, /The sender, stranger@other.com, is neither a team member nor a user in Startdeliver/);
  assert.deepEqual(fixKinds(r), ["add_contact:stranger@other.com:null", "enable_setting:syncUnknownSender"]);
  assertFixesWork(o, r);
});

test("why: sender unknown without a team member recipient: the setting would not help, so it is not offered", () => {
  const o: WhyOpts = { email: { from: "stranger@other.com", to: ["alice@acme.com"] } };
  const r = why(o);
  assert.deepEqual(fixKinds(r), ["add_contact:stranger@other.com:null"]);
});

test("why: sender looks like the member's unregistered alias (name)", () => {
  const o: WhyOpts = { email: { from: "j.doe@northwind.io", to: ["alice@acme.com"] } };
  const r = why(o);
  assert.deepEqual(codes(r), ["sender_unknown", "sender_looks_like_unregistered_alias"]);
  assert.match(r.reasons[1]!.text, /looks like one of your own addresses \(you are registered as jane@northwind.io, jane.doe@northwind.io/);
  assert.deepEqual(fixKinds(r), ["add_alias:j.doe@northwind.io"]);
  assert.equal(r.fixes[0]!.label, "Add j.doe@northwind.io as your alias");
  assertFixesWork(o, r);
});

test("why: sender looks like an alias by display name, on another domain", () => {
  const o: WhyOpts = { email: { from: { name: "Jane Doe", address: "jane.personal@example.net" }, to: ["alice@acme.com"] } };
  const r = why(o);
  assert.ok(codes(r).includes("sender_looks_like_unregistered_alias"));
  assert.ok(fixKinds(r).includes("add_alias:jane.personal@example.net"));
  assertFixesWork(o, r);
});

test("why: sender on the company domain but not registered", () => {
  const o: WhyOpts = { email: { from: "sales@northwind.io", to: ["alice@acme.com", "jane@northwind.io"] } };
  const r = why(o);
  assert.deepEqual(codes(r), ["sender_unknown", "sender_looks_like_unregistered_alias"]);
  assert.match(r.reasons[1]!.text, /is on your company domain but isn't a registered team member address/);
  assert.deepEqual(fixKinds(r), ["add_alias:sales@northwind.io", "enable_setting:syncUnknownSender"]);
  assertFixesWork(o, r);
});

test("why: unknown sender on but no team member recipient; a recipient looks like the member's alias", () => {
  const o: WhyOpts = { settings: { syncUnknownSender: true }, email: { from: "stranger@other.com", to: ["alice@acme.com", "janedoe@northwind.io"] } };
  const r = why(o);
  assert.deepEqual(codes(r), ["sender_unknown_no_team_member_recipient", "recipient_looks_like_unregistered_alias"]);
  assert.deepEqual(fixKinds(r), ["add_alias:janedoe@northwind.io", "add_contact:stranger@other.com:null"]);
  assertFixesWork(o, r);
});

test("why: synced through the unknown-sender setting, but sent from the member's unregistered alias", () => {
  const r = why({ settings: { syncUnknownSender: true }, email: { from: "j.doe@northwind.io", to: ["alice@acme.com"], cc: ["sam@nwind.se"] } });
  assert.equal(r.synced, true);
  assert.deepEqual(codes(r), ["unknown_sender_allowed", "sender_looks_like_unregistered_alias"]);
  assert.deepEqual(fixKinds(r), ["add_alias:j.doe@northwind.io"]);
});

test("why: X500 sender is explained as a non-SMTP address", () => {
  const r = why({ email: { from: "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=abc-someone", to: ["jane@northwind.io", "alice@acme.com"] } });
  assert.deepEqual(codes(r), ["sender_unknown", "non_smtp_address"]);
  assert.match(r.reasons[1]!.text, /internal Exchange address, not an email address/);
  assert.deepEqual(fixKinds(r), ["enable_setting:syncUnknownSender"]);
});

test("why: company-domain contact and team-member user records are explained", () => {
  const r = why({ email: { from: "jane@northwind.io", to: ["insider@northwind.io", "tom@northwind.io"] } });
  assert.deepEqual(codes(r), ["internal", "company_domain_contact", "team_member_user_record"]);
  assert.match(r.reasons[1]!.text, /insider@northwind.io is registered as a user of Acme, but addresses on your company domains are never customer contacts/);
  assert.match(r.reasons[2]!.text, /tom@northwind.io is registered as a user of Globex, but it's a team member's address/);
});

test("why: a public mail domain in a customer's domain field is explained when domain matching is on", () => {
  const r = why({ settings: { syncToCustomersByDomain: true }, email: { from: "jane@northwind.io", to: ["random@gmail.com"] } });
  assert.deepEqual(codes(r), ["no_customer_contact", "domain_ignored"]);
  assert.match(r.reasons[1]!.text, /gmail.com is in the domain field of Umbrella, but it's a public email provider/);
  // A public mail domain never suggests a customer: one Gmail user says nothing about another.
  assert.deepEqual(fixKinds(r), ["add_contact:random@gmail.com:null"]);
});

test("why: synced earlier but no longer matches", () => {
  const dir = testDirectory();
  const r = why({ dir: { ...dir, users: dir.users.filter((u) => u.id !== "u1") }, email: { from: "alice@acme.com", to: ["jane@northwind.io"] }, stored: { known: true, synced: true }, landedIn: [{ customerId: "c1", interaction: summary() }] });
  assert.equal(r.synced, true);
  assert.equal(r.headline, "Synced to Acme, but it's removed in the next sync");
  assert.deepEqual(codes(r).slice(0, 2), ["no_longer_matches", "no_customer_contact"]);
});

test("why: meeting declined by the member but in the history through a colleague", () => {
  const r = why({
    event: { organizer: { emailAddress: { address: "alice@acme.com" } }, attendees: [{ type: "required", emailAddress: { address: "jane@northwind.io" } }, { type: "required", emailAddress: { address: "tom@northwind.io" } }], responseStatus: { response: "declined" } },
    stored: { known: true, synced: false },
    landedIn: [{ customerId: "c1", interaction: { ...summary("Kick-off"), kind: "meeting", direction: null } }],
  });
  assert.equal(r.synced, true);
  assert.deepEqual(codes(r).slice(0, 2), ["synced_via_colleague", "declined"]);
  assert.match(r.reasons[0]!.text, /through a colleague's calendar/);
});

test("why: declined meeting alone", () => {
  const r = why({ event: { organizer: { emailAddress: { address: "alice@acme.com" } }, attendees: [{ type: "required", emailAddress: { address: "jane@northwind.io" } }], responseStatus: { response: "declined" } } });
  assert.equal(r.synced, false);
  assert.equal(r.headline, "Not synced: you declined this meeting");
  assert.deepEqual(r.fixes, []);
});

test("why: cancelled meeting is synced, marked cancelled", () => {
  const r = why({ event: { isCancelled: true, organizer: { emailAddress: { address: "jane@northwind.io" } }, attendees: [{ type: "required", emailAddress: { address: "alice@acme.com" } }] } });
  assert.equal(r.synced, true);
  assert.equal(r.headline, "Synced to Acme (cancelled)");
  assert.deepEqual(codes(r), ["contact_participates", "cancelled"]);
  assert.match(r.reasons[1]!.text, /doesn't count as an interaction/);
});

test("why: the series master", () => {
  const r = why({ event: { type: "seriesMaster", organizer: { emailAddress: { address: "jane@northwind.io" } }, attendees: [{ type: "required", emailAddress: { address: "alice@acme.com" } }] } });
  assert.deepEqual(codes(r), ["series_master"]);
});

test("why: organiser unknown offers the organiser setting; without a team attendee it does not", () => {
  const o: WhyOpts = { event: { organizer: { emailAddress: { address: "stranger@other.com" } }, attendees: [{ type: "required", emailAddress: { address: "jane@northwind.io" } }, { type: "required", emailAddress: { address: "alice@acme.com" } }] } };
  const r = why(o);
  assert.equal(r.headline, "Not synced: the organiser isn't known");
  assert.deepEqual(fixKinds(r), ["add_contact:stranger@other.com:null", "enable_setting:syncUnknownOrganizer"]);
  assertFixesWork(o, r);
  const noTeam = why({ settings: { syncUnknownOrganizer: true }, event: { organizer: { emailAddress: { address: "stranger@other.com" } }, attendees: [{ type: "required", emailAddress: { address: "alice@acme.com" } }] } });
  assert.deepEqual(codes(noTeam), ["organizer_unknown_no_team_member_attendee"]);
  assert.deepEqual(fixKinds(noTeam), ["add_contact:stranger@other.com:null"]);
});

test("why: the decision is recomputed when not passed, and matches", () => {
  const index = buildDirectoryIndex(testDirectory());
  const member = memberContext(index, "m1");
  const f: DiagnoseFacts = { kind: "email", ...messageFacts({ from: "alice@acme.com", to: ["jane@northwind.io"] }) };
  const r = diagnose({ facts: f, index, member, connection: { state: "connected", lastSyncAt: LAST_SYNC }, windowStart: 0, stored: { known: true, synced: true }, landedIn: [] });
  assert.equal(r.synced, true);
  assert.deepEqual(r.customers, [{ customerId: "c1", name: "Acme" }]);
});

test("alias look-alike detection", () => {
  const index = buildDirectoryIndex(testDirectory());
  assert.equal(aliasLookAlike("jane.doe2@other.com", undefined, index, "m1"), null);
  assert.equal(aliasLookAlike("j.doe@other.com", undefined, index, "m1"), "name");
  assert.equal(aliasLookAlike("jane_doe+crm@other.com", undefined, index, "m1"), "name");
  assert.equal(aliasLookAlike("doe.jane@other.com", undefined, index, "m1"), "name");
  assert.equal(aliasLookAlike("x@other.com", "Jane Doe", index, "m1"), "name");
  assert.equal(aliasLookAlike("x@nwind.se", undefined, index, "m1"), "company");
  assert.equal(aliasLookAlike("/o=x/cn=jane", undefined, index, "m1"), null);
});
