/**
 * Participants: what the decision functions see of a message or event. The same shape carries
 * either plain normalised addresses or keyed hashes of them, so the server can decide again,
 * locally, about mail it only kept hashes of. Browser-safe.
 */
import { domainOf, isSmtpAddress, normalizeAddress } from "./addresses";
import { plainKeys, type KeyFunctions } from "./directory";

export type ParticipantRole = "from" | "to" | "cc" | "bcc" | "organizer" | "attendee";

export interface Participant {
  /** keyOf(normalised address): the address itself for plain keys, a keyed hash on the server. */
  key: string;
  /** domainKeyOf(domain of the address); "" for non-SMTP addresses. */
  domainKey: string;
  /** False for Exchange X500 paths and anything else that is not an email address. */
  smtp: boolean;
  role: ParticipantRole;
  /** Rooms and equipment on a meeting: never participants for matching. */
  isResource?: boolean;
  /** Display name, only kept with plain keys (diagnosis wording); never used for matching. */
  name?: string;
}

export type EventType = "singleInstance" | "occurrence" | "exception" | "seriesMaster";
export type ResponseKind = "none" | "organizer" | "tentativelyAccepted" | "accepted" | "declined" | "notResponded";

export interface MessageFacts {
  isDraft?: boolean;
  /** When the message was sent (epoch ms); only used to notice contacts created after it. */
  at?: number | null;
  participants: readonly Participant[];
}

export interface EventFacts {
  type?: EventType | null;
  isCancelled?: boolean;
  /** The calendar owner's own response (Graph event.responseStatus.response). */
  memberResponse?: ResponseKind | null;
  /** Start of this occurrence (epoch ms); only used to notice contacts created after it. */
  at?: number | null;
  participants: readonly Participant[];
}

export interface AddressLike {
  address?: string | null;
  name?: string | null;
}

/** Build one participant; null when there is no address at all. */
export function makeParticipant(
  raw: AddressLike | string | null | undefined,
  role: ParticipantRole,
  keys: KeyFunctions = plainKeys,
  isResource = false,
): Participant | null {
  if (!raw) return null;
  const address = typeof raw === "string" ? raw : raw.address;
  const normalized = normalizeAddress(address);
  if (!normalized) return null;
  const smtp = isSmtpAddress(normalized);
  const domain = smtp ? domainOf(normalized) : "";
  const p: Participant = {
    key: keys.keyOf(normalized),
    domainKey: domain ? keys.domainKeyOf(domain) : "",
    smtp,
    role,
  };
  if (isResource) p.isResource = true;
  // Names are kept only on plain participants: keyed ones are stored for mail that did not match.
  if (keys === plainKeys && typeof raw !== "string" && raw.name) p.name = raw.name.trim();
  return p;
}

function addAll(out: Participant[], list: readonly (AddressLike | string)[] | null | undefined, role: ParticipantRole, keys: KeyFunctions): void {
  if (!list) return;
  for (const r of list) {
    const p = makeParticipant(r, role, keys);
    if (p) out.push(p);
  }
}

/** A message as the pane (Office.js) or a test knows it. */
export interface PlainMessage {
  isDraft?: boolean;
  at?: number | string | null;
  from?: AddressLike | string | null;
  to?: readonly (AddressLike | string)[] | null;
  cc?: readonly (AddressLike | string)[] | null;
  bcc?: readonly (AddressLike | string)[] | null;
}

function toMs(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = typeof v === "number" ? v : Date.parse(v);
  return Number.isFinite(n) ? n : null;
}

export function messageFacts(msg: PlainMessage, keys: KeyFunctions = plainKeys): MessageFacts {
  const participants: Participant[] = [];
  const from = makeParticipant(msg.from, "from", keys);
  if (from) participants.push(from);
  addAll(participants, msg.to, "to", keys);
  addAll(participants, msg.cc, "cc", keys);
  addAll(participants, msg.bcc, "bcc", keys);
  return { isDraft: msg.isDraft === true, at: toMs(msg.at), participants };
}

export interface GraphRecipientLike {
  emailAddress?: { name?: string | null; address?: string | null } | null;
}

/** The fields of a Graph message the rules read (a structural subset of microsoft-graph-types' Message). */
export interface GraphMessageLike {
  isDraft?: boolean | null;
  from?: GraphRecipientLike | null;
  /** Used only when from is missing. */
  sender?: GraphRecipientLike | null;
  toRecipients?: readonly GraphRecipientLike[] | null;
  ccRecipients?: readonly GraphRecipientLike[] | null;
  bccRecipients?: readonly GraphRecipientLike[] | null;
  sentDateTime?: string | null;
  receivedDateTime?: string | null;
}

function recipients(list: readonly GraphRecipientLike[] | null | undefined): AddressLike[] {
  const out: AddressLike[] = [];
  if (list) for (const r of list) if (r?.emailAddress) out.push(r.emailAddress);
  return out;
}

export function messageFactsFromGraph(m: GraphMessageLike, keys: KeyFunctions = plainKeys): MessageFacts {
  return messageFacts(
    {
      isDraft: m.isDraft === true,
      at: m.sentDateTime ?? m.receivedDateTime ?? null,
      from: m.from?.emailAddress ?? m.sender?.emailAddress ?? null,
      to: recipients(m.toRecipients),
      cc: recipients(m.ccRecipients),
      bcc: recipients(m.bccRecipients),
    },
    keys,
  );
}

/** The fields of a Graph event the rules read (a structural subset of microsoft-graph-types' Event). */
export interface GraphEventLike {
  type?: EventType | string | null;
  isCancelled?: boolean | null;
  responseStatus?: { response?: ResponseKind | string | null } | null;
  organizer?: GraphRecipientLike | null;
  attendees?: readonly (GraphRecipientLike & { type?: string | null })[] | null;
  locations?: readonly { locationEmailAddress?: string | null }[] | null;
  location?: { locationEmailAddress?: string | null } | null;
  start?: { dateTime?: string | null; timeZone?: string | null } | null;
}

/** Graph returns "2024-05-01T10:00:00.0000000" plus a timeZone; without a Prefer header that zone is UTC. */
export function graphDateTimeToMs(dt: { dateTime?: string | null; timeZone?: string | null } | null | undefined): number | null {
  if (!dt?.dateTime) return null;
  const s = dt.dateTime;
  const hasOffset = /(?:z|[+-]\d\d:?\d\d)$/i.test(s);
  const utc = !dt.timeZone || /^(utc|etc\/utc|gmt|z)$/i.test(dt.timeZone);
  const n = Date.parse(hasOffset || !utc ? s : `${s}Z`);
  return Number.isFinite(n) ? n : null;
}

const EVENT_TYPES = new Set(["singleInstance", "occurrence", "exception", "seriesMaster"]);
const RESPONSES = new Set(["none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"]);

export function eventFactsFromGraph(e: GraphEventLike, keys: KeyFunctions = plainKeys): EventFacts {
  // Rooms booked as a location can also appear as ordinary attendees: treat their addresses as resources.
  const roomAddresses: string[] = [];
  for (const l of e.locations ?? []) {
    const n = normalizeAddress(l?.locationEmailAddress);
    if (n) roomAddresses.push(n);
  }
  const single = normalizeAddress(e.location?.locationEmailAddress);
  if (single) roomAddresses.push(single);

  const participants: Participant[] = [];
  const organizer = makeParticipant(e.organizer?.emailAddress, "organizer", keys);
  if (organizer) participants.push(organizer);
  for (const a of e.attendees ?? []) {
    const addr = a?.emailAddress;
    if (!addr) continue;
    const isResource = a.type === "resource" || roomAddresses.includes(normalizeAddress(addr.address));
    const p = makeParticipant(addr, "attendee", keys, isResource);
    if (p) participants.push(p);
  }
  const type = e.type && EVENT_TYPES.has(e.type) ? (e.type as EventType) : null;
  const response = e.responseStatus?.response;
  return {
    type,
    isCancelled: e.isCancelled === true,
    memberResponse: response && RESPONSES.has(response) ? (response as ResponseKind) : null,
    at: graphDateTimeToMs(e.start),
    participants,
  };
}
