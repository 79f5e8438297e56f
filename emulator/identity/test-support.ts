/**
 * Shared fixtures for the identity tests: an HTTPS emulator on port 0, a controllable clock,
 * and a tiny "browser" that follows /authorize and submits the sign-in form like a user would.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import express from "express";
import pino from "pino";
import { ConfidentialClientApplication, LogLevel, type Configuration } from "@azure/msal-node";
import { ensureDevCertificates } from "../tls/dev-certs";
import { createIdentityService, type IdentityService } from "./index";

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = Date.now()): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export interface TestServer {
  baseUrl: string;
  host: string;
  identity: IdentityService;
  clock: Clock;
  close(): Promise<void>;
}

export async function startIdentityServer(): Promise<TestServer> {
  const certs = ensureDevCertificates();
  const app = express();
  const server = https.createServer({ key: certs.key, cert: certs.cert }, app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `https://localhost:${port}`;
  const clock = testClock();
  const identity = createIdentityService({ baseUrl, now: clock.now, logger: pino({ level: "silent" }) });
  app.use(identity.router);
  app.use("/_emulator/identity", identity.controlRouter);
  return {
    baseUrl,
    host: `localhost:${port}`,
    identity,
    clock,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** msal-node pointed at the emulator; knownAuthorities keeps it from calling login.microsoftonline.com. */
export function msalClient(s: TestServer, p: { clientId: string; clientSecret?: string; tenant: string }): ConfidentialClientApplication {
  const config: Configuration = {
    auth: {
      clientId: p.clientId,
      clientSecret: p.clientSecret,
      authority: `${s.baseUrl}/${p.tenant}`,
      knownAuthorities: [s.host],
    },
    system: { loggerOptions: { logLevel: LogLevel.Error, loggerCallback: () => {}, piiLoggingEnabled: false } },
  };
  return new ConfidentialClientApplication(config);
}

/** Cookies of one emulated browser profile. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.request(url, { method: "GET" });
  }

  async post(url: string, form: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    });
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  }
}

export interface SignInForm {
  action: string;
  ctx: string;
  accounts: string[];
  html: string;
}

export function parseForm(html: string, pageUrl: string): SignInForm {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const ctx = /name="ctx" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !ctx) throw new Error(`no sign-in form in page:\n${html.slice(0, 500)}`);
  const accounts = [...html.matchAll(/name="account" value="([^"]+)"/g)].map((m) => m[1]!);
  return { action: new URL(action.replace(/&amp;/g, "&"), pageUrl).toString(), ctx, accounts, html };
}

/** Where the emulator sent the browser back to (the redirect URI with code or error). */
export function redirectTarget(res: Response): URL {
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(location);
}

/**
 * Opens the authorize URL and, when a page is shown, clicks a button on it ("accept" picks `account`,
 * or the first one). Returns the final redirect back to the app and the pages seen on the way.
 */
export async function signIn(
  browser: Browser,
  authorizeUrl: string,
  choice: { action: "accept" | "cancel"; account?: string } = { action: "accept" },
): Promise<{ redirect: URL; pages: string[] }> {
  const pages: string[] = [];
  let res = await browser.get(authorizeUrl);
  while (res.status === 200) {
    const html = await res.text();
    pages.push(html);
    const form = parseForm(html, authorizeUrl);
    const isApproval = html.includes("Need admin approval");
    const action = isApproval ? "return" : choice.action;
    res = await browser.post(form.action, { ctx: form.ctx, action, account: choice.account ?? form.accounts[0] ?? "" });
    if (pages.length > 3) throw new Error("too many pages");
  }
  return { redirect: redirectTarget(res), pages };
}
