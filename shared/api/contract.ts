/**
 * The JSON contract between the task pane (and other pages) and the server.
 * The server validates requests with zod schemas that mirror these types (server/api/schemas.ts);
 * the pane only ever sees these shapes. Graph tokens never appear here.
 */

export type ConnectionState =
  | "not_connected"
  | "connected"
  | "initial_sync"
  | "admin_consent_required"
  | "connection_lost"
  | "temporarily_failing";

export interface SyncProgress {
  itemsDone: number;
  /** Estimate of the total for the 6-month history; null until the first listing gives one. */
  itemsEstimated: number | null;
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** Exactly what the pane shows as the headline, e.g. "Authenticated (revoke)". */
  label: string;
  /** One sentence saying what it means and what to do next. */
  explanation: string;
  accountAddress: string | null;
  lastSyncAt: string | null;
  progress: SyncProgress | null;
  /** Present for admin_consent_required: the tenant's admin-consent URL. */
  adminConsentUrl: string | null;
  lastError: string | null;
  retryAt: string | null;
}

export interface MeResponse {
  member: { id: string; name: string; primaryAddress: string; isAdmin: boolean };
  organisation: { id: string; name: string };
}

/**
 * What the server's last authentication page (server/auth/result-page.ts) reports to the pane: a JSON string
 * through Office.context.ui.messageParent in the Office dialog, or this object through window.opener.postMessage.
 */
export interface ConnectResultMessage {
  type: "startdeliver:connect-result";
  ok: boolean;
  /** The connection's state after the attempt. */
  state: ConnectionState;
  /** Plain words for the member. */
  message: string;
  accountAddress: string | null;
  /** Present when an admin must approve the app first. */
  adminConsentUrl: string | null;
}

/** POST /api/connection/auth-session → a single-use URL for the Office dialog (it cannot send bearer tokens). */
export interface AuthSessionResponse {
  url: string;
}

export interface AliasView {
  address: string;
  source: "manual" | "discovered";
}

export interface MemberSettings {
  aliases: AliasView[];
  syncToCustomersByDomain: boolean;
  syncUnknownSender: boolean;
  syncUnknownOrganizer: boolean;
  /** How many customers have the domain field filled: the pane explains the domain setting when 0. */
  customersWithDomainCount: number;
}

/** PUT /api/settings: any subset of the toggles. */
export type SettingsUpdate = Partial<Pick<MemberSettings, "syncToCustomersByDomain" | "syncUnknownSender" | "syncUnknownOrganizer">>;

export interface MailAddress {
  name?: string;
  address: string;
}

/** What the pane knows about the open message, from Office.js. */
export interface OpenMessage {
  internetMessageId?: string;
  /** The item id converted to a REST id (Office.context.mailbox.convertToRestId). */
  restId?: string;
  conversationId?: string;
  subject?: string;
  from?: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  dateTimeCreated?: string;
}

export interface InteractionSummary {
  id: string;
  kind: "email" | "meeting";
  subject: string;
  occurredAt: string;
  direction: "sent" | "received" | null;
  messageCount: number;
  cancelled: boolean;
  webLink: string | null;
}

export interface CustomerMatch {
  customerId: string;
  name: string;
  owner: string | null;
  matchedContacts: { userId: string; name: string; address: string }[];
  matchedByDomain: boolean;
  lastInteractionAt: string | null;
  lastEmailReplyAt: string | null;
  recentInteractions: InteractionSummary[];
}

export interface PreviewResponse {
  customers: CustomerMatch[];
  /** Plain words when there is no match, e.g. "No customer contact in this email." */
  summary: string;
}

export interface Reason {
  code: string;
  text: string;
}

export type Fix =
  | { kind: "add_alias"; label: string; address: string }
  | { kind: "enable_setting"; label: string; setting: keyof SettingsUpdate }
  | { kind: "add_contact"; label: string; address: string; customerId: string | null; customerUrl: string | null }
  | { kind: "authenticate"; label: string }
  | { kind: "sync_now"; label: string };

export interface WhyRequest {
  internetMessageId?: string;
  restId?: string;
}

export interface WhyResponse {
  synced: boolean;
  headline: string;
  interactions: InteractionSummary[];
  customers: { customerId: string; name: string }[];
  reasons: Reason[];
  fixes: Fix[];
  lastSyncAt: string | null;
}

/** Every error response: a plain message and, for validation errors, the offending field. */
export interface ApiError {
  error: { code: string; message: string; field?: string };
}
