/**
 * Folder tree of a mailbox: the well-known folders every Exchange mailbox has, user folders from
 * the seed, and the lookups Graph allows (/mailFolders/{id | well-known name}).
 */
import { GraphError } from "../errors";
import type { SeedFolder, WellKnownFolderName } from "../seed-types";
import type { FolderState, Mailbox, MessageRecord } from "./types";

export const DEFAULT_FOLDERS: Array<{ wellKnownName: WellKnownFolderName; displayName: string }> = [
  { wellKnownName: "inbox", displayName: "Inbox" },
  { wellKnownName: "sentitems", displayName: "Sent Items" },
  { wellKnownName: "drafts", displayName: "Drafts" },
  { wellKnownName: "deleteditems", displayName: "Deleted Items" },
  { wellKnownName: "junkemail", displayName: "Junk Email" },
  { wellKnownName: "archive", displayName: "Archive" },
  { wellKnownName: "outbox", displayName: "Outbox" },
  { wellKnownName: "conversationhistory", displayName: "Conversation History" },
];

export function newFolder(
  mb: Pick<Mailbox, "ids" | "nextOrdinal">,
  displayName: string,
  parent: FolderState | undefined,
  wellKnownName: WellKnownFolderName | undefined,
  seedKey: string | undefined,
  isHidden = false,
): FolderState {
  const ordinal = mb.nextOrdinal++;
  const folder: FolderState = {
    ordinal,
    id: mb.ids.folderId(ordinal, wellKnownName !== undefined),
    displayName,
    wellKnownName,
    seedKey,
    parent,
    children: [],
    isHidden,
    items: [],
    unread: 0,
    epoch: 0,
    log: [],
    latest: new Map(),
  };
  parent?.children.push(folder);
  return folder;
}

/** Builds root + well-known folders + the seed's folders (seed entries may rename well-known ones). */
export function buildFolderTree(mb: Mailbox, seedFolders: SeedFolder[]): Map<string, FolderState> {
  const byKey = new Map<string, FolderState>();
  const register = (f: FolderState) => {
    mb.folders.set(f.id, f);
    mb.foldersByOrdinal.set(f.ordinal, f);
    if (f.seedKey) byKey.set(f.seedKey, f);
  };
  register(mb.root);
  const seedByWellKnown = new Map(seedFolders.filter((f) => f.wellKnownName).map((f) => [f.wellKnownName!, f]));
  for (const def of DEFAULT_FOLDERS) {
    const seeded = seedByWellKnown.get(def.wellKnownName);
    register(newFolder(mb, seeded?.displayName ?? def.displayName, mb.root, def.wellKnownName, seeded?.key ?? def.wellKnownName));
  }
  const rootSeed = seedByWellKnown.get("msgfolderroot");
  if (rootSeed) byKey.set(rootSeed.key, mb.root);
  const pending = seedFolders.filter((f) => !f.wellKnownName);
  // Parents may be listed after their children; resolve in passes.
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length; i++) {
      const sf = pending[i]!;
      const parent = sf.parentKey === undefined ? mb.root : byKey.get(sf.parentKey) ?? findWellKnown(mb, sf.parentKey);
      if (!parent) continue;
      register(newFolder(mb, sf.displayName, parent, undefined, sf.key, sf.isHidden ?? false));
      pending.splice(i--, 1);
    }
    if (pending.length === before) throw new Error(`seed folders with unknown parents: ${pending.map((f) => f.key).join(", ")}`);
  }
  return byKey;
}

function findWellKnown(mb: Mailbox, name: string): FolderState | undefined {
  const lower = name.toLowerCase();
  if (lower === "msgfolderroot") return mb.root;
  for (const f of mb.root.children) if (f.wellKnownName === lower) return f;
  return undefined;
}

/** Graph's folder lookup: an id (case-sensitive) or a well-known name (case-insensitive). */
export function resolveFolder(mb: Mailbox, ref: string): FolderState | undefined {
  return mb.folders.get(ref) ?? findWellKnown(mb, ref);
}

/** Control-API lookup: also accepts a seed key. */
export function resolveFolderRef(mb: Mailbox, ref: string): FolderState {
  const direct = resolveFolder(mb, ref);
  if (direct) return direct;
  for (const f of mb.folders.values()) if (f.seedKey === ref) return f;
  throw new GraphError(404, "ErrorItemNotFound", `No folder '${ref}' in mailbox ${mb.oid}.`);
}

export function compareNewestFirst(a: MessageRecord, b: MessageRecord): number {
  return b.receivedMs - a.receivedMs || b.ordinal - a.ordinal;
}

/** Index of the first item that sorts strictly after (receivedMs, ordinal) in newest-first order. */
export function indexAfter(items: MessageRecord[], receivedMs: number, ordinal: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const it = items[mid]!;
    const after = it.receivedMs < receivedMs || (it.receivedMs === receivedMs && it.ordinal < ordinal);
    if (after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function insertSorted(folder: FolderState, record: MessageRecord): void {
  const at = indexAfter(folder.items, record.receivedMs, record.ordinal);
  folder.items.splice(at, 0, record);
}

export function removeSorted(folder: FolderState, record: MessageRecord): void {
  const at = indexAfter(folder.items, record.receivedMs, record.ordinal) - 1;
  if (folder.items[at] === record) {
    folder.items.splice(at, 1);
    return;
  }
  const i = folder.items.indexOf(record);
  if (i >= 0) folder.items.splice(i, 1);
}

export function folderPath(folder: FolderState): string {
  const parts: string[] = [];
  for (let f: FolderState | undefined = folder; f && f.parent; f = f.parent) parts.unshift(f.displayName);
  return parts.join("/");
}
