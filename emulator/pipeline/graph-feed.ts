import type { MailboxStore } from "../graph/store/mailbox-store";
import { resolveFolder } from "../graph/store/folders";
import type { MailboxChange as StoreChange } from "../graph/store/types";
import type { ChangeFeed, MailboxChange } from "./subscriptions";

/**
 * Adapts the Graph store's change announcements to what subscriptions need: the item's ids, its
 * changeKey (for @odata.etag) and, for messages, the folder the change happened in. A move arrives
 * from the store as two halves (deleted in the old folder, created in the new one) and is passed on
 * as such, which is what a folder-scoped subscription sees.
 */
export function changeFeedFromStore(store: MailboxStore): ChangeFeed {
  return {
    subscribe(listener) {
      return store.onChange((change) => listener([toChange(store, change)]));
    },
    resolveFolder(oid, ref) {
      const mailbox = store.mailbox(oid);
      return mailbox ? resolveFolder(mailbox, ref)?.id : undefined;
    },
  };
}

function toChange(store: MailboxStore, change: StoreChange): MailboxChange {
  const mailbox = store.mailbox(change.oid);
  if (change.resource === "message") {
    const record = mailbox?.messagesByImmutableId.get(change.immutableId);
    return {
      oid: change.oid,
      kind: "message",
      changeType: change.changeType,
      id: change.id,
      immutableId: change.immutableId,
      changeKey: record?.changeKey,
      folderId: change.folderId,
    };
  }
  const record = mailbox?.calendar.byId.get(change.id);
  return {
    oid: change.oid,
    kind: "event",
    changeType: change.changeType,
    id: change.id,
    immutableId: change.immutableId,
    changeKey: record?.changeKey,
  };
}
