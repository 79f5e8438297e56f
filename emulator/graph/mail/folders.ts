/**
 * /me/mailFolders, /me/mailFolders/{id}, /me/mailFolders/{id}/childFolders. Lists are sorted by
 * display name and paged ($top default 10) — a sync that reads only the first page misses folders.
 */
import { type GraphContext, metadata, v1 } from "../context";
import { compileFilter, parseFilter, type PropertyResolver } from "../odata/filter";
import { nextLinkFor, parsePaging } from "../odata/paging";
import { systemOption } from "../odata/query";
import { parseSelect } from "../odata/select";
import type { FolderState } from "../store/types";

export const FOLDER_PROPERTIES = [
  "id",
  "displayName",
  "parentFolderId",
  "childFolderCount",
  "unreadItemCount",
  "totalItemCount",
  "isHidden",
] as const;

const folderResolver: PropertyResolver<FolderState> = (path) => {
  switch (path.toLowerCase()) {
    case "displayname":
      return { type: "string", get: (f) => f.displayName };
    case "id":
      return { type: "id", get: (f) => f.id };
    case "parentfolderid":
      return { type: "id", get: (f) => f.parent?.id };
    case "totalitemcount":
      return { type: "number", get: (f) => f.items.length };
    case "unreaditemcount":
      return { type: "number", get: (f) => f.unread };
    case "childfoldercount":
      return { type: "number", get: (f) => visibleChildren(f, false).length };
    case "ishidden":
      return { type: "boolean", get: (f) => f.isHidden };
    default:
      return undefined;
  }
};

function visibleChildren(folder: FolderState, includeHidden: boolean): FolderState[] {
  return folder.children.filter((c) => includeHidden || !c.isHidden);
}

export function folderJson(folder: FolderState, select?: string[]): Record<string, unknown> {
  const full: Record<string, unknown> = {
    id: folder.id,
    displayName: folder.displayName,
    parentFolderId: folder.parent?.id ?? null,
    childFolderCount: visibleChildren(folder, false).length,
    unreadItemCount: folder.unread,
    totalItemCount: folder.items.length,
    isHidden: folder.isHidden,
  };
  if (!select) return full;
  const out: Record<string, unknown> = { id: folder.id };
  for (const name of select) out[name] = full[name];
  return out;
}

export function getFolder(ctx: GraphContext, folder: FolderState): string {
  const select = parseSelect(systemOption(ctx.query, "select"), FOLDER_PROPERTIES, "mailFolder");
  const path = select ? `users('${ctx.mailbox.oid}')/mailFolders(${select.join(",")})/$entity` : `users('${ctx.mailbox.oid}')/mailFolders/$entity`;
  return JSON.stringify({ "@odata.context": metadata(ctx, path), ...folderJson(folder, select) });
}

/** Children of `parent` (root → /me/mailFolders). */
export function listFolders(ctx: GraphContext, parent: FolderState, requestPath: string): string {
  const includeHidden = ctx.query.get("includehiddenfolders")?.toLowerCase() === "true";
  const select = parseSelect(systemOption(ctx.query, "select"), FOLDER_PROPERTIES, "mailFolder");
  const filterText = systemOption(ctx.query, "filter");
  let folders = visibleChildren(parent, includeHidden).sort((a, b) =>
    a.displayName.localeCompare(b.displayName, "en", { sensitivity: "base" }),
  );
  if (filterText) {
    const predicate = compileFilter(parseFilter(filterText), folderResolver, "mailFolder");
    folders = folders.filter(predicate);
  }
  const page = parsePaging(ctx.query, 10, 1000);
  const slice = folders.slice(page.skip, page.skip + page.top);
  const contextPath =
    parent === ctx.mailbox.root ? `users('${ctx.mailbox.oid}')/mailFolders` : `users('${ctx.mailbox.oid}')/mailFolders('${parent.id}')/childFolders`;
  const body: Record<string, unknown> = { "@odata.context": metadata(ctx, select ? `${contextPath}(${select.join(",")})` : contextPath) };
  const next = nextLinkFor(v1(ctx, requestPath), ctx.query, page, folders.length, slice.length);
  if (next) body["@odata.nextLink"] = next;
  body.value = slice.map((f) => folderJson(f, select));
  return JSON.stringify(body);
}
