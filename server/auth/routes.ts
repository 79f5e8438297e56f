/** GET /auth/start and GET /auth/callback: the browser side of the connect flow (HTML, not JSON). */
import { Router, type Request, type Response } from "express";
import type { Config } from "../config";
import type { Logger } from "../logger";
import { randomToken } from "../security/secrets";
import { ConnectFlowError, type CallbackQuery, type ConnectFlow, type ConnectResultMessage } from "./connect-flow";
import { renderResultPage } from "./result-page";

export function bindingCookieName(config: Config): string {
  // __Host- cookies must be Secure, host-only and Path=/: nothing else can set or read them.
  return config.publicUrl.startsWith("https://") ? "__Host-sd_connect" : "sd_connect";
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

function firstString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  return undefined;
}

export function authRoutes(deps: { config: Config; flow: ConnectFlow; log: Logger }): Router {
  const { config, flow, log } = deps;
  const router = Router();
  const cookie = bindingCookieName(config);
  const secure = config.publicUrl.startsWith("https://");

  function sendPage(res: Response, status: number, message: ConnectResultMessage): void {
    const nonce = randomToken(16);
    const page = renderResultPage(message, { officeJsUrl: config.officeJsUrl, publicUrl: config.publicUrl, nonce });
    res
      .status(status)
      .set("Content-Security-Policy", page.csp)
      .set("Cache-Control", "no-store")
      .set("Referrer-Policy", "no-referrer")
      .type("html")
      .send(page.html);
  }

  router.get("/auth/start", async (req, res) => {
    const session = firstString(req.query.session);
    try {
      if (!session) throw new ConnectFlowError("This sign-in link is incomplete. Close this window and start again from the pane.");
      const { redirectUrl, browserBinding } = await flow.start(session);
      res.cookie(cookie, browserBinding, {
        httpOnly: true,
        secure,
        sameSite: "lax",
        path: "/",
        maxAge: config.authSessionTtlSeconds * 1000,
      });
      res.set("Cache-Control", "no-store").set("Referrer-Policy", "no-referrer").redirect(302, redirectUrl);
    } catch (err) {
      if (!(err instanceof ConnectFlowError)) log.error({ err }, "could not start the connect flow");
      const message = err instanceof ConnectFlowError ? err.message : "Could not reach Microsoft's sign-in service. Try again in a few minutes.";
      sendPage(res, err instanceof ConnectFlowError ? 400 : 502, {
        type: "startdeliver:connect-result",
        ok: false,
        state: "not_connected",
        message,
        accountAddress: null,
        adminConsentUrl: null,
      });
    }
  });

  router.get("/auth/callback", async (req, res) => {
    const q: CallbackQuery = {};
    for (const key of ["code", "state", "error", "error_description", "error_subcode", "admin_consent", "tenant"] as const) {
      const v = firstString(req.query[key]);
      if (v !== undefined) q[key] = v;
    }
    const message = await flow.callback(q, readCookie(req, cookie));
    res.clearCookie(cookie, { httpOnly: true, secure, sameSite: "lax", path: "/" });
    sendPage(res, 200, message);
  });

  return router;
}
