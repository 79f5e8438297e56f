/**
 * Read access to the directory. The API and the sync both use these; every function that
 * returns organisation data takes the organisation id, so callers cannot cross organisations.
 */
import { preparedOnce, type Db } from "../db/database";

export interface Organisation {
  id: string;
  name: string;
  directoryUpdatedAt: string | null;
}

export interface TeamMember {
  id: string;
  organisationId: string;
  externalId: string;
  name: string;
  primaryAddress: string;
  isAdmin: boolean;
  entraOid: string | null;
  entraTid: string | null;
  settings: {
    syncToCustomersByDomain: boolean;
    syncUnknownSender: boolean;
    syncUnknownOrganizer: boolean;
  };
}

export interface MemberAlias {
  address: string;
  source: "manual" | "discovered";
}

export interface Customer {
  id: string;
  organisationId: string;
  externalId: string;
  name: string;
  ownerMemberId: string | null;
  domains: string[];
  createdAt: string;
}

export interface User {
  id: string;
  organisationId: string;
  externalId: string;
  name: string;
  address: string;
  customerId: string;
  createdAt: string;
}

interface MemberRow {
  id: string;
  organisation_id: string;
  external_id: string;
  name: string;
  primary_address: string;
  is_admin: number;
  entra_oid: string | null;
  entra_tid: string | null;
  sync_to_customers_by_domain: number;
  sync_unknown_sender: number;
  sync_unknown_organizer: number;
}

export function toMember(r: MemberRow): TeamMember {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    externalId: r.external_id,
    name: r.name,
    primaryAddress: r.primary_address,
    isAdmin: r.is_admin === 1,
    entraOid: r.entra_oid,
    entraTid: r.entra_tid,
    settings: {
      syncToCustomersByDomain: r.sync_to_customers_by_domain === 1,
      syncUnknownSender: r.sync_unknown_sender === 1,
      syncUnknownOrganizer: r.sync_unknown_organizer === 1,
    },
  };
}

export function getOrganisation(db: Db, orgId: string): Organisation | null {
  const r = db.prepare("SELECT id, name, directory_updated_at FROM organisations WHERE id = ?").get(orgId) as
    | { id: string; name: string; directory_updated_at: string | null }
    | undefined;
  return r ? { id: r.id, name: r.name, directoryUpdatedAt: r.directory_updated_at } : null;
}

export function listOrganisations(db: Db): Organisation[] {
  return (db.prepare("SELECT id, name, directory_updated_at FROM organisations ORDER BY created_at").all() as {
    id: string;
    name: string;
    directory_updated_at: string | null;
  }[]).map((r) => ({ id: r.id, name: r.name, directoryUpdatedAt: r.directory_updated_at }));
}

export function getMember(db: Db, memberId: string): TeamMember | null {
  const r = db.prepare("SELECT * FROM team_members WHERE id = ?").get(memberId) as MemberRow | undefined;
  return r ? toMember(r) : null;
}

/** Runs on every call the pane makes (who is calling), hence prepared once. */
export function getMemberByEntra(db: Db, tenantId: string, objectId: string): TeamMember | null {
  const r = preparedOnce<[string, string], MemberRow>(db, "SELECT * FROM team_members WHERE entra_tid = ? AND entra_oid = ?").get(tenantId, objectId);
  return r ? toMember(r) : null;
}

export function listMembers(db: Db, orgId: string): TeamMember[] {
  return (db.prepare("SELECT * FROM team_members WHERE organisation_id = ? ORDER BY external_id").all(orgId) as MemberRow[]).map(
    toMember,
  );
}

export function listAliases(db: Db, memberId: string): MemberAlias[] {
  return db
    .prepare("SELECT address, source FROM member_aliases WHERE member_id = ? ORDER BY address")
    .all(memberId) as MemberAlias[];
}

/** The member's primary address first, then every alias: what "sent by this member" means. */
export function memberAddresses(db: Db, memberId: string): string[] {
  const m = getMember(db, memberId);
  if (!m) return [];
  return [m.primaryAddress, ...listAliases(db, memberId).map((a) => a.address).filter((a) => a !== m.primaryAddress)];
}

export function companyDomains(db: Db, orgId: string): { domain: string; source: "team_member" | "admin" }[] {
  return db
    .prepare("SELECT domain, source FROM company_domains WHERE organisation_id = ? ORDER BY domain, source")
    .all(orgId) as { domain: string; source: "team_member" | "admin" }[];
}

export function countCustomersWithDomain(db: Db, orgId: string): number {
  const r = db
    .prepare("SELECT COUNT(DISTINCT customer_id) AS n FROM customer_domains WHERE organisation_id = ?")
    .get(orgId) as { n: number };
  return r.n;
}

/** Every user (contact) with this address, in any customer of the organisation. */
export function findUsersByAddress(db: Db, orgId: string, address: string): User[] {
  return (db
    .prepare(
      `SELECT id, organisation_id AS organisationId, external_id AS externalId, name, address, customer_id AS customerId, created_at AS createdAt
       FROM users WHERE organisation_id = ? AND address = ? ORDER BY created_at, external_id`,
    )
    .all(orgId, address.toLowerCase()) as User[]);
}

export function findCustomersByDomain(db: Db, orgId: string, domain: string): Customer[] {
  const ids = db
    .prepare("SELECT customer_id FROM customer_domains WHERE organisation_id = ? AND domain = ?")
    .all(orgId, domain.toLowerCase()) as { customer_id: string }[];
  return ids.map((r) => getCustomer(db, orgId, r.customer_id)).filter((c): c is Customer => c !== null);
}

export function getCustomer(db: Db, orgId: string, customerId: string): Customer | null {
  const r = db
    .prepare(
      `SELECT id, organisation_id AS organisationId, external_id AS externalId, name, owner_member_id AS ownerMemberId, created_at AS createdAt
       FROM customers WHERE organisation_id = ? AND id = ?`,
    )
    .get(orgId, customerId) as Omit<Customer, "domains"> | undefined;
  if (!r) return null;
  const domains = (db.prepare("SELECT domain FROM customer_domains WHERE customer_id = ? ORDER BY domain").all(r.id) as {
    domain: string;
  }[]).map((d) => d.domain);
  return { ...r, domains };
}

/**
 * The whole directory of one organisation in memory: what a re-decision over six months of mail
 * needs without a query per message. Small organisations (thousands of contacts) fit easily.
 */
export interface DirectorySnapshot {
  organisationId: string;
  members: (TeamMember & { aliases: MemberAlias[] })[];
  companyDomains: string[];
  customers: Customer[];
  users: User[];
}

export function directorySnapshot(db: Db, orgId: string): DirectorySnapshot {
  const members = listMembers(db, orgId).map((m) => ({ ...m, aliases: listAliases(db, m.id) }));
  const domainsByCustomer = new Map<string, string[]>();
  for (const d of db
    .prepare("SELECT customer_id, domain FROM customer_domains WHERE organisation_id = ? ORDER BY domain")
    .all(orgId) as { customer_id: string; domain: string }[]) {
    const list = domainsByCustomer.get(d.customer_id) ?? [];
    list.push(d.domain);
    domainsByCustomer.set(d.customer_id, list);
  }
  const customers = (db
    .prepare(
      `SELECT id, organisation_id AS organisationId, external_id AS externalId, name, owner_member_id AS ownerMemberId, created_at AS createdAt
       FROM customers WHERE organisation_id = ? ORDER BY external_id`,
    )
    .all(orgId) as Omit<Customer, "domains">[]).map((c) => ({ ...c, domains: domainsByCustomer.get(c.id) ?? [] }));
  const users = db
    .prepare(
      `SELECT id, organisation_id AS organisationId, external_id AS externalId, name, address, customer_id AS customerId, created_at AS createdAt
       FROM users WHERE organisation_id = ? ORDER BY external_id`,
    )
    .all(orgId) as User[];
  const domains = [...new Set(companyDomains(db, orgId).map((d) => d.domain))];
  return { organisationId: orgId, members, companyDomains: domains, customers, users };
}
