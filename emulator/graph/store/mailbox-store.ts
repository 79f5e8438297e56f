/**
 * The mailbox store: every emulated mailbox, the operations the control API and the composer drive
 * (add/update/move/delete messages, events, folders), change announcements for subscriptions, and
 * the ground truth tests compare a sync's result with.
 */
import { randomBytes } from "node:crypto";
import type { Event } from "@microsoft/microsoft-graph-types";
import type { EmulatedUser } from "../../state";
import { GraphError, errors } from "../errors";
import { IdFactory } from "../ids";
import type { MailboxSeed, SeedEvent, SeedMessage } from "../seed-types";
import { instanceId, instancesOf } from "../calendar/calendar-view";
import { seriesHorizon } from "../calendar/recurrence";
import { addEvent, cancelEvent, createEventRecord, deleteEvent, parseOriginalStart, updateEvent } from "./calendar";
import { buildFolderTree, folderPath, newFolder, resolveFolder, resolveFolderRef } from "./folders";
import { addMessage, createRecord, deleteMessage, lookupMessage, messageLookup, moveMessage, type MutationContext, updateMessage } from "./messages";
import type { ChangeListener, EventRecord, FolderState, Mailbox, MailboxChange, MessageRecord } from "./types";

export interface MessageRef {
  immutableId: string;
  id: string;
  folderId: string;
  internetMessageId: string | undefined;
  conversationId: string | undefined;
  receivedDateTime: string;
}

export interface FolderRef {
  id: string;
  displayName: string;
  parentFolderId: string | undefined;
  path: string;
}

export interface EventRef {
  immutableId: string;
  id: string;
  iCalUId: string | undefined;
  type: "singleInstance" | "seriesMaster";
  deleted: boolean;
}

export interface GroundTruthMessage {
  immutableId: string;
  id: string;
  internetMessageId: string | undefined;
  conversationId: string | undefined;
  folderId: string;
  folder: string;
  folderWellKnownName: string | undefined;
  receivedDateTime: string;
  subject: string | undefined;
  from: string | undefined;
  isDraft: boolean;
}

export interface GroundTruthOccurrence {
  id: string;
  immutableId: string;
  seriesMasterId: string | undefined;
  seriesMasterImmutableId: string | undefined;
  type: "singleInstance" | "occurrence" | "exception";
  originalStart: string | undefined;
  start: string;
  end: string;
  subject: string | undefined;
  isCancelled: boolean;
  iCalUId: string | undefined;
  organizer: string | undefined;
  attendees: string[];
  response: string | undefined;
}

export interface GroundTruth {
  oid: string;
  messages: GroundTruthMessage[];
  events: GroundTruthOccurrence[];
}

export class MailboxStore {
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly listeners = new Set<ChangeListener>();
  private incarnations = 0;
  /** Per process: tokens minted by an earlier emulator process are as dead as an evicted sync state. */
  readonly nonce = randomBytes(3).toString("base64url");
  private readonly ctx: MutationContext;

  constructor(readonly now: () => number = Date.now) {
    this.ctx = { now: this.now, emit: (c) => this.emit(c) };
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: MailboxChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A listener's failure must not corrupt the mutation that already happened.
      }
    }
  }

  /** Replaces (or creates) the mailbox of `oid` with the seed's contents. */
  loadSeed(oid: string, seed: MailboxSeed, user: EmulatedUser): void {
    const nowMs = this.now();
    const ids = new IdFactory(oid);
    const mb = {
      oid,
      user,
      ids,
      incarnation: ++this.incarnations,
      nextOrdinal: 1,
      seq: 0,
      folders: new Map(),
      foldersByOrdinal: new Map(),
      messagesByOrdinal: new Map(),
      allMessagesCache: undefined,
    } as unknown as Mailbox;
    mb.messagesByImmutableId = messageLookup(mb);
    mb.messagesByRestId = mb.messagesByImmutableId;
    mb.root = newFolder(mb, "Top of Information Store", undefined, "msgfolderroot", "msgfolderroot");
    const byKey = buildFolderTree(mb, seed.folders);
    for (const m of seed.messages) {
      const folder = byKey.get(m.folderKey) ?? resolveFolder(mb, m.folderKey);
      if (!folder) throw new Error(`seed message in unknown folder '${m.folderKey}'`);
      const record = createRecord(mb, folder, m, 0, nowMs);
      folder.items.push(record);
      if (!record.data.isRead) folder.unread++;
      mb.messagesByOrdinal.set(record.ordinal, record);
    }
    for (const folder of mb.folders.values()) folder.items.sort((a, b) => b.receivedMs - a.receivedMs || b.ordinal - a.ordinal);
    const calendarOrdinal = mb.nextOrdinal++;
    mb.calendar = {
      id: ids.folderId(calendarOrdinal, true),
      events: [],
      byId: new Map(),
      log: [],
      latest: new Map(),
      epoch: 0,
      lastSeq: 0,
      viewCache: undefined,
    };
    for (const e of seed.events) {
      const record = createEventRecord(mb, e, 0, nowMs);
      mb.calendar.events.push(record);
      mb.calendar.byId.set(record.restId, record);
      mb.calendar.byId.set(record.immutableId, record);
    }
    this.mailboxes.set(oid, mb);
  }

  hasMailbox(oid: string): boolean {
    return this.mailboxes.has(oid);
  }

  mailbox(oid: string): Mailbox | undefined {
    return this.mailboxes.get(oid);
  }

  requireMailbox(oid: string): Mailbox {
    const mb = this.mailboxes.get(oid);
    if (!mb) throw errors.mailboxNotEnabled();
    return mb;
  }

  oids(): string[] {
    return [...this.mailboxes.keys()];
  }

  removeMailbox(oid: string): boolean {
    return this.mailboxes.delete(oid);
  }

  clear(): void {
    this.mailboxes.clear();
  }

  /** A message by immutable or REST id. */
  findMessage(oid: string, id: string): MessageRecord {
    const mb = this.requireMailbox(oid);
    const record = lookupMessage(mb, id);
    if (!record) throw errors.itemNotFound();
    return record;
  }

  findEvent(oid: string, id: string): EventRecord {
    const record = this.requireMailbox(oid).calendar.byId.get(id);
    if (!record) throw errors.itemNotFound();
    return record;
  }

  addMessage(oid: string, folderRef: string, message: Omit<SeedMessage, "folderKey"> & { folderKey?: string }): MessageRef {
    const mb = this.requireMailbox(oid);
    return messageRef(addMessage(mb, this.ctx, resolveFolderRef(mb, folderRef), message));
  }

  updateMessage(oid: string, id: string, patch: Partial<SeedMessage>): MessageRef {
    const mb = this.requireMailbox(oid);
    return messageRef(updateMessage(mb, this.ctx, this.findMessage(oid, id), patch));
  }

  moveMessage(oid: string, id: string, folderRef: string): MessageRef {
    const mb = this.requireMailbox(oid);
    return messageRef(moveMessage(mb, this.ctx, this.findMessage(oid, id), resolveFolderRef(mb, folderRef)));
  }

  deleteMessage(oid: string, id: string): void {
    const mb = this.requireMailbox(oid);
    deleteMessage(mb, this.ctx, this.findMessage(oid, id));
  }

  addFolder(oid: string, folder: { displayName: string; parent?: string; key?: string }): FolderRef {
    const mb = this.requireMailbox(oid);
    const parent = folder.parent ? resolveFolderRef(mb, folder.parent) : mb.root;
    if (parent.children.some((c) => c.displayName.toLowerCase() === folder.displayName.toLowerCase())) {
      throw new GraphError(409, "ErrorFolderExists", "A folder with the specified name already exists.");
    }
    const created = newFolder(mb, folder.displayName, parent, undefined, folder.key);
    mb.folders.set(created.id, created);
    mb.foldersByOrdinal.set(created.ordinal, created);
    return folderRef(created);
  }

  folders(oid: string): FolderRef[] {
    return [...this.requireMailbox(oid).folders.values()].map(folderRef);
  }

  addEvent(oid: string, event: SeedEvent): EventRef {
    return eventRef(addEvent(this.requireMailbox(oid), this.ctx, event));
  }

  updateEvent(oid: string, id: string, patch: Partial<Event>, originalStart?: string): EventRef {
    const mb = this.requireMailbox(oid);
    return eventRef(updateEvent(mb, this.ctx, this.findEvent(oid, id), patch, originalStart ? parseOriginalStart(originalStart) : undefined));
  }

  cancelEvent(oid: string, id: string, originalStart?: string): EventRef {
    const mb = this.requireMailbox(oid);
    return eventRef(cancelEvent(mb, this.ctx, this.findEvent(oid, id), originalStart ? parseOriginalStart(originalStart) : undefined));
  }

  deleteEvent(oid: string, id: string, originalStart?: string): void {
    const mb = this.requireMailbox(oid);
    deleteEvent(mb, this.ctx, this.findEvent(oid, id), originalStart ? parseOriginalStart(originalStart) : undefined);
  }

  /**
   * Makes existing delta tokens answer 410 (as when Exchange evicts a sync state): for one folder
   * (id, well-known name or seed key, or "calendar"), one mailbox, or every mailbox.
   */
  expireDeltaTokens(scope: { oid?: string; folder?: string } = {}): number {
    const targets = scope.oid ? [this.requireMailbox(scope.oid)] : [...this.mailboxes.values()];
    let count = 0;
    for (const mb of targets) {
      if (scope.folder && scope.folder.toLowerCase() !== "calendar") {
        resolveFolderRef(mb, scope.folder).epoch++;
        count++;
        continue;
      }
      if (!scope.folder) {
        for (const f of mb.folders.values()) {
          f.epoch++;
          count++;
        }
      }
      mb.calendar.epoch++;
      count++;
    }
    return count;
  }

  groundTruth(oid: string, window?: { fromMs: number; toMs: number }): GroundTruth {
    const mb = this.requireMailbox(oid);
    const messages: GroundTruthMessage[] = [];
    for (const folder of mb.folders.values()) {
      for (const r of folder.items) {
        messages.push({
          immutableId: r.immutableId,
          id: r.restId,
          internetMessageId: r.data.internetMessageId ?? undefined,
          conversationId: r.data.conversationId ?? undefined,
          folderId: folder.id,
          folder: folderPath(folder),
          folderWellKnownName: folder.wellKnownName,
          receivedDateTime: r.data.receivedDateTime!,
          subject: r.data.subject ?? undefined,
          from: r.data.from?.emailAddress?.address ?? undefined,
          isDraft: !!r.data.isDraft,
        });
      }
    }
    messages.sort((a, b) => (a.receivedDateTime < b.receivedDateTime ? 1 : a.receivedDateTime > b.receivedDateTime ? -1 : 0));
    const events: GroundTruthOccurrence[] = [];
    const nowMs = this.now();
    for (const record of mb.calendar.events) {
      if (record.deleted) continue;
      const [from, to] = window
        ? [window.fromMs, window.toMs]
        : record.recurrence
          ? seriesHorizon(record.recurrence, record.startMs, nowMs)
          : [record.startMs - 1, record.startMs + record.durationMs + 1];
      for (const inst of instancesOf(record, from, to)) {
        const data = { ...record.data, ...(inst.override?.changes ?? {}) };
        events.push({
          id: instanceId(mb, inst, false),
          immutableId: instanceId(mb, inst, true),
          seriesMasterId: inst.originalStartMs === undefined ? undefined : record.restId,
          seriesMasterImmutableId: inst.originalStartMs === undefined ? undefined : record.immutableId,
          type: inst.type,
          originalStart: inst.originalStartMs === undefined ? undefined : new Date(inst.originalStartMs).toISOString(),
          start: new Date(inst.startMs).toISOString(),
          end: new Date(inst.endMs).toISOString(),
          subject: data.subject ?? undefined,
          isCancelled: !!(data.isCancelled || inst.override?.isCancelled),
          iCalUId: data.iCalUId ?? undefined,
          organizer: data.organizer?.emailAddress?.address ?? undefined,
          attendees: (data.attendees ?? []).map((a) => a.emailAddress?.address ?? "").filter(Boolean),
          response: data.responseStatus?.response ?? undefined,
        });
      }
    }
    events.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    return { oid, messages, events };
  }
}

function messageRef(r: MessageRecord): MessageRef {
  return {
    immutableId: r.immutableId,
    id: r.restId,
    folderId: r.folder?.id ?? "",
    internetMessageId: r.data.internetMessageId ?? undefined,
    conversationId: r.data.conversationId ?? undefined,
    receivedDateTime: r.data.receivedDateTime!,
  };
}

function folderRef(f: FolderState): FolderRef {
  return { id: f.id, displayName: f.displayName, parentFolderId: f.parent?.id, path: folderPath(f) };
}

function eventRef(r: EventRecord): EventRef {
  return { immutableId: r.immutableId, id: r.restId, iCalUId: r.data.iCalUId ?? undefined, type: r.kind, deleted: r.deleted };
}
