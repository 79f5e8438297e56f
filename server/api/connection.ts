/**
 * The member's Microsoft 365 connection: status, the single-use link for the connect dialog,
 * and revoke. Tokens never appear in these responses.
 */
import { Router } from "express";
import type { AuthSessionResponse, ConnectionStatus } from "../../shared/api/contract";
import { requireMember, memberOf } from "../auth/middleware";
import type { ServerContext } from "../context";
import { buildConnectionStatus } from "./connection-status";

export async function connectionStatusFor(ctx: ServerContext, memberId: string): Promise<ConnectionStatus> {
  const record = ctx.connections.get(memberId);
  let sync = null;
  try {
    sync = await ctx.syncStatus.getSyncStatus(memberId);
  } catch (err) {
    ctx.log.warn({ err, memberId }, "sync status unavailable");
  }
  return buildConnectionStatus(record, sync, ctx.config.sync.historyMonths);
}

export function connectionRoutes(ctx: ServerContext): Router {
  const router = Router();
  const member = requireMember(ctx.authenticator);

  router.get("/api/connection", member, async (req, res) => {
    res.set("Cache-Control", "no-store").json(await connectionStatusFor(ctx, memberOf(req).id));
  });

  router.post("/api/connection/auth-session", member, (req, res) => {
    const { url } = ctx.connectFlow.createAuthSession(memberOf(req).id);
    const body: AuthSessionResponse = { url };
    res.status(201).set("Cache-Control", "no-store").json(body);
  });

  router.post("/api/connection/revoke", member, async (req, res) => {
    const m = memberOf(req);
    // Listeners run while the tokens still work (to delete Graph subscriptions), then they go.
    await ctx.events.emitRevoke(m.id);
    ctx.connections.revoke(m.id);
    ctx.log.info({ memberId: m.id }, "Microsoft 365 connection revoked");
    res.json(await connectionStatusFor(ctx, m.id));
  });

  return router;
}
