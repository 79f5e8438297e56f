/**
 * zod schemas for the pane-facing JSON (mirroring shared/api/contract.ts). Requests are parsed
 * with them; responses are described with them in the OpenAPI document. The `satisfies` checks
 * keep them in step with the contract types.
 */
import { z } from "zod";
import type {
  AliasView as AliasViewT,
  AuthSessionResponse as AuthSessionResponseT,
  ConnectionStatus as ConnectionStatusT,
  MeResponse as MeResponseT,
  MemberSettings as MemberSettingsT,
  SettingsUpdate as SettingsUpdateT,
} from "../../shared/api/contract";
import { smtpAddress } from "../directory/addresses";

export const ConnectionStateSchema = z.enum([
  "not_connected",
  "connected",
  "initial_sync",
  "admin_consent_required",
  "connection_lost",
  "temporarily_failing",
]);

export const ConnectionStatusSchema = z.object({
  state: ConnectionStateSchema,
  label: z.string().describe('Exactly "Authenticated (revoke)" or "Click to start authentication"'),
  explanation: z.string(),
  accountAddress: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  progress: z.object({ itemsDone: z.number().int(), itemsEstimated: z.number().int().nullable() }).nullable(),
  adminConsentUrl: z.string().nullable(),
  lastError: z.string().nullable(),
  retryAt: z.string().nullable(),
});

export const MeResponseSchema = z.object({
  member: z.object({ id: z.string(), name: z.string(), primaryAddress: z.string(), isAdmin: z.boolean() }),
  organisation: z.object({ id: z.string(), name: z.string() }),
});

export const AuthSessionResponseSchema = z.object({ url: z.string() });

export const AliasViewSchema = z.object({ address: z.string(), source: z.enum(["manual", "discovered"]) });

export const MemberSettingsSchema = z.object({
  aliases: z.array(AliasViewSchema),
  syncToCustomersByDomain: z.boolean(),
  syncUnknownSender: z.boolean(),
  syncUnknownOrganizer: z.boolean(),
  customersWithDomainCount: z.number().int(),
});

export const SettingsUpdateSchema = z
  .object({
    syncToCustomersByDomain: z.boolean().optional(),
    syncUnknownSender: z.boolean().optional(),
    syncUnknownOrganizer: z.boolean().optional(),
  })
  .strict();

export const AddAliasSchema = z.object({ address: smtpAddress }).strict();

export const ApiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    rows: z.array(z.object({ index: z.number().int(), field: z.string(), message: z.string() })).optional(),
  }),
});

export const ApiKeyResponseSchema = z.object({ apiKey: z.string() });

// Compile-time checks that the schemas produce exactly the contract's shapes.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>() => undefined as unknown as T;
check<Equal<z.infer<typeof ConnectionStatusSchema>, ConnectionStatusT>>();
check<Equal<z.infer<typeof MeResponseSchema>, MeResponseT>>();
check<Equal<z.infer<typeof AuthSessionResponseSchema>, AuthSessionResponseT>>();
check<Equal<z.infer<typeof AliasViewSchema>, AliasViewT>>();
check<Equal<z.infer<typeof MemberSettingsSchema>, MemberSettingsT>>();
check<Equal<z.output<typeof SettingsUpdateSchema>, SettingsUpdateT>>();
