/** Address and domain normalisation: everything is compared lower-case and trimmed. */
import { z } from "zod";

export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? "" : address.slice(at + 1).toLowerCase();
}

/** A plain SMTP address (what Graph reports in emailAddress.address), lower-cased. */
export const smtpAddress = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: "must be an email address like name@example.com" }))
  .transform(normalizeAddress)
  .meta({ format: "email", description: "An email address; stored lower-case." });

const DOMAIN_PATTERN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/** A DNS domain like example.com; a leading "@" or "www." is tolerated and removed. */
export const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .transform((d) => d.replace(/^@/, "").replace(/^www\./, ""))
  .refine((d) => DOMAIN_PATTERN.test(d), { message: "must be a domain like example.com" })
  .meta({ format: "hostname", description: "A domain like example.com (a leading @ or www. is removed)." });
