/**
 * Graph items → facts. Pure: validates what the decision needs and keys the addresses; an item
 * that cannot be trusted (no id, unparseable date) comes back as a reason to skip it.
 */
import type { AddressKeyer } from "./address-keys";
import type { EventFact, ItemDetails, MailFact, StoredParticipant } from "./facts";

/** Exactly the message fields the decision, threading and "why" need; nothing else is read. */
export const MESSAGE_SELECT = [
  "id",
  "internetMessageId",
  "conversationId",
  "receivedDateTime",
  "sentDateTime",
  "isDraft",
  "from",
  "sender",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "subject",
  "webLink",
  "parentFolderId",
].join(",");

export const MESSAGE_DETAILS_SELECT = "id,subject,webLink,from,sender,toRecipients,ccRecipients,bccRecipients";
export const EVENT_DETAILS_SELECT = "id,subject,webLink,organizer,attendees";

interface GraphEmailAddress {
  emailAddress?: { name?: string | null; address?: string | null } | null;
  type?: string | null;
  status?: { response?: string | null } | null;
}

export interface GraphMessage {
  id?: unknown;
  "@removed"?: { reason?: string };
  internetMessageId?: string | null;
  conversationId?: string | null;
  receivedDateTime?: string | null;
  sentDateTime?: string | null;
  isDraft?: boolean | null;
  from?: GraphEmailAddress | null;
  sender?: GraphEmailAddress | null;
  toRecipients?: GraphEmailAddress[] | null;
  ccRecipients?: GraphEmailAddress[] | null;
  bccRecipients?: GraphEmailAddress[] | null;
  subject?: string | null;
  webLink?: string | null;
  parentFolderId?: string | null;
}

interface GraphDateTimeTimeZone {
  dateTime?: string | null;
  timeZone?: string | null;
}

export interface GraphEvent {
  id?: unknown;
  "@removed"?: { reason?: string };
  type?: string | null;
  iCalUId?: string | null;
  seriesMasterId?: string | null;
  originalStart?: string | null;
  start?: GraphDateTimeTimeZone | null;
  end?: GraphDateTimeTimeZone | null;
  isCancelled?: boolean | null;
  isOrganizer?: boolean | null;
  responseStatus?: { response?: string | null } | null;
  organizer?: GraphEmailAddress | null;
  attendees?: GraphEmailAddress[] | null;
  subject?: string | null;
  webLink?: string | null;
}

export type Mapped<T> = { ok: true; fact: T } | { ok: false; reason: string };

/** ISO-8601 UTC with milliseconds, or null when the value is not a date. */
export function isoOrNull(value: unknown): string | null {
  if (typeof value !== "string" || value.trim() === "") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Graph's dateTimeTimeZone. We ask for UTC (Prefer: outlook.timezone="UTC"); a value in another
 * zone is only trusted when it carries its own offset.
 */
export function dateTimeTimeZoneToIso(value: GraphDateTimeTimeZone | null | undefined): string | null {
  const dt = value?.dateTime;
  if (typeof dt !== "string" || dt.trim() === "") return null;
  const zone = (value?.timeZone ?? "UTC").trim();
  const hasOffset = /(?:Z|[+-]\d\d:?\d\d)$/i.test(dt);
  if (!hasOffset && zone !== "" && !/^(utc|gmt|etc\/utc|etc\/gmt|coordinated universal time)$/i.test(zone)) return null;
  // Graph writes seven fractional digits ("2024-05-01T10:00:00.0000000"); Date.parse wants at most three.
  const trimmed = dt.replace(/(\.\d{3})\d+/, "$1");
  return isoOrNull(hasOffset ? trimmed : `${trimmed}Z`);
}

function addParticipant(out: StoredParticipant[], seen: Set<string>, keyer: AddressKeyer, address: unknown, role: StoredParticipant["r"], resource = false): void {
  if (typeof address !== "string") return;
  const p = keyer.participant(address, role, resource);
  if (!p) return;
  const k = `${role}\u0000${p.k}`;
  if (seen.has(k)) return;
  seen.add(k);
  out.push(p);
}

function detailParticipant(list: ItemDetails["participants"], a: GraphEmailAddress | null | undefined, role: StoredParticipant["r"]): void {
  const address = a?.emailAddress?.address;
  if (typeof address !== "string" || address.trim() === "") return;
  list.push({ address: address.trim(), name: (a?.emailAddress?.name ?? "").trim(), role });
}

/** The sender as Graph reports it: `from`, or `sender` when from is empty (some system mail). */
function fromOf(m: GraphMessage): GraphEmailAddress | null | undefined {
  return m.from?.emailAddress?.address ? m.from : m.sender;
}

export function messageDetails(m: GraphMessage): ItemDetails {
  const participants: ItemDetails["participants"] = [];
  detailParticipant(participants, fromOf(m), "from");
  for (const a of m.toRecipients ?? []) detailParticipant(participants, a, "to");
  for (const a of m.ccRecipients ?? []) detailParticipant(participants, a, "cc");
  for (const a of m.bccRecipients ?? []) detailParticipant(participants, a, "bcc");
  return { subject: typeof m.subject === "string" ? m.subject : "", webLink: typeof m.webLink === "string" ? m.webLink : null, participants };
}

export function eventDetails(e: GraphEvent): ItemDetails {
  const participants: ItemDetails["participants"] = [];
  detailParticipant(participants, e.organizer, "organizer");
  for (const a of e.attendees ?? []) detailParticipant(participants, a, "attendee");
  return { subject: typeof e.subject === "string" ? e.subject : "", webLink: typeof e.webLink === "string" ? e.webLink : null, participants };
}

export function toMailFact(m: GraphMessage, memberId: string, folderId: string, keyer: AddressKeyer): Mapped<MailFact> {
  if (typeof m.id !== "string" || m.id === "") return { ok: false, reason: "message without id" };
  const receivedAt = isoOrNull(m.receivedDateTime);
  if (!receivedAt) return { ok: false, reason: "message with missing or invalid receivedDateTime" };
  const participants: StoredParticipant[] = [];
  const seen = new Set<string>();
  addParticipant(participants, seen, keyer, fromOf(m)?.emailAddress?.address, "from");
  for (const a of m.toRecipients ?? []) addParticipant(participants, seen, keyer, a?.emailAddress?.address, "to");
  for (const a of m.ccRecipients ?? []) addParticipant(participants, seen, keyer, a?.emailAddress?.address, "cc");
  for (const a of m.bccRecipients ?? []) addParticipant(participants, seen, keyer, a?.emailAddress?.address, "bcc");
  return {
    ok: true,
    fact: {
      memberId,
      graphId: m.id,
      folderId,
      internetMessageId: typeof m.internetMessageId === "string" && m.internetMessageId !== "" ? m.internetMessageId : null,
      conversationId: typeof m.conversationId === "string" && m.conversationId !== "" ? m.conversationId : null,
      receivedAt,
      sentAt: isoOrNull(m.sentDateTime),
      isDraft: m.isDraft === true,
      participants,
      details: messageDetails(m),
    },
  };
}

const RESPONSES = new Set<EventFact["ownerResponse"]>(["none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"]);

export function toEventFact(e: GraphEvent, memberId: string, keyer: AddressKeyer): Mapped<EventFact> {
  if (typeof e.id !== "string" || e.id === "") return { ok: false, reason: "event without id" };
  const start = dateTimeTimeZoneToIso(e.start);
  const end = dateTimeTimeZoneToIso(e.end);
  if (!start || !end) return { ok: false, reason: "event with missing or invalid start/end" };
  const participants: StoredParticipant[] = [];
  const seen = new Set<string>();
  addParticipant(participants, seen, keyer, e.organizer?.emailAddress?.address, "organizer");
  for (const a of e.attendees ?? []) {
    addParticipant(participants, seen, keyer, a?.emailAddress?.address, "attendee", (a?.type ?? "").toLowerCase() === "resource");
  }
  const raw = e.responseStatus?.response ?? "none";
  let ownerResponse: EventFact["ownerResponse"] = RESPONSES.has(raw as EventFact["ownerResponse"]) ? (raw as EventFact["ownerResponse"]) : "none";
  if (e.isOrganizer === true) ownerResponse = "organizer";
  return {
    ok: true,
    fact: {
      memberId,
      graphId: e.id,
      iCalUId: typeof e.iCalUId === "string" && e.iCalUId !== "" ? e.iCalUId : null,
      seriesMasterId: typeof e.seriesMasterId === "string" && e.seriesMasterId !== "" ? e.seriesMasterId : null,
      originalStart: isoOrNull(e.originalStart),
      start,
      end,
      isCancelled: e.isCancelled === true,
      ownerResponse,
      participants,
      details: eventDetails(e),
    },
  };
}
