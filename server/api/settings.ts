/** The member's own settings: GET/PUT /api/settings, aliases. */
import { Router } from "express";
import { requireMember, memberOf } from "../auth/middleware";
import type { ServerContext } from "../context";
import { smtpAddress } from "../directory/addresses";
import { addManualAlias, getMemberSettings, removeManualAlias, updateMemberSettings } from "../directory/member-settings";
import { badRequest, parseBody } from "./errors";
import { AddAliasSchema, SettingsUpdateSchema } from "./schemas";

export function settingsRoutes(ctx: ServerContext): Router {
  const router = Router();
  const member = requireMember(ctx.authenticator);

  router.get("/api/settings", member, (req, res) => {
    res.json(getMemberSettings(ctx.db, memberOf(req).id));
  });

  router.put("/api/settings", member, (req, res) => {
    const m = memberOf(req);
    const update = parseBody(SettingsUpdateSchema, req.body);
    if (updateMemberSettings(ctx.db, m.id, update)) void ctx.events.emitSettingsChanged(m.id);
    res.json(getMemberSettings(ctx.db, m.id));
  });

  router.post("/api/settings/aliases", member, (req, res) => {
    const m = memberOf(req);
    const { address } = parseBody(AddAliasSchema, req.body);
    const added = addManualAlias(ctx.db, m, address);
    if (added) void ctx.events.emitSettingsChanged(m.id);
    res.status(added ? 201 : 200).json(getMemberSettings(ctx.db, m.id));
  });

  router.delete("/api/settings/aliases/:address", member, (req, res) => {
    const m = memberOf(req);
    const parsed = smtpAddress.safeParse(req.params.address);
    if (!parsed.success) throw badRequest("address: must be an email address like name@example.com", "address");
    removeManualAlias(ctx.db, m, parsed.data);
    void ctx.events.emitSettingsChanged(m.id);
    res.json(getMemberSettings(ctx.db, m.id));
  });

  return router;
}
