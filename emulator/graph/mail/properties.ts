/**
 * Message properties $filter and $orderby can name, with their OData types.
 */
import type { PropertyAccessor, PropertyResolver } from "../odata/filter";
import type { MessageRecord } from "../store/types";

const time = (get: (r: MessageRecord) => string | null | undefined): PropertyAccessor<MessageRecord> => ({
  type: "datetime",
  get: (r) => {
    const v = get(r);
    return v ? Date.parse(v) : null;
  },
});

const ACCESSORS: Record<string, PropertyAccessor<MessageRecord>> = {
  receiveddatetime: { type: "datetime", get: (r) => r.receivedMs },
  sentdatetime: time((r) => r.data.sentDateTime),
  createddatetime: time((r) => r.createdDateTime),
  lastmodifieddatetime: time((r) => r.lastModifiedDateTime),
  id: { type: "id", get: (r) => r.restId },
  conversationid: { type: "id", get: (r) => r.data.conversationId },
  parentfolderid: { type: "id", get: (r) => r.folder?.id },
  internetmessageid: { type: "string", get: (r) => r.data.internetMessageId },
  subject: { type: "string", get: (r) => r.data.subject },
  importance: { type: "string", get: (r) => r.data.importance ?? "normal" },
  inferenceclassification: { type: "string", get: (r) => r.data.inferenceClassification ?? "focused" },
  isread: { type: "boolean", get: (r) => r.data.isRead ?? false },
  isdraft: { type: "boolean", get: (r) => r.data.isDraft ?? false },
  hasattachments: { type: "boolean", get: (r) => r.data.hasAttachments ?? false },
  "from/emailaddress/address": { type: "string", get: (r) => r.data.from?.emailAddress?.address },
  "from/emailaddress/name": { type: "string", get: (r) => r.data.from?.emailAddress?.name },
  "sender/emailaddress/address": { type: "string", get: (r) => r.data.sender?.emailAddress?.address },
  "sender/emailaddress/name": { type: "string", get: (r) => r.data.sender?.emailAddress?.name },
  "flag/flagstatus": { type: "string", get: (r) => r.data.flag?.flagStatus ?? "notFlagged" },
};

export const resolveMessageProperty: PropertyResolver<MessageRecord> = (path) => ACCESSORS[path.toLowerCase()];

/** Properties $orderby accepts on message lists. */
export const ORDERABLE = new Set(["receiveddatetime", "sentdatetime", "createddatetime", "lastmodifieddatetime", "subject", "importance"]);
