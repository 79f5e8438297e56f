/**
 * What a history sync of a mailbox must read, from the emulator's ground truth: the folders that hold
 * correspondence (drafts, deleted items, junk, outbox and conversation history excluded with their
 * subtrees), the messages of the 6-month window in each, and the calendar view's occurrences — and from
 * that the fewest Graph requests the page sizes Graph allows can do it in.
 */
import type { EmulatorProcess } from "./spawn-emulator";
import { DEFAULT_SYNC_CONFIG } from "../../server/sync/engine";
import { syncedFolders } from "../../server/sync/testing/snapshot";
import type { GroundTruth } from "../../emulator/graph/index";
import { calendarWindowFor } from "../../server/sync/windows";

export interface SyncPlan {
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

export async function planFor(emu: EmulatorProcess, oid: string, pageSize = 1000): Promise<SyncPlan> {
  const calendar = calendarWindowFor(new Date(), DEFAULT_SYNC_CONFIG.historyMonths, DEFAULT_SYNC_CONFIG.calendarHorizonDays);
  const windowStart = calendar.start;
  const truth = (await emu.control(`/graph/mailboxes/${oid}/ground-truth?start=${calendar.start.toISOString()}&end=${calendar.end.toISOString()}`)) as GroundTruth;
  const all = (await emu.control(`/graph/mailboxes/${oid}/folders`)) as Array<{ id: string; parentFolderId: string; path: string }>;
  const synced = syncedFolders(truth, all);
  const counts = new Map<string, number>();
  for (const m of truth.messages) if (Date.parse(m.receivedDateTime) >= windowStart.getTime()) counts.set(m.folderId, (counts.get(m.folderId) ?? 0) + 1);
  const parents = new Set(all.map((f) => f.parentFolderId));
  const folders = synced.map((f) => ({ id: f.id, path: f.path, messages: counts.get(f.id) ?? 0, hasChildren: parents.has(f.id) }));
  const events = truth.events.filter((e) => Date.parse(e.end) > calendar.start.getTime() && Date.parse(e.start) < calendar.end.getTime()).length;
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  const listingRequests = 1 + folders.filter((f) => f.hasChildren).length;
  const dataRequests = folders.reduce((s, f) => s + pages(f.messages), 0) + pages(events);
  const depth = (path: string) => path.split("/").length;
  const deepest = Math.max(...folders.map((f) => depth(f.path)));
  return {
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
