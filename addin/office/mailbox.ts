/**
 * The only place the pane reads the mailbox through Office.js. Everything else works with the contract's
 * OpenMessage, so components can be rendered and tested without Office.
 */
import type { MailAddress, OpenMessage } from "../../shared/api/contract";

/** The subset of Office.EmailAddressDetails the pane reads. */
interface AddressDetails {
  displayName?: string;
  emailAddress?: string;
}

function office(): typeof Office | undefined {
  return typeof Office === "undefined" ? undefined : Office;
}

function mailbox(): Office.Mailbox | undefined {
  return office()?.context?.mailbox;
}

/** True when the page runs inside Outlook (or the test host that stands in for it). */
export function hasMailbox(): boolean {
  return mailbox() !== undefined;
}

function toAddress(details: AddressDetails | null | undefined): MailAddress | undefined {
  const address = details?.emailAddress?.trim();
  if (!address) return undefined;
  const name = details?.displayName?.trim();
  return name && name !== address ? { name, address } : { address };
}

function toAddresses(list: AddressDetails[] | null | undefined): MailAddress[] {
  if (!Array.isArray(list)) return [];
  return list.map(toAddress).filter((a): a is MailAddress => a !== undefined);
}

function toIso(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === "string" && value) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}

/** Office item ids are EWS ids; Graph (and the server) use REST ids. */
function toRestId(itemId: string | undefined): string | undefined {
  if (!itemId) return undefined;
  const box = mailbox();
  const v2 = office()?.MailboxEnums?.RestVersion?.v2_0 ?? "v2.0";
  try {
    return box?.convertToRestId ? box.convertToRestId(itemId, v2 as Office.MailboxEnums.RestVersion) : itemId;
  } catch {
    // convertToRestId needs Mailbox 1.3; without it the server can still match on internetMessageId.
    return undefined;
  }
}

/**
 * The open (or, when pinned, selected) message as the contract's OpenMessage; null when nothing is selected,
 * several items are, or the item isn't a message.
 */
export function readOpenMessage(): OpenMessage | null {
  const item = mailbox()?.item as (Office.MessageRead & { itemType?: string }) | null | undefined;
  if (!item) return null;
  const messageType = office()?.MailboxEnums?.ItemType?.Message ?? "message";
  if (item.itemType !== undefined && item.itemType !== messageType) return null;
  const message: OpenMessage = {
    to: toAddresses(item.to),
    cc: toAddresses(item.cc),
  };
  const from = toAddress(item.from ?? item.sender);
  if (from) message.from = from;
  if (item.internetMessageId) message.internetMessageId = item.internetMessageId;
  const restId = toRestId(item.itemId);
  if (restId) message.restId = restId;
  if (item.conversationId) message.conversationId = item.conversationId;
  if (typeof item.subject === "string") message.subject = item.subject;
  const created = toIso(item.dateTimeCreated);
  if (created) message.dateTimeCreated = created;
  return message;
}

/** A stable key for "is this still the same message?" (the preview is re-fetched only when it changes). */
export function messageKey(message: OpenMessage | null): string {
  if (!message) return "";
  return message.internetMessageId ?? message.restId ?? `${message.from?.address ?? ""}|${message.subject ?? ""}|${message.dateTimeCreated ?? ""}`;
}

/** Everyone listening to ItemChanged (the open message, the connection check), behind one Office handler. */
const itemChangedListeners = new Set<(message: OpenMessage | null) => void>();
let removeOfficeHandler: (() => void) | null = null;

/**
 * Calls back with the new selection whenever it changes (pinned pane, Mailbox 1.5). Returns an unsubscribe
 * function. Without ItemChanged support it does nothing: the pane then shows the item it was opened for.
 * Mailbox.removeHandlerAsync removes every handler of the type, so the pane registers a single handler that
 * fans out to its listeners, and removes it when the last one leaves.
 */
export function onItemChanged(callback: (message: OpenMessage | null) => void): () => void {
  const box = mailbox();
  const eventType = office()?.EventType?.ItemChanged;
  if (!box?.addHandlerAsync || !eventType) return () => {};
  if (!removeOfficeHandler) {
    box.addHandlerAsync(eventType, () => {
      const message = readOpenMessage();
      for (const listener of [...itemChangedListeners]) listener(message);
    });
    removeOfficeHandler = () => box.removeHandlerAsync?.(eventType);
  }
  // A wrapper per subscription, so subscribing the same function twice still unsubscribes one at a time.
  const listener = (message: OpenMessage | null) => callback(message);
  itemChangedListeners.add(listener);
  return () => {
    if (!itemChangedListeners.delete(listener) || itemChangedListeners.size > 0) return;
    removeOfficeHandler?.();
    removeOfficeHandler = null;
  };
}

export interface UserProfile {
  displayName: string;
  emailAddress: string;
  timeZone?: string;
}

export function readUserProfile(): UserProfile | null {
  const profile = mailbox()?.userProfile;
  if (!profile?.emailAddress) return null;
  return { displayName: profile.displayName ?? profile.emailAddress, emailAddress: profile.emailAddress, timeZone: profile.timeZone };
}

/** Nested app authentication: Outlook brokers the pane's sign-in (requirement set NestedAppAuth 1.1). */
export function supportsNestedAppAuth(): boolean {
  try {
    return office()?.context?.requirements?.isSetSupported("NestedAppAuth", "1.1") === true;
  } catch {
    return false;
  }
}
