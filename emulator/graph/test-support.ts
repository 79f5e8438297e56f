/**
 * Test scaffolding for the data side alone: an HTTPS express app with the data router behind a stub
 * "pipeline" (the bearer token is taken as the caller's user id), and Microsoft's Graph client
 * pointed at it. End-to-end tests with real tokens live with the composer.
 */
import https from "node:https";
import path from "node:path";
import type { AddressInfo } from "node:net";
import express from "express";
import { Client } from "@microsoft/microsoft-graph-client";
import { ensureDevCertificates } from "../tls/dev-certs";
import { prefersImmutableIds } from "./http";
import { createGraphData, type GraphData } from "./index";
import type { MailboxSeed, SeedMessage } from "./seed-types";
import type { EmulatedUser } from "../state";

export interface TestServer {
  baseUrl: string;
  data: GraphData;
  client(oid: string): Client;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  raw(oid: string, path: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export async function startTestServer(opts: { now?: () => number } = {}): Promise<TestServer> {
  const certs = ensureDevCertificates(path.resolve(import.meta.dirname, "../../data/certs"));
  let baseUrl = "";
  const data = createGraphData({ baseUrl: () => baseUrl, now: opts.now });
  const app = express();
  app.use("/v1.0", (req, res, next) => {
    const auth = req.headers.authorization ?? "";
    res.locals.graph = { tenantId: "test-tenant", userId: auth.replace(/^Bearer\s+/i, ""), clientId: "test-client", immutableIds: prefersImmutableIds(req) };
    next();
  });
  app.use("/v1.0", data.router);
  app.use("/_emulator/graph", data.controlRouter);
  const server = https.createServer({ key: certs.key, cert: certs.cert }, app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `https://localhost:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    data,
    client: (oid) =>
      Client.init({
        authProvider: (done) => done(null, oid),
        baseUrl: `${baseUrl}/`,
        customHosts: new Set(["localhost"]),
        defaultVersion: "v1.0",
      }),
    async control(method, p, body) {
      const res = await fetch(`${baseUrl}/_emulator/graph${p}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async raw(oid, p, headers = {}) {
      const res = await fetch(p.startsWith("https://") ? p : `${baseUrl}/v1.0${p}`, { headers: { authorization: `Bearer ${oid}`, ...headers } });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function testUser(oid: string, name = "Test User", domain = "contoso.test"): EmulatedUser {
  const local = name.split(" ")[0]!.toLowerCase();
  return {
    oid,
    tenantId: "test-tenant",
    userPrincipalName: `${local}@${domain}`,
    displayName: name,
    mail: `${local}@${domain}`,
    proxyAddresses: [`SMTP:${local}@${domain}`, `smtp:${local}.alias@${domain}`],
    tokensValidAfter: 0,
  };
}

/** `count` plain messages in one folder, one a minute going back from `newestMs`. */
export function bulkMessages(count: number, folderKey: string, newestMs: number, prefix = "m"): SeedMessage[] {
  const out: SeedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(newestMs - i * 60_000).toISOString();
    out.push({
      folderKey,
      subject: `${prefix} ${i}`,
      receivedDateTime: at,
      sentDateTime: at,
      internetMessageId: `<${prefix}-${i}@sender.test>`,
      conversationId: `conv-${prefix}-${Math.floor(i / 3)}`,
      from: { emailAddress: { name: "Sender", address: "sender@customer.test" } },
      toRecipients: [{ emailAddress: { name: "Test User", address: "test@contoso.test" } }],
      body: { contentType: "text", content: `Body of ${prefix} ${i}` },
      isRead: i % 2 === 0,
    });
  }
  return out;
}

export function emptySeed(): MailboxSeed {
  return { folders: [], messages: [], events: [] };
}
