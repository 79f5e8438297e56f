import type { Response } from "express";

/**
 * Graph's error envelope. Every error the pipeline writes goes through here so that the shape
 * (code, message, innerError with date/request-id/client-request-id) matches what Graph sends and
 * what @microsoft/microsoft-graph-client's GraphErrorHandler parses.
 */
export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: { date: string; "request-id": string; "client-request-id": string };
  };
}

/** Graph's innerError.date has second precision and no zone suffix, e.g. "2024-05-01T10:20:30". */
export function graphDate(ms: number = Date.now()): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function errorBody(code: string, message: string, requestId: string, clientRequestId: string): GraphErrorBody {
  return {
    error: {
      code,
      message,
      innerError: { date: graphDate(), "request-id": requestId, "client-request-id": clientRequestId },
    },
  };
}

export interface SendErrorOptions {
  retryAfterSeconds?: number;
  headers?: Record<string, string>;
}

export function sendGraphError(
  res: Response,
  status: number,
  code: string,
  message: string,
  options: SendErrorOptions = {},
): void {
  const ids = res.locals.pipeline as { requestId: string; clientRequestId: string } | undefined;
  const requestId = ids?.requestId ?? "";
  const clientRequestId = ids?.clientRequestId ?? requestId;
  if (options.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(options.retryAfterSeconds));
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  res.status(status).type("application/json").send(JSON.stringify(errorBody(code, message, requestId, clientRequestId)));
}

/** The messages Graph uses for the cases the pipeline produces. */
export const Messages = {
  tokenEmpty: "Access token is empty.",
  tokenExpired: "Access token has expired or is not yet valid.",
  tokenInvalid: "Access token validation failure. Invalid audience.",
  tokenMalformed: "IDX14100: JWT is not well formed, there are no dots (.).",
  tokenValidationFailure: "Access token validation failure.",
  accessDenied: "Access is denied. Check credentials and try again.",
  mailboxConcurrency: "Application is over its MailboxConcurrency limit.",
  tooManyRequests: "Application is over its request rate limit for this mailbox.",
  serviceUnavailable: "The service is currently unavailable. Please try again later.",
  gatewayTimeout: "The gateway did not receive a response in time.",
  internalError: "An internal server error occurred while processing the request.",
  syncStateNotFound: "The sync state generation is not found.",
} as const;
