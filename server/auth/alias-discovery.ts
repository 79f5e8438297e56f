/**
 * The mailbox's own addresses, from GET {GRAPH_BASE_URL}/me?$select=proxyAddresses,mail,userPrincipalName:
 * every "smtp:"/"SMTP:" proxy address (X500:, SIP: … are not mail addresses) and `mail`.
 * The UPN is not used: it is a sign-in name and need not receive mail.
 */

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
