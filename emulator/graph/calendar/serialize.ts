/**
 * Event JSON in Graph's property order: occurrences carry seriesMasterId/originalStart and
 * type occurrence|exception, a cancelled occurrence shows isCancelled, times are
 * {dateTime, timeZone:"UTC"}.
 */
import type { Event } from "@microsoft/microsoft-graph-types";
import type { EventRecord, Instance, Mailbox } from "../store/types";
import { graphDateTime, instanceId } from "./calendar-view";

export const EVENT_PROPERTIES = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "transactionId",
  "originalStartTimeZone",
  "originalEndTimeZone",
  "iCalUId",
  "reminderMinutesBeforeStart",
  "isReminderOn",
  "hasAttachments",
  "subject",
  "bodyPreview",
  "importance",
  "sensitivity",
  "isAllDay",
  "isCancelled",
  "isOrganizer",
  "responseRequested",
  "seriesMasterId",
  "showAs",
  "type",
  "webLink",
  "onlineMeetingUrl",
  "isOnlineMeeting",
  "onlineMeetingProvider",
  "allowNewTimeProposals",
  "isDraft",
  "hideAttendees",
  "originalStart",
  "responseStatus",
  "body",
  "start",
  "end",
  "location",
  "locations",
  "recurrence",
  "attendees",
  "organizer",
  "onlineMeeting",
] as const;

const OUTLOOK_UID = /^040000008200E00074C5B7101A82E008[0-9A-F]{8}/i;

function occurrenceUid(masterUid: string | null | undefined, originalStartMs: number): string | null {
  if (!masterUid) return null;
  if (!OUTLOOK_UID.test(masterUid)) return masterUid;
  const d = new Date(originalStartMs);
  const y = d.getUTCFullYear();
  const hex = [y >> 8, y & 0xff, d.getUTCMonth() + 1, d.getUTCDate()].map((n) => n.toString(16).padStart(2, "0")).join("").toUpperCase();
  return masterUid.slice(0, 32) + hex + masterUid.slice(40);
}

export function eventWebLink(id: string): string {
  return `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`;
}

function utcOffsetString(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** The full Graph object for a calendar-view instance. */
export function instanceObject(mb: Mailbox, inst: Instance, immutableIds: boolean): Record<string, unknown> {
  const record = inst.record;
  const ov = inst.override;
  const data: Partial<Event> = ov?.changes ? { ...record.data, ...ov.changes } : record.data;
  const id = instanceId(mb, inst, immutableIds);
  const isOccurrence = inst.originalStartMs !== undefined;
  const cancelled = !!(data.isCancelled || ov?.isCancelled);
  let subject = data.subject ?? "";
  if (ov?.isCancelled && !/^Canceled: /.test(subject)) subject = `Canceled: ${subject}`;
  const changeKey = ov ? mb.ids.changeKey(record.ordinal, record.version * 1000 + ov.seq) : record.changeKey;
  return build({
    id,
    createdDateTime: record.createdDateTime,
    lastModifiedDateTime: record.lastModifiedDateTime,
    changeKey,
    data: { ...data, subject, isCancelled: cancelled },
    seriesMasterId: isOccurrence ? (immutableIds ? record.immutableId : record.restId) : null,
    type: inst.type,
    originalStart: isOccurrence ? utcOffsetString(inst.originalStartMs!) : undefined,
    iCalUId: isOccurrence ? occurrenceUid(data.iCalUId, inst.originalStartMs!) : (data.iCalUId ?? null),
    start: inst.startMs,
    end: inst.endMs,
    recurrence: null,
  });
}

/** A series master or single event as /me/events/{id} returns it. */
export function masterObject(record: EventRecord, immutableIds: boolean): Record<string, unknown> {
  return build({
    id: immutableIds ? record.immutableId : record.restId,
    createdDateTime: record.createdDateTime,
    lastModifiedDateTime: record.lastModifiedDateTime,
    changeKey: record.changeKey,
    data: record.data,
    seriesMasterId: null,
    type: record.kind,
    originalStart: undefined,
    iCalUId: record.data.iCalUId ?? null,
    start: record.startMs,
    end: record.startMs + record.durationMs,
    recurrence: record.recurrence ?? null,
  });
}

interface BuildInput {
  id: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  data: Partial<Event>;
  seriesMasterId: string | null;
  type: string;
  originalStart: string | undefined;
  iCalUId: string | null;
  start: number;
  end: number;
  recurrence: unknown;
}

function build(x: BuildInput): Record<string, unknown> {
  const d = x.data;
  const isOrganizer = d.isOrganizer ?? false;
  const out: Record<string, unknown> = {
    "@odata.etag": `W/"${x.changeKey}"`,
    id: x.id,
    createdDateTime: x.createdDateTime,
    lastModifiedDateTime: x.lastModifiedDateTime,
    changeKey: x.changeKey,
    categories: d.categories ?? [],
    transactionId: d.transactionId ?? null,
    originalStartTimeZone: d.originalStartTimeZone ?? "UTC",
    originalEndTimeZone: d.originalEndTimeZone ?? "UTC",
    iCalUId: x.iCalUId,
    reminderMinutesBeforeStart: d.reminderMinutesBeforeStart ?? 15,
    isReminderOn: d.isReminderOn ?? true,
    hasAttachments: d.hasAttachments ?? false,
    subject: d.subject ?? "",
    bodyPreview: d.bodyPreview ?? "",
    importance: d.importance ?? "normal",
    sensitivity: d.sensitivity ?? "normal",
    isAllDay: d.isAllDay ?? false,
    isCancelled: d.isCancelled ?? false,
    isOrganizer,
    responseRequested: d.responseRequested ?? true,
    seriesMasterId: x.seriesMasterId,
    showAs: d.showAs ?? (d.isCancelled ? "free" : "busy"),
    type: x.type,
    webLink: eventWebLink(x.id),
    onlineMeetingUrl: d.onlineMeetingUrl ?? null,
    isOnlineMeeting: d.isOnlineMeeting ?? false,
    onlineMeetingProvider: d.onlineMeetingProvider ?? "unknown",
    allowNewTimeProposals: d.allowNewTimeProposals ?? true,
    isDraft: d.isDraft ?? false,
    hideAttendees: d.hideAttendees ?? false,
  };
  if (x.originalStart !== undefined) out.originalStart = x.originalStart;
  out.responseStatus = d.responseStatus ?? (isOrganizer ? { response: "organizer", time: "0001-01-01T00:00:00Z" } : { response: "none", time: "0001-01-01T00:00:00Z" });
  out.body = d.body ?? { contentType: "html", content: "" };
  out.start = graphDateTime(x.start);
  out.end = graphDateTime(x.end);
  out.location = d.location ?? { displayName: "", locationType: "default", uniqueIdType: "unknown", address: {}, coordinates: {} };
  out.locations = d.locations ?? [];
  out.recurrence = x.recurrence;
  out.attendees = d.attendees ?? [];
  out.organizer = d.organizer ?? null;
  out.onlineMeeting = d.onlineMeeting ?? null;
  return out;
}

/** Applies $select (id and @odata.etag always kept) to a full event object. */
export function selectEvent(full: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return full;
  const out: Record<string, unknown> = { "@odata.etag": full["@odata.etag"], id: full.id };
  for (const name of select) if (name in full) out[name] = full[name];
  return out;
}

/** Delta items: @odata.type first and id last, as in Graph's calendarView delta responses. */
export function deltaEventJson(full: Record<string, unknown>): string {
  const { id, ...rest } = full;
  return JSON.stringify({ "@odata.type": "#microsoft.graph.event", ...rest, id });
}
