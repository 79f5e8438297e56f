/**
 * Message mutations. Each one takes the next mailbox sequence number, updates the folder arrays,
 * appends to the folder logs delta reads, and announces the change (subscriptions listen).
 * A move gives the message a new REST id — the behaviour that breaks syncs keyed on regular ids.
 */
import type { InternetMessageHeader } from "@microsoft/microsoft-graph-types";
import { GraphError } from "../errors";
import type { SeedMessage } from "../seed-types";
import { insertSorted, removeSorted } from "./folders";
import { MessageRecord } from "./message-record";
import type { FolderState, Mailbox, MailboxChange, StoredMessage } from "./types";

export interface MutationContext {
  now(): number;
  emit(change: MailboxChange): void;
}

/** Graph writes message times with second precision: 2024-05-01T10:20:30Z. */
export function messageTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function parseTime(text: string | null | undefined, fallback: number): number {
  if (!text) return fallback;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new GraphError(400, "ErrorInvalidProperty", `Invalid date/time '${text}'.`);
  return ms;
}

const SECOND_PRECISION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Graph's second-precision form of a time, and its epoch ms (fast path for already-normal text). */
function normalise(text: string | null | undefined, fallback: number): [number, string] {
  if (text && SECOND_PRECISION.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return [ms, text];
  }
  const ms = parseTime(text, fallback);
  return [ms, messageTime(ms)];
}

/** Builds a record without logging it (bulk seed loading logs nothing: tokens can't predate it). */
export function createRecord(mb: Mailbox, folder: FolderState, seed: Omit<SeedMessage, "folderKey">, seq: number, nowMs: number): MessageRecord {
  const ordinal = mb.nextOrdinal++;
  const { internetMessageHeaders, createdDateTime, lastModifiedDateTime, changeKey: _ck, folderKey: _fk, ...data } = seed as SeedMessage;
  const [receivedMs, received] = normalise(data.receivedDateTime, nowMs);
  data.receivedDateTime = received;
  if (data.sentDateTime) data.sentDateTime = normalise(data.sentDateTime, receivedMs)[1];
  if (data.bodyPreview == null && data.body?.content) data.bodyPreview = previewOf(data.body.content, data.body.contentType ?? "text");
  const created = createdDateTime ? normalise(createdDateTime, receivedMs)[1] : received;
  const modified = lastModifiedDateTime ? normalise(lastModifiedDateTime, receivedMs)[1] : created;
  return new MessageRecord(
    mb.ids,
    ordinal,
    folder,
    receivedMs,
    created,
    modified,
    seq,
    seq,
    data as StoredMessage,
    (internetMessageHeaders as InternetMessageHeader[] | null | undefined) ?? undefined,
  );
}

/** Map-like lookup over live messages (either id kind). */
export function messageLookup(mb: Mailbox): Mailbox["messagesByImmutableId"] {
  return {
    get: (id) => lookupMessage(mb, id),
    has: (id) => lookupMessage(mb, id) !== undefined,
    get size() {
      return mb.messagesByOrdinal.size;
    },
  };
}

/** A live message by either kind of id. */
export function lookupMessage(mb: Mailbox, id: string): MessageRecord | undefined {
  const ordinal = mb.ids.ordinalOf(id);
  if (ordinal === undefined) return undefined;
  const record = mb.messagesByOrdinal.get(ordinal);
  if (!record || (record.restId !== id && record.immutableId !== id)) return undefined;
  return record;
}

export function previewOf(content: string, contentType: string): string {
  const text = contentType === "html" ? content.replace(/<[^>]*>/g, " ").replace(/&nbsp;/g, " ").replace(/&amp;/g, "&") : content;
  return text.replace(/\s+/g, " ").trim().slice(0, 255);
}

function log(folder: FolderState, entry: FolderState["log"][number]): void {
  folder.log.push(entry);
  folder.latest.set(entry.record.ordinal, entry.seq);
}

function touch(mb: Mailbox, record: MessageRecord, seq: number, nowMs: number): void {
  record.bumpVersion();
  record.lastModifiedDateTime = messageTime(nowMs);
  record.lastSeq = seq;
  mb.allMessagesCache = undefined;
}

function change(mb: Mailbox, record: MessageRecord, folder: FolderState, changeType: "created" | "updated" | "deleted", id: string, seq: number) {
  return {
    resource: "message" as const,
    oid: mb.oid,
    changeType,
    id,
    immutableId: record.immutableId,
    folderId: folder.id,
    folderWellKnownName: folder.wellKnownName,
    changeKey: record.changeKey,
    seq,
  };
}

export function addMessage(mb: Mailbox, ctx: MutationContext, folder: FolderState, seed: Omit<SeedMessage, "folderKey">): MessageRecord {
  const seq = ++mb.seq;
  const now = ctx.now();
  const record = createRecord(mb, folder, { receivedDateTime: messageTime(now), ...seed }, seq, now);
  insertSorted(folder, record);
  if (!record.data.isRead) folder.unread++;
  mb.messagesByOrdinal.set(record.ordinal, record);
  mb.allMessagesCache = undefined;
  log(folder, { seq, record, kind: "upsert" });
  ctx.emit(change(mb, record, folder, "created", record.restId, seq));
  return record;
}

const READ_ONLY = new Set(["id", "parentFolderId", "webLink", "changeKey", "createdDateTime", "lastModifiedDateTime", "folderKey"]);

export function updateMessage(mb: Mailbox, ctx: MutationContext, record: MessageRecord, patch: Partial<SeedMessage>): MessageRecord {
  const folder = record.folder;
  if (!folder) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const seq = ++mb.seq;
  const wasRead = !!record.data.isRead;
  const oldReceived = record.receivedMs;
  for (const [key, value] of Object.entries(patch)) {
    if (READ_ONLY.has(key)) continue;
    if (key === "internetMessageHeaders") record.headers = (value as InternetMessageHeader[] | null) ?? undefined;
    else (record.data as Record<string, unknown>)[key] = value;
  }
  if (patch.body && patch.bodyPreview === undefined && patch.body.content != null) {
    record.data.bodyPreview = previewOf(patch.body.content, patch.body.contentType ?? "text");
  }
  if (patch.receivedDateTime) {
    const ms = parseTime(patch.receivedDateTime, oldReceived);
    record.data.receivedDateTime = messageTime(ms);
    if (ms !== oldReceived) {
      removeSorted(folder, record);
      record.receivedMs = ms;
      insertSorted(folder, record);
    }
  }
  if (wasRead !== !!record.data.isRead) folder.unread += record.data.isRead ? -1 : 1;
  touch(mb, record, seq, ctx.now());
  log(folder, { seq, record, kind: "upsert" });
  ctx.emit(change(mb, record, folder, "updated", record.restId, seq));
  return record;
}

export function moveMessage(mb: Mailbox, ctx: MutationContext, record: MessageRecord, target: FolderState): MessageRecord {
  const from = record.folder;
  if (!from) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  if (from === target) return record;
  const seq = ++mb.seq;
  const oldId = record.restId;
  removeSorted(from, record);
  if (!record.data.isRead) from.unread--;
  log(from, { seq, record, kind: "remove", removedRestId: oldId });
  (record.pastIds ??= []).push({ folderOrdinal: from.ordinal, restId: oldId, seq });
  record.moved();
  record.folder = target;
  record.arrivedSeq = seq;
  insertSorted(target, record);
  if (!record.data.isRead) target.unread++;
  touch(mb, record, seq, ctx.now());
  log(target, { seq, record, kind: "upsert" });
  ctx.emit({ ...change(mb, record, from, "deleted", oldId, seq), movedTo: target.id });
  ctx.emit({ ...change(mb, record, target, "created", record.restId, seq), movedFrom: from.id });
  return record;
}

export function deleteMessage(mb: Mailbox, ctx: MutationContext, record: MessageRecord): void {
  const folder = record.folder;
  if (!folder) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
  const seq = ++mb.seq;
  removeSorted(folder, record);
  if (!record.data.isRead) folder.unread--;
  log(folder, { seq, record, kind: "remove", removedRestId: record.restId });
  (record.pastIds ??= []).push({ folderOrdinal: folder.ordinal, restId: record.restId, seq });
  mb.messagesByOrdinal.delete(record.ordinal);
  record.folder = undefined;
  record.lastSeq = seq;
  mb.allMessagesCache = undefined;
  ctx.emit(change(mb, record, folder, "deleted", record.restId, seq));
}

/** Every live message newest first (what /me/messages pages through). */
export function allMessages(mb: Mailbox): MessageRecord[] {
  if (!mb.allMessagesCache) {
    const all: MessageRecord[] = [];
    for (const folder of mb.folders.values()) for (const r of folder.items) all.push(r);
    all.sort((a, b) => b.receivedMs - a.receivedMs || b.ordinal - a.ordinal);
    mb.allMessagesCache = all;
  }
  return mb.allMessagesCache;
}
