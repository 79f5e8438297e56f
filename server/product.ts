/**
 * The composition root: one place that wires the server's parts together — foundation context,
 * interactions engine, sync engine (with push), reports and the pane host — for main.ts, the demo
 * start script, the end-to-end tests and the benchmarks alike.
 */
import type { Config } from "./config";
import { createServerContext, type ContextOverrides, type ServerContext } from "./context";
import { startServer, type StartedServer } from "./main";
import { addinRoutes } from "./addin-host";
import { createServerInteractions, type ServerInteractions } from "./interactions";
import { createServerSync, type ServerSync, type ServerSyncOptions } from "./sync";
import { reportsRoutes } from "./reports";
import { productOpenApi } from "./api/openapi-product";
import type { AppOptions } from "./app";

export interface ProductOptions {
  overrides?: ContextOverrides;
  /** Push notifications on/off (default: on when PUBLIC_URL is public HTTPS, and in demo mode where the emulator reaches us). */
  push?: boolean;
  sync?: Omit<ServerSyncOptions, "listener" | "push">;
  /** Start the background sync loop (tests may drive it by hand). */
  startSync?: boolean;
}

export interface Product {
  ctx: ServerContext;
  interactions: ServerInteractions;
  sync: ServerSync;
  http: StartedServer;
  close(): Promise<void>;
}

/** The routes the product adds to the foundation's app, and their OpenAPI description. */
export function productAppOptions(ctx: ServerContext, parts: { sync: Pick<ServerSync, "routes">; interactions: Pick<ServerInteractions, "routes" | "engine"> }): AppOptions {
  return {
    mount: (app) => {
      app.use(parts.sync.routes);
      app.use(parts.interactions.routes);
      app.use(reportsRoutes({ db: ctx.db, authenticator: ctx.authenticator, refreshDueActivity: () => parts.interactions.engine.refreshDueActivity() }));
      app.use(addinRoutes(ctx.config));
    },
    openApi: productOpenApi,
  };
}

export async function startProduct(config: Config, options: ProductOptions = {}): Promise<Product> {
  const ctx = createServerContext(config, options.overrides);
  const interactions = createServerInteractions(ctx, {
    customerUrl: (customerId) => `${config.publicUrl}/addin/pages.html#/customers/${encodeURIComponent(customerId)}`,
  });
  const sync = createServerSync(ctx, {
    listener: interactions.listener,
    push: options.push ?? (config.demoMode ? true : undefined),
    ...options.sync,
  });
  interactions.useSync({ details: sync.details, driver: sync.engine.driver });

  const http = await startServer(ctx, productAppOptions(ctx, { sync, interactions }));
  interactions.start();
  if (options.startSync ?? true) sync.start();

  let closed = false;
  return {
    ctx,
    interactions,
    sync,
    http,
    async close() {
      if (closed) return;
      closed = true;
      await sync.stop();
      interactions.stop();
      await http.close();
      ctx.db.close();
    },
  };
}
