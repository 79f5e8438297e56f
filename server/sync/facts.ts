/**
 * The contract between the sync engine (server/sync: reads Graph, owns cursors) and the
 * interactions engine (server/interactions: decides, materialises, re-decides).
 *
 * For every message and event occurrence inside the sync window the sync stores a FACT: just
 * enough to decide again locally when the directory or settings change, and nothing readable
 * about mail that did not match: addresses are keyed hashes (HMAC with a per-organisation key),
 * no subject, no body. Details (subject, names, web link) are stored only for items that match.
 */

/** A participant as stored: keyed hashes, never the address itself. */
export interface StoredParticipant {
  /** Keyed hash of the normalised address. */
  k: string;
  /** Keyed hash of the address's domain ("" for non-SMTP addresses). */
  d: string;
  /** 1 when the address is SMTP; X500 and other non-SMTP addresses are never customer contacts. */
  s: 0 | 1;
  /** from | to | cc | bcc | organizer | attendee */
  r: "from" | "to" | "cc" | "bcc" | "organizer" | "attendee";
  /** Attendee type resource (rooms, equipment) — excluded from matching. */
  res?: 1;
}

export interface MailFact {
  memberId: string;
  /** Graph immutable id (requested with Prefer: IdType="ImmutableId"). */
  graphId: string;
  folderId: string;
  internetMessageId: string | null;
  conversationId: string | null;
  receivedAt: string;
  sentAt: string | null;
  isDraft: boolean;
  participants: StoredParticipant[];
  /**
   * Readable details as Graph returned them on this page. Handed over in memory only: the
   * interactions engine keeps them solely when the message matches a customer. Absent when
   * the fact is re-decided later; then a new match fetches them from Graph by id.
   */
  details?: ItemDetails;
}

export interface ItemDetails {
  subject: string;
  webLink: string | null;
  participants: { address: string; name: string; role: StoredParticipant["r"] }[];
}

export interface EventFact {
  memberId: string;
  /** Graph id of the occurrence / single instance (immutable). */
  graphId: string;
  iCalUId: string | null;
  seriesMasterId: string | null;
  originalStart: string | null;
  start: string;
  end: string;
  isCancelled: boolean;
  /** The mailbox owner's own response: declined meetings do not count for them. */
  ownerResponse: "none" | "organizer" | "tentativelyAccepted" | "accepted" | "declined" | "notResponded";
  participants: StoredParticipant[];
  details?: ItemDetails;
}

/** The change set of one applied page, handed to the interactions engine INSIDE the same transaction as the cursor. */
export interface FactChanges {
  memberId: string;
  upsertedMail: MailFact[];
  removedMailIds: string[];
  upsertedEvents: EventFact[];
  removedEventIds: string[];
}

/** Implemented by server/interactions; called synchronously within the sync's SQLite transaction. */
export interface FactListener {
  onFactsChanged(changes: FactChanges): void;
}

/** Implemented by server/sync's Graph driver: how the interactions engine fetches details of a newly matched item. */
export interface ItemDetailsFetcher {
  fetchMessageDetails(memberId: string, graphId: string): Promise<ItemDetails | null>;
  fetchEventDetails(memberId: string, graphId: string): Promise<ItemDetails | null>;
}
