/**
 * A small directory shared by the matching tests (and handy for the pane's stories): every rule
 * has an address here that exercises it.
 */
import type { Directory } from "./directory";

export const T0 = Date.parse("2024-05-15T12:00:00Z");

export const JANE_X500 = "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=3f2a9c-jane";

export function testDirectory(): Directory {
  return {
    teamMembers: [
      {
        id: "m1",
        name: "Jane Doe",
        primaryAddress: "jane@northwind.io",
        aliases: ["jane.doe@northwind.io", "jd@northwind-sales.com", `X500:${JANE_X500}`],
      },
      { id: "m2", name: "Tom Berg", primaryAddress: "Tom@Northwind.io" },
      { id: "m3", name: "Sam Lind", primaryAddress: "sam@nwind.se" },
    ],
    addedCompanyDomains: ["northwind-labs.com"],
    customers: [
      { id: "c1", name: "Acme", owner: "jane@northwind.io", domains: ["acme.com"] },
      { id: "c2", name: "Globex", domains: "globex.com, https://www.globex.co.uk/" },
      { id: "c3", name: "Initech", domains: [] },
      { id: "c4", name: "Umbrella", domains: ["gmail.com", "umbrella.org"] },
      { id: "c5", name: "Hooli", domains: ["northwind.io"] },
      { id: "c6", name: "Acme Nordics", domains: ["acme.com"] },
    ],
    users: [
      { id: "u1", name: "Alice Andersson", address: "alice@acme.com", customerId: "c1", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u2", name: "Bob Baker", address: "bob@globex.com", customerId: "c2", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u3", name: "Carol Chen", address: "carol@initech.com", customerId: "c3", createdAt: "2024-06-01T09:00:00Z" },
      { id: "u4", name: "Pat Partner", address: "shared@partner.com", customerId: "c1", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u5", name: "Pat Partner", address: "shared@partner.com", customerId: "c2", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u6", name: "Dana Dup", address: "dup@acme.com", customerId: "c1", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u7", name: "Dana Duplicate", address: "Dup@Acme.com", customerId: "c1", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u8", name: "Ivan Insider", address: "insider@northwind.io", customerId: "c1", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u9", name: "Dave Dent", address: "  Dave@Initech.COM ", customerId: "c3", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u10", name: "Exchange Only", address: "/o=ExchangeLabs/ou=x/cn=Recipients/cn=ext-contact", customerId: "c3", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u11", name: "Tom (test user)", address: "tom@northwind.io", customerId: "c2", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u12", name: "Gus Gmail", address: "gus@gmail.com", customerId: "c4", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u13", name: "Lab Person", address: "labs@northwind-labs.com", customerId: "c3", createdAt: "2024-01-01T00:00:00Z" },
      { id: "u14", name: "Connie Consultant", address: "consultant@acme.com", customerId: "c3", createdAt: "2024-01-01T00:00:00Z" },
    ],
  };
}
