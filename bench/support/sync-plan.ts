/**
 * What a history sync of a mailbox must read, from the emulator's ground truth: the folders that hold
 * correspondence (drafts, deleted items, junk, outbox and conversation history excluded with their
 * subtrees), the messages of the 6-month window in each, and the calendar view's occurrences — and from
 * that the fewest Graph requests the page sizes Graph allows can do it in.
 */
import type { EmulatorProcess } from "./spawn-emulator";

export interface SyncPlan {
  windowStart: Date;
  calendar: { start: Date; end: Date };
  /** In-window messages per synced folder. */
  folders: Array<{ id: string; path: string; messages: number; hasChildren: boolean }>;
  messages: number;
  events: number;
  /** Listing pages: the top level plus one childFolders page per synced folder that has children. */
  listingRequests: number;
  /** ceil(items / page size) per folder and for the calendar, at least one each. */
  dataRequests: number;
  /** One $batch resolving the well-known folders (drafts, deleted items, … can only be told apart by asking). */
  wellKnownRequests: number;
  minimum: number;
  /** The longest chain of requests that must follow one another (nextLinks of the largest folder, after the listing). */
  criticalPath: number;
}

const EXCLUDED_NAMES = ["Drafts", "Deleted Items", "Junk Email", "Outbox", "Conversation History"];
const EXCLUDED_WELL_KNOWN = ["drafts", "deleteditems", "junkemail", "outbox", "conversationhistory"];

export function windowsFor(now: Date, months = 6, horizonDays = 180): { mail: Date; calendar: { start: Date; end: Date } } {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const mail = new Date(day);
  mail.setUTCMonth(mail.getUTCMonth() - months);
  return { mail, calendar: { start: mail, end: new Date(day.getTime() + horizonDays * 86400_000) } };
}

export async function planFor(emu: EmulatorProcess, oid: string, pageSize = 1000): Promise<SyncPlan> {
  const w = windowsFor(new Date());
  const truth = (await emu.control(`/graph/mailboxes/${oid}/ground-truth?start=${w.calendar.start.toISOString()}&end=${w.calendar.end.toISOString()}`)) as {
    messages: Array<{ folderId: string; folder: string; folderWellKnownName?: string; receivedDateTime: string }>;
    events: Array<{ start: string; end: string }>;
  };
  const all = (await emu.control(`/graph/mailboxes/${oid}/folders`)) as Array<{ id: string; parentFolderId: string; path: string }>;
  const excludedRoots = new Set<string>(EXCLUDED_NAMES);
  for (const m of truth.messages) if (m.folderWellKnownName && EXCLUDED_WELL_KNOWN.includes(m.folderWellKnownName)) excludedRoots.add(m.folder.split("/")[0]!);
  const synced = all.filter((f) => f.path !== "" && !excludedRoots.has(f.path.split("/")[0]!));
  const counts = new Map<string, number>();
  for (const m of truth.messages) if (Date.parse(m.receivedDateTime) >= w.mail.getTime()) counts.set(m.folderId, (counts.get(m.folderId) ?? 0) + 1);
  const parents = new Set(all.map((f) => f.parentFolderId));
  const folders = synced.map((f) => ({ id: f.id, path: f.path, messages: counts.get(f.id) ?? 0, hasChildren: parents.has(f.id) }));
  const events = truth.events.filter((e) => Date.parse(e.end) > w.calendar.start.getTime() && Date.parse(e.start) < w.calendar.end.getTime()).length;
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  const listingRequests = 1 + folders.filter((f) => f.hasChildren).length;
  const dataRequests = folders.reduce((s, f) => s + pages(f.messages), 0) + pages(events);
  const depth = (path: string) => path.split("/").length;
  const deepest = Math.max(...folders.map((f) => depth(f.path)));
  return {
    windowStart: w.mail,
    calendar: w.calendar,
    folders,
    messages: folders.reduce((s, f) => s + f.messages, 0),
    events,
    listingRequests,
    dataRequests,
    wellKnownRequests: 1,
    minimum: 1 + listingRequests + dataRequests,
    criticalPath: deepest + Math.max(...folders.map((f) => pages(f.messages)), pages(events)),
  };
}
