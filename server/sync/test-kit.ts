/**
 * Test bed for the sync (tests and benchmarks): the real emulator (createEmulator on port 0), the
 * server's context over a temp SQLite file, a team member connected through the REAL connect flow
 * (auth session → emulator /authorize with auto-consent → /auth/callback → encrypted MSAL cache),
 * and the sync wired with createServerSync. The FactListener records net changes in tables of the
 * same database, inside the sync's transaction, so a rolled-back page leaves no trace there either.
 */
import assert from "node:assert/strict";
import { ConfidentialClientApplication, LogLevel } from "@azure/msal-node";
import type { Express } from "express";
import pino from "pino";
import { createEmulator, type Emulator, type GeneratorSizes } from "../../emulator/server";
import type { GeneratedOrganisation, GeneratedTeamMember } from "../../emulator/generator/types";
import type { GroundTruth } from "../../emulator/graph/index";
import { createApp } from "../app";
import type { ServerContext } from "../context";
import type { Db } from "../db/database";
import { createOrganisation, upsertTeamMembers } from "../directory/service";
import { removeDir, tempDir, testConfig, testContext } from "../test-support/env";
import { listen, type RunningServer } from "../test-support/http";
import type { DriverLimits } from "./driver";
import { createSyncEngine, type SyncEngine, type SyncEngineConfig } from "./engine";
import type { FactChanges, FactListener } from "./facts";
import { createServerSync, tokenSourceFor, type ServerSync } from "./index";
import type { ImportFaultPoint } from "./store";
import { emulatorControl } from "../../emulator/control-client";
import { expectedFromGroundTruth } from "./testing/snapshot";
import { followConnectLink } from "../test-support/connect-link";

/** Records the net effect of every onFactsChanged call in the sync's own database (and transaction). */
export class RecordingListener implements FactListener {
  calls = 0;
  upserts = 0;
  removals = 0;
  outsideTransaction = 0;
  private readonly s;
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS test_seen_mail (member_id TEXT, graph_id TEXT, with_details INTEGER, PRIMARY KEY (member_id, graph_id));
      CREATE TABLE IF NOT EXISTS test_seen_events (member_id TEXT, graph_id TEXT, PRIMARY KEY (member_id, graph_id));`);
    this.s = {
      upMail: db.prepare("INSERT OR REPLACE INTO test_seen_mail (member_id, graph_id, with_details) VALUES (?, ?, ?)"),
      rmMail: db.prepare("DELETE FROM test_seen_mail WHERE member_id = ? AND graph_id = ?"),
      upEvent: db.prepare("INSERT OR REPLACE INTO test_seen_events (member_id, graph_id) VALUES (?, ?)"),
      rmEvent: db.prepare("DELETE FROM test_seen_events WHERE member_id = ? AND graph_id = ?"),
    };
  }
  onFactsChanged(c: FactChanges): void {
    this.calls++;
    if (!this.db.inTransaction) this.outsideTransaction++;
    for (const f of c.upsertedMail) this.s.upMail.run(c.memberId, f.graphId, f.details ? 1 : 0);
    for (const id of c.removedMailIds) this.s.rmMail.run(c.memberId, id);
    for (const f of c.upsertedEvents) this.s.upEvent.run(c.memberId, f.graphId);
    for (const id of c.removedEventIds) this.s.rmEvent.run(c.memberId, id);
    this.upserts += c.upsertedMail.length + c.upsertedEvents.length;
    this.removals += c.removedMailIds.length + c.removedEventIds.length;
  }
  mailIds(memberId: string): string[] {
    return (this.db.prepare("SELECT graph_id FROM test_seen_mail WHERE member_id = ? ORDER BY graph_id").all(memberId) as { graph_id: string }[]).map((r) => r.graph_id);
  }
  eventIds(memberId: string): string[] {
    return (this.db.prepare("SELECT graph_id FROM test_seen_events WHERE member_id = ? ORDER BY graph_id").all(memberId) as { graph_id: string }[]).map((r) => r.graph_id);
  }
}

export interface TestbedOptions {
  /** A generator seed (with sizes) or a ready organisation. */
  seed: string | GeneratedOrganisation;
  sizes?: GeneratorSizes;
  config?: Partial<SyncEngineConfig>;
  driverLimits?: Partial<DriverLimits>;
  push?: boolean;
  /** How many of the organisation's team members to connect (default 1). */
  connect?: number;
  now?: () => number;
}

export interface Testbed {
  emu: Emulator;
  server: RunningServer;
  ctx: ServerContext;
  sync: ServerSync;
  engine: SyncEngine;
  listener: RecordingListener;
  org: GeneratedOrganisation;
  /** Connected members: product member id and Entra oid. */
  members: Array<{ memberId: string; oid: string; member: GeneratedTeamMember }>;
  memberId: string;
  oid: string;
  control(path: string, body?: unknown, method?: string): Promise<any>;
  groundTruth(oid?: string): Promise<GroundTruth>;
  /** Ground truth reduced to what the sync must hold: mail in synced folders inside the window, events in the calendar window. */
  /** `engine` decides the windows (a restarted engine may run on another clock). */
  expected(oid?: string, engine?: SyncEngine): Promise<{ mail: Map<string, string>; events: Set<string> }>;
  /** Asserts facts (and the listener's net view) equal the expectation, with no duplicates. */
  assertConverged(memberId?: string, oid?: string, engine?: SyncEngine): Promise<void>;
  /** A pane access token (api://{clientId}/access_as_user) for a connected member, for the server's own API. */
  paneToken(oid?: string): Promise<string>;
  stats(oid?: string): Promise<any>;
  /** A second engine over the same database and tokens: what a restarted process builds. */
  restartEngine(options?: {
    config?: Partial<SyncEngineConfig>;
    importFault?: (p: ImportFaultPoint, info: { memberId: string; folderId: string }) => void;
    now?: () => Date;
  }): SyncEngine;
  close(): Promise<void>;
}

export const quietLogger = () => pino({ level: process.env.LOG_LEVEL && process.env.LOG_LEVEL !== "silent" ? process.env.LOG_LEVEL : "silent" });

/** Small, test-friendly engine settings: fast backoff, modest concurrency. */
export const TEST_SYNC_CONFIG: Partial<SyncEngineConfig> = { failureBackoffBaseMs: 50, failureBackoffMaxMs: 500, tickMs: 200 };
export const TEST_DRIVER_LIMITS: Partial<DriverLimits> = { backoffBaseMs: 20, backoffMaxMs: 200 };

export async function startTestbed(options: TestbedOptions): Promise<Testbed> {
  const dir = tempDir("sync");
  const server = await listen({ tls: true });
  const emu = await createEmulator({
    seed: options.seed,
    sizes: options.sizes,
    adminConsentTenant: false,
    autoConsent: true,
    now: options.now,
    notifier: { batchDelayMs: 20, retryBaseMs: 50 },
    demoApp: { redirectUris: [`${server.url}/auth/callback`] },
    logger: quietLogger(),
  });
  const org = emu.organisation!;
  const config = testConfig(dir, {
    PUBLIC_URL: server.url,
    MS_AUTHORITY_HOST: emu.url,
    GRAPH_BASE_URL: emu.graphUrl,
    MS_CLIENT_ID: emu.demoApp.clientId,
    MS_CLIENT_SECRET: emu.demoApp.clientSecret,
    MS_TENANT: "organizations",
  });
  const ctx = testContext(config);
  const orgId = createOrganisation(ctx.db, org.organisation.name);
  const connectCount = options.connect ?? 1;
  const chosen = org.teamMembers.slice(0, connectCount);
  upsertTeamMembers(
    ctx.db,
    orgId,
    chosen.map((m) => ({ externalId: m.oid, name: m.displayName, primaryAddress: m.primaryAddress, entraTenantId: org.tenant.id, entraObjectId: m.oid })),
  );
  const listener = new RecordingListener(ctx.db);
  const sync = createServerSync(ctx, {
    listener,
    push: options.push ?? false,
    pushConfig: { coalesceMs: 50 },
    config: { ...TEST_SYNC_CONFIG, ...options.config },
    driverLimits: { ...TEST_DRIVER_LIMITS, ...options.driverLimits },
  });
  const app: Express = createApp(ctx, { mount: (a) => a.use(sync.routes) });
  server.setHandler(app);

  const members: Testbed["members"] = [];
  for (const m of chosen) {
    const row = ctx.db.prepare("SELECT id FROM team_members WHERE entra_oid = ?").get(m.oid) as { id: string };
    await connectThroughDialog(ctx, server, row.id);
    members.push({ memberId: row.id, oid: m.oid, member: m });
  }

  const control = emulatorControl(`${emu.url}/_emulator`);

  const first = members[0]!;
  const engine = sync.engine;
  const extraEngines: SyncEngine[] = [];

  const groundTruth = (oid = first.oid) => control(`/graph/mailboxes/${oid}/ground-truth`) as Promise<GroundTruth>;
  const expected = (oid = first.oid, windows: SyncEngine = engine) => expectedFromGroundTruth(`${emu.url}/_emulator`, oid, windows);

  const assertConverged = async (memberId = first.memberId, oid = first.oid, windows: SyncEngine = engine) => {
    const want = await expected(oid, windows);
    const facts = engine.store.mailFacts(memberId);
    const ids = facts.map((f) => f.graphId);
    assert.equal(new Set(ids).size, ids.length, "no duplicate mail facts");
    const missing = [...want.mail.keys()].filter((id) => !ids.includes(id));
    const extra = ids.filter((id) => !want.mail.has(id));
    assert.deepEqual({ missing: missing.length, extra: extra.length }, { missing: 0, extra: 0 }, `mail facts differ: missing ${missing.slice(0, 3)} extra ${extra.slice(0, 3)}`);
    for (const f of facts) assert.equal(f.folderId, want.mail.get(f.graphId), `fact ${f.graphId} in the folder Graph has it in`);
    const events = engine.store.eventFacts(memberId).map((e) => e.graphId);
    assert.equal(new Set(events).size, events.length, "no duplicate event facts");
    assert.deepEqual([...events].sort(), [...want.events].sort(), "event facts equal the calendar view");
    assert.deepEqual(listener.mailIds(memberId), [...ids].sort(), "the listener's net view equals the mail facts");
    assert.deepEqual(listener.eventIds(memberId), [...events].sort(), "the listener's net view equals the event facts");
    assert.equal(listener.outsideTransaction, 0, "the listener only runs inside the sync's transaction");
  };

  return {
    emu,
    server,
    ctx,
    sync,
    engine,
    listener,
    org,
    members,
    memberId: first.memberId,
    oid: first.oid,
    control,
    groundTruth,
    expected,
    assertConverged,
    stats: (oid = first.oid) => control(`/pipeline/stats?oid=${oid}`),
    paneToken: (oid = first.oid) => paneTokenFor(emu, org.teamMembers.find((m) => m.oid === oid)!.primaryAddress),
    restartEngine(opts = {}) {
      const e = createSyncEngine({
        db: ctx.db,
        graphBaseUrl: ctx.config.microsoft.graphBaseUrl,
        tokens: tokenSourceFor(ctx),
        listener,
        keyerFor: (memberId) => sync.addressKeys.forMember(memberId),
        logger: quietLogger(),
        config: { ...TEST_SYNC_CONFIG, ...options.config, ...opts.config },
        driverLimits: { ...TEST_DRIVER_LIMITS, ...options.driverLimits },
        importFault: opts.importFault,
        now: opts.now,
      });
      extraEngines.push(e);
      return e;
    },
    async close() {
      for (const e of extraEngines) await e.stop();
      await sync.stop();
      await server.close();
      await emu.close();
      ctx.db.close();
      removeDir(dir);
    },
  };
}

/** The pane's token for our API, obtained like NAA would (authorization code, auto-consent) with msal-node. */
async function paneTokenFor(emu: Emulator, loginHint: string): Promise<string> {
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: emu.demoApp.clientId,
      clientSecret: emu.demoApp.clientSecret,
      authority: emu.authority,
      knownAuthorities: [new URL(emu.url).host],
    },
    system: { loggerOptions: { logLevel: LogLevel.Error, loggerCallback: () => {}, piiLoggingEnabled: false } },
  });
  const redirectUri = emu.demoApp.redirectUris[0]!;
  const scopes = [emu.demoApp.apiScope];
  const authorizeUrl = await cca.getAuthCodeUrl({ scopes, redirectUri, loginHint });
  const res = await fetch(authorizeUrl, { redirect: "manual" });
  const code = new URL(res.headers.get("location") ?? "https://invalid/").searchParams.get("code");
  assert.ok(code, `no code: ${res.status} ${res.headers.get("location")}`);
  const result = await cca.acquireTokenByCode({ code, scopes, redirectUri });
  return result.accessToken;
}

/** What the Office dialog does: open the single-use link and follow redirects to our callback. */
async function connectThroughDialog(ctx: ServerContext, server: RunningServer, memberId: string): Promise<void> {
  await followConnectLink(ctx.connectFlow.createAuthSession(memberId).url, server.url);
  assert.equal(ctx.connections.get(memberId).state, "connected", "the member is connected");
}
