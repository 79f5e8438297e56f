/**
 * The pieces the long sync tests (soak-full, crash-kill) share:
 *   - startWorld: the emulator seeded with a generated organisation, one HTTPS port for the product
 *     under test (its redirect URI is registered with the emulator's demo app), and the secrets every
 *     database under test shares (vault key, organisation address key) so their contents compare;
 *   - startNode: the product wired in-process the way startProduct wires it (directory seeded from the
 *     same organisation, interactions engine as the sync's listener), over its own temp database;
 *   - connectMember: the connect flow the pane runs (/api/connection/auth-session → /auth/start →
 *     the emulator's /authorize with auto-consent → /auth/callback);
 *   - mulberry32: the seeded PRNG the tests draw their random choices from.
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import net from "node:net";
import type { Express } from "express";
import { createEmulator, generate, type Emulator, type GeneratorSizes } from "../../../emulator/server";
import type { GeneratedOrganisation } from "../../../emulator/generator/types";
import { createApp } from "../../app";
import type { ServerContext } from "../../context";
import { seedDirectory } from "../../demo/seed-directory";
import { createServerInteractions, type ServerInteractions } from "../../interactions";
import { removeDir, tempDir, testConfig, testContext } from "../../test-support/env";
import { listen, type RunningServer } from "../../test-support/http";
import type { DriverLimits } from "../driver";
import type { SyncEngineConfig } from "../engine";
import { createServerSync, type ServerSync } from "../index";
import { quietLogger } from "../test-kit";
import { installAddressKey } from "./snapshot";

export const ORGANISATION_ID = "org-under-test";

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A port that was free a moment ago (for a child process whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface World {
  emu: Emulator;
  org: GeneratedOrganisation;
  /** The HTTPS port the product under test is served on (its /auth/callback is a registered redirect URI). */
  server: RunningServer;
  /** Shared by every database under test: TOKEN_ENCRYPTION_KEY and the organisation's address key. */
  encryptionKey: string;
  addressKey: string;
  control<T = any>(path: string, body?: unknown, method?: string): Promise<T>;
  close(): Promise<void>;
}

export async function startWorld(options: { seed: string; sizes: GeneratorSizes; extraRedirectUris?: string[] }): Promise<World> {
  const org = generate(options.seed, options.sizes);
  const server = await listen({ tls: true });
  const emu = await createEmulator({
    seed: org,
    adminConsentTenant: false,
    autoConsent: true,
    demoApp: { redirectUris: [`${server.url}/auth/callback`, ...(options.extraRedirectUris ?? [])] },
    logger: quietLogger(),
  });
  const control = async (path: string, body?: unknown, method = body === undefined ? "GET" : "POST") => {
    const res = await fetch(`${emu.url}/_emulator${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined;
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    emu,
    org,
    server,
    encryptionKey: crypto.randomBytes(32).toString("base64"),
    addressKey: crypto.randomBytes(32).toString("base64"),
    control,
    async close() {
      await server.close();
      await emu.close();
    },
  };
}

/** The environment a product under test runs with (in-process node or child process). */
export function productEnv(world: World, publicUrl: string, dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    PUBLIC_URL: publicUrl,
    MS_AUTHORITY_HOST: world.emu.url,
    GRAPH_BASE_URL: world.emu.graphUrl,
    MS_CLIENT_ID: world.emu.demoApp.clientId,
    MS_CLIENT_SECRET: world.emu.demoApp.clientSecret,
    MS_TENANT: "organizations",
    TOKEN_ENCRYPTION_KEY: world.encryptionKey,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
  };
}

/** Loads the organisation's directory and the shared address key into a product database. */
export function prepareDatabase(ctx: ServerContext, world: World): Record<string, string> {
  const { memberIdsByOid } = seedDirectory(ctx.db, world.org, { organisationId: ORGANISATION_ID });
  installAddressKey(ctx.db, ctx.vault, ORGANISATION_ID, world.addressKey);
  return memberIdsByOid;
}

/**
 * The pane's connect flow against a product at `baseUrl`: a real pane token for our API, the
 * single-use link from /api/connection/auth-session, then what the Office dialog does with it.
 */
export async function connectMember(world: World, baseUrl: string, oid: string): Promise<void> {
  const paneToken = await world.emu.identity.mintAccessToken({ oid, clientId: world.emu.demoApp.clientId, scopes: [world.emu.demoApp.apiScope] });
  const session = await fetch(`${baseUrl}/api/connection/auth-session`, { method: "POST", headers: { authorization: `Bearer ${paneToken}` } });
  assert.equal(session.status, 201, `auth-session: ${await session.clone().text()}`);
  const { url } = (await session.json()) as { url: string };
  const start = await fetch(url, { redirect: "manual" });
  assert.equal(start.status, 302, `auth start: ${await start.clone().text()}`);
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const signIn = await fetch(start.headers.get("location")!, { redirect: "manual" });
  assert.equal(signIn.status, 302, `authorize: ${await signIn.clone().text()}`);
  const callback = new URL(signIn.headers.get("location")!);
  assert.equal(callback.origin, baseUrl, "the emulator redirects to the product's callback");
  const page = await fetch(callback, { redirect: "manual", headers: { cookie } });
  assert.equal(page.status, 200, `callback: ${await page.clone().text()}`);
  const status = await fetch(`${baseUrl}/api/connection`, { headers: { authorization: `Bearer ${paneToken}` } });
  const body = (await status.json()) as { state: string };
  assert.notEqual(body.state, "not_connected", "the member is connected");
}

export interface ProductNode {
  ctx: ServerContext;
  sync: ServerSync;
  interactions: ServerInteractions;
  memberIdsByOid: Record<string, string>;
  /** Serves this node on the world's port and connects the member through the pane's flow. */
  connect(oid: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The product in-process, wired as startProduct wires it (minus the listening socket, which is the
 * world's, and the background scheduler: tests drive runs with sync.engine.runMailbox).
 */
export function startNode(
  world: World,
  options: { label: string; config?: Partial<SyncEngineConfig>; driverLimits?: Partial<DriverLimits> },
): ProductNode {
  const dir = tempDir(options.label);
  const ctx = testContext(testConfig(dir, productEnv(world, world.server.url, dir)));
  const memberIdsByOid = prepareDatabase(ctx, world);
  const interactions = createServerInteractions(ctx);
  const sync = createServerSync(ctx, { listener: interactions.listener, push: false, config: options.config, driverLimits: options.driverLimits });
  interactions.useSync({ details: sync.details, driver: sync.engine.driver });
  const app: Express = createApp(ctx, {
    mount: (a) => {
      a.use(sync.routes);
      a.use(interactions.routes);
    },
  });
  interactions.start();
  let closed = false;
  return {
    ctx,
    sync,
    interactions,
    memberIdsByOid,
    async connect(oid) {
      world.server.setHandler(app);
      await connectMember(world, world.server.url, oid);
      return memberIdsByOid[oid]!;
    },
    async close() {
      if (closed) return;
      closed = true;
      await sync.stop();
      await interactions.engine.whenIdle();
      interactions.stop();
      ctx.db.close();
      removeDir(dir);
    },
  };
}
