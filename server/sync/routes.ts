/**
 * The sync's HTTP surface (mounted by the lead through createApp's `mount`):
 *   POST /api/connection/sync-now {resync?: boolean}   the pane's "Sync now" / "Resync" → ConnectionStatus
 *   POST /api/graph/notifications                       Graph change notifications (+ validation handshake)
 *   POST /api/graph/lifecycle                           Graph lifecycle notifications (+ validation handshake)
 * The notification routes are unauthenticated by design (Graph calls them); each notification is
 * authenticated by its subscription's clientState, and only ever triggers a delta read.
 */
import express, { Router, type Request, type Response } from "express";
import { z } from "zod";
import { connectionStatusFor } from "../api/connection";
import { HttpError, parseBody } from "../api/errors";
import { memberOf, requireMember } from "../auth/middleware";
import type { ServerContext } from "../context";
import type { SyncEngine } from "./engine";
import { LIFECYCLE_PATH, NOTIFICATION_PATH, type ChangeNotification, type PushManager } from "./push";

const SyncNowBody = z.object({ resync: z.boolean().optional() }).strict();

export interface SyncRouteDeps {
  engine: SyncEngine;
  push?: PushManager | null;
}

/** Graph's handshake: echo the URL-decoded validationToken as text/plain within 10 s. */
function answerValidation(req: Request, res: Response): boolean {
  const token = req.query.validationToken;
  if (typeof token !== "string") return false;
  res.status(200).type("text/plain").send(token);
  return true;
}

function notificationsOf(body: unknown): ChangeNotification[] {
  const value = (body as { value?: unknown } | null)?.value;
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === "object") as ChangeNotification[]) : [];
}

export function syncRoutes(ctx: ServerContext, deps: SyncRouteDeps): Router {
  const router = Router();
  const member = requireMember(ctx.authenticator);

  router.post("/api/connection/sync-now", member, async (req, res) => {
    const { resync } = parseBody(SyncNowBody, req.body);
    const m = memberOf(req);
    const record = ctx.connections.get(m.id);
    if (record.state !== "connected") {
      throw new HttpError(409, "not_connected", "Connect your Microsoft 365 mailbox first: click to start authentication.");
    }
    deps.engine.requestSync(m.id, { resync: resync ?? false });
    res.status(202).json(await connectionStatusFor(ctx, m.id));
  });

  // Graph posts JSON; the validation request has an empty text/plain body.
  const json = express.json({ limit: "1mb", type: ["application/json", "application/*+json"] });

  router.post(NOTIFICATION_PATH, json, (req, res) => {
    if (answerValidation(req, res)) return;
    // Answer within Graph's 3 s whatever happens next; the work is a coalesced delta read.
    res.status(202).end();
    if (deps.push) deps.push.handleNotifications(notificationsOf(req.body));
  });

  router.post(LIFECYCLE_PATH, json, (req, res) => {
    if (answerValidation(req, res)) return;
    res.status(202).end();
    if (deps.push) void deps.push.handleLifecycle(notificationsOf(req.body));
  });

  return router;
}
