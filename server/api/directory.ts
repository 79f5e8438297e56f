/**
 * The directory API (admins: the organisation's API key or an admin team member).
 * PUT = bulk upsert by externalId, all-or-nothing, with per-row errors. Everything is scoped to
 * the caller's organisation: external ids of another organisation are simply not found.
 */
import { Router, type Request } from "express";
import { authOf, requireAdmin } from "../auth/middleware";
import type { ServerContext } from "../context";
import { companyDomains } from "../directory/read";
import { ListQuery, MAX_ROWS_PER_REQUEST, PutCompanyDomainsBody } from "../directory/schemas";
import {
  deleteCustomer,
  deleteTeamMember,
  deleteUser,
  listCustomersView,
  listTeamMembersView,
  listUsersView,
  setAdminCompanyDomains,
  upsertCustomers,
  upsertTeamMembers,
  upsertUsers,
  type Collection,
} from "../directory/service";
import { badRequest, notFound, parseBody } from "./errors";

function rowsOf(body: unknown, key: Collection): unknown[] {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw badRequest(`The body must be a JSON object like {"${key}": [ … ]}`, key);
  }
  const extra = Object.keys(body).filter((k) => k !== key);
  if (extra.length > 0) throw badRequest(`Unknown field "${extra[0]}"; the body must be {"${key}": [ … ]}`, extra[0]);
  const rows = (body as Record<string, unknown>)[key];
  if (!Array.isArray(rows)) throw badRequest(`${key}: must be an array of rows`, key);
  if (rows.length === 0) throw badRequest(`${key}: must contain at least one row`, key);
  if (rows.length > MAX_ROWS_PER_REQUEST) throw badRequest(`${key}: at most ${MAX_ROWS_PER_REQUEST} rows per request`, key);
  return rows;
}

const orgOf = (req: Request) => authOf(req).organisationId;

export function directoryRoutes(ctx: ServerContext): Router {
  const router = Router();
  const admin = requireAdmin(ctx.authenticator);
  const { db, events } = ctx;
  const changed = (orgId: string) => void events.emitDirectoryChanged(orgId);

  const collections = [
    { path: "team-members", key: "teamMembers", upsert: upsertTeamMembers, list: listTeamMembersView, remove: (o: string, id: string) => {
      const memberId = deleteTeamMember(db, o, id);
      return memberId !== null;
    } },
    { path: "customers", key: "customers", upsert: upsertCustomers, list: listCustomersView, remove: (o: string, id: string) => deleteCustomer(db, o, id) },
    { path: "users", key: "users", upsert: upsertUsers, list: listUsersView, remove: (o: string, id: string) => deleteUser(db, o, id) },
  ] as const;

  for (const c of collections) {
    router.put(`/api/directory/${c.path}`, admin, (req, res) => {
      const orgId = orgOf(req);
      const result = c.upsert(db, orgId, rowsOf(req.body, c.key));
      changed(orgId);
      res.json(result);
    });
    router.get(`/api/directory/${c.path}`, admin, (req, res) => {
      const q = parseBody(ListQuery, req.query);
      res.json(c.list(db, orgOf(req), q.after, q.limit));
    });
    router.delete(`/api/directory/${c.path}/:externalId`, admin, async (req, res) => {
      const orgId = orgOf(req);
      const externalId = String(req.params.externalId);
      if (c.key === "teamMembers") {
        // A removed member stops syncing: let the sync clean up while tokens still work.
        const row = db.prepare("SELECT id FROM team_members WHERE organisation_id = ? AND external_id = ?").get(orgId, externalId) as
          | { id: string }
          | undefined;
        if (row && ctx.connections.get(row.id).state === "connected") await events.emitRevoke(row.id);
      }
      if (!c.remove(orgId, externalId)) throw notFound(`No ${c.path.replace(/s$/, "").replace("-", " ")} with externalId "${externalId}"`);
      changed(orgId);
      res.status(204).end();
    });
  }

  router.get("/api/directory/company-domains", admin, (req, res) => {
    res.json({ domains: companyDomains(db, orgOf(req)) });
  });

  router.put("/api/directory/company-domains", admin, (req, res) => {
    const orgId = orgOf(req);
    const { domains } = parseBody(PutCompanyDomainsBody, req.body);
    setAdminCompanyDomains(db, orgId, domains);
    changed(orgId);
    res.json({ domains: companyDomains(db, orgId) });
  });

  return router;
}
