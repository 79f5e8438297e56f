/**
 * One organisation's directory, in memory, as the decisions need it: the plain DirectoryIndex
 * (shared/matching), each member's context (addresses + toggles), and the key translation for the
 * sync's hashed facts. Rebuilt when the directory version changes; the version is one cheap query,
 * so a change made by another process (the CSV import) is noticed on the next use.
 *
 * Hashing every directory address is the expensive part of a rebuild (100,000 contacts ≈ 200 ms),
 * so hashes are memoised per organisation across rebuilds: after one contact is added only that
 * contact is hashed.
 */
import crypto from "node:crypto";
import { preparedOnce, type Db } from "../db/database";
import { companyDomains, listAliases, listMembers } from "../directory/read";
import type { AddressKeyer } from "../sync/address-keys";
import { normalizeAddress, normalizeDomain, parseDomainList } from "../../shared/matching/addresses";
import {
  buildDirectoryIndex,
  memberContext,
  plainKeys,
  type Directory,
  type DirectoryIndex,
  type MatchSettings,
  type MemberContext,
  type UserRef,
} from "../../shared/matching/directory";
import type { KeyTranslation } from "./decisions";

/**
 * The directory as the decisions need it, read with lean queries (100,000 contacts load in a few
 * hundred milliseconds; the full DirectorySnapshot of server/directory carries more than this needs).
 */
export interface LeanSnapshot {
  members: { id: string; name: string; primaryAddress: string; settings: MatchSettings; aliases: string[] }[];
  companyDomains: string[];
  customers: { id: string; name: string; ownerMemberId: string | null; domains: string[] }[];
  users: { id: string; name: string; address: string; customerId: string; createdAt: string }[];
}

export function loadDirectory(db: Db, orgId: string): LeanSnapshot {
  const members = listMembers(db, orgId).map((m) => ({
    id: m.id,
    name: m.name,
    primaryAddress: m.primaryAddress,
    settings: { ...m.settings },
    aliases: listAliases(db, m.id).map((a) => a.address),
  }));
  const domains = new Map<string, string[]>();
  for (const [customerId, domain] of db
    .prepare<[string], [string, string]>("SELECT customer_id, domain FROM customer_domains WHERE organisation_id = ? ORDER BY domain")
    .raw()
    .all(orgId)) {
    const list = domains.get(customerId);
    if (list) list.push(domain);
    else domains.set(customerId, [domain]);
  }
  const customers = db
    .prepare<[string], [string, string, string | null]>("SELECT id, name, owner_member_id FROM customers WHERE organisation_id = ? ORDER BY id")
    .raw()
    .all(orgId)
    .map(([id, name, ownerMemberId]) => ({ id, name, ownerMemberId, domains: domains.get(id) ?? [] }));
  // created_at order: when one address is on several records, the oldest record comes first.
  const users = db
    .prepare<[string], [string, string, string, string, string]>(
      "SELECT id, name, address, customer_id, created_at FROM users WHERE organisation_id = ? ORDER BY created_at, id",
    )
    .raw()
    .all(orgId)
    .map(([id, name, address, customerId, createdAt]) => ({ id, name, address, customerId, createdAt }));
  return { members, companyDomains: [...new Set(companyDomains(db, orgId).map((d) => d.domain))], customers, users };
}

export interface OrgDirectory extends KeyTranslation {
  organisationId: string;
  /** Opaque: changes whenever anything a decision depends on changes. */
  version: string;
  snapshot: LeanSnapshot;
  index: DirectoryIndex;
  contexts: ReadonlyMap<string, MemberContext>;
  settings: ReadonlyMap<string, MatchSettings>;
  memberIds: readonly string[];
  customerIds: ReadonlySet<string>;
  /** Keyer of this organisation (HMAC of addresses and domains), memoised: for directory addresses. */
  addressKey(address: string): string;
  /** The same HMAC without memoising: for addresses of strangers (message details), which must not accumulate. */
  hashAddress(address: string): string;
  domainKey(domain: string): string;
}

/** Memoises an organisation's keyer; the maps only grow with the directory's own addresses and domains. */
export class MemoKeyer {
  private readonly addresses = new Map<string, string>();
  private readonly domains = new Map<string, string>();
  constructor(readonly keyer: AddressKeyer) {}
  addressKey(normalized: string): string {
    let k = this.addresses.get(normalized);
    if (k === undefined) {
      k = this.keyer.addressKey(normalized);
      this.addresses.set(normalized, k);
    }
    return k;
  }
  domainKey(normalized: string): string {
    let k = this.domains.get(normalized);
    if (k === undefined) {
      k = this.keyer.domainKey(normalized);
      this.domains.set(normalized, k);
    }
    return k;
  }
}

const VERSION_SQL = `
SELECT o.directory_updated_at AS d,
  (SELECT group_concat(x, ';') FROM (SELECT id || ':' || primary_address || ':' || sync_to_customers_by_domain
     || sync_unknown_sender || sync_unknown_organizer || ':' || name AS x
     FROM team_members WHERE organisation_id = o.id ORDER BY id)) AS m,
  (SELECT group_concat(y, ';') FROM (SELECT a.member_id || '>' || a.address AS y FROM member_aliases a
     JOIN team_members t ON t.id = a.member_id WHERE t.organisation_id = o.id ORDER BY 1)) AS a
FROM organisations o WHERE o.id = ?`;

/**
 * Per database, the last input → version of each organisation, so an unchanged directory is not hashed
 * again (the version is asked for on every preview; so is its query, prepared once).
 */
const lastVersions = new WeakMap<Db, Map<string, { input: string; version: string }>>();

/** The directory version: the directory's own timestamp plus everything per member (toggles, aliases). */
export function directoryVersion(db: Db, orgId: string): string | null {
  const r = preparedOnce<[string], { d: string | null; m: string | null; a: string | null }>(db, VERSION_SQL).get(orgId);
  if (!r) return null;
  const input = `${r.d ?? ""}\u0000${r.m ?? ""}\u0000${r.a ?? ""}`;
  let versions = lastVersions.get(db);
  if (!versions) lastVersions.set(db, (versions = new Map()));
  const last = versions.get(orgId);
  if (last && last.input === input) return last.version;
  const version = crypto.createHash("sha256").update(input).digest("base64url");
  if (versions.size > 1000) versions.clear();
  versions.set(orgId, { input, version });
  return version;
}

export function snapshotToDirectory(s: LeanSnapshot): Directory {
  const memberNames = new Map(s.members.map((m) => [m.id, m.name]));
  return {
    teamMembers: s.members.map((m) => ({ id: m.id, name: m.name, primaryAddress: m.primaryAddress, aliases: m.aliases })),
    customers: s.customers.map((c) => ({
      id: c.id,
      name: c.name,
      owner: c.ownerMemberId ? (memberNames.get(c.ownerMemberId) ?? null) : null,
      domains: c.domains,
    })),
    users: s.users.map((u) => ({ id: u.id, name: u.name, address: u.address, customerId: u.customerId, createdAt: u.createdAt })),
    addedCompanyDomains: s.companyDomains,
  };
}

export function buildOrgDirectory(db: Db, orgId: string, version: string, keyer: MemoKeyer): OrgDirectory {
  const snapshot = loadDirectory(db, orgId);
  const index = buildDirectoryIndex(snapshotToDirectory(snapshot), plainKeys);
  const addressByKey = new Map<string, string>();
  const domainByKey = new Map<string, string>();
  const addAddress = (raw: string) => {
    const n = normalizeAddress(raw);
    if (n) addressByKey.set(keyer.addressKey(n), n);
  };
  const addDomain = (d: string) => {
    if (d) domainByKey.set(keyer.domainKey(d), d);
  };
  for (const u of index.users.values()) if (u.address) addressByKey.set(keyer.addressKey(u.address), u.address);
  for (const m of index.members.values()) for (const a of m.addresses) addAddress(a);
  for (const d of index.companyDomains) addDomain(d);
  for (const c of snapshot.customers) for (const d of parseDomainList(c.domains)) addDomain(d);

  const settings = new Map<string, MatchSettings>();
  const contexts = new Map<string, MemberContext>();
  for (const m of snapshot.members) {
    settings.set(m.id, { ...m.settings });
    contexts.set(m.id, memberContext(index, m.id, m.settings));
  }
  return {
    organisationId: orgId,
    version,
    snapshot,
    index,
    contexts,
    settings,
    memberIds: snapshot.members.map((m) => m.id),
    customerIds: new Set(snapshot.customers.map((c) => c.id)),
    addressByKey,
    domainByKey,
    addressKey: (a) => {
      const n = normalizeAddress(a);
      return n ? keyer.addressKey(n) : "";
    },
    hashAddress: (a) => keyer.keyer.addressKey(a),
    domainKey: (d) => {
      const n = normalizeDomain(d);
      return n ? keyer.domainKey(n) : "";
    },
  };
}

/** What changed between two versions of the directory, as keys the facts can be searched for. */
export interface DirectoryDiff {
  /** HMAC keys of addresses and domains whose meaning changed; facts without any of them decide the same. */
  keys: Set<string>;
  /** Members whose toggles changed: every one of their facts may decide differently. */
  mailMembers: Set<string>;
  eventMembers: Set<string>;
  /** Nothing can be said cheaply (e.g. too many changes): decide everything. */
  everything: boolean;
}

function sameRefs(a: readonly UserRef[] | undefined, b: readonly UserRef[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.userId !== b[i]!.userId || a[i]!.customerId !== b[i]!.customerId) return false;
  return true;
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Keys of two lookups whose values differ (the index's lookups are Maps; anything else cannot be diffed). */
function diffLookups<T>(a: unknown, b: unknown, same: (x: T | undefined, y: T | undefined) => boolean, changed: (key: string) => void): boolean {
  if (!(a instanceof Map) || !(b instanceof Map)) return false;
  for (const [k, v] of a as Map<string, T>) if (!same(v, (b as Map<string, T>).get(k))) changed(k);
  for (const k of (b as Map<string, T>).keys()) if (!(a as Map<string, T>).has(k)) changed(k);
  return true;
}

/** Past this many changed keys a full pass over the window is cheaper than searching for each. */
export const MAX_DIFF_KEYS = 48;

export function diffDirectories(before: OrgDirectory, after: OrgDirectory): DirectoryDiff {
  const keys = new Set<string>();
  const diff: DirectoryDiff = { keys, mailMembers: new Set(), eventMembers: new Set(), everything: false };
  // The plain index's keys are normalised addresses and domains; the facts hold their HMAC keys.
  const addAddress = (a: string) => keys.add(after.addressKey(a));
  const addDomain = (d: string) => keys.add(after.domainKey(d));
  const b = before.index;
  const a = after.index;
  const ok =
    diffLookups<readonly UserRef[]>(b.usersByKey, a.usersByKey, sameRefs, addAddress) &&
    diffLookups<string>(b.teamMemberByKey, a.teamMemberByKey, (x, y) => x === y, addAddress) &&
    diffLookups<readonly string[]>(b.customersByDomainKey, a.customersByDomainKey, sameList, addDomain);
  if (!ok) {
    diff.everything = true;
    return diff;
  }
  const cdBefore = new Set(b.companyDomains);
  const cdAfter = new Set(a.companyDomains);
  for (const d of cdBefore) if (!cdAfter.has(d)) addDomain(d);
  for (const d of cdAfter) if (!cdBefore.has(d)) addDomain(d);
  // A member's own addresses decide direction and "owner" even where teamMemberByKey is unchanged.
  for (const [id, m] of a.members) {
    const old = b.members.get(id);
    if (!old || !sameList(old.addresses, m.addresses)) for (const x of [...m.addresses, ...(old?.addresses ?? [])]) addAddress(x);
  }
  for (const [id, m] of b.members) if (!a.members.has(id)) for (const x of m.addresses) addAddress(x);

  for (const [id, s] of after.settings) {
    const old = before.settings.get(id);
    if (!old) continue; // a new member: their addresses are in keys already
    const domain = old.syncToCustomersByDomain !== s.syncToCustomersByDomain;
    if (domain || old.syncUnknownSender !== s.syncUnknownSender) diff.mailMembers.add(id);
    if (domain || old.syncUnknownOrganizer !== s.syncUnknownOrganizer) diff.eventMembers.add(id);
  }
  keys.delete("");
  if (keys.size > MAX_DIFF_KEYS) diff.everything = true;
  return diff;
}
