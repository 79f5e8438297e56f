/**
 * GET /me/calendarView/delta?startDateTime&endDateTime.
 *
 * First round: every single event, occurrence and exception overlapping the window, by start time.
 * Later rounds: for each event changed since the token, the instances in the window whose state
 * changed, and @removed for ids that vanished — including ones outside the window, as Graph
 * documents (clients must filter). The window is fixed by the first request and kept in the token.
 */
import { chance, type GraphContext, metadata, v1 } from "../context";
import { GraphError, errors } from "../errors";
import { addPreferenceApplied, preferredMaxPageSize } from "../http";
import { parseDateTimeLiteral } from "../odata/filter";
import { decodeToken, encodeToken } from "../odata/tokens";
import { jsonCollection, renderRemoved } from "../mail/serialize";
import type { EventRecord, Instance } from "../store/types";
import { compareInstances, instanceId, instancesInWindow, instancesOf } from "./calendar-view";
import { deltaEventJson, instanceObject } from "./serialize";

export interface CalendarDeltaToken {
  k: "c";
  n: string;
  i: number;
  e: number;
  t: number;
  w: [number, number];
  m: "i" | "d";
  b: number;
  x?: number;
  /** i: [startMs, ordinal, originalStartMs]; d: [seq, outputs already sent for that seq]. */
  c?: number[];
  p?: number[];
  r?: 1;
}

export function parseWindow(ctx: GraphContext): [number, number] {
  const startText = ctx.query.get("startdatetime");
  const endText = ctx.query.get("enddatetime");
  if (!startText || !endText) throw errors.calendarWindowMissing();
  const start = parseDateTimeLiteral(startText.trim());
  const end = parseDateTimeLiteral(endText.trim());
  if (start === undefined) throw errors.invalidDateTime("startDateTime", startText);
  if (end === undefined) throw errors.invalidDateTime("endDateTime", endText);
  return [start, end];
}

function gone(ctx: GraphContext, code: string, message: string): GraphError {
  return new GraphError(410, code, message, { Location: v1(ctx, `${ctx.selfPath}/calendarView/delta`) });
}

function readToken(ctx: GraphContext, text: string): CalendarDeltaToken {
  const tok = decodeToken<CalendarDeltaToken>(text);
  const cal = ctx.mailbox.calendar;
  if (!tok || tok.k !== "c" || !Array.isArray(tok.w)) throw gone(ctx, "SyncStateInvalid", "The sync state is invalid or was created for another resource.");
  if (tok.n !== ctx.store.nonce || tok.i !== ctx.mailbox.incarnation || tok.e !== cal.epoch) {
    throw gone(ctx, ctx.knobs.calendarSyncStateCode, `The sync state generation is not found; generation=${tok.e};[highest=${cal.epoch}].`);
  }
  const lifetime = ctx.knobs.deltaTokenLifetimeSeconds;
  if (lifetime > 0 && Math.floor(ctx.now() / 1000) - tok.t > lifetime) {
    throw gone(ctx, ctx.knobs.calendarSyncStateCode, "The sync state generation is not found. The delta token is expired.");
  }
  return tok;
}

function firstAfter(list: Instance[], c: number[]): number {
  const probe = { startMs: c[0]!, record: { ordinal: c[1]! }, originalStartMs: c[2]! } as unknown as Instance;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareInstances(list[mid]!, probe) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** What a later round reports for one changed event, in a stable order. */
function changesFor(ctx: GraphContext, record: EventRecord, since: number, window: [number, number]): string[] {
  const out: string[] = [];
  const imm = ctx.immutableIds;
  const emittedRemoved = new Set<string>();
  const removed = (id: string) => {
    if (emittedRemoved.has(id)) return;
    emittedRemoved.add(id);
    out.push(renderRemoved(id, "event"));
  };
  if (record.deleted) {
    for (const x of record.removed) if (x.seq > since) removed(imm ? x.immutableId : x.restId);
    return out;
  }
  const present = instancesOf(record, window[0], window[1]);
  const presentIds = new Set(present.map((inst) => instanceId(ctx.mailbox, inst, imm)));
  for (const inst of present) {
    if (inst.changeSeq > since) out.push(deltaEventJson(instanceObject(ctx.mailbox, inst, imm)));
  }
  for (const x of record.removed) {
    const id = imm ? x.immutableId : x.restId;
    if (x.seq > since && !presentIds.has(id)) removed(id);
  }
  // Changed, but now outside the window: Graph reports these as removed too.
  if (record.kind === "singleInstance") {
    if (present.length === 0 && record.seriesSeq > since) removed(imm ? record.immutableId : record.restId);
  } else {
    for (const ov of record.overrides.values()) {
      if (ov.seq <= since || ov.deleted) continue;
      const id = instanceId(ctx.mailbox, { record, originalStartMs: ov.originalStartMs }, imm);
      if (!presentIds.has(id)) removed(id);
    }
  }
  return out;
}

function logIndexAfter(log: { seq: number }[], after: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.seq <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function calendarViewDelta(ctx: GraphContext): Buffer {
  const cal = ctx.mailbox.calendar;
  const skip = ctx.query.get("$skiptoken") ?? ctx.query.get("skiptoken");
  const delta = ctx.query.get("$deltatoken") ?? ctx.query.get("deltatoken");
  const tokenText = skip ?? delta;
  let tok: CalendarDeltaToken;
  if (tokenText) {
    tok = readToken(ctx, tokenText);
    if (tok.m === "d" && tok.x === undefined) tok = { ...tok, x: ctx.mailbox.seq, c: undefined, p: undefined, r: undefined };
  } else {
    tok = { k: "c", n: ctx.store.nonce, i: ctx.mailbox.incarnation, e: cal.epoch, t: 0, w: parseWindow(ctx), m: "i", b: ctx.mailbox.seq };
  }
  const preferred = preferredMaxPageSize(ctx.req);
  const pageSize = Math.max(1, Math.min(preferred ?? ctx.knobs.defaultPageSize, ctx.knobs.maxPageSize));
  if (preferred !== undefined) addPreferenceApplied(ctx.res, `odata.maxpagesize=${pageSize}`);

  const link = (param: "$skiptoken" | "$deltatoken", t: CalendarDeltaToken) =>
    `${v1(ctx, `${ctx.selfPath}/calendarView/delta`)}?${param}=${encodeToken({ ...t, t: Math.floor(ctx.now() / 1000) })}`;
  const respond = (items: string[], next: string) =>
    jsonCollection(`{"@odata.context":${JSON.stringify(metadata(ctx, "Collection(event)"))},${next},"value":[`, items, "]}");

  if (tokenText && !tok.r && chance(`${tokenText}:empty`, ctx.knobs.emptyPageProbability)) {
    return respond([], `"@odata.nextLink":${JSON.stringify(link("$skiptoken", { ...tok, r: 1 }))}`);
  }
  const replay = !!(skip && tok.p && !tok.r && chance(`${skip}:replay`, ctx.knobs.replayProbability));
  const cursor = replay ? tok.p : tok.c;
  const out: string[] = [];

  if (tok.m === "i") {
    const list = instancesInWindow(cal, tok.w[0], tok.w[1]);
    let pos = cursor ? firstAfter(list, cursor) : 0;
    let last: Instance | undefined;
    while (out.length < pageSize && pos < list.length) {
      last = list[pos++]!;
      out.push(deltaEventJson(instanceObject(ctx.mailbox, last, ctx.immutableIds)));
    }
    if (pos < list.length && last) {
      const c = [last.startMs, last.record.ordinal, last.originalStartMs ?? 0];
      return respond(out, `"@odata.nextLink":${JSON.stringify(link("$skiptoken", { ...tok, c, p: cursor, r: replay ? 1 : undefined }))}`);
    }
    return respond(out, `"@odata.deltaLink":${JSON.stringify(link("$deltatoken", { ...tok, m: "d", x: undefined, c: undefined, p: undefined, r: undefined }))}`);
  }

  const S = tok.b;
  const E = tok.x!;
  const log = cal.log;
  const resumeSeq = cursor?.[0] ?? S;
  let skipOutputs = cursor?.[1] ?? 0;
  let idx = skipOutputs > 0 ? logIndexAfter(log, resumeSeq - 1) : logIndexAfter(log, resumeSeq);
  let cursorOut: number[] | undefined;
  while (idx < log.length && log[idx]!.seq <= E) {
    const entry = log[idx]!;
    if (cal.latest.get(entry.record.ordinal) !== entry.seq) {
      idx++;
      skipOutputs = 0;
      continue;
    }
    const changes = changesFor(ctx, entry.record, S, tok.w);
    let k = skipOutputs;
    skipOutputs = 0;
    while (k < changes.length && out.length < pageSize) out.push(changes[k++]!);
    if (k < changes.length) {
      cursorOut = [entry.seq, k];
      break;
    }
    idx++;
    if (out.length >= pageSize) {
      cursorOut = [entry.seq, 0];
      break;
    }
  }
  const more = cursorOut !== undefined && (cursorOut[1]! > 0 || log.slice(idx).some((e) => e.seq <= E && cal.latest.get(e.record.ordinal) === e.seq));
  if (more) {
    return respond(out, `"@odata.nextLink":${JSON.stringify(link("$skiptoken", { ...tok, c: cursorOut, p: cursor ?? [S, 0], r: replay ? 1 : undefined }))}`);
  }
  return respond(out, `"@odata.deltaLink":${JSON.stringify(link("$deltatoken", { ...tok, m: "d", b: E, x: undefined, c: undefined, p: undefined, r: undefined }))}`);
}
