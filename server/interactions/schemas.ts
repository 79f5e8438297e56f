/**
 * zod schemas for the preview and "why" requests (mirroring shared/api/contract.ts; the `satisfies`
 * checks keep them in step). Addresses are not required to be SMTP: Outlook can hand the pane an
 * Exchange X500 address, and the rules say what that means instead of rejecting the request.
 */
import { z } from "zod";
import type { MailAddress, OpenMessage, WhyRequest } from "../../shared/api/contract";

const text = (max: number) => z.string().max(max, { message: `must be at most ${max} characters` });

export const MailAddressSchema = z.object({
  name: text(512).optional(),
  address: z.string().trim().min(1, { message: "must not be empty" }).max(1024, { message: "must be at most 1024 characters" }),
});

export const OpenMessageSchema = z.object({
  internetMessageId: text(1024).optional(),
  restId: text(1024).optional(),
  conversationId: text(1024).optional(),
  subject: text(4096).optional(),
  from: MailAddressSchema.optional(),
  to: z.array(MailAddressSchema).max(1000, { message: "must list at most 1000 recipients" }),
  cc: z.array(MailAddressSchema).max(1000, { message: "must list at most 1000 recipients" }),
  dateTimeCreated: z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" }).optional(),
});

export const WhyRequestSchema = z
  .object({
    internetMessageId: text(1024).trim().min(1, { message: "must not be empty" }).optional(),
    restId: text(1024).trim().min(1, { message: "must not be empty" }).optional(),
  })
  .refine((v) => v.internetMessageId !== undefined || v.restId !== undefined, {
    message: "give the message's internetMessageId or restId",
    path: ["internetMessageId"],
  });

// Compile-time checks that the schemas produce exactly the contract's shapes.
type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const check = <T extends true>() => undefined as unknown as T;
check<Equal<z.output<typeof MailAddressSchema>, MailAddress>>();
check<Equal<z.output<typeof OpenMessageSchema>, OpenMessage>>();
check<Equal<z.output<typeof WhyRequestSchema>, WhyRequest>>();
