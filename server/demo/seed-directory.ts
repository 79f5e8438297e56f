/**
 * Loads a generated organisation (emulator/generator) into the directory, through the same
 * service functions the API uses: the organisation, team members linked to their Entra
 * accounts, the aliases they registered (mailboxAliases — not the unregisteredAlias, which the
 * pane's "why" explains), company domains, customers and their contacts. Idempotent: running it
 * again upserts by external id.
 */
import type { GeneratedOrganisation } from "../../emulator/generator/types";
import type { Db } from "../db/database";
import { getOrganisation } from "../directory/read";
import { createOrganisation, setAdminCompanyDomains, upsertCustomers, upsertTeamMembers, upsertUsers } from "../directory/service";

export interface SeededDirectory {
  organisationId: string;
  /** Entra object id → team member id. */
  memberIdsByOid: Record<string, string>;
}

/** The team member's external id in the seeded directory: their primary address (readable in the admin lists). */
export const seededMemberExternalId = (primaryAddress: string) => primaryAddress.toLowerCase();

export function seedDirectory(db: Db, gen: GeneratedOrganisation, options: { organisationId?: string } = {}): SeededDirectory {
  return db.transaction(() => {
    const organisationId =
      options.organisationId && getOrganisation(db, options.organisationId)
        ? options.organisationId
        : createOrganisation(db, gen.organisation.name, options.organisationId);

    upsertTeamMembers(
      db,
      organisationId,
      gen.teamMembers.map((m) => ({
        externalId: seededMemberExternalId(m.primaryAddress),
        name: m.displayName,
        primaryAddress: m.primaryAddress,
        isAdmin: m.isAdmin,
        aliases: m.mailboxAliases,
        entraObjectId: m.oid,
        entraTenantId: gen.tenant.id,
      })),
    );
    setAdminCompanyDomains(db, organisationId, gen.organisation.companyDomains);
    if (gen.customers.length > 0) {
      upsertCustomers(
        db,
        organisationId,
        gen.customers.map((c) => ({ externalId: c.externalId, name: c.name, ownerAddress: c.ownerAddress, domains: c.domains })),
      );
    }
    if (gen.contacts.length > 0) {
      upsertUsers(
        db,
        organisationId,
        gen.contacts.map((u) => ({
          externalId: u.externalId,
          name: u.name,
          address: u.address,
          customerExternalId: u.customerExternalId,
          createdAt: u.createdAt,
        })),
      );
    }
    const rows = db.prepare("SELECT id, entra_oid FROM team_members WHERE organisation_id = ? AND entra_oid IS NOT NULL").all(organisationId) as {
      id: string;
      entra_oid: string;
    }[];
    return { organisationId, memberIdsByOid: Object.fromEntries(rows.map((r) => [r.entra_oid, r.id])) };
  })();
}
