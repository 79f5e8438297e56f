/**
 * Browser-test harness: Chromium through playwright-core, the Office test host (e2e/test-host), a tiny HTTPS
 * static server for dist/addin, and JSON stubs for the server's API. The full journey test (pane + server +
 * emulator) builds on the same helpers, pointing loadPane at the real server instead of serveStatic.
 */
import fs from "node:fs";
import https from "node:https";
import { spawnSync } from "node:child_process";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type BrowserContext, type Page, type Request, type Route } from "playwright-core";
import { CHROMIUM_ARGS } from "../scripts/chromium";
import { ensureDevCertificates } from "../emulator/tls/dev-certs";
import { OFFICE_JS_STUB, installTestHost, type TestHostOptions, type TokenMinter } from "./test-host/index";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");
export const DIST_ADDIN = path.join(REPO_ROOT, "dist", "addin");
export const SCREENSHOT_DIR = path.join(import.meta.dirname, "screenshots");

/** The pane's design width (Outlook's task pane is about 320 px wide). */
export const PANE_VIEWPORT = { width: 320, height: 900 };

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLocalUrl(url: URL): boolean {
  return LOCAL_HOSTS.has(url.hostname) || url.hostname.endsWith(".localhost");
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/**
 * A context for the pane: 320 px wide, the local CA's certificates accepted, and every request to a host that
 * isn't local aborted (office.js telemetry, CDNs, Microsoft sign-in): tests never reach the internet.
 */
export async function newPaneContext(browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: options.viewport ?? PANE_VIEWPORT,
    locale: "en-GB",
    timezoneId: "UTC",
  });
  await context.route((url) => !isLocalUrl(url), (route) => route.abort("blockedbyclient"));
  return context;
}

/** The page asks the server for office.js; with the test host installed it gets an empty script instead. */
export async function replaceOfficeJs(context: BrowserContext): Promise<void> {
  await context.route("**/addin/office/office.js", (route) =>
    route.fulfill({ status: 200, contentType: "application/javascript; charset=utf-8", body: OFFICE_JS_STUB }),
  );
}

export interface LoadPaneOptions {
  testHost?: TestHostOptions;
  mintToken?: TokenMinter;
  /** Default /addin/taskpane.html */
  path?: string;
}

/** Installs the test host in the context, opens the pane and waits for it to load. */
export async function loadPane(context: BrowserContext, baseUrl: string, options: LoadPaneOptions = {}): Promise<Page> {
  await installTestHost(context, options.testHost ?? {}, options.mintToken);
  await replaceOfficeJs(context);
  const page = await context.newPage();
  await page.goto(new URL(options.path ?? "/addin/taskpane.html", baseUrl).href, { waitUntil: "load" });
  return page;
}

// ------------------------------------------------------------------ static HTTPS server

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".xml": "application/xml; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Serves `root` under `mount` (e.g. dist/addin at /addin/) over HTTPS with the local dev certificate, on port 0. */
export async function serveStatic(root: string, mount = "/addin/"): Promise<StaticServer> {
  const certs = ensureDevCertificates(path.join(REPO_ROOT, "data", "certs"));
  const base = path.resolve(root);
  const server = https.createServer({ cert: certs.cert, key: certs.key }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    const pathname = decodeURIComponent(url.pathname);
    const file = pathname.startsWith(mount) ? path.resolve(base, `.${pathname.slice(mount.length - 1)}`) : null;
    // Never outside the served folder.
    if (!file || (file !== base && !file.startsWith(base + path.sep)) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found");
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream", "Cache-Control": "no-store" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ------------------------------------------------------------------ API stubs

export interface StubResponse {
  status?: number;
  body?: unknown;
}

/** "METHOD /path" → a JSON body, or a function of the request returning status + body. */
export type ApiStubs = Record<string, unknown | ((request: Request) => StubResponse | Promise<StubResponse>)>;

export interface StubbedCall {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

/**
 * Answers the server's JSON routes (/api/… and /addin/config.json) from `stubs`, records every call, and
 * answers anything not stubbed with the contract's error shape (404).
 */
export async function stubApi(context: BrowserContext, baseUrl: string, stubs: ApiStubs): Promise<StubbedCall[]> {
  const calls: StubbedCall[] = [];
  const origin = new URL(baseUrl).origin;
  const handle = async (route: Route) => {
    const request = route.request();
    const url = new URL(request.url());
    const key = `${request.method()} ${url.pathname}`;
    let body: unknown = null;
    try {
      body = request.postDataJSON();
    } catch {
      body = request.postData();
    }
    calls.push({ method: request.method(), path: url.pathname, authorization: (await request.headerValue("authorization")) ?? null, body });
    const stub = stubs[key];
    if (stub === undefined) {
      await route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ error: { code: "not_found", message: `No stub for ${key}` } }) });
      return;
    }
    const response: StubResponse = typeof stub === "function" ? await (stub as (r: Request) => StubResponse | Promise<StubResponse>)(request) : { body: stub };
    await route.fulfill({ status: response.status ?? 200, contentType: "application/json", body: JSON.stringify(response.body ?? null) });
  };
  await context.route((url) => url.origin === origin && (url.pathname.startsWith("/api/") || url.pathname === "/addin/config.json"), handle);
  return calls;
}

/** A runtime config for stubbed runs (tokens come from the test host's NAA bridge, no sign-in server needed). */
export const STUB_CONFIG = {
  clientId: "11111111-2222-3333-4444-555555555555",
  authority: "https://login.microsoftonline.com/organizations",
  knownAuthorities: [] as string[],
  apiScope: "api://11111111-2222-3333-4444-555555555555/access_as_user",
};

export function ensureScreenshotDir(): string {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return SCREENSHOT_DIR;
}

/** Builds the pane when dist/addin has none (a test file run on its own; `npm test` builds it first). */
export function ensurePaneBuilt(): void {
  if (fs.existsSync(path.join(DIST_ADDIN, "taskpane.html"))) return;
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-addin.ts"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error("building the pane failed");
}

/** The pane must fit Outlook's narrow task pane: nothing may scroll sideways. */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number; offenders: string[] }> {
  return page.evaluate(() => {
    const root = document.documentElement;
    const offenders: string[] = [];
    for (const el of Array.from(document.querySelectorAll("body *"))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > root.clientWidth + 0.5) {
        offenders.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""} "${(el.textContent ?? "").trim().slice(0, 40)}" right=${Math.round(r.right)}`);
      }
    }
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, offenders: offenders.slice(0, 5) };
  });
}
