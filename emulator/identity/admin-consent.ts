import express, { Router, type Request, type Response } from "express";
import type { AppRegistration, EmulatedTenant } from "../state";
import { adminConsentPage, errorPage } from "./consent-page";
import { requestMeta, type IdentityContext } from "./context";
import type { TenantSegment } from "./directory";
import { aad, describeError, type AadError } from "./errors";
import { param } from "./params";
import { classifyRedirectUri, defaultRedirectUri } from "./redirect-uris";
import { PendingStore } from "./sessions";

interface PendingAdminConsent {
  segment: TenantSegment;
  app: AppRegistration;
  redirectUri: string;
  state?: string;
  /** v2.0 endpoint: echoed back as scope=. */
  scope?: string;
}

/**
 * Tenant-wide admin consent (/adminconsent and /v2.0/adminconsent). Accept adds the app to the
 * tenant's adminConsentedApps and redirects with admin_consent=True&tenant=…. The emulator has no
 * directory roles: whoever is picked on the page acts as a Global Administrator.
 */
export function adminConsentRoutes(ctx: IdentityContext): Router {
  const router = Router();
  const pending = new PendingStore<PendingAdminConsent>(ctx.now);
  const { directory } = ctx;

  function showErrorPage(req: Request, res: Response, err: AadError): void {
    res.status(400).set("Cache-Control", "no-store").type("html").send(errorPage(err, requestMeta(ctx, req)));
  }

  function redirect(res: Response, p: PendingAdminConsent, params: Record<string, string>): void {
    const url = new URL(p.redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
    if (p.state !== undefined) url.searchParams.append("state", p.state);
    res.set("Cache-Control", "no-store").redirect(302, url.toString());
  }

  function grant(res: Response, p: PendingAdminConsent, tenant: EmulatedTenant): void {
    directory.setAdminConsent(tenant.id, p.app.clientId, true);
    ctx.logger.info({ clientId: p.app.clientId, tid: tenant.id }, "admin consent granted");
    const params: Record<string, string> = { admin_consent: "True", tenant: tenant.id };
    if (p.scope !== undefined) params.scope = p.scope;
    redirect(res, p, params);
  }

  function start(req: Request, res: Response): void {
    const segmentName = req.params.tenant as string;
    const segment = directory.resolveSegment(segmentName);
    if (!segment) return showErrorPage(req, res, aad.tenantNotFound(segmentName));
    const clientId = param(req.query, "client_id");
    if (!clientId) return showErrorPage(req, res, aad.missingParameter("client_id"));
    const app = directory.app(clientId);
    if (!app || (segment.kind === "tenant" && !directory.appVisibleIn(app, segment.tenant.id))) {
      return showErrorPage(req, res, aad.appNotFound(clientId, segment.kind === "tenant" ? segment.tenant.displayName : segmentName));
    }
    const redirectUri = param(req.query, "redirect_uri") ?? defaultRedirectUri(app);
    if (!redirectUri || !classifyRedirectUri(app, redirectUri)) return showErrorPage(req, res, aad.redirectUriMismatch(redirectUri ?? "", app.clientId));
    const p: PendingAdminConsent = {
      segment,
      app,
      redirectUri,
      state: param(req.query, "state"),
      scope: req.path.includes("/v2.0/") ? param(req.query, "scope") ?? "" : undefined,
    };
    if (segment.kind === "tenant" && (ctx.settings.autoConsentAllTenants || segment.tenant.autoConsent)) return grant(res, p, segment.tenant);
    const users = segment.kind === "tenant" ? [...segment.tenant.users.values()] : directory.userList();
    const permissions = (app.requiredScopes ?? []).map((s) => ({ scope: s, text: s }));
    res
      .set("Cache-Control", "no-store")
      .type("html")
      .send(
        adminConsentPage({
          actionUrl: `/${encodeURIComponent(segmentName)}/adminconsent/decision`,
          ctx: pending.put(p),
          app,
          users,
          permissions,
          tenantLabel: segment.kind === "tenant" ? segment.tenant.displayName : "the administrator's organization",
        }),
      );
  }

  router.get("/:tenant/adminconsent", start);
  router.get("/:tenant/v2.0/adminconsent", start);

  router.post("/:tenant/adminconsent/decision", express.urlencoded({ extended: false }), (req, res) => {
    const ctxId = param(req.body, "ctx") ?? "";
    const p = pending.get(ctxId);
    if (!p) return showErrorPage(req, res, aad.malformed("The consent request has expired or was already completed. Start again."));
    pending.delete(ctxId);
    if (param(req.body, "action") !== "accept") {
      const err = aad.userDeclinedConsent();
      return redirect(res, p, { error: err.error, error_description: describeError(err, requestMeta(ctx, req)), admin_consent: "False" });
    }
    const user = directory.user(param(req.body, "account") ?? "");
    const tenant = user && directory.tenant(user.tenantId);
    if (!user || !tenant || (p.segment.kind === "tenant" && p.segment.tenant !== tenant)) return showErrorPage(req, res, aad.userNotFound());
    grant(res, p, tenant);
  });

  return router;
}
