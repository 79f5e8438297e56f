import type { Request } from "express";
import type { Logger } from "pino";
import type { Directory } from "./directory";
import type { ErrorMeta } from "./errors";
import type { CodeStore, RefreshTokenStore } from "./grants";
import type { KeyRing } from "./keys";
import type { SessionStore } from "./sessions";
import type { IdentitySettings } from "./settings";
import type { TokenService } from "./tokens";
import { newGuid } from "./util";

/** Everything the identity routes share; built once by createIdentityService. */
export interface IdentityContext {
  baseUrl: string;
  now: () => number;
  settings: IdentitySettings;
  directory: Directory;
  keys: KeyRing;
  tokens: TokenService;
  codes: CodeStore;
  refreshTokens: RefreshTokenStore;
  sessions: SessionStore;
  logger: Logger;
}

/** Trace/correlation ids for one request; Entra echoes the client's client-request-id as the correlation id. */
export function requestMeta(ctx: IdentityContext, req: Request): ErrorMeta {
  const clientRequestId = req.get("client-request-id");
  return {
    baseUrl: ctx.baseUrl,
    now: ctx.now(),
    traceId: newGuid(),
    correlationId: clientRequestId && clientRequestId.length <= 64 ? clientRequestId : newGuid(),
  };
}
