import type { Request, Response } from "express";
import { errorBody, sendGraphError } from "./errors";
import type { HttpResult } from "./http-client";
import { getContext } from "./request-context";

/**
 * POST /v1.0/$batch (JSON batching). The envelope is validated as Graph does (at most 20 requests,
 * unique case-insensitive ids, relative urls, Content-Type with a body, known dependsOn ids); each
 * sub-request then goes back through the whole pipeline (auth, mailbox limits, faults, data) via
 * `dispatch`, at most `parallelism` at a time like Graph's dispatcher to Outlook. Sub-request
 * failures, 429s included, are reported inside a 200 envelope; dependents of a failed request get
 * 424. Responses are listed in completion order, which need not be request order.
 */
export const MAX_BATCH_REQUESTS = 20;

export interface SubRequest {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  dependsOn?: string[];
}

export interface SubResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type SubDispatcher = (
  request: { method: string; path: string; headers: Record<string, string>; body?: Buffer },
  parent: { requestId: string; authorization: string; subRequestId: string },
) => Promise<HttpResult>;

/** Response headers Graph copies into a sub-response. */
const FORWARDED_HEADERS: Record<string, string> = {
  "content-type": "Content-Type",
  "retry-after": "Retry-After",
  location: "Location",
  etag: "ETag",
  "preference-applied": "Preference-Applied",
  "odata-version": "OData-Version",
  "cache-control": "Cache-Control",
  "www-authenticate": "WWW-Authenticate",
};

export function batchHandler(options: { dispatch: SubDispatcher; parallelism: () => number }) {
  return async function handleBatch(req: Request, res: Response): Promise<void> {
    const ctx = getContext(res);
    const parsed = validateBatch(req.body);
    if (typeof parsed === "string") {
      sendGraphError(res, 400, "BadRequest", parsed);
      return;
    }
    const authorization = String(req.headers.authorization ?? "");
    const limit = createSemaphore(Math.max(1, options.parallelism()));
    const byId = new Map(parsed.map((r) => [r.id.toLowerCase(), r]));
    const running = new Map<string, Promise<SubResponse>>();
    const responses: SubResponse[] = [];

    const run = (sub: SubRequest): Promise<SubResponse> => {
      const key = sub.id.toLowerCase();
      let promise = running.get(key);
      if (!promise) {
        promise = (async () => {
          const deps = await Promise.all((sub.dependsOn ?? []).map((d) => run(byId.get(d.toLowerCase()) as SubRequest)));
          if (deps.some((d) => d.status < 200 || d.status >= 300)) return failedDependency(sub.id, ctx);
          const release = await limit();
          try {
            return await execute(sub, options.dispatch, { requestId: ctx.requestId, authorization, subRequestId: sub.id }, ctx);
          } finally {
            release();
          }
        })().then((r) => {
          responses.push(r);
          return r;
        });
        running.set(key, promise);
      }
      return promise;
    };

    await Promise.all(parsed.map(run));
    res.status(200).type("application/json").send(JSON.stringify({ responses }));
  };
}

async function execute(
  sub: SubRequest,
  dispatch: SubDispatcher,
  parent: { requestId: string; authorization: string; subRequestId: string },
  ctx: { requestId: string; clientRequestId: string },
): Promise<SubResponse> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(sub.url)) {
    return errorResponse(sub.id, 400, "BadRequest", "Invalid request URL: batch requests must use relative URLs.", ctx);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(sub.headers ?? {})) headers[name.toLowerCase()] = String(value);
  let body: Buffer | undefined;
  if (sub.body !== undefined) {
    const type = headers["content-type"] ?? "";
    if (/json/i.test(type)) body = Buffer.from(typeof sub.body === "string" ? sub.body : JSON.stringify(sub.body), "utf8");
    else if (typeof sub.body === "string") body = Buffer.from(sub.body, "base64");
    else body = Buffer.from(JSON.stringify(sub.body), "utf8");
  }
  const path = "/v1.0/" + sub.url.replace(/^\/+/, "");
  let result: HttpResult;
  try {
    result = await dispatch({ method: sub.method.toUpperCase(), path, headers, body }, parent);
  } catch {
    return errorResponse(sub.id, 500, "InternalServerError", "The sub-request could not be completed.", ctx);
  }
  const outHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.headers)) {
    const canonical = FORWARDED_HEADERS[name.toLowerCase()];
    if (canonical && value !== undefined) outHeaders[canonical] = Array.isArray(value) ? value.join(", ") : value;
  }
  const response: SubResponse = { id: sub.id, status: result.status, headers: outHeaders };
  if (result.body.length > 0) {
    const type = outHeaders["Content-Type"] ?? "";
    const text = result.body.toString("utf8");
    if (/json/i.test(type)) {
      try {
        response.body = JSON.parse(text);
      } catch {
        response.body = text;
      }
    } else if (/^text\//i.test(type)) {
      response.body = text;
    } else {
      response.body = result.body.toString("base64");
    }
  }
  return response;
}

function failedDependency(id: string, ctx: { requestId: string; clientRequestId: string }): SubResponse {
  return errorResponse(id, 424, "FailedDependency", "The request was not executed because a request it depends on failed.", ctx);
}

function errorResponse(
  id: string,
  status: number,
  code: string,
  message: string,
  ctx: { requestId: string; clientRequestId: string },
): SubResponse {
  return {
    id,
    status,
    headers: { "Content-Type": "application/json" },
    body: errorBody(code, message, ctx.requestId, ctx.clientRequestId),
  };
}

/** Returns the requests, or the message of the 400 Graph answers for a malformed batch. */
export function validateBatch(payload: unknown): SubRequest[] | string {
  const requests = (payload as { requests?: unknown } | undefined)?.requests;
  if (!payload || typeof payload !== "object" || !Array.isArray(requests)) {
    return "Invalid batch payload format.";
  }
  if (requests.length === 0) return "Invalid batch payload format.";
  if (requests.length > MAX_BATCH_REQUESTS) {
    return `Number of requests in the batch exceeds the maximum of ${MAX_BATCH_REQUESTS}.`;
  }
  const seen = new Set<string>();
  const out: SubRequest[] = [];
  for (const raw of requests as unknown[]) {
    const r = raw as Partial<SubRequest> & Record<string, unknown>;
    if (!r || typeof r !== "object") return "Invalid batch payload format.";
    const id = typeof r.id === "number" ? String(r.id) : r.id;
    if (typeof id !== "string" || id === "") return "Request Id is required and must be a string.";
    if (typeof r.method !== "string" || r.method === "") return `Request Id ${id}: method is required.`;
    if (typeof r.url !== "string" || r.url === "") return `Request Id ${id}: url is required.`;
    if (seen.has(id.toLowerCase())) return `Batch request contains duplicate request Id: ${id}.`;
    seen.add(id.toLowerCase());
    const headers = r.headers as Record<string, string> | undefined;
    if (headers !== undefined && (typeof headers !== "object" || Array.isArray(headers))) {
      return `Request Id ${id}: headers must be an object.`;
    }
    const hasContentType = Object.keys(headers ?? {}).some((h) => h.toLowerCase() === "content-type");
    if (r.body !== undefined && !hasContentType) {
      return `Write request id : ${id} does not contain Content-Type header or body.`;
    }
    const dependsOn = r.dependsOn;
    if (dependsOn !== undefined && (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== "string"))) {
      return `Request Id ${id}: dependsOn must be an array of request ids.`;
    }
    out.push({ id, method: r.method, url: r.url, headers, body: r.body, dependsOn: dependsOn as string[] | undefined });
  }
  for (const r of out) {
    for (const d of r.dependsOn ?? []) {
      if (!seen.has(d.toLowerCase())) return `Request Id ${r.id} depends on request Id ${d}, which is not in the batch.`;
    }
  }
  if (hasCycle(out)) return "The dependsOn graph of the batch contains a cycle.";
  return out;
}

function hasCycle(requests: SubRequest[]): boolean {
  const deps = new Map(requests.map((r) => [r.id.toLowerCase(), (r.dependsOn ?? []).map((d) => d.toLowerCase())]));
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): boolean => {
    const s = state.get(id);
    if (s === 2) return false;
    if (s === 1) return true;
    state.set(id, 1);
    for (const d of deps.get(id) ?? []) if (visit(d)) return true;
    state.set(id, 2);
    return false;
  };
  return [...deps.keys()].some(visit);
}

/** A counting semaphore: `await limit()` resolves to a release function. */
export function createSemaphore(max: number): () => Promise<() => void> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) {
      active++;
      next();
    }
  };
  return () =>
    new Promise((resolve) => {
      const grant = () => {
        let done = false;
        resolve(() => {
          if (!done) {
            done = true;
            release();
          }
        });
      };
      if (active < max) {
        active++;
        grant();
      } else {
        waiting.push(grant);
      }
    });
}
