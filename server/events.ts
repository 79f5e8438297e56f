/**
 * Hooks other parts (the sync) register to learn about changes made through the API.
 * Listeners may be async; a failing listener is logged and never fails the request that fired it.
 *
 *   connected(memberId)          a member finished the connect flow: start the initial sync.
 *   revoke(memberId)             a member is revoking: runs BEFORE tokens are deleted, so a listener
 *                                can still call Graph (delete subscriptions) and must stop syncing.
 *   connectionLost(memberId)     refresh failed for good (password change, revoked grant).
 *   directoryChanged(orgId)      customers, users, team members or company domains changed:
 *                                re-decide the last SYNC_HISTORY_MONTHS.
 *   settingsChanged(memberId)    a member's toggles or aliases changed: re-decide their history.
 */
import type { Logger } from "./logger";

type Listener<T> = (arg: T) => void | Promise<void>;

interface EventMap {
  connected: string;
  revoke: string;
  connectionLost: string;
  directoryChanged: string;
  settingsChanged: string;
}

export class ServerEvents {
  private readonly listeners: { [K in keyof EventMap]: Set<Listener<EventMap[K]>> } = {
    connected: new Set(),
    revoke: new Set(),
    connectionLost: new Set(),
    directoryChanged: new Set(),
    settingsChanged: new Set(),
  };

  constructor(private readonly log?: Logger) {}

  private on<K extends keyof EventMap>(event: K, fn: Listener<EventMap[K]>): () => void {
    this.listeners[event].add(fn);
    return () => this.listeners[event].delete(fn);
  }

  /** Resolves when every listener has finished (or failed); never rejects. */
  private async emit<K extends keyof EventMap>(event: K, arg: EventMap[K]): Promise<void> {
    const results = await Promise.allSettled([...this.listeners[event]].map(async (fn) => fn(arg)));
    for (const r of results) {
      if (r.status === "rejected") this.log?.error({ err: r.reason, event, arg }, "event listener failed");
    }
  }

  onConnected(fn: Listener<string>) { return this.on("connected", fn); }
  onRevoke(fn: Listener<string>) { return this.on("revoke", fn); }
  onConnectionLost(fn: Listener<string>) { return this.on("connectionLost", fn); }
  onDirectoryChanged(fn: Listener<string>) { return this.on("directoryChanged", fn); }
  onSettingsChanged(fn: Listener<string>) { return this.on("settingsChanged", fn); }

  emitConnected(memberId: string) { return this.emit("connected", memberId); }
  emitRevoke(memberId: string) { return this.emit("revoke", memberId); }
  emitConnectionLost(memberId: string) { return this.emit("connectionLost", memberId); }
  emitDirectoryChanged(orgId: string) { return this.emit("directoryChanged", orgId); }
  emitSettingsChanged(memberId: string) { return this.emit("settingsChanged", memberId); }
}
