/**
 * The pane's interaction routes. Every route requires a signed-in team member and reads only the
 * caller's organisation (the member's organisation comes from the token, never from the request).
 *
 *   POST /api/preview                         OpenMessage → PreviewResponse
 *   POST /api/why                             WhyRequest  → WhyResponse
 *   GET  /api/customers/:customerId/summary   → CustomerSummary (404 outside the caller's organisation)
 */
import { Router } from "express";
import type { PreviewResponse, WhyResponse } from "../../shared/api/contract";
import { memberOf, requireMember } from "../auth/middleware";
import { notFound, parseBody } from "../api/errors";
import { connectionStatusFor } from "../api/connection";
import type { ServerContext } from "../context";
import type { InteractionsService } from "./index";
import { previewMessage } from "./preview";
import { OpenMessageSchema, WhyRequestSchema } from "./schemas";
import { WhyNotFoundError } from "./why";

export function interactionsRoutes(ctx: ServerContext, service: InteractionsService): Router {
  const router = Router();
  const member = requireMember(ctx.authenticator);
  const { engine, reads } = service;
  const refresh = (orgId: string) => (customerId: string) => {
    ctx.db.transaction(() => engine.materialiser.refreshActivity(orgId, customerId, new Date()))();
  };

  router.post("/api/preview", member, (req, res) => {
    const m = memberOf(req);
    const message = parseBody(OpenMessageSchema, req.body);
    const dir = engine.directory(m.organisationId);
    const body: PreviewResponse = previewMessage(dir, m.id, message, reads, new Date(), refresh(m.organisationId));
    res.set("Cache-Control", "no-store").json(body);
  });

  router.post("/api/why", member, async (req, res) => {
    const m = memberOf(req);
    const request = parseBody(WhyRequestSchema, req.body);
    const status = await connectionStatusFor(ctx, m.id);
    let body: WhyResponse;
    try {
      body = await service.why.why(m.organisationId, m.id, request, { state: status.state, lastSyncAt: status.lastSyncAt });
    } catch (err) {
      if (err instanceof WhyNotFoundError) throw notFound(err.message);
      throw err;
    }
    res.set("Cache-Control", "no-store").json(body);
  });

  router.get("/api/customers/:customerId/summary", member, (req, res) => {
    const m = memberOf(req);
    const customerId = String(req.params.customerId);
    const limit = Math.min(50, Math.max(0, Number.parseInt(String(req.query.recent ?? "5"), 10) || 5));
    const summary = reads.customerSummary(m.organisationId, customerId, new Date(), limit, refresh(m.organisationId));
    if (!summary) throw notFound("No such customer in your organisation");
    res.set("Cache-Control", "no-store").json(summary);
  });

  return router;
}
