/**
 * Which delegated scopes a Graph request needs, and which mailbox it targets. Only the resources
 * the product touches are mapped; anything else needs no particular scope here and is left to the
 * Graph router to answer (usually 404).
 */

const OUTLOOK_SEGMENTS = new Set([
  "messages",
  "mailfolders",
  "events",
  "calendar",
  "calendars",
  "calendarview",
  "calendargroups",
  "mailboxsettings",
  "contacts",
  "contactfolders",
  "outlook",
  "inferenceclassification",
  "sendmail",
]);

export interface Target {
  /** "me" or the id/UPN after /users/. */
  principal: string;
  /** First segment after the principal, lower-cased and stripped of key/parentheses, or "" for the user itself. */
  resource: string;
  isMailbox: boolean;
}

/** Parse a path relative to /v1.0 (no query), e.g. "/me/mailFolders('inbox')/messages/delta". */
export function parseTarget(path: string): Target | undefined {
  const segments = path.split("/").filter(Boolean).map(safeDecode);
  const first = segments[0];
  if (!first) return undefined;
  let principal: string;
  let rest: string[];
  const usersKey = /^users\('(.+)'\)$/i.exec(first) ?? /^users\((.+)\)$/i.exec(first);
  if (first.toLowerCase() === "me") {
    principal = "me";
    rest = segments.slice(1);
  } else if (usersKey) {
    principal = usersKey[1] as string;
    rest = segments.slice(1);
  } else if (first.toLowerCase() === "users" && segments[1]) {
    principal = segments[1];
    rest = segments.slice(2);
  } else {
    return undefined;
  }
  const resource = (rest[0] ?? "").replace(/\(.*$/, "").toLowerCase();
  return { principal, resource, isMailbox: OUTLOOK_SEGMENTS.has(resource) };
}

/** Any one of the returned scopes satisfies the request; undefined means no scope check. */
export function requiredScopes(method: string, target: Target | undefined): string[] | undefined {
  if (!target) return undefined;
  const write = !["GET", "HEAD"].includes(method.toUpperCase());
  switch (target.resource) {
    case "":
      return write ? ["User.ReadWrite", "User.ReadWrite.All"] : ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All"];
    case "messages":
    case "mailfolders":
    case "inferenceclassification":
      return write ? ["Mail.ReadWrite"] : ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"];
    case "sendmail":
      return ["Mail.Send"];
    case "events":
    case "calendar":
    case "calendars":
    case "calendarview":
    case "calendargroups":
      return write ? ["Calendars.ReadWrite"] : ["Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"];
    case "mailboxsettings":
      return write ? ["MailboxSettings.ReadWrite"] : ["MailboxSettings.Read", "MailboxSettings.ReadWrite"];
    case "contacts":
    case "contactfolders":
      return write ? ["Contacts.ReadWrite"] : ["Contacts.Read", "Contacts.ReadWrite"];
    default:
      return undefined;
  }
}

/** Scopes a change-notification subscription on `resource` needs (Graph checks them at creation). */
export function subscriptionScopes(kind: "messages" | "events"): string[] {
  return kind === "messages" ? ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"] : ["Calendars.Read", "Calendars.ReadWrite"];
}

export function hasAnyScope(granted: string[], needed: string[]): boolean {
  const lower = new Set(granted.map((s) => s.toLowerCase()));
  return needed.some((s) => lower.has(s.toLowerCase()));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
