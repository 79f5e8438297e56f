import type { NextFunction, Request, Response } from "express";
import { GRAPH_APP_ID } from "../state";
import { Messages, sendGraphError } from "./errors";
import { getContext, headerValue } from "./request-context";
import { hasAnyScope, parseTarget, requiredScopes } from "./scopes";

/** What identity's verifyAccessToken returns for a valid Graph access token. */
export interface VerifiedToken {
  tid: string;
  oid: string;
  appid: string;
  scp: string[];
}

export type TokenVerifier = (token: string, expectedAudience: string) => VerifiedToken | Promise<VerifiedToken>;

/** What the Graph router reads from res.locals.graph. */
export interface GraphLocals {
  tenantId: string;
  userId: string;
  clientId: string;
  immutableIds: boolean;
  scopes: string[];
}

export interface AuthOptions {
  verify: TokenVerifier;
  /** Base URL of the emulated login.microsoftonline.com, for the WWW-Authenticate challenge. */
  authorityBaseUrl: string;
  /** Resolve a /users/{id-or-upn} principal to an object id; unresolved values are used as given. */
  resolveUser?: (principal: string, tenantId: string) => string | undefined;
}

export function wwwAuthenticate(authorityBaseUrl: string): string {
  const authorize = `${authorityBaseUrl.replace(/\/$/, "")}/common/oauth2/authorize`;
  return `Bearer realm="", authorization_uri="${authorize}", client_id="${GRAPH_APP_ID}"`;
}

export function sendUnauthorized(res: Response, authorityBaseUrl: string, message: string = Messages.tokenExpired): void {
  sendGraphError(res, 401, "InvalidAuthenticationToken", message, {
    headers: { "WWW-Authenticate": wwwAuthenticate(authorityBaseUrl) },
  });
}

/** Prefer: IdType="ImmutableId" (header may carry several comma-separated preferences). */
export function wantsImmutableIds(req: Request): boolean {
  const prefer = req.headers.prefer;
  const all = Array.isArray(prefer) ? prefer.join(",") : (prefer ?? "");
  return /idtype\s*=\s*"?immutableid"?/i.test(all);
}

export function authStage(options: AuthOptions) {
  return async function authMiddleware(req: Request, res: Response, next: NextFunction): Promise<void> {
    const ctx = getContext(res);
    const header = headerValue(req.headers.authorization);
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      sendUnauthorized(res, options.authorityBaseUrl, header ? Messages.tokenMalformed : Messages.tokenEmpty);
      return;
    }
    let token: VerifiedToken;
    try {
      token = await options.verify(match[1] as string, GRAPH_APP_ID);
    } catch (error) {
      sendUnauthorized(res, options.authorityBaseUrl, classifyTokenError(error));
      return;
    }
    ctx.caller = { tenantId: token.tid, oid: token.oid, appId: token.appid, scopes: token.scp };
    const locals: GraphLocals = {
      tenantId: token.tid,
      userId: token.oid,
      clientId: token.appid,
      immutableIds: wantsImmutableIds(req),
      scopes: token.scp,
    };
    res.locals.graph = locals;

    const target = parseTarget(req.path);
    if (target?.isMailbox) {
      ctx.mailbox =
        target.principal === "me" ? token.oid : (options.resolveUser?.(target.principal, token.tid) ?? target.principal);
    }
    const needed = requiredScopes(req.method, target);
    if (needed && !hasAnyScope(token.scp, needed)) {
      sendGraphError(res, 403, "ErrorAccessDenied", Messages.accessDenied);
      return;
    }
    next();
  };
}

/**
 * Map a verifier failure to the message Graph gives. Identity's AccessTokenError carries a reason and
 * a Graph-worded message; lifetime failures use Graph's long-standing "expired or not yet valid" text.
 */
export function classifyTokenError(error: unknown): string {
  const e = error as { name?: string; reason?: string; code?: string; claim?: string; message?: string } | undefined;
  if (e?.reason === "expired" || e?.reason === "not_yet_valid") return Messages.tokenExpired;
  if (e?.name === "AccessTokenError" && e.message) return e.message;
  const text = `${e?.code ?? ""} ${e?.claim ?? ""} ${e?.message ?? ""}`;
  if (/expired|ERR_JWT_EXPIRED|\bnbf\b|not yet valid|\bexp\b/i.test(text)) return Messages.tokenExpired;
  if (/audience|\baud\b/i.test(text)) return Messages.tokenInvalid;
  if (/not well formed|malformed|ERR_JWS_INVALID|ERR_JWT_INVALID/i.test(text)) return Messages.tokenMalformed;
  return Messages.tokenValidationFailure;
}
