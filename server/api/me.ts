/** GET /api/me: who the pane is signed in as. */
import { Router } from "express";
import type { MeResponse } from "../../shared/api/contract";
import { requireMember, memberOf } from "../auth/middleware";
import { getOrganisation } from "../directory/read";
import type { ServerContext } from "../context";
import { notFound } from "./errors";

export function meRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get("/api/me", requireMember(ctx.authenticator), (req, res) => {
    const member = memberOf(req);
    const org = getOrganisation(ctx.db, member.organisationId);
    if (!org) throw notFound("Your organisation no longer exists");
    const body: MeResponse = {
      member: { id: member.id, name: member.name, primaryAddress: member.primaryAddress, isAdmin: member.isAdmin },
      organisation: { id: org.id, name: org.name },
    };
    res.json(body);
  });
  return router;
}
