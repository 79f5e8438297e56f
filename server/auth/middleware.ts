/**
 * Who is calling. Two kinds of callers:
 *  - a team member, with the pane's Entra access token, mapped by (tid, oid) to exactly one member;
 *  - an organisation's integration, with its API key (Authorization: Bearer sk_…), for admin REST calls.
 * Every route then scopes what it reads and writes to the caller's organisation.
 */
import type { Request, RequestHandler } from "express";
import type { Db } from "../db/database";
import { forbidden, unauthorized } from "../api/errors";
import { getMemberByEntra, toMember, type TeamMember } from "../directory/read";
import { organisationForApiKey } from "../directory/service";
import { API_KEY_PREFIX } from "../security/secrets";
import { PaneTokenError, type PaneIdentity, type PaneTokenValidator } from "./pane-token";

export type AuthContext =
  | { kind: "member"; organisationId: string; member: TeamMember; identity: PaneIdentity }
  | { kind: "api_key"; organisationId: string };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: AuthContext;
    }
  }
}

export interface Authenticator {
  /** Resolves the caller or throws an HttpError (401 no/invalid credentials, 403 not a team member). */
  authenticate(req: Request): Promise<AuthContext>;
}

function bearer(req: Request): string {
  const header = req.headers.authorization ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw unauthorized("Sign in first: send Authorization: Bearer <token>");
  return m[1]!;
}

/**
 * Maps a verified identity to a member. Linking by address is allowed only inside a tenant the
 * admin named for that member (entra_tid set, oid not yet known): preferred_username alone is not
 * proof across tenants.
 */
export function memberForIdentity(db: Db, id: PaneIdentity): TeamMember | null {
  const direct = getMemberByEntra(db, id.tenantId, id.objectId);
  if (direct) return direct;
  if (!id.username) return null;
  const candidate = db
    .prepare("SELECT * FROM team_members WHERE entra_tid = ? AND entra_oid IS NULL AND primary_address = ?")
    .all(id.tenantId, id.username) as Parameters<typeof toMember>[0][];
  if (candidate.length !== 1) return null;
  db.prepare("UPDATE team_members SET entra_oid = ?, updated_at = ? WHERE id = ? AND entra_oid IS NULL").run(
    id.objectId,
    new Date().toISOString(),
    candidate[0]!.id,
  );
  return getMemberByEntra(db, id.tenantId, id.objectId);
}

export function createAuthenticator(db: Db, validatePaneToken: PaneTokenValidator): Authenticator {
  return {
    async authenticate(req) {
      const token = bearer(req);
      if (token.startsWith(API_KEY_PREFIX)) {
        const organisationId = organisationForApiKey(db, token);
        if (!organisationId) throw unauthorized("Unknown API key", "invalid_api_key");
        return { kind: "api_key", organisationId };
      }
      let identity: PaneIdentity;
      try {
        identity = await validatePaneToken(token);
      } catch (err) {
        if (err instanceof PaneTokenError) throw unauthorized(err.message, "invalid_token");
        throw err;
      }
      const member = memberForIdentity(db, identity);
      if (!member) {
        const who = identity.username ?? "this Microsoft account";
        throw forbidden(
          `${who} is not a team member in Startdeliver. Ask your Startdeliver admin to add you as a team member with this address.`,
          "unknown_member",
        );
      }
      return { kind: "member", organisationId: member.organisationId, member, identity };
    },
  };
}

/** Only team members (the pane). */
export function requireMember(authn: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    const ctx = await authn.authenticate(req);
    if (ctx.kind !== "member") throw forbidden("This endpoint is for team members signed in from the pane, not API keys");
    req.auth = ctx;
    next();
  };
}

/** The organisation's API key, or a team member who is an admin. */
export function requireAdmin(authn: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    const ctx = await authn.authenticate(req);
    if (ctx.kind === "member" && !ctx.member.isAdmin) {
      throw forbidden("Only Startdeliver admins can change the directory", "admin_required");
    }
    req.auth = ctx;
    next();
  };
}

export function authOf(req: Request): AuthContext {
  if (!req.auth) throw unauthorized("Not authenticated");
  return req.auth;
}

export function memberOf(req: Request): TeamMember {
  const ctx = authOf(req);
  if (ctx.kind !== "member") throw forbidden("Team members only");
  return ctx.member;
}
