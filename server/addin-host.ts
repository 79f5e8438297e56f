/**
 * Serves the built task pane (dist/addin) at /addin, office.js from the @microsoft/office-js package
 * at /addin/office (Microsoft's CDN is not always reachable, and a pinned copy keeps the pane
 * reproducible), the runtime config the pane reads at start-up, and the manifest built for this
 * server's public URL. Nothing here is secret: the client id and authority are public.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import express, { type Router } from "express";
import type { Config } from "./config";

const repoRoot = path.resolve(import.meta.dirname, "..");

export interface AddinHostOptions {
  distDir?: string;
}

export function addinRoutes(config: Config, options: AddinHostOptions = {}): Router {
  const router = express.Router();
  const distDir = options.distDir ?? path.join(repoRoot, "dist", "addin");
  const ms = config.microsoft;
  const authorityHost = new URL(ms.authorityHost).host;

  router.get("/addin/config.json", (_req, res) => {
    res.set("Cache-Control", "no-store").json({
      clientId: ms.clientId,
      authority: ms.authority,
      knownAuthorities: [authorityHost],
      apiScope: ms.apiScope,
      redirectUri: `${config.publicUrl}/addin/auth-redirect.html`,
      apiBaseUrl: config.publicUrl,
    });
  });

  const officeJsDir = officeJsFolder();
  if (officeJsDir) router.use("/addin/office", express.static(officeJsDir, { maxAge: "1d", fallthrough: false }));

  router.get("/manifest.xml", (_req, res) => {
    const built = path.join(repoRoot, "dist", "manifest.xml");
    if (!fs.existsSync(built)) {
      res.status(404).type("text/plain").send("The add-in has not been built yet: run `npm run build`.");
      return;
    }
    res.type("application/xml").sendFile(built);
  });

  router.use(
    "/addin",
    express.static(distDir, {
      // Hashed bundles never change; the HTML pages must always be fresh to pick up new bundles.
      setHeaders: (res, file) => res.setHeader("Cache-Control", file.endsWith(".html") ? "no-cache" : "public, max-age=31536000, immutable"),
    }),
  );
  router.get("/", (_req, res) => res.redirect("/addin/taskpane.html"));
  return router;
}

function officeJsFolder(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve("@microsoft/office-js/package.json");
    const dist = path.join(path.dirname(pkg), "dist");
    return fs.existsSync(dist) ? dist : null;
  } catch {
    return null;
  }
}
