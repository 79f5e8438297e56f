/**
 * generateOrganisation(): a whole customer-success organisation and its Microsoft 365 side from a
 * seed string. Deterministic: the same options give byte-identical output.
 */
import type { EmulatedUser } from "../state";
import { CalendarGenerator } from "./calendar";
import { MailGenerator, mailboxSeed } from "./mail";
import { buildOrganisation } from "./organisation";
import { Rng } from "./prng";
import type { GeneratedCases, GeneratedOrganisation, GeneratedTeamMember, GeneratorOptions } from "./types";

export type { GeneratedOrganisation, GeneratorOptions, GeneratedTeamMember, GeneratedCases } from "./types";

/** A fixed "now" so presets are reproducible unless a caller asks for the real clock. */
export const PRESET_NOW = new Date("2025-06-02T09:00:00Z");

export const PRESETS = {
  /** The zero-configuration demo: small enough to read, every edge case present. */
  demo: { seed: "demo", messagesPerMailbox: 300, eventsPerMailbox: 40, teamMembers: 3, customers: 12, contactsPerCustomer: 4 },
  /** Unit tests: fast to generate and to sync. */
  tiny: { seed: "tiny", messagesPerMailbox: 60, eventsPerMailbox: 16, teamMembers: 3, customers: 6, contactsPerCustomer: 3 },
  /** Benchmarks: a heavy mailbox pair. */
  bench: { seed: "bench", messagesPerMailbox: 50_000, eventsPerMailbox: 1_500, teamMembers: 2, customers: 200, contactsPerCustomer: 4 },
} satisfies Record<string, GeneratorOptions>;

export type PresetName = keyof typeof PRESETS;

export function generateOrganisation(opts: GeneratorOptions): GeneratedOrganisation {
  const nowMs = Math.floor((opts.now ?? new Date()).getTime() / 1000) * 1000;
  const rng = new Rng(opts.seed);
  const org = buildOrganisation(rng.fork("organisation"), {
    teamMembers: opts.teamMembers,
    customers: opts.customers,
    contactsPerCustomer: opts.contactsPerCustomer,
    nowMs,
  });
  const cases: GeneratedCases = {
    sharedContactAddress: org.sharedContact.address,
    sharedContactCustomers: [org.customers[org.sharedContact.customers[0]]!.externalId, org.customers[org.sharedContact.customers[1]]!.externalId],
    recentContactAddress: org.recentContact.address,
    customersWithoutDomain: org.customers.filter((c) => c.domains.length === 0).map((c) => c.externalId),
    sharedInternetMessageIds: [],
    x500InternetMessageIds: [],
    unregisteredAliasInternetMessageIds: [],
    unknownSendersCopyingContacts: [],
    recurringSeriesICalUId: "",
    cancelledMeetingICalUId: "",
    declinedMeetingICalUId: "",
    externalOrganizerMeetingICalUId: "",
    roomResourceAddress: "",
  };
  const mail = new MailGenerator(rng.fork("mail"), org, Math.max(1, opts.messagesPerMailbox), nowMs, cases);
  mail.run();
  const calendar = new CalendarGenerator(rng.fork("calendar"), org, Math.max(0, opts.eventsPerMailbox), nowMs, cases);
  calendar.run();

  const mailboxes: GeneratedOrganisation["mailboxes"] = {};
  const kept = new Set<string>();
  org.members.forEach((member, i) => {
    const seed = mailboxSeed(mail.messagesFor(i));
    for (const m of seed.messages) if (m.internetMessageId) kept.add(m.internetMessageId);
    seed.events = calendar.eventsFor(i);
    mailboxes[member.oid] = seed;
  });
  // Tiny mailboxes are trimmed to size: name only the cases that survived.
  cases.sharedInternetMessageIds = cases.sharedInternetMessageIds.filter((id) => kept.has(id));
  cases.x500InternetMessageIds = cases.x500InternetMessageIds.filter((id) => kept.has(id));
  cases.unregisteredAliasInternetMessageIds = cases.unregisteredAliasInternetMessageIds.filter((id) => kept.has(id));

  return {
    seed: opts.seed,
    tenant: {
      id: org.company.tenantId,
      displayName: org.company.name,
      domains: [...org.company.domains, org.company.onmicrosoft],
      requiresAdminConsent: false,
    },
    organisation: { name: org.company.name, companyDomains: org.company.domains },
    teamMembers: org.members,
    customers: org.customers,
    contacts: org.contacts,
    mailboxes,
    cases,
  };
}

/** The Entra user a team member signs in as (proxyAddresses the way Graph lists them). */
export function userProfileFor(org: GeneratedOrganisation, member: GeneratedTeamMember): EmulatedUser {
  const onmicrosoft = org.tenant.domains.find((d) => d.endsWith(".onmicrosoft.com"));
  const local = member.primaryAddress.split("@")[0]!;
  const proxy = [`SMTP:${member.primaryAddress}`, ...member.mailboxAliases.map((a) => `smtp:${a}`)];
  // The unregistered alias is deliberately NOT a proxy address: it stands for an address the member sends
  // from through "Send As" on another mailbox (a legacy or shared one), which alias discovery cannot see, so
  // only the member can register it, which is the case the pane's "why wasn't this synced?" explains.
  if (onmicrosoft) proxy.push(`smtp:${local}@${onmicrosoft}`);
  proxy.push(`X500:${member.legacyExchangeDn}`);
  return {
    oid: member.oid,
    tenantId: org.tenant.id,
    userPrincipalName: member.primaryAddress,
    displayName: member.displayName,
    mail: member.primaryAddress,
    proxyAddresses: proxy,
    tokensValidAfter: 0,
  };
}

export function userProfiles(org: GeneratedOrganisation): EmulatedUser[] {
  return org.teamMembers.map((m) => userProfileFor(org, m));
}
