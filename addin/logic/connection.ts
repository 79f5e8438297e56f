import type { ConnectionState, ConnectionStatus } from "../../shared/api/contract";
import { formatCount, formatDateTime, formatRelative, type FormatOptions } from "./format";

export const AUTHENTICATED_LABEL = "Authenticated (revoke)";
export const START_LABEL = "Click to start authentication";
export const REAUTHENTICATE_LABEL = "Re-authenticate";

export type Tone = "success" | "info" | "warning" | "error";

export interface ConnectionView {
  /** Headline: "Authenticated (revoke)" or the button that starts authentication. */
  authenticated: boolean;
  /** The one button that starts authentication when not authenticated ("Re-authenticate" after a lost connection). */
  startLabel: string;
  /** The state in plain words. */
  title: string;
  /** What it means and what to do next. */
  text: string;
  tone: Tone;
  /** "Last sync: …" */
  lastSync: string;
  /** The extra action besides the headline. */
  syncNow: boolean;
  adminConsentUrl: string | null;
  /** Initial-sync progress; value is 0..1, or undefined while the total isn't known yet. */
  progress: { value: number | undefined; label: string } | null;
  /** Poll /api/connection again after this many ms (null: no need). */
  pollAfterMs: number | null;
}

const AUTHENTICATED: Record<ConnectionState, boolean> = {
  not_connected: false,
  connected: true,
  initial_sync: true,
  admin_consent_required: false,
  connection_lost: false,
  temporarily_failing: true,
};

export const INITIAL_SYNC_POLL_MS = 5000;
/** While the pane is visible, look at /api/connection this often even when nothing is expected to change. */
export const IDLE_CHECK_MS = 60_000;
/** A pinned pane's selection changes often (arrowing through the inbox): at most one check per this gap. */
export const ITEM_CHANGED_CHECK_GAP_MS = 10_000;
/** After "Sync now", check at the initial-sync pace until the sync has finished, for at most this long. */
export const SYNC_FOLLOW_MS = 120_000;

export function isAuthenticated(state: ConnectionState): boolean {
  return AUTHENTICATED[state];
}

export function connectionView(status: ConnectionStatus, now: Date = new Date(), format: FormatOptions = {}): ConnectionView {
  const lastSyncAt = formatDateTime(status.lastSyncAt, format);
  const lastSync = `Last sync: ${lastSyncAt ?? (isAuthenticated(status.state) ? "not yet" : "never")}`;
  const base = {
    authenticated: isAuthenticated(status.state),
    startLabel: START_LABEL,
    lastSync,
    syncNow: false,
    adminConsentUrl: null as string | null,
    progress: null as ConnectionView["progress"],
    pollAfterMs: null as number | null,
  };
  switch (status.state) {
    case "not_connected":
      return {
        ...base,
        title: "Not connected",
        text: "Startdeliver isn't reading your mailbox yet. Connect your Microsoft 365 account so emails and meetings with customers sync automatically.",
        tone: "info",
      };
    case "connected":
      return {
        ...base,
        title: "Connected",
        text: "Emails and meetings with customer contacts sync to Startdeliver automatically.",
        tone: "success",
      };
    case "initial_sync": {
      const done = status.progress?.itemsDone ?? 0;
      const estimated = status.progress?.itemsEstimated ?? null;
      const value = estimated && estimated > 0 ? Math.min(done / estimated, 1) : undefined;
      const label = estimated
        ? `${formatCount(done, format.locale)} of about ${formatCount(estimated, format.locale)} items`
        : `${formatCount(done, format.locale)} items so far`;
      return {
        ...base,
        title: "Syncing your last 6 months",
        text: "The first sync reads up to 6 months of email and meetings and can take up to 24 hours. You can keep working meanwhile.",
        tone: "info",
        progress: { value, label },
        pollAfterMs: INITIAL_SYNC_POLL_MS,
      };
    }
    case "admin_consent_required":
      return {
        ...base,
        title: "Admin approval needed",
        text: "Your Microsoft 365 organisation only lets an admin approve apps like Startdeliver. Send the approval link below to your Microsoft 365 admin; once they've approved it, click to start authentication again.",
        tone: "warning",
        adminConsentUrl: status.adminConsentUrl,
      };
    case "connection_lost":
      return {
        ...base,
        title: "Connection lost",
        text: "Startdeliver can no longer read your mailbox, usually because your Microsoft password changed or access was revoked. Re-authenticate to resume syncing.",
        tone: "error",
        startLabel: REAUTHENTICATE_LABEL,
      };
    case "temporarily_failing": {
      const when = formatDateTime(status.retryAt, format);
      const relative = formatRelative(status.retryAt, now, format.locale);
      const retry = when ? `It retries automatically ${relative ?? ""} (${when}),` : "It retries automatically,";
      const untilRetry = status.retryAt ? new Date(status.retryAt).getTime() - now.getTime() : NaN;
      return {
        ...base,
        title: "Sync is temporarily failing",
        text: `Microsoft 365 didn't answer the last sync. ${retry.replace("  ", " ")} or you can sync now.`,
        tone: "warning",
        syncNow: true,
        // Look again shortly after the retry is due (never sooner than the initial-sync pace).
        pollAfterMs: Number.isFinite(untilRetry) ? Math.max(untilRetry + 2000, INITIAL_SYNC_POLL_MS) : null,
      };
    }
  }
}

/**
 * How long until the pane should look at /api/connection again (while visible): the state's own pace (initial
 * sync, a failing sync's retry), the initial-sync pace while a requested sync runs, and never longer than
 * IDLE_CHECK_MS so a pinned pane notices a lost connection or a new last-sync time.
 */
export function checkDelayMs(status: ConnectionStatus | null, now: Date = new Date(), syncRequestedAt: number | null = null): number {
  let delay = IDLE_CHECK_MS;
  const own = status ? connectionView(status, now).pollAfterMs : null;
  if (own !== null) delay = Math.min(delay, own);
  if (syncRequestedAt !== null && now.getTime() - syncRequestedAt < SYNC_FOLLOW_MS) delay = Math.min(delay, INITIAL_SYNC_POLL_MS);
  return delay;
}

/**
 * What the pane's answers (preview, why) depend on: they are asked again when this changes, i.e. when the
 * connection's state changes or a sync finishes. null until the status is known.
 */
export function dataVersion(status: ConnectionStatus | null | undefined): string | null {
  return status ? `${status.state}|${status.lastSyncAt ?? ""}` : null;
}

/** Whether the answers should be asked again: not for the first status (they were asked with it), only for a real change. */
export function versionChanged(before: string | null, after: string | null): boolean {
  return before !== null && after !== null && before !== after;
}
