/**
 * Calendar view expansion: which single events, occurrences and exceptions overlap a window, the
 * ids Exchange gives them, and the order delta pages through them in.
 */
import type { DateTimeTimeZone } from "@microsoft/microsoft-graph-types";
import { GraphError } from "../errors";
import { occurrenceStarts, seriesHorizon } from "./recurrence";
import type { CalendarState, EventRecord, Instance, Mailbox } from "../store/types";

const UTC_NAMES = new Set(["utc", "etc/utc", "etc/gmt", "gmt", "coordinated universal time", "greenwich standard time"]);

export function parseGraphDateTime(value: DateTimeTimeZone | null | undefined, field: string): number {
  if (!value?.dateTime) throw new GraphError(400, "ErrorInvalidRequest", `The event's '${field}' is required.`);
  const zone = (value.timeZone ?? "UTC").toLowerCase();
  if (!UTC_NAMES.has(zone)) {
    throw new GraphError(400, "ErrorTimeZoneNotSupported", `The emulator stores events in UTC; '${value.timeZone}' is not supported.`);
  }
  const text = value.dateTime.replace(/(\.\d{3})\d*$/, "$1").replace(/Z$/i, "");
  const ms = Date.parse(`${text}Z`);
  if (Number.isNaN(ms)) throw new GraphError(400, "ErrorInvalidRequest", `Invalid ${field}.dateTime '${value.dateTime}'.`);
  return ms;
}

/** {dateTime:"2024-05-01T10:00:00.0000000", timeZone:"UTC"} as Graph writes event times. */
export function graphDateTime(ms: number): DateTimeTimeZone {
  return { dateTime: new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000"), timeZone: "UTC" };
}

export function instanceId(mb: Mailbox, inst: Pick<Instance, "record" | "originalStartMs">, immutable: boolean): string {
  const master = immutable ? inst.record.immutableId : inst.record.restId;
  return inst.originalStartMs === undefined ? master : mb.ids.occurrenceId(master, inst.originalStartMs);
}

function overlaps(start: number, end: number, fromMs: number, toMs: number): boolean {
  // Zero-length events at the window start still count, as in Outlook.
  return start < toMs && (end > fromMs || (end === start && start >= fromMs));
}

export function instancesOf(record: EventRecord, fromMs: number, toMs: number): Instance[] {
  if (record.deleted) return [];
  if (record.kind === "singleInstance") {
    const end = record.startMs + record.durationMs;
    if (!overlaps(record.startMs, end, fromMs, toMs)) return [];
    return [
      { record, originalStartMs: undefined, startMs: record.startMs, endMs: end, type: "singleInstance", override: undefined, changeSeq: record.seriesSeq },
    ];
  }
  const out: Instance[] = [];
  const recurrence = record.recurrence!;
  const make = (original: number) => {
    const inst = buildOccurrence(record, original);
    if (inst && overlaps(inst.startMs, inst.endMs, fromMs, toMs)) out.push(inst);
  };
  const starts = occurrenceStarts(recurrence, record.startMs, record.durationMs, fromMs, toMs);
  const seen = new Set(starts);
  for (const s of starts) make(s);
  // An exception moved into the window from an original time outside it.
  for (const ov of record.overrides.values()) {
    if (!ov.changes?.start || seen.has(ov.originalStartMs)) continue;
    if (isOccurrenceStart(record, ov.originalStartMs)) make(ov.originalStartMs);
  }
  return out;
}

function isOccurrenceStart(record: EventRecord, originalStartMs: number): boolean {
  if (record.kind !== "seriesMaster" || !record.recurrence) return false;
  return occurrenceStarts(record.recurrence, record.startMs, record.durationMs, originalStartMs, originalStartMs + 1).includes(originalStartMs);
}

function buildOccurrence(record: EventRecord, original: number): Instance | undefined {
  const ov = record.overrides.get(original);
  if (ov?.deleted) return undefined;
  const start = ov?.changes?.start ? parseGraphDateTime(ov.changes.start, "start") : original;
  const end = ov?.changes?.end ? parseGraphDateTime(ov.changes.end, "end") : start + record.durationMs;
  return {
    record,
    originalStartMs: original,
    startMs: start,
    endMs: end,
    type: ov && (ov.changes || ov.isCancelled) ? "exception" : "occurrence",
    override: ov,
    changeSeq: Math.max(record.seriesSeq, ov?.seq ?? 0),
  };
}

/** The occurrence a series has at originalStartMs (undefined if none, or deleted). */
export function occurrenceAt(record: EventRecord, originalStartMs: number): Instance | undefined {
  if (record.deleted || !isOccurrenceStart(record, originalStartMs)) return undefined;
  return buildOccurrence(record, originalStartMs);
}

/** Reads the original start back out of an occurrence id (see IdFactory.occurrenceId). */
export function originalStartFromOccurrenceId(id: string): number | undefined {
  if (id.length < 24) return undefined;
  const tail = Buffer.from(id.slice(-20).replace(/-/g, "/").replace(/_/g, "+"), "base64");
  if (tail.length !== 14 || tail[2] !== 0x10) return undefined;
  const minutes = tail.readUInt32BE(3) * 0x100000000 + tail.readUInt32BE(7);
  return minutes * 60000;
}

export function compareInstances(a: Instance, b: Instance): number {
  return a.startMs - b.startMs || a.record.ordinal - b.record.ordinal || (a.originalStartMs ?? 0) - (b.originalStartMs ?? 0);
}

/** Every instance overlapping [fromMs, toMs), sorted by start; cached until the calendar changes. */
export function instancesInWindow(calendar: CalendarState, fromMs: number, toMs: number): Instance[] {
  const cache = calendar.viewCache;
  if (cache && cache.seq === calendar.lastSeq && cache.fromMs === fromMs && cache.toMs === toMs) return cache.instances;
  const all: Instance[] = [];
  for (const record of calendar.events) {
    if (record.deleted) continue;
    for (const inst of instancesOf(record, fromMs, toMs)) all.push(inst);
  }
  all.sort(compareInstances);
  calendar.viewCache = { seq: calendar.lastSeq, fromMs, toMs, instances: all };
  return all;
}

/** Every instance id (both id kinds) an event can have — listed as removed when it goes away. */
export function allInstanceIds(mb: Mailbox, record: EventRecord, nowMs: number): Array<{ restId: string; immutableId: string }> {
  if (record.kind === "singleInstance") return [{ restId: record.restId, immutableId: record.immutableId }];
  const [from, to] = seriesHorizon(record.recurrence!, record.startMs, nowMs);
  const wasDeleted = record.deleted;
  record.deleted = false;
  const instances = instancesOf(record, from, to);
  record.deleted = wasDeleted;
  const out = instances.map((inst) => ({ restId: instanceId(mb, inst, false), immutableId: instanceId(mb, inst, true) }));
  out.push({ restId: record.restId, immutableId: record.immutableId });
  return out;
}
