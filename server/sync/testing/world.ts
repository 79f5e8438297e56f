/**
 * The pieces the long sync tests (soak-full, crash-kill) share:
 *   - startWorld: the emulator seeded with a generated organisation, one HTTPS port for the product
 *     under test (its redirect URI is registered with the emulator's demo app), and the secrets every
 *     database under test shares (vault key, organisation address key) so their contents compare;
 *   - templateDatabase: one database with the directory (from the same organisation) and the address
 *     key, copied for every product under test, so that ids (team members, customers, contacts) are
 *     the same in all of them: wherever the product breaks a tie by id, they break it alike;
 *   - startNode: the product wired in-process the way startProduct wires it (interactions engine as
 *     the sync's listener), over its own copy of the template database;
 *   - connectMember: the connect flow the pane runs (/api/connection/auth-session → /auth/start →
 *     the emulator's /authorize with auto-consent → /auth/callback).
 */
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Express } from "express";
import { createEmulator, generate, type Emulator, type GeneratorSizes } from "../../../emulator/server";
import type { GeneratedOrganisation } from "../../../emulator/generator/types";
import { createApp } from "../../app";
import type { ServerContext } from "../../context";
import { openDatabase } from "../../db/database";
import { seedDirectory } from "../../demo/seed-directory";
import { createServerInteractions, type ServerInteractions } from "../../interactions";
import { removeDir, tempDir, testConfig, testContext } from "../../test-support/env";
import { listen, type RunningServer } from "../../test-support/http";
import type { DriverLimits } from "../driver";
import type { SyncEngineConfig } from "../engine";
import { createServerSync, type ServerSync } from "../index";
import { quietLogger } from "../test-kit";
import { installAddressKey } from "./snapshot";
import { emulatorControl } from "../../../emulator/control-client";
import { followConnectLink } from "../../test-support/connect-link";

export const ORGANISATION_ID = "org-under-test";

export interface World {
  emu: Emulator;
  org: GeneratedOrganisation;
  /** The HTTPS port the product under test is served on (its /auth/callback is a registered redirect URI). */
  server: RunningServer;
  /** Shared by every database under test: TOKEN_ENCRYPTION_KEY and the organisation's address key. */
  encryptionKey: string;
  addressKey: string;
  control<T = any>(path: string, body?: unknown, method?: string): Promise<T>;
  /** A database file with the directory and the address key loaded (see the file comment); copy it, don't open it. */
  templateDatabase(): string;
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
  const control = emulatorControl(`${emu.url}/_emulator`);
  let template: { dir: string; file: string } | null = null;
  const world: World = {
    emu,
    org,
    server,
    encryptionKey: crypto.randomBytes(32).toString("base64"),
    addressKey: crypto.randomBytes(32).toString("base64"),
    control,
    templateDatabase() {
      if (!template) {
        const dir = tempDir("sync-template");
        const ctx = testContext(testConfig(dir, productEnv(world, server.url, dir)));
        seedDirectory(ctx.db, org, { organisationId: ORGANISATION_ID });
        installAddressKey(ctx.db, ctx.vault, ORGANISATION_ID, world.addressKey);
        const file = ctx.config.databasePath;
        ctx.db.close();
        template = { dir, file };
      }
      return template.file;
    },
    async close() {
      await server.close();
      await emu.close();
      if (template) removeDir(template.dir);
    },
  };
  return world;
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

/** Copies the template database to `file` (before anything opens it) and returns Entra oid → team member id. */
export function installDatabase(world: World, file: string): Record<string, string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(world.templateDatabase(), file);
  return memberIds(file);
}

function memberIds(file: string): Record<string, string> {
  const db = openDatabase(file);
  try {
    const rows = db.prepare("SELECT id, entra_oid FROM team_members WHERE entra_oid IS NOT NULL").all() as Array<{ id: string; entra_oid: string }>;
    return Object.fromEntries(rows.map((r) => [r.entra_oid, r.id]));
  } finally {
    db.close();
  }
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
  await followConnectLink(url, baseUrl);
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
  const config = testConfig(dir, productEnv(world, world.server.url, dir));
  const memberIdsByOid = installDatabase(world, config.databasePath);
  const ctx = testContext(config);
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
