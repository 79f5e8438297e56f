/**
 * Change notifications (push). Only when PUBLIC_URL is public HTTPS: Graph must reach us.
 * A notification never carries data we trust: it only triggers (coalesced) delta work for its
 * mailbox, which then reads Graph as usual. Polling remains the backstop for anything missed.
 *
 *   per mailbox: subscriptions to me/messages and me/events, each with a random clientState
 *   (stored; compared in constant time), renewed well before expiry;
 *   lifecycle: reauthorizationRequired → reauthorize; missed → delta; subscriptionRemoved →
 *   recreate + delta; on revoke: delete the subscriptions (while the tokens still work).
 */
import crypto from "node:crypto";
import type { Logger } from "pino";
import type { Db } from "../db/database";
import type { GraphDriver } from "./driver";
import { describeError, GraphRequestError } from "./errors";

export const SUBSCRIPTION_RESOURCES = ["me/messages", "me/events"] as const;

export interface PushConfig {
  /** PUBLIC_URL: notification URLs are built from it. */
  publicUrl: string;
  /** Subscriptions are requested for this long (Outlook allows at most 10,080 minutes). */
  lifetimeMinutes: number;
  /** Renewed when less than this is left. */
  renewBeforeMs: number;
  /** Notifications for one mailbox within this time make one sync. */
  coalesceMs: number;
}

export const DEFAULT_PUSH_CONFIG: Omit<PushConfig, "publicUrl"> = {
  lifetimeMinutes: 4230,
  renewBeforeMs: 24 * 3600_000,
  coalesceMs: 2000,
};

export const NOTIFICATION_PATH = "/api/graph/notifications";
export const LIFECYCLE_PATH = "/api/graph/lifecycle";

/**
 * True when Graph could deliver to this URL: https and a host that is not loopback, private or a
 * bare machine name. (The lead's config may expose this as PUSH_ENABLED; see the report.)
 */
export function isPublicHttpsUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== "https:") return false;
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || !host.includes(".") && !host.includes(":")) return false;
  if (/^127\.|^10\.|^192\.168\.|^169\.254\.|^0\./.test(host)) return false;
  if (/^172\.(1[6-9]|2\d|3[01])\./.test(host)) return false;
  if (host === "::1" || /^f[cd][0-9a-f]{2}:/.test(host) || /^fe80:/.test(host)) return false;
  return true;
}

interface SubscriptionRow {
  id: string;
  member_id: string;
  resource: string;
  client_state: string;
  expires_at: string;
}

export interface ChangeNotification {
  subscriptionId?: string;
  clientState?: string | null;
  changeType?: string;
  resource?: string;
  lifecycleEvent?: string;
}

function sameSecret(a: string, b: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  const ha = crypto.createHash("sha256").update(a, "utf8").digest();
  const hb = crypto.createHash("sha256").update(b, "utf8").digest();
  return crypto.timingSafeEqual(ha, hb);
}

export interface PushDeps {
  db: Db;
  driver: GraphDriver;
  logger: Logger;
  config: PushConfig;
  /** The sync's coalescing entry point. */
  requestSync: (memberId: string) => void;
  now?: () => Date;
}

export class PushManager {
  private readonly log: Logger;
  private readonly now: () => Date;
  private readonly coalesce = new Map<string, { again: boolean; timer: NodeJS.Timeout | undefined }>();
  private readonly ensuring = new Map<string, Promise<void>>();

  constructor(private readonly deps: PushDeps) {
    this.log = deps.logger.child({ component: "sync-push" });
    this.now = deps.now ?? (() => new Date());
  }

  private rows(memberId: string): SubscriptionRow[] {
    return this.deps.db.prepare<[string], SubscriptionRow>("SELECT * FROM sync_subscriptions WHERE member_id = ?").all(memberId);
  }

  private row(id: string): SubscriptionRow | undefined {
    return this.deps.db.prepare<[string], SubscriptionRow>("SELECT * FROM sync_subscriptions WHERE id = ?").get(id);
  }

  private expiry(): Date {
    return new Date(this.now().getTime() + this.deps.config.lifetimeMinutes * 60_000);
  }

  /** Creates missing subscriptions and renews ones close to expiry. Safe to call often (after each run). */
  ensureSubscriptions(memberId: string): Promise<void> {
    const running = this.ensuring.get(memberId);
    if (running) return running;
    const p = this.doEnsure(memberId).finally(() => this.ensuring.delete(memberId));
    this.ensuring.set(memberId, p);
    return p;
  }

  private async doEnsure(memberId: string): Promise<void> {
    const have = this.rows(memberId);
    for (const resource of SUBSCRIPTION_RESOURCES) {
      const existing = have.find((r) => r.resource === resource);
      if (!existing) {
        await this.create(memberId, resource);
        continue;
      }
      if (Date.parse(existing.expires_at) - this.now().getTime() < this.deps.config.renewBeforeMs) await this.renew(existing);
    }
  }

  private async create(memberId: string, resource: string): Promise<void> {
    const clientState = crypto.randomBytes(32).toString("base64url");
    const base = this.deps.config.publicUrl.replace(/\/+$/, "");
    const sub = await this.deps.driver.post<{ id: string; expirationDateTime: string }>(memberId, "/subscriptions", {
      changeType: "created,updated,deleted",
      notificationUrl: base + NOTIFICATION_PATH,
      lifecycleNotificationUrl: base + LIFECYCLE_PATH,
      resource,
      expirationDateTime: this.expiry().toISOString(),
      clientState,
      latestSupportedTlsVersion: "v1_2",
    });
    const now = this.now().toISOString();
    this.deps.db
      .prepare(`INSERT INTO sync_subscriptions (id, member_id, resource, client_state, expires_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(sub.id, memberId, resource, clientState, sub.expirationDateTime ?? this.expiry().toISOString(), now, now);
    this.log.info({ memberId, resource, subscriptionId: sub.id }, "subscribed to change notifications");
  }

  private async renew(row: SubscriptionRow): Promise<void> {
    try {
      const sub = await this.deps.driver.patch<{ expirationDateTime?: string }>(row.member_id, `/subscriptions/${encodeURIComponent(row.id)}`, {
        expirationDateTime: this.expiry().toISOString(),
      });
      this.deps.db
        .prepare("UPDATE sync_subscriptions SET expires_at = ?, updated_at = ? WHERE id = ?")
        .run(sub.expirationDateTime ?? this.expiry().toISOString(), this.now().toISOString(), row.id);
    } catch (error) {
      if (error instanceof GraphRequestError && error.status === 404) {
        // Expired or removed on Graph's side: start over, and catch up on what may have been missed.
        this.deps.db.prepare("DELETE FROM sync_subscriptions WHERE id = ?").run(row.id);
        await this.create(row.member_id, row.resource);
        this.deps.requestSync(row.member_id);
        return;
      }
      throw error;
    }
  }

  /** Revoke: delete this member's subscriptions on Graph (best effort) and here. */
  async deleteAll(memberId: string): Promise<void> {
    for (const row of this.rows(memberId)) {
      try {
        await this.deps.driver.delete(memberId, `/subscriptions/${encodeURIComponent(row.id)}`);
      } catch (error) {
        this.log.warn({ memberId, subscriptionId: row.id, err: describeError(error) }, "could not delete a subscription; it expires by itself");
      }
      this.deps.db.prepare("DELETE FROM sync_subscriptions WHERE id = ?").run(row.id);
    }
  }

  /** Finds the subscription a notification claims to be for; null unless its clientState matches. */
  private authentic(n: ChangeNotification): SubscriptionRow | null {
    if (typeof n.subscriptionId !== "string" || typeof n.clientState !== "string") return null;
    const row = this.row(n.subscriptionId);
    if (!row || !sameSecret(row.client_state, n.clientState)) return null;
    return row;
  }

  /**
   * Coalescing with the leading edge: the first notification syncs at once, the ones within the next
   * coalesceMs make one more sync at the end of that window (and open a new one). Performance
   * (freshness): waiting out the window before the first sync put coalesceMs (2 s) in front of every
   * pushed change; the bound on syncs per mailbox — one per window, plus the engine's own coalescing
   * of requests during a run — is the same.
   */
  private schedule(memberId: string): void {
    const open = this.coalesce.get(memberId);
    if (open) {
      open.again = true;
      return;
    }
    const window = { again: false, timer: undefined as NodeJS.Timeout | undefined };
    window.timer = setTimeout(() => {
      this.coalesce.delete(memberId);
      if (window.again) this.schedule(memberId);
    }, this.deps.config.coalesceMs);
    window.timer.unref();
    this.coalesce.set(memberId, window);
    this.deps.requestSync(memberId);
  }

  /** Change notifications: each authentic one schedules delta work for its mailbox. Returns how many were accepted. */
  handleNotifications(items: ChangeNotification[]): number {
    let accepted = 0;
    for (const n of items) {
      const row = this.authentic(n);
      if (!row) {
        this.log.warn({ subscriptionId: typeof n.subscriptionId === "string" ? n.subscriptionId : null }, "dropped a notification with an unknown subscription or wrong clientState");
        continue;
      }
      accepted++;
      this.schedule(row.member_id);
    }
    return accepted;
  }

  /** Lifecycle notifications. */
  async handleLifecycle(items: ChangeNotification[]): Promise<void> {
    for (const n of items) {
      const row = this.authentic(n);
      if (!row) {
        this.log.warn("dropped a lifecycle notification with an unknown subscription or wrong clientState");
        continue;
      }
      const event = (n.lifecycleEvent ?? "").toLowerCase();
      try {
        if (event === "reauthorizationrequired") {
          await this.deps.driver.post(row.member_id, `/subscriptions/${encodeURIComponent(row.id)}/reauthorize`, {});
          // Notifications may have been held back while authorization lapsed.
          this.schedule(row.member_id);
        } else if (event === "subscriptionremoved") {
          this.deps.db.prepare("DELETE FROM sync_subscriptions WHERE id = ?").run(row.id);
          await this.create(row.member_id, row.resource);
          this.deps.requestSync(row.member_id);
        } else if (event === "missed") {
          this.deps.requestSync(row.member_id);
        }
      } catch (error) {
        this.log.warn({ memberId: row.member_id, event, err: describeError(error) }, "handling a lifecycle notification failed; polling continues");
        this.deps.requestSync(row.member_id);
      }
    }
  }

  close(): void {
    for (const w of this.coalesce.values()) clearTimeout(w.timer);
    this.coalesce.clear();
  }
}
