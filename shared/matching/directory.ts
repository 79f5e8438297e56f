/**
 * The customer-success directory (team members, company domains, customers, users) and the
 * index the decision functions look things up in. Browser-safe.
 *
 * The index is built once per directory version with caller-supplied key functions: identity for
 * plain addresses (pane preview, "why"), a keyed hash on the server for the stored facts of mail
 * that did not match. Lookups are then plain Map reads, so a decision costs O(participants).
 */
import { domainOf, isSmtpAddress, normalizeAddress, parseDomainList, PUBLIC_MAIL_DOMAINS } from "./addresses";

export interface DirectoryTeamMember {
  id: string;
  name: string;
  primaryAddress: string;
  /** Aliases added in settings plus those discovered from the mailbox's proxyAddresses (X500 ones included). */
  aliases?: readonly string[];
}

export interface DirectoryCustomer {
  id: string;
  name: string;
  owner?: string | null;
  /** The custom domain field: one or more domains, as a list or as typed ("acme.com, acme.se"). */
  domains?: string | readonly string[] | null;
}

export interface DirectoryUser {
  id: string;
  name: string;
  address: string;
  customerId: string;
  /** When the user record was created (ISO string or epoch ms). */
  createdAt?: string | number | null;
}

export interface Directory {
  teamMembers: readonly DirectoryTeamMember[];
  customers: readonly DirectoryCustomer[];
  users: readonly DirectoryUser[];
  /** Company domains an admin added, on top of the domains of the team members' primary addresses. */
  addedCompanyDomains?: readonly string[];
}

/**
 * How addresses and domains become lookup keys. Both receive already-normalised input
 * (normalizeAddress / normalizeDomain). The same functions must be used for the index and for the
 * participants, or nothing will match.
 */
export interface KeyFunctions {
  keyOf(normalizedAddress: string): string;
  domainKeyOf(normalizedDomain: string): string;
}

/** Keys are the normalised plain values: for the pane, "why" and tests. */
export const plainKeys: KeyFunctions = Object.freeze({
  keyOf: (a: string) => a,
  domainKeyOf: (d: string) => d,
});

export interface Lookup<T> {
  get(key: string): T | undefined;
}
export interface KeySet {
  has(key: string): boolean;
}

export interface UserRef {
  userId: string;
  customerId: string;
  /** Epoch ms; NaN when unknown. */
  createdAt: number;
}

export interface IndexedMember {
  id: string;
  name: string;
  /** Normalised. */
  primaryAddress: string;
  /** Normalised plain addresses, primary first, then aliases. */
  addresses: readonly string[];
  addressKeys: ReadonlySet<string>;
}

export interface IndexedCustomer {
  id: string;
  name: string;
  owner: string | null;
  /** Normalised domains used for domain matching. */
  domains: readonly string[];
}

export interface IndexedUser {
  id: string;
  name: string;
  /** Normalised. */
  address: string;
  customerId: string;
  createdAt: number;
}

export interface IgnoredCustomerDomain {
  customerId: string;
  domain: string;
  reason: "public_mail_provider" | "company_domain";
}

/** Everything known about one address key: one Map read per participant. */
export interface AddressEntry {
  /** The team member this address belongs to (primary, alias, X500 alias), or null. */
  memberId: string | null;
  /** Every user record with this address, or null. */
  users: readonly UserRef[] | null;
}

/** Everything known about one domain key. */
export interface DomainEntry {
  company: boolean;
  /** Customers whose domain field names it (usable for matching), or null. */
  customers: readonly string[] | null;
}

export interface DirectoryIndex {
  readonly keys: KeyFunctions;
  /** What the decision reads: address key → team member and user records. */
  readonly addressEntries: Lookup<AddressEntry>;
  /** What the decision reads: domain key → company domain flag and customers. */
  readonly domainEntries: Lookup<DomainEntry>;
  /** Address key (primary, alias, X500 alias) → team member id. */
  readonly teamMemberByKey: Lookup<string>;
  /** Address key → every user record with that address (several records, even of different customers). */
  readonly usersByKey: Lookup<readonly UserRef[]>;
  /** Domain key → customers whose domain field names it (public mail providers and company domains left out). */
  readonly customersByDomainKey: Lookup<readonly string[]>;
  readonly companyDomainKeys: KeySet;

  // The plain side, for display and diagnosis.
  readonly members: ReadonlyMap<string, IndexedMember>;
  readonly customers: ReadonlyMap<string, IndexedCustomer>;
  readonly users: ReadonlyMap<string, IndexedUser>;
  /** Normalised company domains: the team members' primary domains plus the added ones. */
  readonly companyDomains: readonly string[];
  /** Domain-field entries that are not used for matching, so settings can warn about them. */
  readonly ignoredCustomerDomains: readonly IgnoredCustomerDomain[];
  /** Domain key → customers whose domain field names it although it is ignored (diagnosis only). */
  readonly ignoredDomainCustomersByKey: Lookup<readonly string[]>;
  /** Domain key → customers that already have users on that domain (suggestions for "add as user"). */
  readonly userCustomersByDomainKey: Lookup<readonly string[]>;
  /** Customers with at least one usable domain (the pane explains the domain setting when 0). */
  readonly customersWithDomainCount: number;
}

function toMs(v: string | number | null | undefined): number {
  if (v === null || v === undefined || v === "") return Number.NaN;
  return typeof v === "number" ? v : Date.parse(v);
}

function pushUnique<K>(map: Map<K, string[]>, key: K, value: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** Build the index. O(directory size); call again when the directory or an alias changes. */
export function buildDirectoryIndex(directory: Directory, keys: KeyFunctions = plainKeys): DirectoryIndex {
  const teamMemberByKey = new Map<string, string>();
  const members = new Map<string, IndexedMember>();
  const companyDomains: string[] = [];

  for (const m of directory.teamMembers) {
    const primary = normalizeAddress(m.primaryAddress);
    const addresses: string[] = [];
    if (primary) addresses.push(primary);
    for (const a of m.aliases ?? []) {
      const n = normalizeAddress(a);
      if (n && !addresses.includes(n)) addresses.push(n);
    }
    const addressKeys = new Set<string>();
    for (const a of addresses) {
      const k = keys.keyOf(a);
      addressKeys.add(k);
      // The first member to claim an address keeps it: two people cannot share one mailbox address.
      if (!teamMemberByKey.has(k)) teamMemberByKey.set(k, m.id);
    }
    members.set(m.id, { id: m.id, name: m.name, primaryAddress: primary, addresses, addressKeys });
    if (primary && isSmtpAddress(primary)) {
      const d = domainOf(primary);
      if (d && !companyDomains.includes(d)) companyDomains.push(d);
    }
  }
  for (const d of parseDomainList(directory.addedCompanyDomains ?? [])) {
    if (!companyDomains.includes(d)) companyDomains.push(d);
  }
  const companyDomainSet = new Set(companyDomains);
  const companyDomainKeys = new Set(companyDomains.map((d) => keys.domainKeyOf(d)));

  const customers = new Map<string, IndexedCustomer>();
  const customersByDomainKey = new Map<string, string[]>();
  const ignoredDomainCustomersByKey = new Map<string, string[]>();
  const ignoredCustomerDomains: IgnoredCustomerDomain[] = [];
  let customersWithDomainCount = 0;
  for (const c of directory.customers) {
    const usable: string[] = [];
    for (const d of parseDomainList(c.domains ?? [])) {
      const reason = companyDomainSet.has(d) ? "company_domain" : PUBLIC_MAIL_DOMAINS.has(d) ? "public_mail_provider" : null;
      if (reason) {
        ignoredCustomerDomains.push({ customerId: c.id, domain: d, reason });
        pushUnique(ignoredDomainCustomersByKey, keys.domainKeyOf(d), c.id);
        continue;
      }
      usable.push(d);
      pushUnique(customersByDomainKey, keys.domainKeyOf(d), c.id);
    }
    if (usable.length > 0) customersWithDomainCount++;
    customers.set(c.id, { id: c.id, name: c.name, owner: c.owner ?? null, domains: usable });
  }

  const usersByKey = new Map<string, UserRef[]>();
  const users = new Map<string, IndexedUser>();
  const userCustomersByDomainKey = new Map<string, string[]>();
  for (const u of directory.users) {
    const address = normalizeAddress(u.address);
    const createdAt = toMs(u.createdAt);
    users.set(u.id, { id: u.id, name: u.name, address, customerId: u.customerId, createdAt });
    if (!address) continue;
    const k = keys.keyOf(address);
    const refs = usersByKey.get(k);
    const ref: UserRef = { userId: u.id, customerId: u.customerId, createdAt };
    if (!refs) usersByKey.set(k, [ref]);
    else if (!refs.some((r) => r.userId === u.id)) refs.push(ref);
    if (isSmtpAddress(address)) {
      const d = domainOf(address);
      if (d && !companyDomainSet.has(d) && !PUBLIC_MAIL_DOMAINS.has(d)) pushUnique(userCustomersByDomainKey, keys.domainKeyOf(d), u.customerId);
    }
  }

  const addressEntries = new Map<string, AddressEntry>();
  for (const [k, memberId] of teamMemberByKey) addressEntries.set(k, { memberId, users: null });
  for (const [k, refs] of usersByKey) {
    const e = addressEntries.get(k);
    if (e) e.users = refs;
    else addressEntries.set(k, { memberId: null, users: refs });
  }
  const domainEntries = new Map<string, DomainEntry>();
  for (const k of companyDomainKeys) domainEntries.set(k, { company: true, customers: null });
  for (const [k, cs] of customersByDomainKey) {
    const e = domainEntries.get(k);
    if (e) e.customers = cs;
    else domainEntries.set(k, { company: false, customers: cs });
  }

  return {
    keys,
    addressEntries,
    domainEntries,
    teamMemberByKey,
    usersByKey,
    customersByDomainKey,
    companyDomainKeys,
    members,
    customers,
    users,
    companyDomains,
    ignoredCustomerDomains,
    ignoredDomainCustomersByKey,
    userCustomersByDomainKey,
    customersWithDomainCount,
  };
}

/**
 * The same index with one more user record, without copying it (O(1)): used by the diagnosis to
 * check that "add this address as a user of X" would really change the outcome.
 */
export function withExtraUser(index: DirectoryIndex, key: string, ref: UserRef): DirectoryIndex {
  const entries = index.addressEntries;
  const users = index.usersByKey;
  return {
    ...index,
    addressEntries: {
      get: (k: string) => {
        const e = entries.get(k);
        if (k !== key) return e;
        return { memberId: e?.memberId ?? null, users: [...(e?.users ?? []), ref] };
      },
    },
    usersByKey: { get: (k: string) => (k === key ? [...(users.get(k) ?? []), ref] : users.get(k)) },
  };
}

export interface MatchSettings {
  /** "Sync to customers instead of users". */
  syncToCustomersByDomain: boolean;
  /** "Sync emails where a team member and user are recipients but sender is unknown". */
  syncUnknownSender: boolean;
  /** "Sync events where a team member and user are participants but organiser is unknown". */
  syncUnknownOrganizer: boolean;
}

export const DEFAULT_SETTINGS: MatchSettings = Object.freeze({
  syncToCustomersByDomain: false,
  syncUnknownSender: false,
  syncUnknownOrganizer: false,
});

/** Whose mailbox or calendar the item comes from, and that member's settings. */
export interface MemberContext {
  memberId: string;
  /** Keys of the mailbox owner's addresses: primary and aliases (registered and discovered). */
  addressKeys: ReadonlySet<string>;
  settings: MatchSettings;
}

/**
 * The member context for a team member of the index. extraAddresses (plain) are added to the
 * member's own addresses, e.g. the mailbox's proxyAddresses before they were saved as aliases.
 */
export function memberContext(
  index: DirectoryIndex,
  memberId: string,
  settings: Partial<MatchSettings> = {},
  extraAddresses: readonly string[] = [],
): MemberContext {
  const member = index.members.get(memberId);
  let addressKeys: ReadonlySet<string> = member?.addressKeys ?? new Set<string>();
  if (extraAddresses.length > 0) {
    const s = new Set(addressKeys);
    for (const a of extraAddresses) {
      const n = normalizeAddress(a);
      if (n) s.add(index.keys.keyOf(n));
    }
    addressKeys = s;
  }
  return { memberId, addressKeys, settings: { ...DEFAULT_SETTINGS, ...settings } };
}
