/**
 * GET /me/mailFolders/{id}/messages/delta.
 *
 * First round: the folder's messages newest first, resumed by a (receivedDateTime, item) cursor so
 * messages arriving or leaving mid-round never shift the position. Later rounds: the folder's change
 * log after the token's sequence number, newest state per message, moves out / deletions as
 * @removed. Tokens carry everything (folder, epoch, options, cursor); the 5,000-message cap of a
 * filtered round, changeType, replayed and empty pages are all reproduced.
 */
import { chance, type GraphContext, metadata, v1 } from "../context";
import { GraphError, errors } from "../errors";
import { addPreferenceApplied, preferredMaxPageSize } from "../http";
import { parseFilter } from "../odata/filter";
import { systemOption } from "../odata/query";
import { parseSelect, selectMask } from "../odata/select";
import { decodeToken, encodeToken } from "../odata/tokens";
import { indexAfter } from "../store/folders";
import type { FolderLogEntry, FolderState, MessageRecord } from "../store/types";
import { jsonCollection, MESSAGE_PROPERTIES, renderMessage, renderRemoved } from "./serialize";

interface DeltaOptions {
  /** $select mask (0 = default properties). */
  s?: number;
  /** $filter=receivedDateTime ge|gt v */
  fo?: "ge" | "gt";
  fv?: number;
  /** changeType: created | updated | deleted */
  ct?: "c" | "u" | "d";
}

export interface MailDeltaToken {
  k: "m";
  n: string;
  i: number;
  f: number;
  e: number;
  t: number;
  o: DeltaOptions;
  /** i: first round (enumeration); d: changes after b. */
  m: "i" | "d";
  b: number;
  x?: number;
  c?: number[];
  p?: number[];
  q?: number;
  r?: 1;
}

const CHANGE_TYPES: Record<string, "c" | "u" | "d"> = { created: "c", updated: "u", deleted: "d" };

function parseInitialOptions(ctx: GraphContext): DeltaOptions {
  const o: DeltaOptions = {};
  const select = parseSelect(systemOption(ctx.query, "select"), MESSAGE_PROPERTIES, "message");
  if (select) o.s = selectMask(select, MESSAGE_PROPERTIES) || 1;
  if (systemOption(ctx.query, "search") !== undefined) {
    throw errors.invalidQuery("The following parameters are not supported with change tracking over the 'Messages' resource: '$search'.");
  }
  const filterText = systemOption(ctx.query, "filter");
  if (filterText !== undefined) {
    const expr = parseFilter(filterText);
    if (
      expr.kind !== "cmp" ||
      expr.property.toLowerCase() !== "receiveddatetime" ||
      (expr.op !== "ge" && expr.op !== "gt") ||
      expr.literal.type !== "datetime"
    ) {
      throw new GraphError(
        400,
        "ErrorInvalidUrlQueryFilter",
        "The query filter contains one or more invalid nodes. Change tracking supports only 'receivedDateTime ge|gt {value}'.",
      );
    }
    o.fo = expr.op;
    o.fv = expr.literal.value;
  }
  const orderBy = systemOption(ctx.query, "orderby");
  if (orderBy !== undefined && orderBy.trim().replace(/\s+/g, " ").toLowerCase() !== "receiveddatetime desc") {
    throw errors.invalidQuery("The following parameters are not supported with change tracking over the 'Messages' resource: '$orderby'.");
  }
  const changeType = ctx.query.get("changetype");
  if (changeType !== undefined) {
    const ct = CHANGE_TYPES[changeType.toLowerCase()];
    if (!ct) throw errors.invalidQuery(`Invalid value '${changeType}' for the changeType query option.`);
    o.ct = ct;
  }
  return o;
}

function syncStateGone(ctx: GraphContext, folder: FolderState, code: string, message: string): GraphError {
  return new GraphError(410, code, message, {
    Location: v1(ctx, `${ctx.selfPath}/mailfolders('${folder.id}')/messages/delta`),
  });
}

function readToken(ctx: GraphContext, folder: FolderState, text: string): MailDeltaToken {
  const tok = decodeToken<MailDeltaToken>(text);
  const invalid = () => syncStateGone(ctx, folder, "SyncStateInvalid", "The sync state is invalid or was created for another resource.");
  if (!tok || tok.k !== "m" || typeof tok.b !== "number") throw invalid();
  if (tok.n !== ctx.store.nonce || tok.i !== ctx.mailbox.incarnation || tok.e !== folder.epoch) {
    throw syncStateGone(
      ctx,
      folder,
      ctx.knobs.mailSyncStateCode,
      `The sync state generation is not found; generation=${tok.e};[highest=${folder.epoch}].`,
    );
  }
  if (tok.f !== folder.ordinal) throw invalid();
  const lifetime = ctx.knobs.deltaTokenLifetimeSeconds;
  if (lifetime > 0 && Math.floor(ctx.now() / 1000) - tok.t > lifetime) {
    throw syncStateGone(ctx, folder, ctx.knobs.mailSyncStateCode, "The sync state generation is not found. The delta token is expired.");
  }
  return tok;
}

/** First log index with seq > after. */
function logIndexAfter(log: FolderLogEntry[], after: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.seq <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function messageDelta(ctx: GraphContext, folder: FolderState): Buffer {
  const skip = ctx.query.get("$skiptoken") ?? ctx.query.get("skiptoken");
  const delta = ctx.query.get("$deltatoken") ?? ctx.query.get("deltatoken");
  const tokenText = skip ?? delta;
  let tok: MailDeltaToken;
  if (tokenText !== undefined && tokenText !== "") {
    tok = readToken(ctx, folder, tokenText);
    if (tok.m === "d" && tok.x === undefined) tok = { ...tok, x: ctx.mailbox.seq, c: undefined, p: undefined, r: undefined };
  } else {
    tok = {
      k: "m",
      n: ctx.store.nonce,
      i: ctx.mailbox.incarnation,
      f: folder.ordinal,
      e: folder.epoch,
      t: 0,
      o: parseInitialOptions(ctx),
      m: "i",
      b: ctx.mailbox.seq,
      q: 0,
    };
  }
  const preferred = preferredMaxPageSize(ctx.req);
  const pageSize = Math.max(1, Math.min(preferred ?? ctx.knobs.defaultPageSize, ctx.knobs.maxPageSize));
  if (preferred !== undefined) addPreferenceApplied(ctx.res, `odata.maxpagesize=${pageSize}`);

  const stamp = (t: MailDeltaToken) => encodeToken({ ...t, t: Math.floor(ctx.now() / 1000) });
  const link = (param: "$skiptoken" | "$deltatoken", t: MailDeltaToken) =>
    `${v1(ctx, `${ctx.selfPath}/mailfolders('${folder.id}')/messages/delta`)}?${param}=${stamp(t)}`;
  const respond = (items: Array<Buffer | string>, next: string) =>
    jsonCollection(`{"@odata.context":${JSON.stringify(metadata(ctx, "Collection(message)"))},${next},"value":[`, items, "]}");

  // Graph sometimes answers a page with nothing but a nextLink.
  if (tokenText && !tok.r && chance(`${tokenText}:empty`, ctx.knobs.emptyPageProbability)) {
    return respond([], `"@odata.nextLink":${JSON.stringify(link("$skiptoken", { ...tok, r: 1 }))}`);
  }
  // ...and sometimes serves the previous page's items again.
  let replay = false;
  if (skip && tok.p && !tok.r && chance(`${skip}:replay`, ctx.knobs.replayProbability)) replay = true;
  const cursor = replay ? tok.p : tok.c;

  const render = (r: MessageRecord) =>
    renderMessage(r, { mask: tok.o.s ?? 0, immutableIds: ctx.immutableIds, delta: true });
  const passes = (r: MessageRecord) =>
    tok.o.fo === undefined ? true : tok.o.fo === "ge" ? r.receivedMs >= tok.o.fv! : r.receivedMs > tok.o.fv!;

  const out: Array<Buffer | string> = [];
  if (tok.m === "i") {
    const items = folder.items;
    const cap = tok.o.fo !== undefined ? ctx.knobs.filteredDeltaCap : Number.POSITIVE_INFINITY;
    let q = tok.q ?? 0;
    let pos = cursor && cursor.length >= 2 ? indexAfter(items, cursor[0]!, cursor[1]!) : 0;
    let last: MessageRecord | undefined;
    if (!tokenText && ctx.knobs.firstRoundRemovals > 0) {
      // Graph may open a first round with @removed entries for messages the client never saw.
      const removals = folder.log.filter((e) => e.kind === "remove" && folder.latest.get(e.record.ordinal) === e.seq);
      for (const e of removals.slice(-ctx.knobs.firstRoundRemovals)) {
        out.push(renderRemoved(ctx.immutableIds ? e.record.immutableId : e.removedRestId!, "message"));
      }
    }
    while (out.length < pageSize && pos < items.length && q < cap) {
      const r = items[pos]!;
      if (!passes(r)) break; // newest first: everything after is older still
      out.push(render(r));
      last = r;
      pos++;
      if (!replay) q++;
    }
    const more = pos < items.length && q < cap && passes(items[pos]!) && last !== undefined;
    if (more) {
      return respond(out, `"@odata.nextLink":${JSON.stringify(link("$skiptoken", { ...tok, c: [last!.receivedMs, last!.ordinal], p: cursor, q, r: replay ? 1 : undefined }))}`);
    }
    const done: MailDeltaToken = { ...tok, m: "d", b: tok.b, x: undefined, c: undefined, p: undefined, q: undefined, r: undefined };
    return respond(out, `"@odata.deltaLink":${JSON.stringify(link("$deltatoken", done))}`);
  }

  const S = tok.b;
  const E = tok.x!;
  const log = folder.log;
  let idx = logIndexAfter(log, cursor && cursor.length >= 1 ? cursor[0]! : S);
  let lastSeq = cursor?.[0] ?? S;
  const ct = tok.o.ct;
  while (out.length < pageSize && idx < log.length && log[idx]!.seq <= E) {
    const entry = log[idx++]!;
    lastSeq = entry.seq;
    const r = entry.record;
    // A later entry about the same message describes its newest state; only that one is reported.
    if (folder.latest.get(r.ordinal) !== entry.seq) continue;
    if (entry.kind === "remove") {
      if (ct === "c" || ct === "u") continue;
      out.push(renderRemoved(ctx.immutableIds ? r.immutableId : entry.removedRestId!, "message"));
      continue;
    }
    if (ct === "d") continue;
    const created = r.arrivedSeq > S;
    if ((ct === "c" && !created) || (ct === "u" && created)) continue;
    if (!passes(r)) continue;
    if (!ctx.immutableIds) {
      // It left this folder and came back under a new id: the old id is gone.
      for (const past of r.pastIds ?? []) {
        if (past.folderOrdinal === folder.ordinal && past.seq > S && past.seq <= E && past.restId !== r.restId) {
          out.push(renderRemoved(past.restId, "message"));
        }
      }
    }
    out.push(render(r));
  }
  while (idx < log.length && log[idx]!.seq <= E && folder.latest.get(log[idx]!.record.ordinal) !== log[idx]!.seq) {
    lastSeq = log[idx]!.seq;
    idx++;
  }
  if (idx < log.length && log[idx]!.seq <= E) {
    return respond(out, `"@odata.nextLink":${JSON.stringify(link("$skiptoken", { ...tok, c: [lastSeq], p: cursor ?? [S], r: replay ? 1 : undefined }))}`);
  }
  return respond(out, `"@odata.deltaLink":${JSON.stringify(link("$deltatoken", { ...tok, m: "d", b: E, x: undefined, c: undefined, p: undefined, r: undefined }))}`);
}
