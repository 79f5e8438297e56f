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

const GETTERS: Record<(typeof MESSAGE_PROPERTIES)[number], Getter> = {
  id: (_r, id) => id,
  createdDateTime: (r) => r.createdDateTime,
  lastModifiedDateTime: (r) => r.lastModifiedDateTime,
  changeKey: (r) => r.changeKey,
  categories: (r) => r.data.categories ?? [],
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
  body: (r) => r.data.body ?? { contentType: "text", content: "" },
  uniqueBody: (r) => r.data.uniqueBody ?? r.data.body ?? { contentType: "text", content: "" },
  sender: (r) => r.data.sender ?? null,
  from: (r) => r.data.from ?? null,
  toRecipients: (r) => r.data.toRecipients ?? [],
  ccRecipients: (r) => r.data.ccRecipients ?? [],
  bccRecipients: (r) => r.data.bccRecipients ?? [],
  replyTo: (r) => r.data.replyTo ?? [],
  flag: (r) => r.data.flag ?? { flagStatus: "notFlagged" },
  internetMessageHeaders: (r) => r.headers,
};

export interface RenderOptions {
  /** Bitmask over MESSAGE_PROPERTIES; 0 = Graph's default property set. */
  mask: number;
  immutableIds: boolean;
  /** Delta items carry @odata.type and list id last, as Graph's delta responses do. */
  delta: boolean;
}

export function renderMessage(r: MessageRecord, opts: RenderOptions): string {
  const key = `${opts.mask}|${opts.immutableIds ? 1 : 0}|${opts.delta ? 1 : 0}`;
  if (r.cacheKey === key && r.cacheJson !== undefined) return r.cacheJson;
  const id = opts.immutableIds ? r.immutableId : r.restId;
  const mask = opts.mask || DEFAULT_MESSAGE_MASK;
  const out: Record<string, unknown> = {};
  if (opts.delta) out["@odata.type"] = "#microsoft.graph.message";
  out["@odata.etag"] = `W/"${r.changeKey}"`;
  if (!opts.delta) out.id = id;
  for (let i = 1; i < MESSAGE_PROPERTIES.length; i++) {
    if (!(mask & (1 << i))) continue;
    const name = MESSAGE_PROPERTIES[i]!;
    const value = GETTERS[name](r, id);
    if (value === undefined) continue;
    out[name] = value;
  }
  if (opts.delta) out.id = id;
  const json = JSON.stringify(out);
  r.cacheKey = key;
  r.cacheJson = json;
  return json;
}

export function renderRemoved(id: string, type: "message" | "event"): string {
  return `{"@odata.type":"#microsoft.graph.${type}","id":${JSON.stringify(id)},"@removed":{"reason":"deleted"}}`;
}

export function selectWithoutId(mask: number): number {
  return (mask & ~ID_BIT) >>> 0;
}
