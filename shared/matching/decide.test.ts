/**
 * The rule table: every rule and setting combination of docs/matching-rules.md as a named case.
 * Each case also runs on keyed participants (HMAC keys, as the server stores unmatched mail) and
 * must give the same answer.
 */
import { createHmac } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  buildDirectoryIndex,
  memberContext,
  type Directory,
  type DirectoryIndex,
  type KeyFunctions,
  type MatchSettings,
} from "./directory";
import { decideEvent, decideMessage, type Decision, type ReasonCode } from "./decide";
import { eventFactsFromGraph, messageFacts, messageFactsFromGraph, type GraphEventLike, type PlainMessage } from "./participants";
import { domainOf, isSmtpAddress, normalizeAddress, normalizeDomain, parseDomainList } from "./addresses";
import { JANE_X500, T0, testDirectory } from "./fixtures";

interface Expect {
  sync: boolean;
  outcome: ReasonCode;
  /** "c1[u1]", "c1[u1,domain]", "c6[domain]" in first-appearance order; omitted = not checked. */
  customers?: string[];
  direction?: "sent" | "received" | null;
  /** Codes that must be among the reasons. */
  reasons?: ReasonCode[];
  /** Codes that must not be among the reasons. */
  notReasons?: ReasonCode[];
  lastFromContact?: boolean;
  fromTeam?: boolean;
  counted?: boolean;
}

interface Case {
  name: string;
  member?: string;
  settings?: Partial<MatchSettings>;
  extraAddresses?: string[];
  email?: PlainMessage;
  event?: GraphEventLike;
  dir?: (d: Directory) => Directory;
  expect: Expect;
}

const ON = { syncToCustomersByDomain: true };
const UNKNOWN = { syncUnknownSender: true };
const ORG = { syncUnknownOrganizer: true };
const JANE = "jane@northwind.io";
const TOM = "tom@northwind.io";
const ALICE = "alice@acme.com";
const BOB = "bob@globex.com";
const STRANGER = "stranger@other.com";

const att = (address: string, type: "required" | "optional" | "resource" = "required") => ({ type, emailAddress: { address } });
const org = (address: string) => ({ emailAddress: { address } });
const ev = (organizer: string, attendees: string[], extra: Partial<GraphEventLike> = {}): GraphEventLike => ({
  type: "singleInstance",
  organizer: org(organizer),
  attendees: attendees.map((a) => att(a)),
  start: { dateTime: "2024-05-15T12:00:00.0000000", timeZone: "UTC" },
  ...extra,
});

const cases: Case[] = [
  // --- basics and direction
  { name: "contact writes to the member: synced, received, an email reply", email: { from: ALICE, to: [JANE] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], direction: "received", lastFromContact: true, fromTeam: false } },
  { name: "member writes to a contact: synced, sent", email: { from: JANE, to: [ALICE] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], direction: "sent", lastFromContact: false, fromTeam: true } },
  { name: "another team member writes to a contact, seen in the member's mailbox: received, from the team", email: { from: TOM, to: [ALICE], cc: [JANE] },
    expect: { sync: true, outcome: "contact_participates", direction: "received", fromTeam: true } },
  { name: "same message in the sender's own mailbox is sent", member: "m2", email: { from: TOM, to: [ALICE], cc: [JANE] },
    expect: { sync: true, outcome: "contact_participates", direction: "sent", fromTeam: true } },
  { name: "contact writes to another team member, reached the member via a list: synced", email: { from: ALICE, to: [TOM] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], direction: "received" } },
  { name: "contact in cc only, sender is the member", email: { from: JANE, to: [TOM], cc: [ALICE] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], direction: "sent" } },
  { name: "bcc: a contact in bcc (sender's copy) counts", email: { from: JANE, to: [TOM], bcc: [ALICE] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"] } },

  // --- aliases
  { name: "alias: sent from a registered alias is sent and known", email: { from: "jane.doe@northwind.io", to: [ALICE] },
    expect: { sync: true, outcome: "contact_participates", direction: "sent", fromTeam: true } },
  { name: "alias: registered alias on a non-company domain is still the member", email: { from: "jd@northwind-sales.com", to: [BOB] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c2[u2]"], direction: "sent" } },
  { name: "alias: an unregistered alias on the company domain is an unknown sender", email: { from: "j.doe@northwind.io", to: [ALICE] },
    expect: { sync: false, outcome: "sender_unknown", customers: ["c1[u1]"], direction: "received", fromTeam: false } },
  { name: "alias: unregistered alias + unknown-sender on, but no team member recipient", settings: UNKNOWN, email: { from: "j.doe@northwind.io", to: [ALICE] },
    expect: { sync: false, outcome: "sender_unknown_no_team_member_recipient" } },
  { name: "alias: unregistered alias + unknown-sender on + a colleague in cc: synced", settings: UNKNOWN, email: { from: "j.doe@northwind.io", to: [ALICE], cc: [TOM] },
    expect: { sync: true, outcome: "unknown_sender_allowed", direction: "received" } },
  { name: "alias: discovered from proxyAddresses (member context) counts as the member", extraAddresses: ["smtp:jane.d@northwind.io"], email: { from: "jane.d@northwind.io", to: [ALICE] },
    expect: { sync: true, outcome: "contact_participates", direction: "sent", fromTeam: true } },
  { name: "alias: another member's alias is a team member, not the owner", dir: (d) => ({ ...d, teamMembers: d.teamMembers.map((m) => (m.id === "m2" ? { ...m, aliases: ["tberg@northwind.io"] } : m)) }),
    email: { from: "tberg@northwind.io", to: [ALICE] }, expect: { sync: true, outcome: "contact_participates", direction: "received", fromTeam: true } },
  { name: "alias: registered alias as a recipient makes the member a team member recipient", settings: UNKNOWN, email: { from: STRANGER, to: ["jane.doe@northwind.io", ALICE] },
    expect: { sync: true, outcome: "unknown_sender_allowed" } },

  // --- X500 and other non-SMTP addresses
  { name: "X500: the member's own X500 address (discovered alias) is the member", email: { from: JANE_X500.toUpperCase(), to: [ALICE] },
    expect: { sync: true, outcome: "contact_participates", direction: "sent" } },
  { name: "X500: an unknown X500 sender is unknown, never a contact", email: { from: "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=abc-someone", to: [JANE, ALICE] },
    expect: { sync: false, outcome: "sender_unknown", reasons: ["non_smtp_address"] } },
  { name: "X500: a user record with an X500 address never matches", email: { from: JANE, to: ["/o=ExchangeLabs/ou=x/cn=Recipients/cn=ext-contact"] },
    expect: { sync: false, outcome: "internal", customers: [], reasons: ["non_smtp_address"] } },
  { name: "X500: SMTP-encapsulated X500 (IMCEAEX) is not SMTP", email: { from: "IMCEAEX-_o=ExchangeLabs_ou=Exchange+20Administrative_cn=Recipients_cn=abc-x@eurprd04.prod.outlook.com", to: [JANE, ALICE] },
    expect: { sync: false, outcome: "sender_unknown", reasons: ["non_smtp_address"] } },
  { name: "X500: X500 sender + unknown-sender on + member and contact recipients: synced", settings: UNKNOWN, email: { from: "/o=org/cn=someone", to: [JANE, ALICE] },
    expect: { sync: true, outcome: "unknown_sender_allowed" } },

  // --- normalisation
  { name: "normalisation: case and whitespace in the message", email: { from: "  ALICE@Acme.COM ", to: [" Jane@NorthWind.io"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], direction: "received" } },
  { name: "normalisation: case and whitespace in the directory", email: { from: JANE, to: ["dave@initech.com"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c3[u9]"] } },
  { name: "normalisation: display names are ignored (a contact named like the member)", email: { from: { name: "Jane Doe", address: ALICE }, to: [{ name: "Alice", address: JANE }] },
    expect: { sync: true, outcome: "contact_participates", direction: "received", lastFromContact: true } },
  { name: "normalisation: 'Name <address>' and mailto: forms", email: { from: "Jane Doe <JANE@northwind.io>", to: ["mailto:alice@acme.com"] },
    expect: { sync: true, outcome: "contact_participates", direction: "sent", customers: ["c1[u1]"] } },
  { name: "normalisation: the same address twice (to and cc) is one contact", email: { from: JANE, to: [ALICE], cc: ["Alice@acme.com"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"] } },

  // --- internal
  { name: "internal: member to a team member", email: { from: JANE, to: [TOM] }, expect: { sync: false, outcome: "internal", direction: "sent" } },
  { name: "internal: to oneself", email: { from: JANE, to: [JANE] }, expect: { sync: false, outcome: "internal" } },
  { name: "internal: an unregistered colleague on the company domain", email: { from: "finance@northwind.io", to: [JANE] }, expect: { sync: false, outcome: "internal" } },
  { name: "internal: second company domain added by an admin", email: { from: JANE, to: ["someone@northwind-labs.com"] }, expect: { sync: false, outcome: "internal" } },
  { name: "internal: a team member's primary domain is a company domain (nwind.se)", email: { from: "sam@nwind.se", to: [JANE, "other@nwind.se"] }, expect: { sync: false, outcome: "internal" } },
  { name: "internal: company domains compare case-insensitively", email: { from: "Finance@NORTHWIND.IO", to: [JANE] }, expect: { sync: false, outcome: "internal" } },
  { name: "internal: not internal once one outsider is on it (no contact)", email: { from: JANE, to: [TOM, STRANGER] }, expect: { sync: false, outcome: "no_customer_contact" } },

  // --- company-domain and team-member user records
  { name: "company-domain contact: a user record on the company domain never counts", email: { from: JANE, to: ["insider@northwind.io"] },
    expect: { sync: false, outcome: "internal", customers: [], reasons: ["company_domain_contact"] } },
  { name: "company-domain contact: ignored next to a real contact", email: { from: JANE, to: ["insider@northwind.io", ALICE] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], reasons: ["company_domain_contact"] } },
  { name: "company-domain contact: on an admin-added company domain", email: { from: JANE, to: ["labs@northwind-labs.com"] },
    expect: { sync: false, outcome: "internal", reasons: ["company_domain_contact"] } },
  { name: "team member with a user record is a team member, not a contact", email: { from: ALICE, to: [TOM] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], reasons: ["team_member_user_record"] } },
  { name: "team member with a user record alone is internal", email: { from: JANE, to: [TOM] },
    expect: { sync: false, outcome: "internal", customers: [], reasons: ["team_member_user_record"] } },

  // --- several records, several customers
  { name: "multi-record: one address on users of two customers links to both", email: { from: "shared@partner.com", to: [JANE] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u4]", "c2[u5]"], reasons: ["address_on_several_users"], lastFromContact: true } },
  { name: "multi-record: one address on two users of one customer links to both records", email: { from: JANE, to: ["dup@acme.com"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u6,u7]"], reasons: ["address_on_several_users"] } },
  { name: "two customers: contacts of two customers put the email on both", email: { from: JANE, to: [ALICE], cc: [BOB] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]", "c2[u2]"], notReasons: ["address_on_several_users"] } },
  { name: "two contacts of one customer are one customer with both users", email: { from: ALICE, to: [JANE, "dave@initech.com", "consultant@acme.com"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]", "c3[u14,u9]"] } },

  // --- no contact
  { name: "no contact: member writes to a stranger", email: { from: JANE, to: [STRANGER] }, expect: { sync: false, outcome: "no_customer_contact", customers: [] } },
  { name: "no contact: a stranger writes to the member", email: { from: STRANGER, to: [JANE] }, expect: { sync: false, outcome: "no_customer_contact" } },
  { name: "no participants at all", email: { to: [] }, expect: { sync: false, outcome: "no_customer_contact", direction: null } },

  // --- domain matching
  { name: "domain matching off: an unregistered person at a customer's domain does not match", email: { from: JANE, to: ["new@acme.com"] },
    expect: { sync: false, outcome: "no_customer_contact" } },
  { name: "domain matching on: matches every customer with that domain", settings: ON, email: { from: JANE, to: ["new@acme.com"] },
    expect: { sync: true, outcome: "customer_domain", customers: ["c1[domain]", "c6[domain]"] } },
  { name: "domain matching on: domain field typed as a website (www., https://, path)", settings: ON, email: { from: "someone@globex.co.uk", to: [JANE] },
    expect: { sync: true, outcome: "customer_domain", customers: ["c2[domain]"], lastFromContact: true } },
  { name: "domain matching on: a user record wins over the domain for that address", settings: ON, email: { from: JANE, to: ["consultant@acme.com"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c3[u14]"] } },
  { name: "domain matching on: record and domain matches combine per customer", settings: ON, email: { from: JANE, to: [ALICE, "new@acme.com"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1,domain]", "c6[domain]"] } },
  { name: "domain matching on: public mail domain in a customer's field is ignored", settings: ON, email: { from: JANE, to: ["random@gmail.com"] },
    expect: { sync: false, outcome: "no_customer_contact" } },
  { name: "domain matching on: a user on a public mail domain still matches by record", settings: ON, email: { from: JANE, to: ["gus@gmail.com"] },
    expect: { sync: true, outcome: "contact_participates", customers: ["c4[u12]"] } },
  { name: "domain matching on: a company domain in a customer's field never matches", settings: ON, email: { from: JANE, to: ["finance@northwind.io"] },
    expect: { sync: false, outcome: "internal", customers: [] } },
  { name: "domain matching on: a domain-matched sender is a known sender", settings: ON, email: { from: "new@umbrella.org", to: [JANE] },
    expect: { sync: true, outcome: "customer_domain", customers: ["c4[domain]"], lastFromContact: true } },
  { name: "domain matching on: subdomains are not the same domain", settings: ON, email: { from: JANE, to: ["x@eu.acme.com"] },
    expect: { sync: false, outcome: "no_customer_contact" } },
  { name: "domain matching on + unknown sender on: stranger to member and a domain contact", settings: { ...ON, ...UNKNOWN }, email: { from: STRANGER, to: [JANE, "new@acme.com"] },
    expect: { sync: true, outcome: "unknown_sender_allowed", customers: ["c1[domain]", "c6[domain]"] } },

  // --- unknown sender
  { name: "unknown sender, setting off: not synced even with a contact and the member", email: { from: STRANGER, to: [JANE, ALICE] },
    expect: { sync: false, outcome: "sender_unknown", customers: ["c1[u1]"] } },
  { name: "unknown sender, setting on: member and contact are recipients", settings: UNKNOWN, email: { from: STRANGER, to: [JANE], cc: [ALICE] },
    expect: { sync: true, outcome: "unknown_sender_allowed", customers: ["c1[u1]"], direction: "received", lastFromContact: false } },
  { name: "unknown sender, setting on: a team member in bcc is a recipient", settings: UNKNOWN, email: { from: STRANGER, to: [ALICE], bcc: [JANE] },
    expect: { sync: true, outcome: "unknown_sender_allowed" } },
  { name: "unknown sender, setting on: another team member (not the owner) is enough", settings: UNKNOWN, email: { from: STRANGER, to: [TOM, ALICE] },
    expect: { sync: true, outcome: "unknown_sender_allowed" } },
  { name: "unknown sender, setting on: no team member among recipients", settings: UNKNOWN, email: { from: STRANGER, to: [ALICE] },
    expect: { sync: false, outcome: "sender_unknown_no_team_member_recipient" } },
  { name: "unknown sender, setting on: team member but no contact", settings: UNKNOWN, email: { from: STRANGER, to: [JANE] },
    expect: { sync: false, outcome: "no_customer_contact" } },
  { name: "unknown sender: no from at all", email: { to: [JANE, ALICE] }, expect: { sync: false, outcome: "sender_unknown", direction: null } },
  { name: "unknown sender: the organiser setting does not apply to emails", settings: ORG, email: { from: STRANGER, to: [JANE, ALICE] },
    expect: { sync: false, outcome: "sender_unknown" } },

  // --- drafts
  { name: "draft to a contact never syncs, but shows who it would go to", email: { isDraft: true, from: JANE, to: [ALICE] },
    expect: { sync: false, outcome: "draft", customers: ["c1[u1]"], direction: "sent" } },
  { name: "draft with every setting on still never syncs", settings: { ...ON, ...UNKNOWN, ...ORG }, email: { isDraft: true, to: [ALICE, JANE] },
    expect: { sync: false, outcome: "draft" } },

  // --- contact created after the message (retroactive)
  { name: "contact created after the message still matches (retroactive), with a note", email: { from: "carol@initech.com", to: [JANE], at: T0 },
    expect: { sync: true, outcome: "contact_participates", customers: ["c3[u3]"], reasons: ["contact_created_after_message"] } },
  { name: "contact created before the message: no note", email: { from: ALICE, to: [JANE], at: T0 }, expect: { sync: true, outcome: "contact_participates", notReasons: ["contact_created_after_message"] } },
  { name: "contact added to the directory later matches (directory change)", dir: (d) => ({ ...d, users: [...d.users, { id: "u99", name: "New Person", address: STRANGER, customerId: "c3", createdAt: "2024-07-01T00:00:00Z" }] }),
    email: { from: STRANGER, to: [JANE], at: T0 }, expect: { sync: true, outcome: "contact_participates", customers: ["c3[u99]"], reasons: ["contact_created_after_message"] } },

  // --- meetings
  { name: "meeting: member organises, contact attends", event: ev(JANE, [ALICE]),
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"], direction: null, counted: true, fromTeam: true } },
  { name: "meeting: contact organises, member attends", event: ev(ALICE, [JANE]), expect: { sync: true, outcome: "contact_participates", fromTeam: false, lastFromContact: false } },
  { name: "meeting: organised via a registered alias", event: ev("jane.doe@northwind.io", [BOB]), expect: { sync: true, outcome: "contact_participates", customers: ["c2[u2]"] } },
  { name: "meeting: internal (team only)", event: ev(JANE, [TOM, "sam@nwind.se"]), expect: { sync: false, outcome: "internal" } },
  { name: "meeting: rooms and resources are excluded", settings: ON, event: ev(JANE, [TOM], { attendees: [att(TOM), att("room-4@acme.com", "resource")] }),
    expect: { sync: false, outcome: "internal", customers: [] } },
  { name: "meeting: a room booked as location is excluded even as a required attendee", settings: ON,
    event: ev(JANE, [TOM, "boardroom@acme.com"], { locations: [{ locationEmailAddress: "BoardRoom@acme.com" }] }), expect: { sync: false, outcome: "internal" } },
  { name: "meeting: a resource does not stop a real contact from matching", event: ev(JANE, [], { attendees: [att(ALICE), att("projector@acme.com", "resource")] }),
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"] } },
  { name: "meeting: cancelled is kept, marked cancelled, not counted", event: ev(JANE, [ALICE], { isCancelled: true }),
    expect: { sync: true, outcome: "contact_participates", counted: false, reasons: ["cancelled"] } },
  { name: "meeting: declined by the member does not count for the member", event: ev(ALICE, [JANE, TOM], { responseStatus: { response: "declined" } }),
    expect: { sync: false, outcome: "declined", customers: ["c1[u1]"], counted: false } },
  { name: "meeting: the same meeting accepted by a colleague counts for the colleague", member: "m2", event: ev(ALICE, [JANE, TOM], { responseStatus: { response: "accepted" } }),
    expect: { sync: true, outcome: "contact_participates" } },
  { name: "meeting: tentatively accepted counts", event: ev(ALICE, [JANE], { responseStatus: { response: "tentativelyAccepted" } }), expect: { sync: true, outcome: "contact_participates" } },
  { name: "meeting: not responded counts", event: ev(ALICE, [JANE], { responseStatus: { response: "notResponded" } }), expect: { sync: true, outcome: "contact_participates" } },
  { name: "meeting: declined and cancelled is declined", event: ev(ALICE, [JANE], { isCancelled: true, responseStatus: { response: "declined" } }),
    expect: { sync: false, outcome: "declined", counted: false, reasons: ["cancelled"] } },
  { name: "meeting: an occurrence of a recurring series is decided on its own", event: ev(JANE, [ALICE], { type: "occurrence" }), expect: { sync: true, outcome: "contact_participates" } },
  { name: "meeting: an exception occurrence is decided on its own attendees", event: ev(JANE, [TOM], { type: "exception" }), expect: { sync: false, outcome: "internal" } },
  { name: "meeting: the series master itself is not an interaction", event: ev(JANE, [ALICE], { type: "seriesMaster" }), expect: { sync: false, outcome: "series_master" } },
  { name: "meeting: organiser unknown, setting off", event: ev(STRANGER, [JANE, ALICE]), expect: { sync: false, outcome: "organizer_unknown", customers: ["c1[u1]"] } },
  { name: "meeting: organiser unknown, setting on, member and contact attend", settings: ORG, event: ev(STRANGER, [JANE, ALICE]),
    expect: { sync: true, outcome: "unknown_organizer_allowed", customers: ["c1[u1]"] } },
  { name: "meeting: organiser unknown, setting on, no team member attends", settings: ORG, event: ev(STRANGER, [ALICE, "x@other.com"]),
    expect: { sync: false, outcome: "organizer_unknown_no_team_member_attendee" } },
  { name: "meeting: organiser unknown, setting on, no contact attends", settings: ORG, event: ev(STRANGER, [JANE]), expect: { sync: false, outcome: "no_customer_contact" } },
  { name: "meeting: the email setting does not apply to meetings", settings: UNKNOWN, event: ev(STRANGER, [JANE, ALICE]), expect: { sync: false, outcome: "organizer_unknown" } },
  { name: "meeting: organiser unknown, cancelled, setting off: not synced, not counted", event: ev(STRANGER, [JANE, ALICE], { isCancelled: true }),
    expect: { sync: false, outcome: "organizer_unknown", counted: false } },
  { name: "meeting: X500 organiser is unknown, never a contact", settings: ORG, event: ev("/o=org/cn=recipients/cn=x", [JANE, ALICE]),
    expect: { sync: true, outcome: "unknown_organizer_allowed", reasons: ["non_smtp_address"] } },
  { name: "meeting: domain matching on", settings: ON, event: ev(JANE, ["ceo@umbrella.org"]), expect: { sync: true, outcome: "customer_domain", customers: ["c4[domain]"] } },
  { name: "meeting: two customers", event: ev(JANE, [ALICE, BOB]), expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]", "c2[u2]"] } },
  { name: "meeting: multi-record attendee links to all records", event: ev(JANE, ["shared@partner.com"]),
    expect: { sync: true, outcome: "contact_participates", customers: ["c1[u4]", "c2[u5]"], reasons: ["address_on_several_users"] } },
  { name: "meeting: company-domain contact is internal", event: ev(JANE, ["insider@northwind.io"]), expect: { sync: false, outcome: "internal", reasons: ["company_domain_contact"] } },
  { name: "meeting: contact created after the meeting started matches, with a note", event: ev(JANE, ["carol@initech.com"]),
    expect: { sync: true, outcome: "contact_participates", reasons: ["contact_created_after_message"] } },
  { name: "meeting: case and whitespace in attendees", event: ev(" JANE@northwind.IO ", [" Alice@ACME.com"]), expect: { sync: true, outcome: "contact_participates", customers: ["c1[u1]"] } },
];

function render(d: Decision): string[] {
  return d.customers.map((h) => {
    const parts = [...h.userIds].sort();
    if (h.viaDomain) parts.push("domain");
    return `${h.customerId}[${parts.join(",")}]`;
  });
}

function hmacKeys(secret: string): KeyFunctions {
  return {
    keyOf: (a) => createHmac("sha256", secret).update(`a:${a}`).digest("base64url"),
    domainKeyOf: (d) => createHmac("sha256", secret).update(`d:${d}`).digest("base64url"),
  };
}

const baseDir = testDirectory();
const plainIndex = buildDirectoryIndex(baseDir);
const keyed = hmacKeys("test-secret");
const keyedIndex = buildDirectoryIndex(baseDir, keyed);

function run(c: Case, index: DirectoryIndex, keys?: KeyFunctions): Decision {
  const member = memberContext(index, c.member ?? "m1", c.settings ?? {}, c.extraAddresses ?? []);
  if (c.email) return decideMessage(messageFacts(c.email, keys), index, member);
  return decideEvent(eventFactsFromGraph(c.event!, keys), index, member);
}

test("the rule table has at least 60 named cases with unique names", () => {
  assert.ok(cases.length >= 60, `only ${cases.length} cases`);
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
});

for (const c of cases) {
  test(`rule: ${c.name}`, () => {
    const dir = c.dir ? c.dir(testDirectory()) : baseDir;
    const index = c.dir ? buildDirectoryIndex(dir) : plainIndex;
    const d = run(c, index);
    const e = c.expect;
    assert.equal(d.sync, e.sync, `sync (outcome ${d.outcome})`);
    assert.equal(d.outcome, e.outcome, "outcome");
    assert.equal(d.reasons[0], d.outcome);
    if (e.customers) assert.deepEqual(render(d), e.customers, "customers");
    if (e.direction !== undefined) assert.equal(d.direction, e.direction, "direction");
    if (e.lastFromContact !== undefined) assert.equal(d.lastFromContact, e.lastFromContact, "lastFromContact");
    if (e.fromTeam !== undefined) assert.equal(d.fromTeam, e.fromTeam, "fromTeam");
    if (e.counted !== undefined) assert.equal(d.counted, e.counted, "counted");
    for (const r of e.reasons ?? []) assert.ok(d.reasons.includes(r), `expected reason ${r} in ${d.reasons.join(",")}`);
    for (const r of e.notReasons ?? []) assert.ok(!d.reasons.includes(r), `unexpected reason ${r}`);
    if (!d.sync) assert.equal(d.counted, false);

    // The same decision on keyed participants, as the server re-decides stored unmatched mail.
    const kIndex = c.dir ? buildDirectoryIndex(dir, keyed) : keyedIndex;
    const k = run(c, kIndex, keyed);
    assert.equal(k.sync, d.sync, "keyed sync");
    assert.deepEqual(k.reasons, d.reasons, "keyed reasons");
    assert.deepEqual(render(k), render(d), "keyed customers");
    assert.equal(k.direction, d.direction, "keyed direction");
    assert.equal(k.lastFromContact, d.lastFromContact, "keyed lastFromContact");
    assert.deepEqual(k.teamMemberIds, d.teamMemberIds, "keyed team members");
  });
}

test("Graph message shape: from/sender, recipients, isDraft and sentDateTime", () => {
  const member = memberContext(plainIndex, "m1");
  const facts = messageFactsFromGraph({
    isDraft: false,
    sender: { emailAddress: { name: "Alice", address: "ALICE@acme.com" } },
    toRecipients: [{ emailAddress: { address: JANE } }],
    ccRecipients: null,
    bccRecipients: [{ emailAddress: null }],
    sentDateTime: "2024-05-15T12:00:00Z",
  });
  assert.equal(facts.at, T0);
  assert.equal(facts.participants.length, 2);
  assert.equal(facts.participants[0]!.name, "Alice");
  const d = decideMessage(facts, plainIndex, member);
  assert.equal(d.sync, true);
  assert.equal(d.direction, "received");
  // Keyed participants never carry display names.
  const k = messageFactsFromGraph({ from: { emailAddress: { name: "Alice", address: ALICE } } }, keyed);
  assert.equal(k.participants[0]!.name, undefined);
  assert.notEqual(k.participants[0]!.key, ALICE);
});

test("Graph event shape: start time zones, response, type", () => {
  const f = eventFactsFromGraph({
    type: "occurrence",
    responseStatus: { response: "declined" },
    start: { dateTime: "2024-05-15T12:00:00.0000000", timeZone: "UTC" },
    organizer: org(JANE),
    attendees: [att(ALICE)],
  });
  assert.equal(f.at, T0);
  assert.equal(f.type, "occurrence");
  assert.equal(f.memberResponse, "declined");
  const g = eventFactsFromGraph({ type: "weird", responseStatus: { response: "maybe" }, start: { dateTime: "2024-05-15T14:00:00+02:00", timeZone: "W. Europe Standard Time" } });
  assert.equal(g.type, null);
  assert.equal(g.memberResponse, null);
  assert.equal(g.at, T0);
});

test("addresses: normalisation, SMTP detection, domains", () => {
  assert.equal(normalizeAddress("  Jane Doe <JANE@Northwind.io> "), "jane@northwind.io");
  assert.equal(normalizeAddress("SMTP:Jane@Northwind.io"), "jane@northwind.io");
  assert.equal(normalizeAddress("X500:/o=ExchangeLabs/cn=X"), "/o=exchangelabs/cn=x");
  assert.equal(normalizeAddress(null), "");
  assert.equal(normalizeAddress("   "), "");
  assert.equal(isSmtpAddress("jane@northwind.io"), true);
  assert.equal(isSmtpAddress("jane+tag@mail.northwind.co.uk"), true);
  assert.equal(isSmtpAddress("anna@bücher.de"), true);
  assert.equal(isSmtpAddress("/o=exchangelabs/ou=x/cn=recipients/cn=y"), false);
  assert.equal(isSmtpAddress("imceaex-_o=x@eurprd.prod.outlook.com"), false);
  assert.equal(isSmtpAddress("jane"), false);
  assert.equal(isSmtpAddress("jane@localhost"), false);
  assert.equal(isSmtpAddress("jane doe@x.com"), false);
  assert.equal(isSmtpAddress("a@b@c.com"), false);
  assert.equal(domainOf("jane@northwind.io"), "northwind.io");
  assert.equal(domainOf("/o=x"), "");
  assert.equal(normalizeDomain("https://www.Acme.com/about?x=1"), "acme.com");
  assert.equal(normalizeDomain("@acme.com"), "acme.com");
  assert.equal(normalizeDomain("*.acme.com"), "acme.com");
  assert.equal(normalizeDomain("jane@acme.com"), "acme.com");
  assert.equal(normalizeDomain("acme.com:443"), "acme.com");
  assert.equal(normalizeDomain("not a domain"), "");
  assert.equal(normalizeDomain("localhost"), "");
  assert.deepEqual(parseDomainList("acme.com, Acme.com; acme.se  junk"), ["acme.com", "acme.se"]);
});

test("index: company domains, ignored customer domains, domain count", () => {
  assert.deepEqual(plainIndex.companyDomains, ["northwind.io", "nwind.se", "northwind-labs.com"]);
  assert.deepEqual(
    plainIndex.ignoredCustomerDomains.map((i) => `${i.customerId}:${i.domain}:${i.reason}`),
    ["c4:gmail.com:public_mail_provider", "c5:northwind.io:company_domain"],
  );
  // Acme, Globex, Umbrella (umbrella.org), Acme Nordics.
  assert.equal(plainIndex.customersWithDomainCount, 4);
  assert.deepEqual(plainIndex.customers.get("c2")!.domains, ["globex.com", "globex.co.uk"]);
});

test("property: keyed and plain participants always decide alike; recipient order never matters", () => {
  const pool = [JANE, TOM, "jane.doe@northwind.io", JANE_X500, ALICE, BOB, "shared@partner.com", "dup@acme.com", "insider@northwind.io",
    "new@acme.com", "random@gmail.com", STRANGER, "finance@northwind.io", "someone@northwind-labs.com", "carol@initech.com", "/o=org/cn=x", "ceo@umbrella.org"];
  const addr = fc.constantFrom(...pool);
  fc.assert(
    fc.property(
      fc.record({
        from: fc.option(addr, { nil: undefined }),
        to: fc.array(addr, { maxLength: 4 }),
        cc: fc.array(addr, { maxLength: 3 }),
        bcc: fc.array(addr, { maxLength: 2 }),
        isDraft: fc.boolean(),
        member: fc.constantFrom("m1", "m2", "m3"),
        byDomain: fc.boolean(),
        unknown: fc.boolean(),
      }),
      (m) => {
        const settings = { syncToCustomersByDomain: m.byDomain, syncUnknownSender: m.unknown };
        const msg = { from: m.from, to: m.to, cc: m.cc, bcc: m.bcc, isDraft: m.isDraft, at: T0 };
        const plain = decideMessage(messageFacts(msg), plainIndex, memberContext(plainIndex, m.member, settings));
        const k = decideMessage(messageFacts(msg, keyed), keyedIndex, memberContext(keyedIndex, m.member, settings));
        assert.equal(k.sync, plain.sync);
        assert.deepEqual(k.reasons, plain.reasons);
        assert.deepEqual(render(k), render(plain));
        const shuffled = { ...msg, to: [...m.cc].reverse(), cc: [...m.to].reverse(), bcc: [...m.bcc].reverse() };
        const s = decideMessage(messageFacts(shuffled), plainIndex, memberContext(plainIndex, m.member, settings));
        assert.equal(s.sync, plain.sync);
        assert.equal(s.outcome, plain.outcome);
        assert.deepEqual(render(s).sort(), render(plain).sort());
        // Invariants: drafts and internal mail never sync; synced mail always has a customer.
        if (m.isDraft) assert.equal(plain.sync, false);
        if (plain.sync) assert.ok(plain.customers.length > 0);
      },
    ),
    { numRuns: 400, seed: 42 },
  );
});
