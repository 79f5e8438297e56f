/**
 * Calendar mutations: add, update (series or one occurrence → exception), cancel (the attendee's
 * copy stays with isCancelled true) and delete (series or one occurrence). Ids that stop existing
 * are remembered with their sequence number so calendar delta can report them as @removed.
 */
import type { Event } from "@microsoft/microsoft-graph-types";
import { GraphError } from "../errors";
import { iCalUIdFor } from "../ids";
import type { SeedEvent } from "../seed-types";
import { allInstanceIds, instanceId, parseGraphDateTime } from "../calendar/calendar-view";
import { occurrenceStarts } from "../calendar/recurrence";
import type { MutationContext } from "./messages";
import type { EventRecord, Mailbox, OccurrenceOverride } from "./types";

/** Event timestamps carry 7 fractional digits on Graph: 2024-05-01T10:20:30.1234567Z. */
export function eventTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}

export function parseOriginalStart(text: string): number {
  const ms = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(ms)) throw new GraphError(400, "ErrorInvalidRequest", `Invalid originalStart '${text}'.`);
  return ms;
}

export function createEventRecord(mb: Mailbox, seed: SeedEvent, seq: number, nowMs: number): EventRecord {
  const ordinal = mb.nextOrdinal++;
  const { key, occurrenceOverrides, createdDateTime, lastModifiedDateTime, changeKey: _ck, ...data } = seed;
  const startMs = parseGraphDateTime(data.start, "start");
  const endMs = parseGraphDateTime(data.end, "end");
  if (endMs < startMs) throw new GraphError(400, "ErrorInvalidRequest", "The event's end is before its start.");
  if (!data.iCalUId) data.iCalUId = iCalUIdFor(`${mb.oid}:${ordinal}`);
  const record: EventRecord = {
    ordinal,
    seedKey: key,
    restId: mb.ids.eventRestId(ordinal),
    immutableId: mb.ids.eventImmutableId(ordinal),
    kind: data.recurrence ? "seriesMaster" : "singleInstance",
    data,
    recurrence: data.recurrence ?? undefined,
    startMs,
    durationMs: endMs - startMs,
    overrides: new Map(),
    seriesSeq: seq,
    lastSeq: seq,
    version: 1,
    changeKey: mb.ids.changeKey(ordinal, 1),
    createdDateTime: createdDateTime ?? eventTimestamp(Math.min(nowMs, startMs - 7 * 86_400_000)),
    lastModifiedDateTime: lastModifiedDateTime ?? createdDateTime ?? eventTimestamp(Math.min(nowMs, startMs - 7 * 86_400_000)),
    deleted: false,
    removed: [],
  };
  for (const ov of occurrenceOverrides ?? []) {
    const original = parseOriginalStart(ov.originalStart);
    record.overrides.set(original, {
      originalStartMs: original,
      seq,
      deleted: !!ov.deleted,
      isCancelled: !!ov.isCancelled,
      changes: ov.changes,
    });
  }
  return record;
}

function logChange(mb: Mailbox, record: EventRecord, seq: number, nowMs: number): void {
  record.lastSeq = seq;
  record.version++;
  record.changeKey = mb.ids.changeKey(record.ordinal, record.version);
  record.lastModifiedDateTime = eventTimestamp(nowMs);
  mb.calendar.log.push({ seq, record });
  mb.calendar.latest.set(record.ordinal, seq);
  mb.calendar.lastSeq = seq;
}

function announce(mb: Mailbox, ctx: MutationContext, record: EventRecord, changeType: "created" | "updated" | "deleted", seq: number, originalStartMs?: number) {
  ctx.emit({
    resource: "event",
    oid: mb.oid,
    changeType,
    id: record.restId,
    immutableId: record.immutableId,
    ...(originalStartMs !== undefined ? { originalStart: new Date(originalStartMs).toISOString().replace(".000Z", "Z") } : {}),
    changeKey: record.changeKey,
    seq,
  });
}

export function addEvent(mb: Mailbox, ctx: MutationContext, seed: SeedEvent): EventRecord {
  const seq = ++mb.seq;
  const record = createEventRecord(mb, seed, seq, ctx.now());
  record.version = 0;
  mb.calendar.events.push(record);
  mb.calendar.byId.set(record.restId, record);
  mb.calendar.byId.set(record.immutableId, record);
  logChange(mb, record, seq, ctx.now());
  announce(mb, ctx, record, "created", seq);
  return record;
}

function requireOccurrence(record: EventRecord, originalStartMs: number): void {
  if (record.kind !== "seriesMaster") throw new GraphError(400, "ErrorInvalidRequest", "Only a series has occurrences.");
  const starts = occurrenceStarts(record.recurrence!, record.startMs, record.durationMs, originalStartMs, originalStartMs + 1);
  if (!starts.includes(originalStartMs)) throw new GraphError(404, "ErrorItemNotFound", "The series has no occurrence at that originalStart.");
}

function override(record: EventRecord, originalStartMs: number, seq: number): OccurrenceOverride {
  let ov = record.overrides.get(originalStartMs);
  if (!ov) {
    ov = { originalStartMs, seq, deleted: false, isCancelled: false, changes: undefined };
    record.overrides.set(originalStartMs, ov);
  }
  ov.seq = seq;
  return ov;
}

function rememberVanished(mb: Mailbox, record: EventRecord, before: Array<{ restId: string; immutableId: string }>, seq: number, nowMs: number) {
  const after = new Set(allInstanceIds(mb, record, nowMs).map((x) => x.restId));
  for (const id of before) if (!after.has(id.restId)) record.removed.push({ seq, ...id });
}

const READ_ONLY = new Set(["id", "type", "seriesMasterId", "originalStart", "webLink", "changeKey", "createdDateTime", "lastModifiedDateTime", "key", "occurrenceOverrides"]);

export function updateEvent(
  mb: Mailbox,
  ctx: MutationContext,
  record: EventRecord,
  patch: Partial<Event>,
  originalStartMs?: number,
): EventRecord {
  if (record.deleted) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const now = ctx.now();
  if (originalStartMs !== undefined) {
    requireOccurrence(record, originalStartMs);
    const seq = ++mb.seq;
    const ov = override(record, originalStartMs, seq);
    const changes: Partial<Event> = { ...(ov.changes ?? {}) };
    for (const [k, v] of Object.entries(patch)) if (!READ_ONLY.has(k)) (changes as Record<string, unknown>)[k] = v;
    if (changes.start) parseGraphDateTime(changes.start, "start");
    if (changes.start && !changes.end) {
      changes.end = { dateTime: new Date(parseGraphDateTime(changes.start, "start") + record.durationMs).toISOString(), timeZone: "UTC" };
    }
    ov.changes = changes;
    logChange(mb, record, seq, now);
    announce(mb, ctx, record, "updated", seq, originalStartMs);
    return record;
  }
  const before = allInstanceIds(mb, record, now);
  const seq = ++mb.seq;
  for (const [k, v] of Object.entries(patch)) if (!READ_ONLY.has(k)) (record.data as Record<string, unknown>)[k] = v;
  record.startMs = parseGraphDateTime(record.data.start, "start");
  record.durationMs = parseGraphDateTime(record.data.end, "end") - record.startMs;
  record.recurrence = record.data.recurrence ?? undefined;
  record.kind = record.recurrence ? "seriesMaster" : "singleInstance";
  record.seriesSeq = seq;
  rememberVanished(mb, record, before, seq, now);
  logChange(mb, record, seq, now);
  announce(mb, ctx, record, "updated", seq);
  return record;
}

/** The organiser cancelled: attendees' copies remain, marked cancelled (Outlook prefixes the subject). */
export function cancelEvent(mb: Mailbox, ctx: MutationContext, record: EventRecord, originalStartMs?: number): EventRecord {
  if (record.deleted) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const seq = ++mb.seq;
  if (originalStartMs !== undefined) {
    requireOccurrence(record, originalStartMs);
    override(record, originalStartMs, seq).isCancelled = true;
  } else {
    record.data.isCancelled = true;
    if (record.data.subject && !/^Canceled: /.test(record.data.subject)) record.data.subject = `Canceled: ${record.data.subject}`;
    record.seriesSeq = seq;
  }
  logChange(mb, record, seq, ctx.now());
  announce(mb, ctx, record, "updated", seq, originalStartMs);
  return record;
}

export function deleteEvent(mb: Mailbox, ctx: MutationContext, record: EventRecord, originalStartMs?: number): void {
  if (record.deleted) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const now = ctx.now();
  if (originalStartMs !== undefined) {
    requireOccurrence(record, originalStartMs);
    const seq = ++mb.seq;
    override(record, originalStartMs, seq).deleted = true;
    const probe = { record, originalStartMs };
    record.removed.push({ seq, restId: instanceId(mb, probe, false), immutableId: instanceId(mb, probe, true) });
    logChange(mb, record, seq, now);
    announce(mb, ctx, record, "deleted", seq, originalStartMs);
    return;
  }
  const ids = allInstanceIds(mb, record, now);
  const seq = ++mb.seq;
  for (const id of ids) record.removed.push({ seq, ...id });
  record.deleted = true;
  mb.calendar.byId.delete(record.restId);
  mb.calendar.byId.delete(record.immutableId);
  logChange(mb, record, seq, now);
  announce(mb, ctx, record, "deleted", seq);
}
