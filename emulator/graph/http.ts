/**
 * Response plumbing shared by every handler: the OData content type Graph sends, request ids
 * (taken from the pipeline when it runs in front of us, made up when the data router is used alone),
 * and Preference-Applied bookkeeping.
 */
import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";

export const GRAPH_CONTENT_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

export function requestIds(req: Request, res: Response): RequestIds {
  const fromPipeline = res.locals.pipeline as Partial<RequestIds> | undefined;
  if (fromPipeline?.requestId) {
    return { requestId: fromPipeline.requestId, clientRequestId: fromPipeline.clientRequestId ?? fromPipeline.requestId };
  }
  const existing = res.getHeader("request-id");
  const requestId = typeof existing === "string" ? existing : randomUUID();
  const supplied = req.headers["client-request-id"];
  const clientRequestId = typeof supplied === "string" && supplied ? supplied : requestId;
  if (!res.headersSent) {
    res.setHeader("request-id", requestId);
    res.setHeader("client-request-id", clientRequestId);
  }
  res.locals.pipeline = { ...(res.locals.pipeline ?? {}), requestId, clientRequestId };
  return { requestId, clientRequestId };
}

export function sendJson(res: Response, status: number, body: string | Buffer): void {
  res.status(status);
  res.setHeader("Content-Type", GRAPH_CONTENT_TYPE);
  res.setHeader("OData-Version", "4.0");
  res.setHeader("Cache-Control", "no-cache");
  res.end(body);
}

export function addPreferenceApplied(res: Response, value: string): void {
  const current = res.getHeader("Preference-Applied");
  const parts = typeof current === "string" && current ? current.split(/,\s*/) : [];
  if (!parts.some((p) => p.toLowerCase() === value.toLowerCase())) parts.push(value);
  res.setHeader("Preference-Applied", parts.join(", "));
}

/** All Prefer header values of a request, split on commas outside quotes. */
export function preferences(req: Request): string[] {
  const raw = req.headers["prefer"];
  const values = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const out: string[] = [];
  for (const value of values) {
    for (const part of value.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
      const trimmed = part.trim();
      if (trimmed) out.push(trimmed);
    }
  }
  return out;
}

export function preferredMaxPageSize(req: Request): number | undefined {
  for (const p of preferences(req)) {
    const m = /^odata\.maxpagesize\s*=\s*"?(\d+)"?$/i.exec(p);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export function prefersImmutableIds(req: Request): boolean {
  return preferences(req).some((p) => /^IdType\s*=\s*"?ImmutableId"?$/i.test(p));
}
