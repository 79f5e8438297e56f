/**
 * The in-memory shapes behind a mailbox. Messages live in per-folder arrays kept sorted newest
 * first (the order delta and listing read them in) and every change is appended to a per-folder
 * log keyed by a mailbox-wide sequence number — the only state delta tokens need to point into.
 */
import type { Event, Message, PatternedRecurrence } from "@microsoft/microsoft-graph-types";
import type { EmulatedUser } from "../../state";
import type { IdFactory } from "../ids";
import type { MessageRecord } from "./message-record";
import type { WellKnownFolderName } from "../seed-types";

export type { MessageRecord };

export type StoredMessage = Omit<Message, "id" | "parentFolderId" | "webLink" | "changeKey" | "createdDateTime" | "lastModifiedDateTime">;

export interface FolderLogEntry {
  seq: number;
  record: MessageRecord;
  kind: "upsert" | "remove";
  /** The id the message had in this folder when it left it. */
  removedRestId?: string;
}

export interface FolderState {
  ordinal: number;
  id: string;
  displayName: string;
  wellKnownName: WellKnownFolderName | undefined;
  seedKey: string | undefined;
  parent: FolderState | undefined;
  children: FolderState[];
  isHidden: boolean;
  /** Sorted by receivedDateTime desc, then ordinal desc. */
  items: MessageRecord[];
  unread: number;
  /** Bumped to invalidate every delta token issued for this folder. */
  epoch: number;
  log: FolderLogEntry[];
  /** ordinal → seq of the newest log entry about that message in this folder. */
  latest: Map<number, number>;
}

export interface OccurrenceOverride {
  originalStartMs: number;
  seq: number;
  deleted: boolean;
  isCancelled: boolean;
  changes: Partial<Event> | undefined;
}

export interface RemovedEventId {
  seq: number;
  restId: string;
  immutableId: string;
}

export interface EventRecord {
  ordinal: number;
  seedKey: string | undefined;
  restId: string;
  immutableId: string;
  kind: "singleInstance" | "seriesMaster";
  data: Omit<Event, "id" | "type" | "seriesMasterId" | "originalStart" | "webLink" | "changeKey" | "createdDateTime" | "lastModifiedDateTime">;
  recurrence: PatternedRecurrence | undefined;
  startMs: number;
  durationMs: number;
  overrides: Map<number, OccurrenceOverride>;
  /** Seq of the last change to the whole event (series-level for masters). */
  seriesSeq: number;
  lastSeq: number;
  version: number;
  changeKey: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  deleted: boolean;
  /** Ids that stopped existing (deleted occurrences, a deleted event's instances), for @removed. */
  removed: RemovedEventId[];
}

export interface CalendarLogEntry {
  seq: number;
  record: EventRecord;
}

export interface CalendarState {
  id: string;
  events: EventRecord[];
  byId: Map<string, EventRecord>;
  log: CalendarLogEntry[];
  latest: Map<number, number>;
  epoch: number;
  /** Seq of the newest calendar change; keys the expansion cache below. */
  lastSeq: number;
  viewCache: { seq: number; fromMs: number; toMs: number; instances: Instance[] } | undefined;
}

/** One entry of a calendar view: a single event, or an occurrence/exception of a series. */
export interface Instance {
  record: EventRecord;
  /** Undefined for single events. */
  originalStartMs: number | undefined;
  startMs: number;
  endMs: number;
  type: "singleInstance" | "occurrence" | "exception";
  override: OccurrenceOverride | undefined;
  /** Seq of the newest change that affects this instance. */
  changeSeq: number;
}

export interface Mailbox {
  oid: string;
  user: EmulatedUser;
  ids: IdFactory;
  /** Distinguishes this load of the mailbox from an earlier one (tokens from before a reload are dead). */
  incarnation: number;
  nextOrdinal: number;
  seq: number;
  root: FolderState;
  folders: Map<string, FolderState>;
  foldersByOrdinal: Map<number, FolderState>;
  /** Live messages by ordinal; either id kind decodes to the ordinal (IdFactory.ordinalOf). */
  messagesByOrdinal: Map<number, MessageRecord>;
  /** Lookups by id (either kind works in both); kept as map-like views for existing callers. */
  messagesByImmutableId: MessageLookup;
  messagesByRestId: MessageLookup;
  /** All live messages newest first, rebuilt lazily after a change (for /me/messages). */
  allMessagesCache: MessageRecord[] | undefined;
  calendar: CalendarState;
}

export interface MessageLookup {
  get(id: string): MessageRecord | undefined;
  has(id: string): boolean;
  readonly size: number;
}

export type MailboxChange =
  | {
      resource: "message";
      oid: string;
      changeType: "created" | "updated" | "deleted";
      /** The message's REST id in folderId (for "deleted": the id it had there). */
      id: string;
      immutableId: string;
      folderId: string;
      folderWellKnownName: WellKnownFolderName | undefined;
      /** Set on the two halves of a move. */
      movedTo?: string;
      movedFrom?: string;
      /** The message's changeKey after the change (@odata.etag is W/"changeKey"). */
      changeKey: string;
      seq: number;
    }
  | {
      resource: "event";
      oid: string;
      changeType: "created" | "updated" | "deleted";
      /** Series master or single event id (REST and immutable forms). */
      id: string;
      immutableId: string;
      /** Set when the change concerns one occurrence of a series. */
      originalStart?: string;
      changeKey: string;
      seq: number;
    };

export type ChangeListener = (change: MailboxChange) => void;
