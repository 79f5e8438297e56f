/**
 * GET /me/messages, /me/mailFolders/{id}/messages and /me/messages/{id}: $select, $filter,
 * $orderby, $top (≤ 1000), $skip. Graph's rule that $orderby properties must lead the $filter
 * ("InefficientFilter") is enforced because real code trips over it.
 */
import { type GraphContext, metadata, v1 } from "../context";
import { errors } from "../errors";
import { compileFilter, filterProperties, parseFilter } from "../odata/filter";
import { nextLinkFor, parsePaging } from "../odata/paging";
import { systemOption } from "../odata/query";
import { parseSelect, selectMask } from "../odata/select";
import { allMessages, lookupMessage } from "../store/messages";
import type { FolderState, MessageRecord } from "../store/types";
import { ORDERABLE, resolveMessageProperty } from "./properties";
import { jsonCollection, MESSAGE_PROPERTIES, renderMessage } from "./serialize";

interface OrderTerm {
  property: string;
  descending: boolean;
}

function parseOrderBy(text: string | undefined): OrderTerm[] | undefined {
  if (!text || !text.trim()) return undefined;
  return text.split(",").map((part) => {
    const [name = "", dir = "asc", ...rest] = part.trim().split(/\s+/);
    const property = name.toLowerCase();
    if (rest.length > 0 || !["asc", "desc"].includes(dir.toLowerCase())) throw errors.invalidQuery(`Invalid $orderby expression '${part.trim()}'.`);
    if (!resolveMessageProperty(property)) throw errors.unknownProperty(name, "message");
    if (!ORDERABLE.has(property)) throw errors.invalidQuery(`The property '${name}' cannot be used in $orderby.`);
    return { property, descending: dir.toLowerCase() === "desc" };
  });
}

function comparatorFor(terms: OrderTerm[]): (a: MessageRecord, b: MessageRecord) => number {
  const accessors = terms.map((t) => ({ get: resolveMessageProperty(t.property)!.get, sign: t.descending ? -1 : 1 }));
  return (a, b) => {
    for (const { get, sign } of accessors) {
      const x = get(a);
      const y = get(b);
      if (x === y) continue;
      if (x == null) return -sign;
      if (y == null) return sign;
      return (x < y ? -1 : 1) * sign;
    }
    return b.ordinal - a.ordinal;
  };
}

export function listMessages(ctx: GraphContext, folder: FolderState | undefined, requestPath: string): Buffer {
  const select = parseSelect(systemOption(ctx.query, "select"), MESSAGE_PROPERTIES, "message");
  if (systemOption(ctx.query, "search") !== undefined) throw errors.invalidQuery("$search is not supported by this emulator.");
  const filterText = systemOption(ctx.query, "filter");
  const order = parseOrderBy(systemOption(ctx.query, "orderby"));
  const filter = filterText ? parseFilter(filterText) : undefined;
  if (filter && order) {
    // Graph: properties in $orderby must also be in $filter, first, and in the same order.
    const used = filterProperties(filter);
    const wanted = order.map((o) => o.property);
    if (!wanted.every((p, i) => used[i] === p)) throw errors.inefficientFilter();
  }
  const page = parsePaging(ctx.query, 10, 1000);
  const source = folder ? folder.items : allMessages(ctx.mailbox);
  let items: MessageRecord[] = filter ? source.filter(compileFilter(filter, resolveMessageProperty, "message")) : source;
  const isDefaultOrder = !order || (order.length === 1 && order[0]!.property === "receiveddatetime" && order[0]!.descending);
  if (!isDefaultOrder) items = [...items].sort(comparatorFor(order!));
  const slice = items.slice(page.skip, page.skip + page.top);
  const mask = selectMask(select, MESSAGE_PROPERTIES);
  const base = folder
    ? `users('${ctx.mailbox.oid}')/mailFolders('${folder.wellKnownName ?? folder.id}')/messages`
    : `users('${ctx.mailbox.oid}')/messages`;
  const contextUrl = metadata(ctx, select ? `${base}(${select.join(",")})` : base);
  const next = nextLinkFor(v1(ctx, requestPath), ctx.query, page, items.length, slice.length);
  const rendered = slice.map((r) => renderMessage(r, { mask, immutableIds: ctx.immutableIds, delta: false }));
  const head = `{"@odata.context":${JSON.stringify(contextUrl)}` + (next ? `,"@odata.nextLink":${JSON.stringify(next)}` : "") + `,"value":[`;
  return jsonCollection(head, rendered, "]}");
}

export function getMessage(ctx: GraphContext, record: MessageRecord): Buffer {
  const select = parseSelect(systemOption(ctx.query, "select"), MESSAGE_PROPERTIES, "message");
  const mask = selectMask(select, MESSAGE_PROPERTIES);
  const base = `users('${ctx.mailbox.oid}')/messages`;
  const contextUrl = metadata(ctx, select ? `${base}(${select.join(",")})/$entity` : `${base}/$entity`);
  const json = renderMessage(record, { mask, immutableIds: ctx.immutableIds, delta: false });
  return Buffer.concat([Buffer.from(`{"@odata.context":${JSON.stringify(contextUrl)},`), json.subarray(1)]);
}

export function findMessage(ctx: GraphContext, id: string): MessageRecord {
  const record = lookupMessage(ctx.mailbox, id);
  if (!record) {
    if (!/^[A-Za-z0-9\-_=+/]+$/.test(id)) throw errors.invalidId();
    throw errors.itemNotFound();
  }
  return record;
}
