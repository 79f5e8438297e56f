/**
 * Every error the API returns has the ApiError shape from shared/api/contract.ts:
 * {"error":{"code","message","field"?}} plus, for bulk directory writes, per-row problems.
 */
import type { ErrorRequestHandler, RequestHandler } from "express";
import { z } from "zod";
import type { Logger } from "../logger";

export interface RowError {
  index: number;
  field: string;
  message: string;
}

export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly field?: string,
    public readonly rows?: RowError[],
  ) {
    super(message);
    this.name = "HttpError";
  }

  toBody(): { error: { code: string; message: string; field?: string; rows?: RowError[] } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field ? { field: this.field } : {}),
        ...(this.rows ? { rows: this.rows } : {}),
      },
    };
  }
}

export const badRequest = (message: string, field?: string) => new HttpError(400, "invalid_request", message, field);
export const unauthorized = (message: string, code = "unauthenticated") => new HttpError(401, code, message);
export const forbidden = (message: string, code = "forbidden") => new HttpError(403, code, message);
export const notFound = (message: string) => new HttpError(404, "not_found", message);
export const conflict = (message: string, field?: string) => new HttpError(409, "conflict", message, field);

/** "customers.3.domains.0" — the dotted path the API names fields with. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join(".");
}

export function fromZodError(err: z.ZodError): HttpError {
  const first = err.issues[0];
  const field = first ? fieldPath(first.path) : undefined;
  const message = first ? (field ? `${field}: ${first.message}` : first.message) : "Invalid request";
  return new HttpError(400, "invalid_request", message, field || undefined);
}

/** Parses with a zod schema and turns failure into a 400 naming the field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw fromZodError(result.error);
  return result.data;
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(new HttpError(404, "not_found", `No route for ${req.method} ${req.path}`).toBody());
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json(err.toBody());
      return;
    }
    if (err instanceof z.ZodError) {
      res.status(400).json(fromZodError(err).toBody());
      return;
    }
    // body-parser errors: malformed JSON, too large.
    const status = typeof err?.status === "number" ? err.status : typeof err?.statusCode === "number" ? err.statusCode : 500;
    if (status === 400 && err?.type === "entity.parse.failed") {
      res.status(400).json(badRequest("The request body is not valid JSON").toBody());
      return;
    }
    if (status === 413) {
      res.status(413).json(new HttpError(413, "payload_too_large", "The request body is too large; send fewer rows per request").toBody());
      return;
    }
    if (status >= 400 && status < 500) {
      res.status(status).json(new HttpError(status, "invalid_request", err?.message ?? "Bad request").toBody());
      return;
    }
    log.error({ err, method: req.method, path: req.path }, "unhandled error");
    res.status(500).json(new HttpError(500, "internal_error", "Something went wrong on the server; it has been logged").toBody());
  };
}
