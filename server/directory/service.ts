/**
 * Directory writes: bulk upserts by external id, all-or-nothing per call. Every row is checked
 * first (shape, references, clashes); if any row has a problem nothing is written and the error
 * lists every problem by row index and field. The REST routes and the CSV import both call these.
 */
import { z } from "zod";
import type { Db } from "../db/database";
import { nowIso } from "../db/database";
import { HttpError, fieldPath, notFound, type RowError } from "../api/errors";
import { newApiKey, newId, sha256 } from "../security/secrets";
import { domainOf } from "./addresses";
import {
  CustomerInput,
  TeamMemberInput,
  UserInput,
  type CustomerView,
  type TeamMemberView,
  type UpsertResult,
  type UserView,
} from "./schemas";
import { listAliases } from "./read";

export type Collection = "teamMembers" | "customers" | "users";

function validateRows<S extends z.ZodType>(schema: S, rows: readonly unknown[]): { parsed: z.output<S>[]; errors: RowError[] } {
  const parsed: z.output<S>[] = [];
  const errors: RowError[] = [];
  rows.forEach((row, index) => {
    const r = schema.safeParse(row);
    if (r.success) parsed[index] = r.data;
    else for (const issue of r.error.issues) errors.push({ index, field: fieldPath(issue.path) || "(row)", message: issue.message });
  });
  return { parsed, errors };
}

function rejectIfErrors(collection: Collection, total: number, errors: RowError[]): void {
  if (errors.length === 0) return;
  errors.sort((a, b) => a.index - b.index);
  const badRows = new Set(errors.map((e) => e.index)).size;
  const first = errors[0]!;
  throw new HttpError(
    400,
    "invalid_request",
    `${badRows} of ${total} ${badRows === 1 ? "row has" : "rows have"} problems; nothing was saved. First: row ${first.index}, ${first.field}: ${first.message}`,
    `${collection}.${first.index}.${first.field}`,
    errors,
  );
}

function duplicateCheck(values: (string | undefined)[], field: string, errors: RowError[], what: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, index) => {
    if (v === undefined) return;
    const earlier = seen.get(v);
    if (earlier !== undefined) errors.push({ index, field, message: `${what} "${v}" also appears in row ${earlier}` });
    else seen.set(v, index);
  });
}

function touchDirectory(db: Db, orgId: string): void {
  db.prepare("UPDATE organisations SET directory_updated_at = ? WHERE id = ?").run(nowIso(), orgId);
}

/** Company domains derived from team members' primary addresses; admin-added ones are kept. */
export function refreshMemberDomains(db: Db, orgId: string): void {
  db.prepare("DELETE FROM company_domains WHERE organisation_id = ? AND source = 'team_member'").run(orgId);
  const addresses = db.prepare("SELECT primary_address FROM team_members WHERE organisation_id = ?").all(orgId) as {
    primary_address: string;
  }[];
  const insert = db.prepare(
    "INSERT OR IGNORE INTO company_domains (organisation_id, domain, source, created_at) VALUES (?, ?, 'team_member', ?)",
  );
  const now = nowIso();
  for (const d of new Set(addresses.map((a) => domainOf(a.primary_address)).filter(Boolean))) insert.run(orgId, d, now);
}

// ---------------------------------------------------------------- organisations and API keys

export function createOrganisation(db: Db, name: string, id: string = newId()): string {
  db.prepare("INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)").run(id, name, nowIso());
  return id;
}

/** Creates (or replaces) the organisation's API key; the key is returned once and only its hash is kept. */
export function rotateApiKey(db: Db, orgId: string): string {
  const key = newApiKey();
  const r = db.prepare("UPDATE organisations SET api_key_hash = ? WHERE id = ?").run(sha256(key), orgId);
  if (r.changes === 0) throw notFound("No such organisation");
  return key;
}

export function organisationForApiKey(db: Db, key: string): string | null {
  const r = db.prepare("SELECT id FROM organisations WHERE api_key_hash = ?").get(sha256(key)) as { id: string } | undefined;
  return r?.id ?? null;
}

// ---------------------------------------------------------------- team members

export function upsertTeamMembers(db: Db, orgId: string, rows: readonly unknown[]): UpsertResult {
  const { parsed, errors } = validateRows(TeamMemberInput, rows);
  duplicateCheck(parsed.map((r) => r?.externalId), "externalId", errors, "externalId");
  duplicateCheck(parsed.map((r) => r?.primaryAddress), "primaryAddress", errors, "primaryAddress");

  const byExternal = db.prepare("SELECT id, entra_tid, entra_oid FROM team_members WHERE organisation_id = ? AND external_id = ?");
  const byAddress = db.prepare("SELECT external_id FROM team_members WHERE organisation_id = ? AND primary_address = ?");
  const byEntra = db.prepare("SELECT id, organisation_id, external_id FROM team_members WHERE entra_tid = ? AND entra_oid = ?");
  const aliasHolder = db.prepare(
    `SELECT m.external_id FROM member_aliases a JOIN team_members m ON m.id = a.member_id
     WHERE m.organisation_id = ? AND a.address = ? AND m.external_id <> ? LIMIT 1`,
  );
  const requestAddresses = new Map(parsed.filter(Boolean).map((r) => [r.primaryAddress, r.externalId]));

  parsed.forEach((row, index) => {
    if (!row) return;
    const existing = byExternal.get(orgId, row.externalId) as { id: string; entra_tid: string | null } | undefined;
    const holder = byAddress.get(orgId, row.primaryAddress) as { external_id: string } | undefined;
    // Another member keeps this address unless the same request moves it away from them.
    if (holder && holder.external_id !== row.externalId && !parsed.some((p) => p?.externalId === holder.external_id)) {
      errors.push({ index, field: "primaryAddress", message: `already the primary address of team member "${holder.external_id}"` });
    }
    if (row.entraObjectId) {
      const tid = row.entraTenantId ?? existing?.entra_tid ?? undefined;
      if (!tid) errors.push({ index, field: "entraTenantId", message: "is required together with entraObjectId" });
      else {
        const other = byEntra.get(tid, row.entraObjectId) as { id: string; organisation_id: string; external_id: string } | undefined;
        if (other && other.id !== existing?.id) {
          errors.push({
            index,
            field: "entraObjectId",
            message:
              other.organisation_id === orgId
                ? `already linked to team member "${other.external_id}"`
                : "this Microsoft account is already linked to a team member of another organisation",
          });
        }
      }
    }
    const aliasOwner = aliasHolder.get(orgId, row.primaryAddress, row.externalId) as { external_id: string } | undefined;
    if (aliasOwner) errors.push({ index, field: "primaryAddress", message: `is an alias of team member "${aliasOwner.external_id}"` });
    row.aliases?.forEach((alias, i) => {
      const owner = requestAddresses.get(alias) ?? (byAddress.get(orgId, alias) as { external_id: string } | undefined)?.external_id;
      if (owner && owner !== row.externalId) {
        errors.push({ index, field: `aliases.${i}`, message: `is the primary address of team member "${owner}"` });
        return;
      }
      const other = aliasHolder.get(orgId, alias, row.externalId) as { external_id: string } | undefined;
      if (other) errors.push({ index, field: `aliases.${i}`, message: `is already an alias of team member "${other.external_id}"` });
    });
  });
  rejectIfErrors("teamMembers", rows.length, errors);

  let created = 0;
  let updated = 0;
  db.transaction(() => {
    const now = nowIso();
    // Free addresses that move between members in this request before re-assigning them.
    const park = db.prepare("UPDATE team_members SET primary_address = '#moving:' || id WHERE organisation_id = ? AND external_id = ?");
    for (const row of parsed) park.run(orgId, row.externalId);

    const insert = db.prepare(
      `INSERT INTO team_members (id, organisation_id, external_id, name, primary_address, is_admin, entra_oid, entra_tid, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const update = db.prepare(
      `UPDATE team_members SET name = ?, primary_address = ?, is_admin = COALESCE(?, is_admin),
         entra_oid = COALESCE(?, entra_oid), entra_tid = COALESCE(?, entra_tid), updated_at = ? WHERE id = ?`,
    );
    const clearManual = db.prepare("DELETE FROM member_aliases WHERE member_id = ? AND source = 'manual'");
    const addAlias = db.prepare(
      "INSERT OR IGNORE INTO member_aliases (member_id, address, source, created_at) VALUES (?, ?, 'manual', ?)",
    );
    for (const row of parsed) {
      const existing = byExternal.get(orgId, row.externalId) as { id: string } | undefined;
      let id: string;
      if (existing) {
        id = existing.id;
        update.run(
          row.name,
          row.primaryAddress,
          row.isAdmin === undefined ? null : Number(row.isAdmin),
          row.entraObjectId ?? null,
          row.entraTenantId ?? null,
          now,
          id,
        );
        updated++;
      } else {
        id = newId();
        insert.run(id, orgId, row.externalId, row.name, row.primaryAddress, Number(row.isAdmin ?? false), row.entraObjectId ?? null, row.entraTenantId ?? null, now, now);
        created++;
      }
      if (row.aliases) {
        clearManual.run(id);
        for (const a of row.aliases) if (a !== row.primaryAddress) addAlias.run(id, a, now);
      }
    }
    refreshMemberDomains(db, orgId);
    touchDirectory(db, orgId);
  })();
  return { created, updated };
}

function connectionStateOf(db: Db, memberId: string): TeamMemberView["connectionState"] {
  const r = db.prepare("SELECT state FROM connections WHERE member_id = ?").get(memberId) as { state: TeamMemberView["connectionState"] } | undefined;
  return r?.state ?? "not_connected";
}

export function listTeamMembersView(db: Db, orgId: string, after: string | undefined, limit: number): { teamMembers: TeamMemberView[]; next: string | null } {
  const rows = db
    .prepare(
      `SELECT id, external_id, name, primary_address, is_admin, entra_oid, entra_tid FROM team_members
       WHERE organisation_id = ? AND external_id > ? ORDER BY external_id LIMIT ?`,
    )
    .all(orgId, after ?? "", limit + 1) as {
    id: string;
    external_id: string;
    name: string;
    primary_address: string;
    is_admin: number;
    entra_oid: string | null;
    entra_tid: string | null;
  }[];
  const page = rows.slice(0, limit);
  return {
    teamMembers: page.map((r) => ({
      externalId: r.external_id,
      name: r.name,
      primaryAddress: r.primary_address,
      isAdmin: r.is_admin === 1,
      aliases: listAliases(db, r.id),
      entraObjectId: r.entra_oid,
      entraTenantId: r.entra_tid,
      connectionState: connectionStateOf(db, r.id),
    })),
    next: rows.length > limit ? page[page.length - 1]!.external_id : null,
  };
}

/** Deletes a team member; returns their internal id (for hooks) or null when unknown. */
export function deleteTeamMember(db: Db, orgId: string, externalId: string): string | null {
  return db.transaction(() => {
    const r = db.prepare("SELECT id FROM team_members WHERE organisation_id = ? AND external_id = ?").get(orgId, externalId) as
      | { id: string }
      | undefined;
    if (!r) return null;
    db.prepare("DELETE FROM team_members WHERE id = ?").run(r.id);
    refreshMemberDomains(db, orgId);
    touchDirectory(db, orgId);
    return r.id;
  })();
}

// ---------------------------------------------------------------- customers

export function upsertCustomers(db: Db, orgId: string, rows: readonly unknown[]): UpsertResult {
  const { parsed, errors } = validateRows(CustomerInput, rows);
  duplicateCheck(parsed.map((r) => r?.externalId), "externalId", errors, "externalId");
  const ownerByAddress = db.prepare(
    `SELECT id FROM team_members WHERE organisation_id = ? AND primary_address = ?
     UNION SELECT m.id FROM member_aliases a JOIN team_members m ON m.id = a.member_id WHERE m.organisation_id = ? AND a.address = ?
     LIMIT 1`,
  );
  const owners: (string | null | undefined)[] = [];
  parsed.forEach((row, index) => {
    if (!row) return;
    if (row.ownerAddress === undefined) owners[index] = undefined;
    else if (row.ownerAddress === null) owners[index] = null;
    else {
      const owner = ownerByAddress.get(orgId, row.ownerAddress, orgId, row.ownerAddress) as { id: string } | undefined;
      if (!owner) errors.push({ index, field: "ownerAddress", message: `no team member has the address ${row.ownerAddress}` });
      owners[index] = owner?.id;
    }
  });
  rejectIfErrors("customers", rows.length, errors);

  let created = 0;
  let updated = 0;
  db.transaction(() => {
    const now = nowIso();
    const find = db.prepare("SELECT id FROM customers WHERE organisation_id = ? AND external_id = ?");
    const insert = db.prepare(
      "INSERT INTO customers (id, organisation_id, external_id, name, owner_member_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const update = db.prepare("UPDATE customers SET name = ?, updated_at = ? WHERE id = ?");
    const setOwner = db.prepare("UPDATE customers SET owner_member_id = ? WHERE id = ?");
    const clearDomains = db.prepare("DELETE FROM customer_domains WHERE customer_id = ?");
    const addDomain = db.prepare("INSERT OR IGNORE INTO customer_domains (customer_id, organisation_id, domain) VALUES (?, ?, ?)");
    parsed.forEach((row, index) => {
      const existing = find.get(orgId, row.externalId) as { id: string } | undefined;
      let id: string;
      if (existing) {
        id = existing.id;
        update.run(row.name, now, id);
        if (owners[index] !== undefined) setOwner.run(owners[index], id);
        updated++;
      } else {
        id = newId();
        insert.run(id, orgId, row.externalId, row.name, owners[index] ?? null, now, now);
        created++;
      }
      if (row.domains) {
        clearDomains.run(id);
        for (const d of row.domains) addDomain.run(id, orgId, d);
      }
    });
    touchDirectory(db, orgId);
  })();
  return { created, updated };
}

export function listCustomersView(db: Db, orgId: string, after: string | undefined, limit: number): { customers: CustomerView[]; next: string | null } {
  const rows = db
    .prepare(
      `SELECT c.id, c.external_id, c.name, m.primary_address AS owner, c.created_at, c.updated_at
       FROM customers c LEFT JOIN team_members m ON m.id = c.owner_member_id
       WHERE c.organisation_id = ? AND c.external_id > ? ORDER BY c.external_id LIMIT ?`,
    )
    .all(orgId, after ?? "", limit + 1) as {
    id: string;
    external_id: string;
    name: string;
    owner: string | null;
    created_at: string;
    updated_at: string;
  }[];
  const page = rows.slice(0, limit);
  const domains = db.prepare("SELECT domain FROM customer_domains WHERE customer_id = ? ORDER BY domain");
  return {
    customers: page.map((r) => ({
      externalId: r.external_id,
      name: r.name,
      ownerAddress: r.owner,
      domains: (domains.all(r.id) as { domain: string }[]).map((d) => d.domain),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    next: rows.length > limit ? page[page.length - 1]!.external_id : null,
  };
}

/** Deletes a customer and its users; returns false when unknown. */
export function deleteCustomer(db: Db, orgId: string, externalId: string): boolean {
  return db.transaction(() => {
    const r = db.prepare("DELETE FROM customers WHERE organisation_id = ? AND external_id = ?").run(orgId, externalId);
    if (r.changes > 0) touchDirectory(db, orgId);
    return r.changes > 0;
  })();
}

// ---------------------------------------------------------------- users (customer contacts)

export function upsertUsers(db: Db, orgId: string, rows: readonly unknown[]): UpsertResult {
  const { parsed, errors } = validateRows(UserInput, rows);
  duplicateCheck(parsed.map((r) => r?.externalId), "externalId", errors, "externalId");
  const customerByExternal = db.prepare("SELECT id FROM customers WHERE organisation_id = ? AND external_id = ?");
  const customerIds: string[] = [];
  parsed.forEach((row, index) => {
    if (!row) return;
    const c = customerByExternal.get(orgId, row.customerExternalId) as { id: string } | undefined;
    if (!c) errors.push({ index, field: "customerExternalId", message: `no customer has externalId "${row.customerExternalId}" (import customers first)` });
    else customerIds[index] = c.id;
  });
  rejectIfErrors("users", rows.length, errors);

  let created = 0;
  let updated = 0;
  db.transaction(() => {
    const now = nowIso();
    const find = db.prepare("SELECT id FROM users WHERE organisation_id = ? AND external_id = ?");
    const insert = db.prepare(
      "INSERT INTO users (id, organisation_id, external_id, name, address, customer_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    const update = db.prepare(
      "UPDATE users SET name = ?, address = ?, customer_id = ?, created_at = COALESCE(?, created_at), updated_at = ? WHERE id = ?",
    );
    parsed.forEach((row, index) => {
      const createdAt = row.createdAt ? new Date(row.createdAt).toISOString() : null;
      const existing = find.get(orgId, row.externalId) as { id: string } | undefined;
      if (existing) {
        update.run(row.name, row.address, customerIds[index], createdAt, now, existing.id);
        updated++;
      } else {
        insert.run(newId(), orgId, row.externalId, row.name, row.address, customerIds[index], createdAt ?? now, now);
        created++;
      }
    });
    touchDirectory(db, orgId);
  })();
  return { created, updated };
}

export function listUsersView(db: Db, orgId: string, after: string | undefined, limit: number): { users: UserView[]; next: string | null } {
  const rows = db
    .prepare(
      `SELECT u.external_id, u.name, u.address, c.external_id AS customer, u.created_at, u.updated_at
       FROM users u JOIN customers c ON c.id = u.customer_id
       WHERE u.organisation_id = ? AND u.external_id > ? ORDER BY u.external_id LIMIT ?`,
    )
    .all(orgId, after ?? "", limit + 1) as {
    external_id: string;
    name: string;
    address: string;
    customer: string;
    created_at: string;
    updated_at: string;
  }[];
  const page = rows.slice(0, limit);
  return {
    users: page.map((r) => ({
      externalId: r.external_id,
      name: r.name,
      address: r.address,
      customerExternalId: r.customer,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    next: rows.length > limit ? page[page.length - 1]!.external_id : null,
  };
}

export function deleteUser(db: Db, orgId: string, externalId: string): boolean {
  return db.transaction(() => {
    const r = db.prepare("DELETE FROM users WHERE organisation_id = ? AND external_id = ?").run(orgId, externalId);
    if (r.changes > 0) touchDirectory(db, orgId);
    return r.changes > 0;
  })();
}

// ---------------------------------------------------------------- company domains

/** Replaces the admin-added company domains. */
export function setAdminCompanyDomains(db: Db, orgId: string, domains: readonly string[]): void {
  db.transaction(() => {
    db.prepare("DELETE FROM company_domains WHERE organisation_id = ? AND source = 'admin'").run(orgId);
    const insert = db.prepare("INSERT OR IGNORE INTO company_domains (organisation_id, domain, source, created_at) VALUES (?, ?, 'admin', ?)");
    const now = nowIso();
    for (const d of new Set(domains)) insert.run(orgId, d, now);
    refreshMemberDomains(db, orgId);
    touchDirectory(db, orgId);
  })();
}
