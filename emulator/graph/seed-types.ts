/**
 * What a mailbox is loaded from: folders plus messages and events in Graph's own shapes.
 * The store assigns everything Exchange assigns (ids, parentFolderId, changeKey, etag, webLink),
 * so a seed carries only what a real sender/organiser would have decided.
 */
import type { Event, Message } from "@microsoft/microsoft-graph-types";

/** Well-known folder names Graph resolves in /me/mailFolders/{name}. */
export const WELL_KNOWN_FOLDER_NAMES = [
  "msgfolderroot",
  "inbox",
  "sentitems",
  "drafts",
  "deleteditems",
  "junkemail",
  "archive",
  "outbox",
  "conversationhistory",
] as const;
export type WellKnownFolderName = (typeof WELL_KNOWN_FOLDER_NAMES)[number];

export interface SeedFolder {
  /** Seed-local key, referenced by parentKey and SeedMessage.folderKey. */
  key: string;
  displayName: string;
  wellKnownName?: WellKnownFolderName;
  /** Omitted: a child of msgfolderroot (the folders /me/mailFolders lists). */
  parentKey?: string;
  isHidden?: boolean;
}

/** A message as it sits in one mailbox; the store assigns id and parentFolderId. */
export interface SeedMessage extends Omit<Message, "id" | "parentFolderId" | "webLink" | "attachments" | "extensions"> {
  folderKey: string;
}

export interface SeedOccurrenceOverride {
  /** ISO start of the occurrence as the pattern generates it (UTC). */
  originalStart: string;
  /** The attendee/organiser removed the occurrence: it is absent from calendar views. */
  deleted?: boolean;
  /** The organiser cancelled it: attendees still see it, with isCancelled true. */
  isCancelled?: boolean;
  /** Fields that differ from the series (an exception), e.g. start/end/subject/location. */
  changes?: Partial<Event>;
}

/**
 * A single meeting (type singleInstance) or a series master (recurrence set). Times are
 * {dateTime, timeZone:"UTC"}; recurrence patterns supported: daily, weekly, absoluteMonthly.
 */
export interface SeedEvent
  extends Omit<Event, "id" | "type" | "seriesMasterId" | "originalStart" | "webLink" | "instances" | "calendar" | "attachments" | "extensions"> {
  key: string;
  occurrenceOverrides?: SeedOccurrenceOverride[];
}

export interface MailboxSeed {
  folders: SeedFolder[];
  messages: SeedMessage[];
  events: SeedEvent[];
}
