/**
 * The pane's headline about a member's connection. The stored state (auth) is combined with what
 * the sync reports through SyncStatusProvider (initial import progress, last sync, transient
 * failures). Labels are exactly the ones the product documentation tells people to look for.
 */
import type { ConnectionState, ConnectionStatus, SyncProgress } from "../../shared/api/contract";
import type { ConnectionRecord } from "../auth/connection-store";

export const LABEL_CONNECTED = "Authenticated (revoke)";
export const LABEL_NOT_CONNECTED = "Click to start authentication";

/** What the sync knows about one member; implemented by server/sync. */
export interface SyncStatusSnapshot {
  /** True while the first SYNC_HISTORY_MONTHS import is still running. */
  initialSync: boolean;
  progress: SyncProgress | null;
  /** ISO time the last sync cycle completed. */
  lastSyncAt: string | null;
  /** Set while sync is failing for a reason that heals by itself (429, 5xx, network). */
  failing: { message: string; retryAt: string | null } | null;
}

export interface SyncStatusProvider {
  getSyncStatus(memberId: string): SyncStatusSnapshot | null | Promise<SyncStatusSnapshot | null>;
}

export const noSyncStatus: SyncStatusProvider = { getSyncStatus: () => null };

export function buildConnectionStatus(record: ConnectionRecord, sync: SyncStatusSnapshot | null, historyMonths: number): ConnectionStatus {
  let state: ConnectionState = record.state;
  if (state === "connected" && sync?.failing) state = "temporarily_failing";
  else if (state === "connected" && sync?.initialSync) state = "initial_sync";

  const account = record.accountAddress ?? "your mailbox";
  const explanations: Record<ConnectionState, string> = {
    not_connected:
      "Your Microsoft 365 mailbox is not connected, so your emails and meetings do not sync. Click to start authentication and sign in with your work account.",
    connected: `Emails and meetings with customer contacts in ${account} sync automatically; nothing to do.`,
    initial_sync: `Importing the last ${historyMonths} months of emails and meetings from ${account}; this can take up to 24 hours. New mail syncs meanwhile.`,
    admin_consent_required:
      "Your Microsoft 365 admin must approve Startdeliver for your organisation before you can connect. Send them the approval link, then click to start authentication again.",
    connection_lost:
      "Microsoft 365 stopped accepting Startdeliver's access, for example after a password change. Nothing synced so far is lost: click to start authentication to reconnect, and sync catches up.",
    temporarily_failing: `Microsoft 365 is not answering right now (${sync?.failing?.message ?? "temporary error"}); sync retries automatically, nothing to do.`,
  };

  const authenticated = state === "connected" || state === "initial_sync" || state === "temporarily_failing";
  return {
    state,
    label: authenticated ? LABEL_CONNECTED : LABEL_NOT_CONNECTED,
    explanation: explanations[state],
    accountAddress: record.accountAddress,
    lastSyncAt: sync?.lastSyncAt ?? null,
    progress: state === "initial_sync" ? (sync?.progress ?? null) : null,
    adminConsentUrl: state === "admin_consent_required" ? record.adminConsentUrl : null,
    lastError: state === "temporarily_failing" ? (sync?.failing?.message ?? null) : authenticated ? null : record.lastError,
    retryAt: state === "temporarily_failing" ? (sync?.failing?.retryAt ?? null) : null,
  };
}
