/**
 * Graph's error envelope and the codes the data side answers with. Handlers throw GraphError;
 * the router turns it into {"error":{code,message,innerError}} with the request ids Graph puts there.
 */
import type { Request, Response } from "express";
import { requestIds, sendJson } from "./http";

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** innerError.date: second precision, no zone suffix, as Graph writes it. */
export function graphErrorDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function sendGraphError(req: Request, res: Response, err: GraphError, nowMs: number): void {
  const ids = requestIds(req, res);
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  const body = {
    error: {
      code: err.code,
      message: err.message,
      innerError: { date: graphErrorDate(nowMs), "request-id": ids.requestId, "client-request-id": ids.clientRequestId },
    },
  };
  sendJson(res, err.status, JSON.stringify(body));
}

export const errors = {
  segmentNotFound: (segment: string) => new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`),
  methodNotAllowed: (method: string) =>
    new GraphError(405, "Request_BadRequest", `The HTTP method '${method}' is not allowed for this resource.`),
  itemNotFound: () => new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store."),
  folderNotFound: () => new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store."),
  invalidId: () => new GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed."),
  mailboxNotEnabled: () =>
    new GraphError(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."),
  invalidUser: (user: string) => new GraphError(404, "ErrorInvalidUser", `The requested user '${user}' is invalid.`),
  accessDenied: () => new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."),
  unknownProperty: (name: string, type: string) =>
    new GraphError(400, "RequestBroker--ParseUri", `Could not find a property named '${name}' on type 'microsoft.graph.${type}'.`),
  invalidQuery: (message: string) => new GraphError(400, "ErrorInvalidUrlQuery", message),
  invalidFilter: (message: string) => new GraphError(400, "BadRequest", `Invalid filter clause: ${message}`),
  inefficientFilter: () => new GraphError(400, "InefficientFilter", "The restriction or sort order is too complex for this operation."),
  topTooLarge: (top: number) =>
    new GraphError(400, "ErrorInvalidArgument", `The value ${top} of the '$top' query option exceeds the maximum page size of 1000.`),
  calendarWindowMissing: () =>
    new GraphError(
      400,
      "ErrorInvalidParameter",
      "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
    ),
  invalidDateTime: (name: string, value: string) =>
    new GraphError(400, "ErrorInvalidParameter", `The value '${value}' of parameter '${name}' is invalid.`),
};
