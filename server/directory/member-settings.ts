/**
 * A team member's own settings: the three sync toggles and their aliases. Manual aliases are
 * added by the member; discovered ones come from the mailbox's proxyAddresses at connect.
 */
import type { MemberSettings, SettingsUpdate } from "../../shared/api/contract";
import type { Db } from "../db/database";
import { nowIso } from "../db/database";
import { badRequest, conflict, notFound } from "../api/errors";
import { countCustomersWithDomain, getMember, listAliases, type TeamMember } from "./read";

export function getMemberSettings(db: Db, memberId: string): MemberSettings {
  const m = getMember(db, memberId);
  if (!m) throw notFound("No such team member");
  return {
    aliases: listAliases(db, memberId),
    syncToCustomersByDomain: m.settings.syncToCustomersByDomain,
    syncUnknownSender: m.settings.syncUnknownSender,
    syncUnknownOrganizer: m.settings.syncUnknownOrganizer,
    customersWithDomainCount: countCustomersWithDomain(db, m.organisationId),
  };
}

const COLUMNS: Record<keyof SettingsUpdate, string> = {
  syncToCustomersByDomain: "sync_to_customers_by_domain",
  syncUnknownSender: "sync_unknown_sender",
  syncUnknownOrganizer: "sync_unknown_organizer",
};

/** Returns true when something actually changed (so the sync only re-decides when needed). */
export function updateMemberSettings(db: Db, memberId: string, update: SettingsUpdate): boolean {
  const before = getMember(db, memberId);
  if (!before) throw notFound("No such team member");
  let changed = false;
  db.transaction(() => {
    for (const [key, column] of Object.entries(COLUMNS) as [keyof SettingsUpdate, string][]) {
      const value = update[key];
      if (value === undefined || value === before.settings[key]) continue;
      db.prepare(`UPDATE team_members SET ${column} = ?, updated_at = ? WHERE id = ?`).run(Number(value), nowIso(), memberId);
      changed = true;
    }
  })();
  return changed;
}

/** Who (in the organisation) already uses this address, if anyone other than `member`. */
function addressOwner(db: Db, member: TeamMember, address: string): string | null {
  const r = db
    .prepare(
      `SELECT name FROM team_members WHERE organisation_id = ? AND primary_address = ? AND id <> ?
       UNION SELECT m.name FROM member_aliases a JOIN team_members m ON m.id = a.member_id
       WHERE m.organisation_id = ? AND a.address = ? AND m.id <> ? LIMIT 1`,
    )
    .get(member.organisationId, address, member.id, member.organisationId, address, member.id) as { name: string } | undefined;
  return r?.name ?? null;
}

export function addManualAlias(db: Db, member: TeamMember, address: string): boolean {
  if (address === member.primaryAddress) throw badRequest("That is already your primary address", "address");
  const owner = addressOwner(db, member, address);
  if (owner) throw conflict(`${address} belongs to team member ${owner}; an address can belong to one team member only`, "address");
  const r = db
    .prepare("INSERT OR IGNORE INTO member_aliases (member_id, address, source, created_at) VALUES (?, ?, 'manual', ?)")
    .run(member.id, address, nowIso());
  return r.changes > 0;
}

export function removeManualAlias(db: Db, member: TeamMember, address: string): void {
  const row = db.prepare("SELECT source FROM member_aliases WHERE member_id = ? AND address = ?").get(member.id, address) as
    | { source: string }
    | undefined;
  if (!row) throw notFound(`${address} is not one of your aliases`);
  if (row.source === "discovered") {
    throw badRequest(`${address} is an address of your mailbox (found in Microsoft 365), so it cannot be removed here`, "address");
  }
  db.prepare("DELETE FROM member_aliases WHERE member_id = ? AND address = ?").run(member.id, address);
}

/**
 * Records the mailbox's own addresses as discovered aliases: new ones are added, discovered
 * ones the mailbox no longer has are removed; manual aliases are never touched. Addresses
 * that belong to another team member are skipped. Returns true when the set changed.
 */
export function replaceDiscoveredAliases(db: Db, member: TeamMember, addresses: readonly string[]): boolean {
  const wanted = new Set(addresses.map((a) => a.toLowerCase()).filter((a) => a !== member.primaryAddress));
  return db.transaction(() => {
    let changed = false;
    const current = listAliases(db, member.id);
    for (const a of current) {
      if (a.source === "discovered" && !wanted.has(a.address)) {
        db.prepare("DELETE FROM member_aliases WHERE member_id = ? AND address = ?").run(member.id, a.address);
        changed = true;
      }
    }
    const have = new Set(current.map((a) => a.address));
    for (const address of wanted) {
      if (have.has(address) || addressOwner(db, member, address)) continue;
      db.prepare("INSERT INTO member_aliases (member_id, address, source, created_at) VALUES (?, ?, 'discovered', ?)").run(
        member.id,
        address,
        nowIso(),
      );
      changed = true;
    }
    return changed;
  })();
}
