/**
 * GET /me: the signed-in user's profile. proxyAddresses (where aliases live) is not in the default
 * property set and appears only when $select'ed, as on Graph.
 */
import type { EmulatedUser } from "../state";
import { type GraphContext, metadata } from "./context";
import { GraphError } from "./errors";
import { systemOption } from "./odata/query";

const USER_PROPERTIES = [
  "id",
  "businessPhones",
  "displayName",
  "givenName",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
  "proxyAddresses",
  "otherMails",
  "accountEnabled",
  "userType",
  "mailNickname",
];
const DEFAULT = ["businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"];

function fullUser(user: EmulatedUser): Record<string, unknown> {
  const [givenName = null, ...rest] = user.displayName.split(" ");
  return {
    id: user.oid,
    businessPhones: [],
    displayName: user.displayName,
    givenName,
    jobTitle: null,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: "en-US",
    surname: rest.length ? rest.join(" ") : null,
    userPrincipalName: user.userPrincipalName,
    proxyAddresses: user.proxyAddresses,
    otherMails: [],
    accountEnabled: true,
    userType: "Member",
    mailNickname: user.userPrincipalName.split("@")[0],
  };
}

export function getMe(ctx: Pick<GraphContext, "baseUrl" | "query">, user: EmulatedUser): string {
  const selectText = systemOption(ctx.query, "select");
  let names = DEFAULT;
  if (selectText && selectText.trim()) {
    const byLower = new Map(USER_PROPERTIES.map((p) => [p.toLowerCase(), p]));
    names = selectText.split(",").map((s) => {
      const canonical = byLower.get(s.trim().toLowerCase());
      if (!canonical) throw new GraphError(400, "Request_BadRequest", `Could not find a property named '${s.trim()}' on type 'microsoft.graph.user'.`);
      return canonical;
    });
  }
  const full = fullUser(user);
  const out: Record<string, unknown> = {
    "@odata.context": metadata(ctx, selectText ? `users(${names.join(",")})/$entity` : "users/$entity"),
  };
  for (const n of names) out[n] = full[n];
  return JSON.stringify(out);
}
