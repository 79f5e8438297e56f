/**
 * What the pane's connection headline needs from the sync (SyncStatusProvider, defined by the
 * foundation in server/api/connection-status.ts): is the 6-month import still running and how
 * far along, when the last cycle completed, and whether it is failing for a reason that heals.
 */
import type { SyncProgress } from "../../shared/api/contract";
import type { SyncStatusProvider, SyncStatusSnapshot } from "../api/connection-status";
import type { FolderRow, MailboxRow, SyncStore } from "./store";

/**
 * Items read so far and an estimate of the total. A folder still enumerating counts its
 * totalItemCount (all time, so an over-estimate that tightens as folders finish); a finished one
 * counts what it actually returned. null until the first folder listing.
 */
export function historyProgress(folders: FolderRow[]): SyncProgress | null {
  if (folders.length === 0) return null;
  let done = 0;
  let estimated = 0;
  for (const f of folders) {
    done += f.enumerated;
    if (f.stage === "incremental" || f.kind === "calendar") estimated += f.enumerated;
    else estimated += Math.max(f.total_items ?? 0, f.enumerated);
  }
  return { itemsDone: done, itemsEstimated: Math.max(estimated, done) };
}

/** Plain words for a stored error ("429 TooManyRequests" → what the pane can show). */
export function plainError(error: string): string {
  const status = /^(\d{3})\s/.exec(error)?.[1];
  if (status === "429") return "Microsoft 365 asked us to slow down (throttling)";
  if (status && status.startsWith("5")) return `Microsoft 365 had a server error (${status})`;
  if (status === "401" || status === "403") return `Microsoft 365 refused access (${status})`;
  if (/TransportError|fetch failed|ECONN|socket|network|TruncatedBody/i.test(error)) return "Microsoft 365 could not be reached (network error)";
  if (/folder\(s\) failing/.test(error)) {
    const inner = error.slice(error.indexOf(":") + 1).trim();
    return inner ? plainError(inner) : "Some folders could not be read";
  }
  if (/folder listing/i.test(error)) return "The mail folder list could not be read";
  return error.length > 160 ? `${error.slice(0, 157)}…` : error;
}

export function snapshotOf(mailbox: MailboxRow, folders: FolderRow[]): SyncStatusSnapshot {
  const failing =
    mailbox.consecutive_failures > 0 && mailbox.last_error !== null && mailbox.paused_reason === null
      ? { message: plainError(mailbox.last_error), retryAt: mailbox.retry_at }
      : null;
  const initialSync = mailbox.history_done_at === null && mailbox.paused_reason === null;
  return {
    initialSync,
    progress: initialSync ? historyProgress(folders) : null,
    lastSyncAt: mailbox.last_success_at,
    failing,
  };
}

export function createSyncStatusProvider(store: SyncStore): SyncStatusProvider {
  return {
    getSyncStatus(memberId) {
      const mailbox = store.mailbox(memberId);
      if (!mailbox) return null;
      return snapshotOf(mailbox, store.folders(memberId));
    },
  };
}
