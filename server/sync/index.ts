/**
 * The sync wired into the server: `createServerSync(ctx, { listener })` builds the engine over the
 * server's database, vault, tokens and events, registers the status provider, and returns the
 * routes for the lead to mount. Benchmarks and tests that run without a ServerContext use
 * createSyncEngine (engine.ts) directly.
 */
import type { Router } from "express";
import { ConnectionLostError, NotConnectedError } from "../auth/graph-token";
import type { ServerContext } from "../context";
import { createAddressKeyStore, type AddressKeyStore } from "./address-keys";
import type { DriverLimits, TokenSource } from "./driver";
import { createSyncEngine, type SyncEngine, type SyncEngineConfig } from "./engine";
import type { FactListener, ItemDetailsFetcher } from "./facts";
import { DEFAULT_PUSH_CONFIG, isPublicHttpsUrl, PushManager, type PushConfig } from "./push";
import { syncRoutes } from "./routes";
import { createSyncStatusProvider } from "./status";

export { createSyncEngine, SyncEngine, DEFAULT_SYNC_CONFIG, type SyncEngineConfig, type SyncEngineDeps, type RunOutcome } from "./engine";
export { createAddressKeyer, createAddressKeyStore, type AddressKeyer, type AddressKeyStore } from "./address-keys";
export { createSyncStatusProvider } from "./status";
export { SyncStore } from "./store";

export interface ServerSyncOptions {
  listener: FactListener;
  /** Push on/off; default: on when PUBLIC_URL is public HTTPS. */
  push?: boolean;
  pushConfig?: Partial<Omit<PushConfig, "publicUrl">>;
  config?: Partial<SyncEngineConfig>;
  driverLimits?: Partial<DriverLimits>;
}

export interface ServerSync {
  engine: SyncEngine;
  push: PushManager | null;
  addressKeys: AddressKeyStore;
  /** For the interactions engine: subject/link of a newly matched item, fetched by id. */
  details: ItemDetailsFetcher;
  routes: Router;
  start(): void;
  stop(): Promise<void>;
}

/** The foundation's token provider, as the driver sees it. */
export function tokenSourceFor(ctx: ServerContext): TokenSource {
  return {
    getAccessToken: (memberId, { forceRefresh }) => ctx.tokens.getGraphAccessToken(memberId, { forceRefresh }),
    isConnectionLost: (error) => error instanceof ConnectionLostError || error instanceof NotConnectedError,
  };
}

export function createServerSync(ctx: ServerContext, options: ServerSyncOptions): ServerSync {
  const addressKeys = createAddressKeyStore(ctx.db, ctx.vault);
  const pushEnabled = options.push ?? isPublicHttpsUrl(ctx.config.publicUrl);
  let push: PushManager | null = null;
  const engine = createSyncEngine({
    db: ctx.db,
    graphBaseUrl: ctx.config.microsoft.graphBaseUrl,
    tokens: tokenSourceFor(ctx),
    listener: options.listener,
    keyerFor: (memberId) => addressKeys.forMember(memberId),
    logger: ctx.log,
    config: {
      historyMonths: ctx.config.sync.historyMonths,
      calendarHorizonDays: ctx.config.sync.calendarHorizonDays,
      pollIntervalMs: ctx.config.sync.pollIntervalSeconds * 1000,
      ...options.config,
    },
    driverLimits: options.driverLimits,
    onRunFinished: (outcome) => {
      if (push && outcome.ok) {
        void push.ensureSubscriptions(outcome.memberId).catch((err) =>
          ctx.log.warn({ memberId: outcome.memberId, err: (err as Error).message }, "could not set up change notifications; polling continues"),
        );
      }
    },
  });
  if (pushEnabled) {
    push = new PushManager({
      db: ctx.db,
      driver: engine.driver,
      logger: ctx.log,
      config: { publicUrl: ctx.config.publicUrl, ...DEFAULT_PUSH_CONFIG, ...options.pushConfig },
      requestSync: (memberId) => engine.requestSync(memberId),
    });
  }
  ctx.syncStatus = createSyncStatusProvider(engine.store);
  ctx.events.onConnected((memberId) => engine.onConnected(memberId));
  ctx.events.onConnectionLost((memberId) => engine.onConnectionLost(memberId));
  ctx.events.onRevoke(async (memberId) => {
    // Runs before the tokens are deleted: subscriptions can still be removed on Graph's side.
    await engine.onRevoke(memberId);
    if (push) await push.deleteAll(memberId);
  });
  return {
    engine,
    push,
    addressKeys,
    details: engine,
    routes: syncRoutes(ctx, { engine, push }),
    start: () => engine.start(),
    stop: async () => {
      push?.close();
      await engine.stop();
    },
  };
}
