import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/**
 * Per-request bookkeeping shared by the pipeline stages, kept in res.locals.pipeline.
 * Graph answers every request with request-id and client-request-id headers (echoing the
 * caller's client-request-id when it sent one); clients log them for support cases.
 */
export interface PipelineContext {
  requestId: string;
  clientRequestId: string;
  /** The client-request-id the caller sent, if any: the key the SDK keeps across its own retries. */
  suppliedClientRequestId?: string;
  arrivedAt: number;
  /** Set when the request is a $batch sub-request dispatched by the emulator itself. */
  batch?: { parentRequestId: string; subRequestId: string };
  caller?: Caller;
  /** Target mailbox (user object id) for Outlook resources; undefined for non-mailbox requests. */
  mailbox?: string;
}

export interface Caller {
  tenantId: string;
  oid: string;
  appId: string;
  scopes: string[];
}

/** Header the batch dispatcher puts on its loopback sub-requests: "<secret> <parentRequestId> <subId>". */
export const INTERNAL_BATCH_HEADER = "x-emulator-batch-subrequest";

export function getContext(res: Response): PipelineContext {
  const ctx = res.locals.pipeline as PipelineContext | undefined;
  if (!ctx) throw new Error("pipeline context missing: requestContext() must run first");
  return ctx;
}

export function requestContext(options: { internalSecret: string; clock: () => number }) {
  return function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
    const supplied = headerValue(req.headers["client-request-id"]);
    const requestId = randomUUID();
    const ctx: PipelineContext = {
      requestId,
      clientRequestId: supplied ?? requestId,
      suppliedClientRequestId: supplied,
      arrivedAt: options.clock(),
    };
    const marker = headerValue(req.headers[INTERNAL_BATCH_HEADER]);
    if (marker) {
      const [secret, parentRequestId, subRequestId] = marker.split(" ");
      // Only the emulator's own dispatcher knows the secret; anyone else gets treated as a normal caller.
      if (secret === options.internalSecret && parentRequestId && subRequestId !== undefined) {
        ctx.batch = { parentRequestId, subRequestId: decodeURIComponent(subRequestId) };
      }
    }
    res.locals.pipeline = ctx;
    res.setHeader("request-id", ctx.requestId);
    res.setHeader("client-request-id", ctx.clientRequestId);
    res.setHeader("x-ms-ags-diagnostic", JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "0", ScaleUnit: "000", RoleInstance: "EMU" } }));
    next();
  };
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value[0];
  return value === undefined || value === "" ? undefined : value;
}
