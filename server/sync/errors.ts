/**
 * The sync's small error taxonomy. Each maps to one thing the engine does:
 *   GraphRequestError  — Graph answered with an error after the driver's retries (status + code).
 *   isSyncStateReset   — the folder's delta cursor is dead: reset it and enumerate again.
 *   TransportError     — the network or the body failed on every attempt: retry later.
 *   isConnectionLost   — the grant is gone (invalid_grant): pause the mailbox, keep the data.
 */

export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Epoch ms before which the mailbox must not be called again (Retry-After), when Graph said so. */
    readonly retryAt: number | null = null,
  ) {
    super(`Graph ${status} ${code}: ${message}`);
    this.name = "GraphRequestError";
  }
}

export class TransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TransportError";
  }
}

/** A 2xx answer whose JSON body does not parse (a connection cut mid-body). Retried like a reset. */
export class TruncatedBodyError extends Error {
  constructor(length: number) {
    super(`Response body is not complete JSON (${length} bytes)`);
    this.name = "TruncatedBodyError";
  }
}

/** The run lost its claim on the mailbox (the reaper reset it, or it was revoked): stop without writing. */
export class ClaimLostError extends Error {
  constructor(memberId: string) {
    super(`The sync run for ${memberId} no longer holds the mailbox`);
    this.name = "ClaimLostError";
  }
}

const RESET_CODES = new Set(["syncstatenotfound", "resyncrequired", "syncstateinvalid", "invalidsyncstate"]);

/** 410 Gone or a sync-state error code, compared case-insensitively (Graph spells them both ways). */
export function isSyncStateReset(error: unknown): boolean {
  if (!(error instanceof GraphRequestError)) return false;
  return error.status === 410 || RESET_CODES.has(error.code.toLowerCase());
}

export function isNotFound(error: unknown): boolean {
  return error instanceof GraphRequestError && (error.status === 404 || error.code.toLowerCase() === "erroritemnotfound");
}

/** A short, token-free description for last_error and logs. */
export function describeError(error: unknown): string {
  if (error instanceof GraphRequestError) return `${error.status} ${error.code}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}
