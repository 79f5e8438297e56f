import express, { Router, type Request, type Response } from "express";
import type { AppRegistration, EmulatedTenant, EmulatedUser } from "../state";
import { consentState, recordUserConsent } from "./consent";
import { adminApprovalPage, errorLookupPage, errorPage, formPostPage, signInPage, signedOutPage } from "./consent-page";
import { requestMeta, type IdentityContext } from "./context";
import type { TenantSegment } from "./directory";
import { AadError, aad, redirectErrorParams } from "./errors";
import type { ClientType } from "./grants";
import { param } from "./params";
import { allRedirectUris, classifyRedirectUri, defaultRedirectUri } from "./redirect-uris";
import { describeRequest, parseScopes, type ScopeRequest } from "./scopes";
import { PendingStore } from "./sessions";
import { clientInfo } from "./tokens";
import { newGuid } from "./util";

type ResponseMode = "query" | "fragment" | "form_post";
type Prompt = "login" | "none" | "consent" | "select_account";

/** Where the result goes; known as soon as client_id and redirect_uri are validated. */
interface Target {
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
}

interface PendingAuthorization extends Target {
  segment: TenantSegment;
  app: AppRegistration;
  clientType: ClientType;
  scope: string;
  scopes: ScopeRequest;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  prompt?: Prompt;
  loginHint?: string;
  wantsClientInfo: boolean;
}

/** /authorize, the sign-in/consent form it renders, and logout. */
export function authorizeRoutes(ctx: IdentityContext): Router {
  const router = Router();
  const pending = new PendingStore<PendingAuthorization>(ctx.now);
  const form = express.urlencoded({ extended: false });
  const { directory } = ctx;

  const autoConsents = (tenant: EmulatedTenant | undefined) => !!tenant && (ctx.settings.autoConsentAllTenants || tenant.autoConsent);
  const tenantOf = (user: EmulatedUser) => directory.tenant(user.tenantId)!;
  const candidates = (p: PendingAuthorization) =>
    (p.segment.kind === "tenant" ? [...p.segment.tenant.users.values()] : directory.userList()).filter((u) => directory.appVisibleIn(p.app, u.tenantId));

  function showErrorPage(req: Request, res: Response, err: AadError): void {
    res.status(400).set("Cache-Control", "no-store").type("html").send(errorPage(err, requestMeta(ctx, req)));
  }

  function sendToClient(res: Response, target: Target, params: Record<string, string>): void {
    const all = target.state !== undefined ? { ...params, state: target.state } : params;
    res.set("Cache-Control", "no-store");
    if (target.responseMode === "form_post") {
      res.type("html").send(formPostPage(target.redirectUri, all));
      return;
    }
    const url = new URL(target.redirectUri);
    if (target.responseMode === "fragment") {
      url.hash = new URLSearchParams(all).toString();
    } else {
      for (const [k, v] of Object.entries(all)) url.searchParams.append(k, v);
    }
    res.redirect(302, url.toString());
  }

  function sendError(req: Request, res: Response, target: Target, err: AadError, extra: Record<string, string> = {}): void {
    ctx.logger.info({ code: err.code, error: err.error }, "authorize: error sent to the app");
    sendToClient(res, target, redirectErrorParams(err, requestMeta(ctx, req), extra));
  }

  function complete(req: Request, res: Response, p: PendingAuthorization, user: EmulatedUser, authTime = ctx.now()): void {
    ctx.sessions.signIn(req, res, user, authTime);
    const code = ctx.codes.issue(
      {
        clientId: p.app.clientId,
        oid: user.oid,
        tid: user.tenantId,
        clientType: p.clientType,
        authTime,
        epoch: directory.revocationEpoch(user.oid),
        redirectUri: p.redirectUri,
        scope: p.scope,
        nonce: p.nonce,
        codeChallenge: p.codeChallenge,
        codeChallengeMethod: p.codeChallengeMethod,
      },
      ctx.settings.authorizationCodeLifetimeSeconds,
    );
    ctx.logger.info({ clientId: p.app.clientId, oid: user.oid, tid: user.tenantId }, "authorize: code issued");
    const params: Record<string, string> = { code: code.code };
    if (p.wantsClientInfo) params.client_info = clientInfo(user);
    sendToClient(res, p, { ...params, session_state: newGuid() });
  }

  /** Validates the request; errors before the redirect URI is trusted go to an error page, later ones to the app. */
  function parseRequest(req: Request, res: Response, source: unknown): PendingAuthorization | undefined {
    const segmentName = req.params.tenant as string;
    const segment = directory.resolveSegment(segmentName);
    if (!segment) return void showErrorPage(req, res, aad.tenantNotFound(segmentName));
    const clientId = param(source, "client_id");
    if (!clientId) return void showErrorPage(req, res, aad.missingParameter("client_id"));
    const app = directory.app(clientId);
    const directoryName = segment.kind === "tenant" ? segment.tenant.displayName : segmentName;
    if (!app || (segment.kind === "tenant" && !directory.appVisibleIn(app, segment.tenant.id))) {
      return void showErrorPage(req, res, aad.appNotFound(clientId, directoryName));
    }
    const redirectUri = param(source, "redirect_uri") ?? defaultRedirectUri(app);
    const clientType = redirectUri ? classifyRedirectUri(app, redirectUri) : undefined;
    if (!redirectUri || !clientType) return void showErrorPage(req, res, aad.redirectUriMismatch(redirectUri ?? "", app.clientId));
    const mode = param(source, "response_mode") ?? "query";
    if (mode !== "query" && mode !== "fragment" && mode !== "form_post") return void showErrorPage(req, res, aad.unsupportedResponseMode(mode));
    const target: Target = { redirectUri, responseMode: mode, state: param(source, "state") };
    try {
      const responseType = param(source, "response_type");
      if (!responseType) throw aad.missingParameter("response_type");
      if (responseType !== "code") throw aad.unsupportedResponseType(responseType);
      const scope = param(source, "scope");
      if (!scope) throw aad.missingParameter("scope");
      const scopes = parseScopes(scope, directory, app, directoryName);
      const prompt = param(source, "prompt");
      if (prompt !== undefined && !["login", "none", "consent", "select_account"].includes(prompt)) {
        throw aad.malformed(`The prompt value '${prompt}' is not supported.`);
      }
      const codeChallenge = param(source, "code_challenge");
      let codeChallengeMethod: "S256" | "plain" | undefined;
      if (codeChallenge !== undefined) {
        // RFC 7636: plain is the default method; Entra accepts both.
        const method = param(source, "code_challenge_method") ?? "plain";
        if (method !== "S256" && method !== "plain") throw aad.invalidCodeChallengeMethod(method);
        if (codeChallenge.length < 43 || codeChallenge.length > 128) throw aad.invalidCodeChallengeSize();
        codeChallengeMethod = method;
      }
      return {
        ...target,
        segment,
        app,
        clientType,
        scope,
        scopes,
        nonce: param(source, "nonce"),
        codeChallenge,
        codeChallengeMethod,
        prompt: prompt as Prompt | undefined,
        loginHint: param(source, "login_hint"),
        wantsClientInfo: param(source, "client_info") === "1",
      };
    } catch (e) {
      if (e instanceof AadError) return void sendError(req, res, target, e);
      throw e;
    }
  }

  function authorize(req: Request, res: Response, source: unknown): void {
    const p = parseRequest(req, res, source);
    if (!p) return;
    const users = candidates(p);
    const hinted = p.loginHint ? directory.findUserByLogin(p.loginHint) : undefined;
    const hintUser = hinted && users.includes(hinted) ? hinted : undefined;
    const signedIn = ctx.sessions.accounts(req).filter((a) => users.includes(a.user));
    // Scripted sign-in: the login_hint user, or the first user, of an auto-consent tenant. An unknown
    // hint falls through to the page so a wrong hint shows up as a failed test, not a silent fallback.
    const autoUser = hintUser
      ? autoConsents(tenantOf(hintUser))
        ? hintUser
        : undefined
      : p.loginHint
        ? undefined
        : users.find((u) => autoConsents(tenantOf(u)));
    const consentOf = (user: EmulatedUser) => consentState(directory, tenantOf(user), user, p.app, p.scopes);

    if (p.prompt === "none") {
      let user = autoUser;
      let authTime: number | undefined;
      if (!user) {
        if (!hintUser && signedIn.length > 1) return sendError(req, res, p, aad.multipleAccounts());
        const account = hintUser ? signedIn.find((a) => a.user === hintUser) : signedIn[0];
        user = account?.user;
        authTime = account?.authTime;
      }
      if (!user) return sendError(req, res, p, aad.loginRequired());
      const state = consentOf(user);
      if (state === "needs_user_consent" && user === autoUser) recordUserConsent(directory, user, p.app, p.scopes);
      else if (state !== "granted") return sendError(req, res, p, aad.consentRequired(p.app.clientId, p.app.displayName));
      return complete(req, res, p, user, authTime);
    }

    if (autoUser) {
      const state = consentOf(autoUser);
      if (state === "needs_admin_consent") return sendError(req, res, p, aad.adminConsentRequired(), { error_subcode: "cancel" });
      if (state === "needs_user_consent") recordUserConsent(directory, autoUser, p.app, p.scopes);
      return complete(req, res, p, autoUser);
    }

    if (!p.prompt) {
      const sso = hintUser ? signedIn.find((a) => a.user === hintUser) : signedIn.length === 1 ? signedIn[0] : undefined;
      if (sso && consentOf(sso.user) === "granted") return complete(req, res, p, sso.user, sso.authTime);
    }

    const ctxId = pending.put(p);
    res
      .set("Cache-Control", "no-store")
      .type("html")
      .send(
        signInPage({
          actionUrl: `/${encodeURIComponent(req.params.tenant as string)}/login`,
          ctx: ctxId,
          app: p.app,
          users,
          selectedOid: hintUser?.oid ?? signedIn[0]?.user.oid,
          permissions: describeRequest(p.scopes),
        }),
      );
  }

  router.get("/:tenant/oauth2/v2.0/authorize", (req, res) => authorize(req, res, req.query));
  router.post("/:tenant/oauth2/v2.0/authorize", form, (req, res) => authorize(req, res, req.body));

  router.post("/:tenant/login", form, (req, res) => {
    const ctxId = param(req.body, "ctx") ?? "";
    const p = pending.get(ctxId);
    if (!p) return showErrorPage(req, res, aad.malformed("The sign-in request has expired or was already completed. Start the sign-in again."));
    const action = param(req.body, "action");
    if (action === "cancel") {
      pending.delete(ctxId);
      return sendError(req, res, p, aad.userDeclinedConsent(), { error_subcode: "cancel" });
    }
    if (action === "return") {
      pending.delete(ctxId);
      return sendError(req, res, p, aad.adminConsentRequired(), { error_subcode: "cancel" });
    }
    if (action !== "accept") return showErrorPage(req, res, aad.malformed("Unknown action."));
    const user = directory.user(param(req.body, "account") ?? "");
    if (!user || !candidates(p).includes(user)) return showErrorPage(req, res, aad.userNotFound());
    const tenant = tenantOf(user);
    const state = consentState(directory, tenant, user, p.app, p.scopes);
    if (state === "needs_admin_consent") {
      return void res
        .set("Cache-Control", "no-store")
        .type("html")
        .send(adminApprovalPage({ actionUrl: `/${encodeURIComponent(req.params.tenant as string)}/login`, ctx: ctxId, app: p.app, user }));
    }
    if (state === "needs_user_consent" || p.prompt === "consent") recordUserConsent(directory, user, p.app, p.scopes);
    pending.delete(ctxId);
    complete(req, res, p, user);
  });

  router.get("/:tenant/oauth2/v2.0/logout", (req, res) => {
    ctx.sessions.signOut(req, res);
    const target = param(req.query, "post_logout_redirect_uri");
    const known = target && directory.appList().some((a) => allRedirectUris(a).includes(target));
    if (known) {
      const url = new URL(target);
      const state = param(req.query, "state");
      if (state) url.searchParams.set("state", state);
      return res.redirect(302, url.toString());
    }
    res.type("html").send(signedOutPage());
  });

  router.get("/error", (req, res) => {
    res.type("html").send(errorLookupPage((param(req.query, "code") ?? "").replace(/\D/g, "")));
  });

  return router;
}
