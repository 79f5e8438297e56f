/**
 * Address and domain normalisation. Browser-safe (no node: imports, no I/O).
 *
 * Everything that compares addresses goes through these functions so the sync, the pane's preview
 * and the "why" diagnosis can never disagree about whether two spellings are the same address.
 */

/**
 * Trim, drop a display name ("Jane <jane@x.com>"), a "mailto:" or a proxyAddresses prefix
 * ("SMTP:", "smtp:", "X500:"), and lower-case. Returns "" for nothing usable.
 * Display names never take part in matching, so they are dropped here.
 */
export function normalizeAddress(raw: string | null | undefined): string {
  if (!raw) return "";
  let s = raw.trim();
  if (s === "") return "";
  const lt = s.lastIndexOf("<");
  if (lt >= 0) {
    const gt = s.indexOf(">", lt);
    if (gt > lt) s = s.slice(lt + 1, gt).trim();
  }
  // Proxy-address prefixes: Graph's proxyAddresses use them; X500 paths keep their "/o=..." body
  // so that a discovered "X500:/o=..." alias equals the "/o=..." Exchange puts on internal mail.
  const colon = s.indexOf(":");
  if (colon > 0 && colon <= 6) {
    const prefix = s.slice(0, colon).toLowerCase();
    if (prefix === "smtp" || prefix === "x500" || prefix === "mailto") s = s.slice(colon + 1).trim();
  }
  return s.toLowerCase();
}

// A conservative SMTP shape: one "@", a local part without spaces that does not start with "/",
// and a dotted domain of letters/digits/hyphens (non-ASCII letters allowed for IDN).
const SMTP_RE = /^[^\s@/"<>()[\],;:][^\s@"<>()[\],;:]*@(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?$/;

/**
 * True for a normalised SMTP address. Exchange X500 paths ("/o=ExchangeLabs/ou=...") and their
 * SMTP-encapsulated form ("imceaex-_o=exchangelabs_...@...") are not: they are never customer contacts.
 */
export function isSmtpAddress(normalized: string): boolean {
  if (normalized.length < 3 || normalized.length > 320) return false;
  if (normalized.charCodeAt(0) === 47 /* "/" */) return false;
  if (normalized.startsWith("imceaex-")) return false;
  return SMTP_RE.test(normalized);
}

/** The part after the last "@" of a normalised address, without a trailing dot; "" when there is none. */
export function domainOf(normalized: string): string {
  const at = normalized.lastIndexOf("@");
  if (at < 0 || at === normalized.length - 1) return "";
  let d = normalized.slice(at + 1);
  if (d.endsWith(".")) d = d.slice(0, -1);
  return d;
}

/** The part before the last "@" of a normalised address ("" when there is no "@"). */
export function localPartOf(normalized: string): string {
  const at = normalized.lastIndexOf("@");
  return at < 0 ? "" : normalized.slice(0, at);
}

const DOMAIN_RE = /^(?:[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?\.)+[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff-]{0,61}[a-z0-9\u00a1-\uffff])?$/;

/**
 * Normalise one domain as an admin might type it into a customer's domain field or the company
 * domain list: "https://www.Acme.com/about", "@acme.com", "*.acme.com", "jane@acme.com" → "acme.com".
 * Returns "" when what is left is not a domain.
 */
export function normalizeDomain(raw: string | null | undefined): string {
  if (!raw) return "";
  let s = raw.trim().toLowerCase();
  if (s === "") return "";
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  const at = s.lastIndexOf("@");
  if (at >= 0) s = s.slice(at + 1);
  s = s.replace(/^\*\./, "");
  const cut = s.search(/[/?#:]/);
  if (cut >= 0) s = s.slice(0, cut);
  // A website pasted into the domain field: its "www." is never part of the mail domain.
  if (s.startsWith("www.")) s = s.slice(4);
  while (s.endsWith(".")) s = s.slice(0, -1);
  return DOMAIN_RE.test(s) ? s : "";
}

/** Split a domain field ("acme.com, acme.co.uk; acme.se") into normalised domains, dropping blanks and junk. */
export function parseDomainList(raw: string | readonly string[] | null | undefined): string[] {
  if (!raw) return [];
  const parts = typeof raw === "string" ? [raw] : raw;
  const out: string[] = [];
  for (const part of parts) {
    for (const piece of part.split(/[\s,;]+/)) {
      const d = normalizeDomain(piece);
      if (d && !out.includes(d)) out.push(d);
    }
  }
  return out;
}

/**
 * Public mailbox providers. A customer's domain field that names one of them is ignored for
 * domain matching: "gmail.com" on one customer would otherwise claim every Gmail user in the world.
 * Contacts on these domains still match through their user records.
 */
export const PUBLIC_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
  "hotmail.co.uk", "hotmail.se", "hotmail.de", "hotmail.fr", "live.se", "live.co.uk", "outlook.se",
  "yahoo.com", "yahoo.co.uk", "yahoo.se", "yahoo.de", "yahoo.fr", "ymail.com", "rocketmail.com",
  "icloud.com", "me.com", "mac.com", "aol.com", "proton.me", "protonmail.com", "pm.me",
  "gmx.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "mail.com", "email.com",
  "yandex.com", "yandex.ru", "mail.ru", "zoho.com", "qq.com", "163.com", "126.com",
  "hey.com", "fastmail.com", "tutanota.com", "orange.fr", "free.fr", "laposte.net",
  "comcast.net", "verizon.net", "att.net", "telia.com", "bredband.net", "spray.se",
]);
