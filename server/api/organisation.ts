/** POST /api/organisation/api-key: creates or replaces the organisation's API key (shown once). */
import { Router } from "express";
import { authOf, requireAdmin } from "../auth/middleware";
import type { ServerContext } from "../context";
import { rotateApiKey } from "../directory/service";

export function organisationRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post("/api/organisation/api-key", requireAdmin(ctx.authenticator), (req, res) => {
    const apiKey = rotateApiKey(ctx.db, authOf(req).organisationId);
    res.status(201).set("Cache-Control", "no-store").json({ apiKey });
  });
  return router;
}
