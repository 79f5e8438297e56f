/**
 * Message JSON as Graph writes it: properties in Graph's order, id and @odata.etag always present,
 * internetMessageHeaders and uniqueBody only when $select'ed. Each record keeps one rendering, so a
 * full delta enumeration serialises each message once and then only concatenates strings.
 */
import type { MessageRecord } from "../store/types";

export const MESSAGE_PROPERTIES = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "internetMessageId",
  "subject",
  "bodyPreview",
  "importance",
  "parentFolderId",
  "conversationId",
  "conversationIndex",
  "isDeliveryReceiptRequested",
  "isReadReceiptRequested",
  "isRead",
  "isDraft",
  "webLink",
  "inferenceClassification",
  "body",
  "uniqueBody",
  "sender",
  "from",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "replyTo",
  "flag",
  "internetMessageHeaders",
] as const;

const NOT_DEFAULT = new Set(["uniqueBody", "internetMessageHeaders"]);
let defaultMask = 0;
MESSAGE_PROPERTIES.forEach((p, i) => {
  if (!NOT_DEFAULT.has(p)) defaultMask |= 1 << i;
});
export const DEFAULT_MESSAGE_MASK = defaultMask >>> 0;
const ID_BIT = 1;

export function webLinkFor(id: string): string {
  return `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`;
}

type Getter = (r: MessageRecord, id: string) => unknown;

const NONE: never[] = [];
const EMPTY_BODY = { contentType: "text", content: "" };
const NOT_FLAGGED = { flagStatus: "notFlagged" };

const GETTERS: Record<(typeof MESSAGE_PROPERTIES)[number], Getter> = {
  id: (_r, id) => id,
  createdDateTime: (r) => r.createdDateTime,
  lastModifiedDateTime: (r) => r.lastModifiedDateTime,
  changeKey: (r) => r.changeKey,
  categories: (r) => r.data.categories ?? NONE,
  receivedDateTime: (r) => r.data.receivedDateTime,
  sentDateTime: (r) => r.data.sentDateTime ?? null,
  hasAttachments: (r) => r.data.hasAttachments ?? false,
  internetMessageId: (r) => r.data.internetMessageId ?? null,
  subject: (r) => r.data.subject ?? "",
  bodyPreview: (r) => r.data.bodyPreview ?? "",
  importance: (r) => r.data.importance ?? "normal",
  parentFolderId: (r) => r.folder?.id ?? null,
  conversationId: (r) => r.data.conversationId ?? null,
  conversationIndex: (r) => r.data.conversationIndex ?? null,
  isDeliveryReceiptRequested: (r) => r.data.isDeliveryReceiptRequested ?? false,
  isReadReceiptRequested: (r) => r.data.isReadReceiptRequested ?? false,
  isRead: (r) => r.data.isRead ?? false,
  isDraft: (r) => r.data.isDraft ?? false,
  webLink: (_r, id) => webLinkFor(id),
  inferenceClassification: (r) => r.data.inferenceClassification ?? "focused",
  body: (r) => r.data.body ?? EMPTY_BODY,
  uniqueBody: (r) => r.data.uniqueBody ?? r.data.body ?? EMPTY_BODY,
  sender: (r) => r.data.sender ?? null,
  from: (r) => r.data.from ?? null,
  toRecipients: (r) => r.data.toRecipients ?? NONE,
  ccRecipients: (r) => r.data.ccRecipients ?? NONE,
  bccRecipients: (r) => r.data.bccRecipients ?? NONE,
  replyTo: (r) => r.data.replyTo ?? NONE,
  flag: (r) => r.data.flag ?? NOT_FLAGGED,
  internetMessageHeaders: (r) => r.headers,
};

export interface RenderOptions {
  /** Bitmask over MESSAGE_PROPERTIES; 0 = Graph's default property set. */
  mask: number;
  immutableIds: boolean;
  /** Delta items carry @odata.type and list id last, as Graph's delta responses do. */
  delta: boolean;
}

/**
 * JSON for values that are shared between messages (a sender's recipient object, a recipient list
 * delivered to several mailboxes, a body): stringified once. Store data is never mutated in place —
 * updates replace values — so identity is a safe cache key.
 */
const sharedJson = new WeakMap<object, string>();

function toJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    // Lists are often per-message, their members shared: cache the members, not the list.
    if (value.length === 0) return "[]";
    let out = "[" + toJson(value[0]);
    for (let i = 1; i < value.length; i++) out += "," + toJson(value[i]);
    return out + "]";
  }
  let json = sharedJson.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    sharedJson.set(value, json);
  }
  return json;
}

const KEY_PREFIX = MESSAGE_PROPERTIES.map((p) => `,"${p}":`);

/**
 * The message's JSON as UTF-8 bytes. Cached as a Buffer: pages are then a Buffer.concat (memcpy)
 * instead of building, flattening and re-encoding megabyte strings on every request.
 */
export function renderMessage(r: MessageRecord, opts: RenderOptions): Buffer {
  const key = opts.mask * 4 + (opts.immutableIds ? 2 : 0) + (opts.delta ? 1 : 0);
  if (r.cacheKey === key && r.cacheJson !== undefined) return r.cacheJson;
  const id = opts.immutableIds ? r.immutableId : r.restId;
  const mask = opts.mask || DEFAULT_MESSAGE_MASK;
  const idJson = JSON.stringify(id);
  let json = opts.delta ? `{"@odata.type":"#microsoft.graph.message","@odata.etag":"W/\\"${r.changeKey}\\""` : `{"@odata.etag":"W/\\"${r.changeKey}\\"","id":${idJson}`;
  for (let i = 1; i < MESSAGE_PROPERTIES.length; i++) {
    if (!(mask & (1 << i))) continue;
    const value = GETTERS[MESSAGE_PROPERTIES[i]!](r, id);
    if (value === undefined) continue;
    json += KEY_PREFIX[i]! + toJson(value);
  }
  json += opts.delta ? `,"id":${idJson}}` : "}";
  const bytes = Buffer.from(json, "utf8");
  r.cacheKey = key;
  r.cacheJson = bytes;
  return bytes;
}

export function renderRemoved(id: string, type: "message" | "event"): string {
  return `{"@odata.type":"#microsoft.graph.${type}","id":${JSON.stringify(id)},"@removed":{"reason":"deleted"}}`;
}

const COMMA = Buffer.from(",");

/** `head` + items joined by commas + `tail`, without building one big string. */
export function jsonCollection(head: string, items: Array<Buffer | string>, tail: string): Buffer {
  const parts: Buffer[] = [Buffer.from(head, "utf8")];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    const item = items[i]!;
    parts.push(typeof item === "string" ? Buffer.from(item, "utf8") : item);
  }
  parts.push(Buffer.from(tail, "utf8"));
  return Buffer.concat(parts);
}

export function selectWithoutId(mask: number): number {
  return (mask & ~ID_BIT) >>> 0;
}
