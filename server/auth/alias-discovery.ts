/**
 * The mailbox's own addresses, from GET {GRAPH_BASE_URL}/me?$select=proxyAddresses,mail,userPrincipalName:
 * every "smtp:"/"SMTP:" proxy address (X500:, SIP: … are not mail addresses) and `mail`.
 * The UPN is not used: it is a sign-in name and need not receive mail.
 */
import type { Db } from "../db/database";
import { replaceDiscoveredAliases } from "../directory/member-settings";
import { getMember } from "../directory/read";
import type { GraphTokenSource } from "./graph-token";

export interface MailboxIdentity {
  mail: string | null;
  userPrincipalName: string | null;
  addresses: string[];
}

export async function fetchMailboxAddresses(graphBaseUrl: string, accessToken: string): Promise<MailboxIdentity> {
  const res = await fetch(`${graphBaseUrl}/me?$select=proxyAddresses,mail,userPrincipalName`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(15_000),
  });
  if (!res.ok) throw new Error(`Graph /me answered ${res.status}`);
  const me = (await res.json()) as { mail?: string | null; userPrincipalName?: string | null; proxyAddresses?: string[] };
  const addresses = new Set<string>();
  for (const p of me.proxyAddresses ?? []) {
    const m = /^smtp:(.+)$/i.exec(p.trim());
    if (m) addresses.add(m[1]!.toLowerCase());
  }
  if (me.mail) addresses.add(me.mail.toLowerCase());
  return { mail: me.mail?.toLowerCase() ?? null, userPrincipalName: me.userPrincipalName?.toLowerCase() ?? null, addresses: [...addresses] };
}

/**
 * Re-reads the mailbox's addresses and updates the member's discovered aliases (manual ones are
 * untouched). For the sync to call now and then: mailboxes gain and lose aliases.
 * Returns true when the aliases changed (the caller then re-decides the member's history).
 */
export async function refreshDiscoveredAliases(
  deps: { db: Db; tokens: GraphTokenSource; graphBaseUrl: string },
  memberId: string,
): Promise<boolean> {
  const member = getMember(deps.db, memberId);
  if (!member) return false;
  const token = await deps.tokens.getGraphAccessToken(memberId);
  const mailbox = await fetchMailboxAddresses(deps.graphBaseUrl, token);
  return replaceDiscoveredAliases(deps.db, member, mailbox.addresses);
}
