/**
 * The Graph v1.0 data router (mounted at /v1.0 behind the pipeline, which authenticates and sets
 * res.locals.graph). It parses OData paths — /me/mailfolders('inbox')/messages/delta and
 * /me/mailFolders/inbox/messages/delta alike — and answers in Graph's shapes and error envelope.
 */
import express, { type Request, type Response } from "express";
import type { EmulatedUser } from "../state";
import { calendarViewDelta } from "./calendar/delta";
import { getEvent, listCalendarView, listEvents, listInstances } from "./calendar/events";
import { type GraphContext, type GraphLocals, metadata, v1 } from "./context";
import { GraphError, errors, sendGraphError } from "./errors";
import { prefersImmutableIds, requestIds, sendJson } from "./http";
import type { GraphKnobs } from "./knobs";
import { messageDelta } from "./mail/delta";
import { folderJson, getFolder, listFolders } from "./mail/folders";
import { findMessage, getMessage, listMessages } from "./mail/messages";
import { getMe } from "./me";
import { parsePath, type PathSegment } from "./odata/path";
import { parseQuery } from "./odata/query";
import { resolveFolder } from "./store/folders";
import type { MailboxStore } from "./store/mailbox-store";
import type { FolderState, Mailbox } from "./store/types";

export interface DataRouterDeps {
  store: MailboxStore;
  knobs: GraphKnobs;
  /** Base for links; a function so a server on port 0 can supply it once listening. Empty → from the request. */
  baseUrl: string | (() => string);
  now: () => number;
  lookupUser?: (oid: string) => EmulatedUser | undefined;
}

const KEYED = new Set(["mailfolders", "childfolders", "messages", "events"]);
const NAVIGATION = new Set(["messages", "childfolders", "delta", "instances", "calendarview", "events"]);

interface Step {
  name: string;
  key?: string;
}

function steps(segments: PathSegment[]): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    if (KEYED.has(seg.name) && seg.key === undefined && next && !NAVIGATION.has(next.name)) {
      out.push({ name: seg.name, key: next.raw });
      i++;
    } else {
      out.push(seg.key === undefined ? { name: seg.name } : { name: seg.name, key: seg.key });
    }
  }
  return out;
}

export function normaliseBaseUrl(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/v1\.0$/i, "");
}

export function createDataRouter(deps: DataRouterDeps): express.Router {
  const router = express.Router();
  router.use((req: Request, res: Response) => {
    requestIds(req, res);
    try {
      const body = dispatch(deps, req, res);
      sendJson(res, 200, body);
    } catch (err) {
      if (err instanceof GraphError) {
        sendGraphError(req, res, err, deps.now());
      } else {
        sendGraphError(req, res, new GraphError(500, "InternalServerError", err instanceof Error ? err.message : String(err)), deps.now());
      }
    }
  });
  return router;
}

function baseUrlOf(deps: DataRouterDeps, req: Request): string {
  const configured = typeof deps.baseUrl === "function" ? deps.baseUrl() : deps.baseUrl;
  if (configured) return normaliseBaseUrl(configured);
  return `${req.protocol}://${req.headers.host ?? "localhost"}`;
}

function dispatch(deps: DataRouterDeps, req: Request, res: Response): string | Buffer {
  const segments = parsePath(req.path);
  const locals = res.locals.graph as GraphLocals | undefined;
  if (!locals?.userId) throw new GraphError(401, "InvalidAuthenticationToken", "Access token is empty.");
  const head = segments[0];
  if (!head) throw errors.segmentNotFound("");
  let selfPath: string;
  let rest: PathSegment[];
  if (head.name === "me") {
    selfPath = "me";
    rest = segments.slice(1);
  } else if (head.name === "users") {
    const key = head.key ?? segments[1]?.raw;
    if (!key) throw errors.segmentNotFound("users");
    rest = segments.slice(head.key !== undefined ? 1 : 2);
    selfPath = `users/${encodeURIComponent(key)}`;
    const own = deps.store.mailbox(locals.userId);
    const ownUser = own?.user ?? deps.lookupUser?.(locals.userId);
    const isSelf =
      key === locals.userId ||
      (ownUser && (key.toLowerCase() === ownUser.userPrincipalName.toLowerCase() || key.toLowerCase() === ownUser.mail.toLowerCase()));
    if (!isSelf) {
      // Delegated Mail.Read covers only the signed-in user's own mailbox.
      const other = deps.store.oids().some((oid) => {
        const u = deps.store.mailbox(oid)!.user;
        return oid === key || u.userPrincipalName.toLowerCase() === key.toLowerCase();
      });
      throw other ? errors.accessDenied() : errors.invalidUser(key);
    }
  } else {
    throw errors.segmentNotFound(head.raw);
  }

  const query = parseQuery(req);
  const baseUrl = baseUrlOf(deps, req);
  const path = steps(rest);

  if (path.length === 0) {
    requireGet(req);
    const user = deps.store.mailbox(locals.userId)?.user ?? deps.lookupUser?.(locals.userId);
    if (!user) {
      throw new GraphError(404, "Request_ResourceNotFound", `Resource '${locals.userId}' does not exist or one of its queried reference-property objects are not present.`);
    }
    return getMe({ baseUrl, query }, user);
  }

  const mailbox = deps.store.requireMailbox(locals.userId);
  const ctx: GraphContext = {
    req,
    res,
    store: deps.store,
    knobs: deps.knobs,
    baseUrl,
    now: deps.now,
    mailbox,
    selfPath,
    immutableIds: locals.immutableIds ?? prefersImmutableIds(req),
    query,
  };
  const requestPath = [selfPath, ...rest.map((s) => encodeURIComponent(s.raw).replace(/%27/g, "'").replace(/%28/g, "(").replace(/%29/g, ")"))].join("/");
  return route(ctx, path, requestPath);
}

function requireGet(req: Request): void {
  if (req.method !== "GET") throw errors.methodNotAllowed(req.method);
}

function folderOrThrow(mb: Mailbox, key: string): FolderState {
  const folder = resolveFolder(mb, key);
  if (!folder) throw errors.folderNotFound();
  return folder;
}

function route(ctx: GraphContext, path: Step[], requestPath: string): string | Buffer {
  const [first, ...tail] = path;
  const names = tail.map((s) => s.name).join("/");
  switch (first!.name) {
    case "mailfolders": {
      if (first!.key === undefined) {
        requireGet(ctx.req);
        if (tail.length === 0) return listFolders(ctx, ctx.mailbox.root, requestPath);
        if (names === "delta") return folderDelta(ctx);
        break;
      }
      let folder = folderOrThrow(ctx.mailbox, first!.key);
      let rest = tail;
      // mailFolders('a')/childFolders('b')/… names folder b.
      while (rest[0]?.name === "childfolders" && rest[0].key !== undefined) {
        folder = folderOrThrow(ctx.mailbox, rest[0].key);
        rest = rest.slice(1);
      }
      return folderRoute(ctx, folder, rest, requestPath);
    }
    case "messages": {
      requireGet(ctx.req);
      if (first!.key !== undefined && tail.length === 0) return getMessage(ctx, findMessage(ctx, first!.key));
      if (first!.key === undefined && tail.length === 0) return listMessages(ctx, undefined, requestPath);
      if (first!.key === undefined && names === "delta") {
        throw new GraphError(400, "ErrorInvalidRequest", "Change tracking is not supported against 'microsoft.graph.message' outside a mail folder; use /mailFolders/{id}/messages/delta.");
      }
      break;
    }
    case "calendar":
    case "calendarview":
    case "events": {
      requireGet(ctx.req);
      const rest = first!.name === "calendar" ? path.slice(1) : path;
      if (rest.length === 0) return calendarJson(ctx);
      const [r0, ...rtail] = rest;
      const rnames = rtail.map((s) => s.name).join("/");
      if (r0!.name === "calendarview" && r0!.key === undefined) {
        if (rtail.length === 0) return listCalendarView(ctx, requestPath);
        if (rnames === "delta") return calendarViewDelta(ctx);
      }
      if (r0!.name === "events") {
        if (r0!.key === undefined && rtail.length === 0) return listEvents(ctx, requestPath);
        if (r0!.key !== undefined && rtail.length === 0) return getEvent(ctx, r0!.key);
        if (r0!.key !== undefined && rnames === "instances") return listInstances(ctx, r0!.key, requestPath);
      }
      break;
    }
    default:
      break;
  }
  const unknown = path.find((s) => !KEYED.has(s.name) && !NAVIGATION.has(s.name) && s.name !== "calendar") ?? path[path.length - 1]!;
  throw errors.segmentNotFound(unknown.name);
}

function folderRoute(ctx: GraphContext, folder: FolderState, rest: Step[], requestPath: string): string | Buffer {
  requireGet(ctx.req);
  const names = rest.map((s) => s.name).join("/");
  if (rest.length === 0) return getFolder(ctx, folder);
  if (names === "childfolders" && rest[0]!.key === undefined) return listFolders(ctx, folder, requestPath);
  if (rest[0]!.name === "messages") {
    if (rest[0]!.key !== undefined && rest.length === 1) return getMessage(ctx, findMessage(ctx, rest[0]!.key));
    if (rest[0]!.key === undefined && rest.length === 1) return listMessages(ctx, folder, requestPath);
    if (rest[0]!.key === undefined && names === "messages/delta") return messageDelta(ctx, folder);
  }
  throw errors.segmentNotFound(rest[rest.length - 1]!.name);
}

/** /me/mailFolders/delta: the whole folder hierarchy each round (Graph may repeat items; clients must merge). */
function folderDelta(ctx: GraphContext): string {
  const all: FolderState[] = [];
  const walk = (f: FolderState) => {
    for (const c of f.children) {
      all.push(c);
      walk(c);
    }
  };
  walk(ctx.mailbox.root);
  const value = all.map((f) => ({ "@odata.type": "#microsoft.graph.mailFolder", ...folderJson(f) }));
  return JSON.stringify({
    "@odata.context": metadata(ctx, "Collection(mailFolder)"),
    "@odata.deltaLink": `${v1(ctx, `${ctx.selfPath}/mailFolders/delta`)}?$deltatoken=${ctx.mailbox.incarnation}.${ctx.mailbox.seq}`,
    value,
  });
}

function calendarJson(ctx: GraphContext): string {
  const user = ctx.mailbox.user;
  return JSON.stringify({
    "@odata.context": metadata(ctx, `users('${ctx.mailbox.oid}')/calendar/$entity`),
    id: ctx.mailbox.calendar.id,
    name: "Calendar",
    color: "auto",
    hexColor: "",
    isDefaultCalendar: true,
    changeKey: ctx.mailbox.ids.changeKey(0, ctx.mailbox.calendar.lastSeq + 1),
    canShare: true,
    canViewPrivateItems: true,
    canEdit: true,
    allowedOnlineMeetingProviders: ["teamsForBusiness"],
    defaultOnlineMeetingProvider: "teamsForBusiness",
    isTallyingResponses: true,
    isRemovable: false,
    owner: { name: user.displayName, address: user.mail },
  });
}
