/**
 * Starts the server from configuration: HTTPS when TLS_CERT_PATH/TLS_KEY_PATH are set (or, in
 * demo mode with an https PUBLIC_URL, with the local dev certificates), plain HTTP otherwise
 * (behind a TLS-terminating proxy). `startServer` is exported for scripts that compose the
 * server with the sync and the emulator.
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { createApp, type AppOptions } from "./app";
import { loadConfigFromProcess, ConfigError } from "./config";
import { createServerContext, type ServerContext } from "./context";
import { ensureDevCertificates } from "../emulator/tls/dev-certs";

export interface StartedServer {
  server: http.Server | https.Server;
  /** The URL the server listens on (PUBLIC_URL may differ behind a proxy). */
  listenUrl: string;
  close(): Promise<void>;
}

function tlsOptions(ctx: ServerContext): { cert: string; key: string } | null {
  const { config } = ctx;
  if (config.tls) return { cert: fs.readFileSync(config.tls.certPath, "utf8"), key: fs.readFileSync(config.tls.keyPath, "utf8") };
  if (config.demoMode && config.publicUrl.startsWith("https://")) {
    const certs = ensureDevCertificates(path.join(config.dataDir, "certs"));
    return { cert: certs.cert, key: certs.key };
  }
  return null;
}

export async function startServer(ctx: ServerContext, options: AppOptions = {}): Promise<StartedServer> {
  const app = createApp(ctx, options);
  const tls = tlsOptions(ctx);
  const server = tls ? https.createServer(tls, app) : http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (ctx.config.host) server.listen(ctx.config.port, ctx.config.host, () => resolve());
    else server.listen(ctx.config.port, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const listenUrl = `${tls ? "https" : "http"}://localhost:${port}`;
  ctx.log.info(
    { listenUrl, publicUrl: ctx.config.publicUrl, authority: ctx.config.microsoft.authority, graph: ctx.config.microsoft.graphBaseUrl, keySource: ctx.config.tokenEncryption.source },
    "server listening",
  );
  return {
    server,
    listenUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeIdleConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  let config;
  try {
    config = await loadConfigFromProcess();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`${err.message}\nSee docs/configuration.md.`);
      process.exit(1);
    }
    throw err;
  }
  const ctx = createServerContext(config);
  const started = await startServer(ctx);
  const shutdown = async (signal: string) => {
    ctx.log.info({ signal }, "shutting down");
    await started.close();
    ctx.db.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  void main();
}
