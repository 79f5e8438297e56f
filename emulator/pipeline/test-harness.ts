/**
 * Test-only: the pipeline in front of a stub Graph router, served over HTTPS with the dev
 * certificates, with a stub token verifier ("<oid>|<appid>|<scopes joined by +>" or "expired").
 * Lets the pipeline be tested on its own; emulator/server.test.ts covers it with real tokens.
 */
import https from "node:https";
import type { AddressInfo } from "node:net";
import express, { type RequestHandler } from "express";
import { ensureDevCertificates } from "../tls/dev-certs";
import { createPipeline, type Pipeline, type PipelineOptions } from "./index";
import type { VerifiedToken } from "./auth";
import type { ChangeFeed, MailboxChange } from "./subscriptions";

export const TENANT = "11111111-1111-1111-1111-111111111111";

export function stubToken(oid: string, appid: string, scopes = "User.Read Mail.Read Calendars.Read"): string {
  return `${oid}|${appid}|${scopes.split(" ").join("+")}`;
}

export function stubVerify(token: string): VerifiedToken {
  if (token === "expired") throw Object.assign(new Error('"exp" claim timestamp check failed'), { code: "ERR_JWT_EXPIRED" });
  const [oid, appid, scopes] = token.split("|");
  if (!oid || !appid) throw Object.assign(new Error("Invalid Compact JWS"), { code: "ERR_JWS_INVALID" });
  return { tid: TENANT, oid, appid, scp: (scopes ?? "").split("+").filter(Boolean) };
}

/** Holds requests that ask for it (?gate=1) until the test opens it: overlap without timing. */
export class Gate {
  private waiters: Array<() => void> = [];
  private opened = false;
  waiting = 0;
  wait(): Promise<void> {
    if (this.opened) return Promise.resolve();
    this.waiting++;
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
    this.waiting = 0;
  }
  reset(): void {
    this.opened = false;
  }
}

/** A Graph stand-in: /me/messages answers with one message, after the gate opens when ?gate=1. */
export function stubGraphRouter(gate: Gate = new Gate()): RequestHandler {
  const router = express.Router();
  router.get(/^\/(me|users\/[^/]+)\/messages$/i, async (req, res) => {
    if (req.query.gate) await gate.wait();
    res.status(200).type("application/json").send(JSON.stringify({ "@odata.context": "x", value: [{ id: "m1", subject: "hello" }] }));
  });
  router.get(/^\/me\/mailFolders\/inbox\/messages\/delta$/i, (_req, res) => {
    res.json({ value: [], "@odata.deltaLink": "x" });
  });
  router.get(/^\/me$/i, (res_req, res) => {
    res.json({ id: (res.locals.graph as { userId: string }).userId, displayName: "Stub" });
  });
  router.post(/^\/me\/messages$/i, express.json(), (req, res) => {
    res.status(201).json({ id: "new", ...(req.body as object) });
  });
  router.use((req, res) => {
    res.status(404).json({ error: { code: "BadRequest", message: `Resource not found for the segment '${req.path}'.` } });
  });
  return router;
}

/** A change feed the test drives by hand. */
export class FakeFeed implements ChangeFeed {
  private listeners = new Set<(changes: MailboxChange[]) => void>();
  subscribe(listener: (changes: MailboxChange[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  resolveFolder(_oid: string, ref: string): string | undefined {
    return ref.toLowerCase() === "inbox" ? "inbox-folder-id" : undefined;
  }
  emit(...changes: MailboxChange[]): void {
    for (const l of this.listeners) l(changes);
  }
}

export interface Harness {
  url: string;
  graph: string;
  pipeline: Pipeline;
  gate: Gate;
  feed: FakeFeed;
  close(): Promise<void>;
}

export async function startHarness(
  overrides: Partial<PipelineOptions> = {},
  /** Runs before the pipeline on every Graph request (tests that need to observe or perturb a response's life). */
  beforePipeline?: RequestHandler,
): Promise<Harness> {
  const certs = ensureDevCertificates();
  const app = express();
  const gate = new Gate();
  const feed = new FakeFeed();
  let origin = "";
  const pipeline = createPipeline({
    verifyAccessToken: stubVerify,
    graphRouter: stubGraphRouter(gate),
    changeFeed: feed,
    authorityBaseUrl: "https://login.invalid",
    graphBaseUrl: "https://localhost/v1.0",
    loopbackOrigin: () => origin,
    extraCa: certs.ca,
    ...overrides,
  });
  if (beforePipeline) app.use("/v1.0", beforePipeline);
  app.use("/v1.0", pipeline.router);
  app.use("/_emulator/pipeline", pipeline.controlRouter);
  const server = https.createServer({ key: certs.key, cert: certs.cert }, app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    graph: `${origin}/v1.0`,
    pipeline,
    gate,
    feed,
    async close() {
      gate.open();
      pipeline.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ReceivedPost {
  path: string;
  validationToken: string | null;
  contentType: string;
  body: string;
}

export interface Receiver {
  url: string;
  posts: ReceivedPost[];
  /** Notification POSTs (not validation requests), parsed. */
  notifications(): Array<Record<string, unknown>>;
  /** Resolves once `count` notification items arrived. */
  waitForNotifications(count: number): Promise<Array<Record<string, unknown>>>;
  /** How the receiver answers: echo the validation token (default), answer something else, or fail. */
  mode: "echo" | "wrong-token" | "status-500" | "fail-notifications-once";
  close(): Promise<void>;
}

/** An HTTPS webhook receiver on localhost, as a product would run one. */
export async function startReceiver(mode: Receiver["mode"] = "echo"): Promise<Receiver> {
  const certs = ensureDevCertificates();
  const posts: ReceivedPost[] = [];
  let waiters: Array<() => boolean> = [];
  let failedOnce = false;
  const receiver: Receiver = {
    url: "",
    posts,
    mode,
    notifications: () =>
      posts.filter((p) => p.validationToken === null).flatMap((p) => (JSON.parse(p.body) as { value: Array<Record<string, unknown>> }).value),
    waitForNotifications(count) {
      return new Promise((resolve) => {
        const check = () => {
          const n = receiver.notifications();
          if (n.length >= count) {
            resolve(n);
            return true;
          }
          return false;
        };
        if (!check()) waiters.push(check);
      });
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = https.createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "https://localhost");
      const token = url.searchParams.get("validationToken");
      posts.push({ path: url.pathname, validationToken: token, contentType: String(req.headers["content-type"] ?? ""), body: Buffer.concat(chunks).toString("utf8") });
      if (token !== null) {
        if (receiver.mode === "status-500") res.writeHead(500).end();
        else res.writeHead(200, { "content-type": "text/plain" }).end(receiver.mode === "wrong-token" ? "nope" : token);
      } else if (receiver.mode === "fail-notifications-once" && !failedOnce) {
        failedOnce = true;
        posts.pop();
        res.writeHead(503).end();
      } else {
        res.writeHead(202).end();
      }
      waiters = waiters.filter((check) => !check());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `https://localhost:${(server.address() as AddressInfo).port}`;
  return receiver;
}
