/**
 * The customer-success side of a generated organisation: our company (two domains), team members
 * with aliases, customers (some without a domain), and their contacts — including one address that
 * belongs to two customers' contacts and one contact created only after mail with it was exchanged.
 */
import type { GeneratedContact, GeneratedCustomer, GeneratedTeamMember } from "./types";
import {
  CUSTOMER_PREFIXES,
  CUSTOMER_SUFFIXES,
  FIRST_NAMES,
  FREEMAIL_DOMAINS,
  LAST_NAMES,
  OWN_COMPANIES,
} from "./names";
import type { Rng } from "./prng";

export const DAY = 86_400_000;

export interface Person {
  name: string;
  address: string;
}

export interface ContactPerson extends Person {
  customerIndex: number;
  contact: GeneratedContact;
}

export interface OrgModel {
  company: { name: string; domains: string[]; onmicrosoft: string; tenantId: string };
  members: GeneratedTeamMember[];
  customers: GeneratedCustomer[];
  contacts: GeneratedContact[];
  /** Contact people by customer index. */
  contactsByCustomer: ContactPerson[][];
  /** Domains where mail with a customer's people comes from (includes undeclared ones). */
  customerMailDomains: string[][];
  sharedContact: { address: string; customers: [number, number] };
  recentContact: ContactPerson;
  partnerDomain: string;
}

function slugify(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Unique person names from the lists, deterministic per stream. */
class NameSource {
  private used = new Set<string>();
  constructor(private readonly rng: Rng) {}
  next(): { first: string; last: string; name: string } {
    for (let attempt = 0; ; attempt++) {
      const first = this.rng.pick(FIRST_NAMES);
      const last = this.rng.pick(LAST_NAMES);
      const name = attempt > 200 ? `${first} ${last} ${attempt}` : `${first} ${last}`;
      if (!this.used.has(name)) {
        this.used.add(name);
        return { first, last: attempt > 200 ? `${last}${attempt}` : last, name };
      }
    }
  }
}

export function buildOrganisation(
  rng: Rng,
  opts: { teamMembers: number; customers: number; contactsPerCustomer: number; nowMs: number },
): OrgModel {
  const company = rng.pick(OWN_COMPANIES);
  const primary = `${company.slug}.test`;
  const brand = `${company.brandSlug}.test`;
  const onmicrosoft = `${company.slug}${rng.int(10, 99)}.onmicrosoft.com`;
  const tenantId = rng.guid();
  const names = new NameSource(rng.fork("people"));
  const historyStart = opts.nowMs - 240 * DAY;

  const members: GeneratedTeamMember[] = [];
  const usedLocal = new Set<string>();
  for (let i = 0; i < Math.max(1, opts.teamMembers); i++) {
    const n = names.next();
    let local = slugify(n.first);
    if (usedLocal.has(local)) local = `${slugify(n.first)}.${slugify(n.last)[0]}`;
    usedLocal.add(local);
    const full = `${slugify(n.first)}.${slugify(n.last)}`;
    const aliases = [`${full}@${primary}`];
    if (i % 2 === 1) aliases.push(`${local}@${brand}`);
    const member: GeneratedTeamMember = {
      oid: rng.guid(),
      displayName: n.name,
      primaryAddress: `${local}@${primary}`,
      mailboxAliases: aliases,
      isAdmin: i === 0,
      legacyExchangeDn: `/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=${rng.hex(32)}-${local.replace(/\./g, "")}`,
    };
    // Member #2 (or the only one) sends from a brand alias the product was never told about.
    if (i === Math.min(1, opts.teamMembers - 1) || (i > 1 && i % 3 === 1)) member.unregisteredAlias = `${full}@${brand}`;
    members.push(member);
  }

  const customers: GeneratedCustomer[] = [];
  const customerMailDomains: string[][] = [];
  const usedCustomerNames = new Set<string>();
  const crng = rng.fork("customers");
  for (let i = 0; i < Math.max(2, opts.customers); i++) {
    let name = "";
    for (let attempt = 0; !name || usedCustomerNames.has(name); attempt++) {
      name = `${crng.pick(CUSTOMER_PREFIXES)} ${crng.pick(CUSTOMER_SUFFIXES)}${attempt > 50 ? ` ${attempt}` : ""}`;
    }
    usedCustomerNames.add(name);
    const slug = slugify(name);
    let domains: string[];
    let mailDomains: string[];
    if (i % 6 === 5) {
      domains = []; // the "domain" field was left empty: only contact addresses can match
      mailDomains = [`${slug}.test`];
    } else if (i % 7 === 3) {
      domains = [`${slug}.test`, `${slug}-eu.test`];
      mailDomains = domains;
    } else {
      domains = [`${slug}.test`];
      mailDomains = domains;
    }
    customers.push({ externalId: `CUST-${String(i + 1).padStart(4, "0")}`, name, ownerAddress: members[i % members.length]!.primaryAddress, domains });
    customerMailDomains.push(mailDomains);
  }

  const contacts: GeneratedContact[] = [];
  const contactsByCustomer: ContactPerson[][] = customers.map(() => []);
  let contactNo = 0;
  const prng = rng.fork("contacts");
  customers.forEach((customer, ci) => {
    const count = Math.max(1, opts.contactsPerCustomer + prng.int(-1, 1));
    for (let k = 0; k < count; k++) {
      const n = names.next();
      const domains = customerMailDomains[ci]!;
      const domain = prng.chance(0.1) ? prng.pick(FREEMAIL_DOMAINS) : domains[k % domains.length]!;
      const address = `${slugify(n.first)}.${slugify(n.last)}@${domain}`;
      const contact: GeneratedContact = {
        externalId: `CON-${String(++contactNo).padStart(5, "0")}`,
        name: n.name,
        address,
        customerExternalId: customer.externalId,
        createdAt: new Date(historyStart - prng.int(10, 400) * DAY).toISOString(),
      };
      contacts.push(contact);
      contactsByCustomer[ci]!.push({ name: n.name, address, customerIndex: ci, contact });
    }
  });

  // An independent advisor working with two customers: one address, two contact records.
  const advisor = names.next();
  const sharedAddress = `${slugify(advisor.first)}@advisory-partners.test`;
  const shared: [number, number] = [0, 1];
  for (const ci of shared) {
    const contact: GeneratedContact = {
      externalId: `CON-${String(++contactNo).padStart(5, "0")}`,
      name: advisor.name,
      address: sharedAddress,
      customerExternalId: customers[ci]!.externalId,
      createdAt: new Date(historyStart - 30 * DAY).toISOString(),
    };
    contacts.push(contact);
    contactsByCustomer[ci]!.push({ name: advisor.name, address: sharedAddress, customerIndex: ci, contact });
  }

  // A contact added to the directory only five days ago, though mail with them goes back two months.
  const recentCi = Math.min(2, customers.length - 1);
  const recent = contactsByCustomer[recentCi]![0]!;
  recent.contact.createdAt = new Date(opts.nowMs - 5 * DAY).toISOString();

  return {
    company: { name: company.name, domains: [primary, brand], onmicrosoft, tenantId },
    members,
    customers,
    contacts,
    contactsByCustomer,
    customerMailDomains,
    sharedContact: { address: sharedAddress, customers: shared },
    recentContact: recent,
    partnerDomain: "implementation-partner.test",
  };
}
