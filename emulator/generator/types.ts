/**
 * What the deterministic generator produces from a seed: the customer-success directory
 * (what the product is told about customers, contacts and team members) and the Microsoft 365
 * side (a tenant, its users and their mailboxes). The demo, tests and benchmarks all start here.
 */
import type { MailboxSeed } from "../graph/seed-types";

export interface GeneratedTeamMember {
  oid: string;
  displayName: string;
  /** The mailbox's primary SMTP address. */
  primaryAddress: string;
  /** Aliases the mailbox really has (they appear in proxyAddresses as "smtp:"). */
  mailboxAliases: string[];
  /** An alias the member sends from but has NOT registered with the product (to exercise "why"). */
  unregisteredAlias?: string;
  isAdmin: boolean;
  /** Exchange's legacy DN; proxyAddresses carries it as "X500:…" and some mail shows it as the sender address. */
  legacyExchangeDn: string;
}

export interface GeneratedCustomer {
  externalId: string;
  name: string;
  ownerAddress: string;
  /** The custom "domain" field; empty for some customers on purpose. */
  domains: string[];
}

export interface GeneratedContact {
  externalId: string;
  name: string;
  address: string;
  customerExternalId: string;
  /** ISO time the contact record was created in the product. */
  createdAt: string;
}

export interface GeneratedOrganisation {
  seed: string;
  tenant: { id: string; displayName: string; domains: string[]; requiresAdminConsent: boolean };
  organisation: { name: string; companyDomains: string[] };
  teamMembers: GeneratedTeamMember[];
  customers: GeneratedCustomer[];
  contacts: GeneratedContact[];
  /** Keyed by team member oid. */
  mailboxes: Record<string, MailboxSeed>;
  /** Where the deliberate edge cases ended up, so tests can look for them without searching. */
  cases: GeneratedCases;
}

export interface GeneratedCases {
  /** One address that is a contact of two different customers. */
  sharedContactAddress: string;
  sharedContactCustomers: [string, string];
  /** A contact whose record was created after some of its mail was exchanged. */
  recentContactAddress: string;
  /** Customers whose domain field is empty on purpose. */
  customersWithoutDomain: string[];
  /** internetMessageIds of messages delivered to two team members' mailboxes. */
  sharedInternetMessageIds: string[];
  /** internetMessageIds whose sender address is an X500 legacy DN. */
  x500InternetMessageIds: string[];
  /** internetMessageIds sent from a member's unregistered alias. */
  unregisteredAliasInternetMessageIds: string[];
  /** Sender addresses that are not contacts but copy a contact. */
  unknownSendersCopyingContacts: string[];
  /** iCalUIds of: the weekly series with an exception and a cancelled occurrence, and other meeting kinds. */
  recurringSeriesICalUId: string;
  cancelledMeetingICalUId: string;
  declinedMeetingICalUId: string;
  externalOrganizerMeetingICalUId: string;
  roomResourceAddress: string;
}

export interface GeneratorOptions {
  seed: string;
  /** Messages per mailbox (approximate for small sizes; exact enough for benchmarks). */
  messagesPerMailbox: number;
  eventsPerMailbox: number;
  teamMembers: number;
  customers: number;
  contactsPerCustomer: number;
  /** The "now" the ~8 months of history end at; defaults to the real clock. */
  now?: Date;
}
