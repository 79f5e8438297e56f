/**
 * The Express app: `createApp(ctx, options)`. Route modules are mounted here; the sync and the
 * pane add theirs through `options.mount`, before the JSON 404 and error handlers.
 */
import express, { type Express } from "express";
import type { ServerContext } from "./context";
import { authRoutes } from "./auth/routes";
import { connectionRoutes } from "./api/connection";
import { directoryRoutes } from "./api/directory";
import { errorHandler, notFoundHandler } from "./api/errors";
import { meRoutes } from "./api/me";
import { buildOpenApiDocument } from "./api/openapi";
import { organisationRoutes } from "./api/organisation";
import { settingsRoutes } from "./api/settings";

export interface AppOptions {
  /** Mount more routes (sync: preview/why/webhooks; pane: static files) before the 404 handler. */
  mount?: (app: Express, ctx: ServerContext) => void;
  /** More OpenAPI paths/schemas for routes added through `mount`. */
  openApi?: { paths?: Record<string, unknown>; schemas?: Record<string, unknown> };
}

export function createApp(ctx: ServerContext, options: AppOptions = {}): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  // API answers are per-caller and sent with Cache-Control: no-store; hashing each body for an ETag
  // only cost time. Static files (the pane) keep theirs: serve-static sets its own.
  app.set("etag", false);

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      // The path only: query strings carry single-use codes and session links.
      ctx.log.debug(
        { method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        "request",
      );
    });
    res.set("X-Content-Type-Options", "nosniff");
    if (req.path.startsWith("/api/")) res.set("Cache-Control", "no-store");
    next();
  });

  // Bulk directory writes may be large; everything else is small.
  app.use("/api/directory", express.json({ limit: "10mb" }));
  app.use(express.json({ limit: "100kb" }));

  const openApi = buildOpenApiDocument({ publicUrl: ctx.config.publicUrl, extraPaths: options.openApi?.paths, extraSchemas: options.openApi?.schemas });
  app.get("/api/openapi.json", (_req, res) => {
    res.json(openApi);
  });

  app.use(authRoutes({ config: ctx.config, flow: ctx.connectFlow, log: ctx.log }));
  app.use(meRoutes(ctx));
  app.use(connectionRoutes(ctx));
  app.use(settingsRoutes(ctx));
  app.use(directoryRoutes(ctx));
  app.use(organisationRoutes(ctx));

  options.mount?.(app, ctx);

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  return app;
}
