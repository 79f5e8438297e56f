/**
 * The directory API's request and response shapes (zod), shared by the REST routes, the CSV
 * import and the OpenAPI document.
 */
import { z } from "zod";
import { domainName, smtpAddress } from "./addresses";

export const MAX_ROWS_PER_REQUEST = 5000;

const externalId = z.string().trim().min(1, "must not be empty").max(200);
const name = z.string().trim().min(1, "must not be empty").max(300);
const guid = z.string().trim().toLowerCase().pipe(z.guid({ message: "must be a GUID" })).meta({ format: "uuid" });

export const TeamMemberInput = z
  .object({
    externalId,
    name,
    primaryAddress: smtpAddress,
    /** Omitted on update: unchanged. */
    isAdmin: z.boolean().optional(),
    /** Manual aliases; when given they replace the member's manual aliases. */
    aliases: z.array(smtpAddress).max(50).optional(),
    /** Entra object id (oid) of the member's Microsoft account, when known. */
    entraObjectId: guid.optional(),
    /** Entra tenant id (tid). With it but without the oid, the member is linked at first sign-in by address. */
    entraTenantId: guid.optional(),
  })
  .strict();
export type TeamMemberInput = z.output<typeof TeamMemberInput>;

export const CustomerInput = z
  .object({
    externalId,
    name,
    /** Primary address of the owning team member (the CSM); null clears it. */
    ownerAddress: smtpAddress.nullable().optional(),
    /** The custom "domain" field; when given it replaces the customer's domains. */
    domains: z.array(domainName).max(50).optional(),
  })
  .strict();
export type CustomerInput = z.output<typeof CustomerInput>;

export const UserInput = z
  .object({
    externalId,
    name: z.string().trim().max(300).default(""),
    address: smtpAddress,
    customerExternalId: externalId,
    /** When the contact was created in the product (mail before it did not match); defaults to now on create. */
    createdAt: z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time like 2024-05-01T09:00:00Z" }).optional(),
  })
  .strict();
export type UserInput = z.output<typeof UserInput>;

const rows = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, "must contain at least one row").max(MAX_ROWS_PER_REQUEST, `at most ${MAX_ROWS_PER_REQUEST} rows per request`);

export const PutTeamMembersBody = z.object({ teamMembers: rows(TeamMemberInput) }).strict();
export const PutCustomersBody = z.object({ customers: rows(CustomerInput) }).strict();
export const PutUsersBody = z.object({ users: rows(UserInput) }).strict();
export const PutCompanyDomainsBody = z
  .object({ domains: z.array(domainName).max(200) })
  .strict()
  .describe("Replaces the admin-added company domains; team members' domains are always included.");

export const UpsertResult = z.object({ created: z.number().int(), updated: z.number().int() });
export type UpsertResult = z.infer<typeof UpsertResult>;

export const TeamMemberView = z.object({
  externalId: z.string(),
  name: z.string(),
  primaryAddress: z.string(),
  isAdmin: z.boolean(),
  aliases: z.array(z.object({ address: z.string(), source: z.enum(["manual", "discovered"]) })),
  entraObjectId: z.string().nullable(),
  entraTenantId: z.string().nullable(),
  connectionState: z.enum(["not_connected", "connected", "admin_consent_required", "connection_lost"]),
});
export type TeamMemberView = z.infer<typeof TeamMemberView>;

export const CustomerView = z.object({
  externalId: z.string(),
  name: z.string(),
  ownerAddress: z.string().nullable(),
  domains: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CustomerView = z.infer<typeof CustomerView>;

export const UserView = z.object({
  externalId: z.string(),
  name: z.string(),
  address: z.string(),
  customerExternalId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type UserView = z.infer<typeof UserView>;

export const CompanyDomainView = z.object({ domain: z.string(), source: z.enum(["team_member", "admin"]) });

export const ListQuery = z.object({
  /** Return rows whose externalId sorts after this one (the previous page's `next`). */
  after: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export const listResponse = <K extends string, T extends z.ZodType>(key: K, item: T) =>
  z.object({ [key]: z.array(item), next: z.string().nullable() } as { [P in K]: z.ZodArray<T> } & { next: z.ZodNullable<z.ZodString> });
