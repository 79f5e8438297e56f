/**
 * The syncing process of the sync benchmarks: the real product (server/product.ts startProduct — HTTPS
 * server, interactions engine as the FactListener, sync engine, push receiver, the reports' triggers)
 * over a SQLite file, its team members connected through the real connect flow (MSAL auth code + PKCE
 * against the emulator with auto-consent), syncing from an emulator that runs in another process.
 *
 * One scenario per process, so process.resourceUsage().maxRSS is that scenario's peak:
 *   history    history sync of the first member, then one idle delta cycle
 *   fleet      history sync of every connected member at once
 *   freshness  reuses a synced database (a restarted server): the scheduler — and push when on — runs
 *              while messages are added in the emulator; measures how long each takes to appear as an
 *              interaction
 *   page       no product: pages through the same data (bench/support/pager.ts)
 *
 * Input: the path of a JSON file (WorkerInput). Output: one line "RESULT {json}" on stdout.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../server/config";
import { seedDirectory } from "../../server/demo/seed-directory";
import { openDatabase } from "../../server/db/database";
import { startProduct, type Product } from "../../server/product";
import { ensureDevCertificates } from "../../emulator/tls/dev-certs";
import type { GeneratedOrganisation } from "../../emulator/generator/types";
import { DEFAULT_SYNC_CONFIG, type SyncEngineConfig } from "../../server/sync/engine";
import { calendarWindowFor } from "../../server/sync/windows";
import { pageThrough } from "./pager";
import { emulatorControl } from "../../emulator/control-client";
import { followConnectLink } from "../../server/test-support/connect-link";

export interface WorkerInput {
  scenario: "history" | "fleet" | "freshness" | "page";
  emulator: { url: string; graphUrl: string; controlUrl: string; clientId: string; clientSecret: string; members: Array<{ oid: string; primaryAddress: string; token: string }> };
  /** The product's HTTPS port (the emulator has its /auth/callback as redirect URI). */
  port: number;
  directoryFile: string;
  /** A database to reuse (a restarted server): its folder and token encryption key. Default: a new one, removed at the end. */
  state?: { dir: string; key: string };
  /** Keep the database for a later worker (with `state`). */
  keep?: boolean;
  /** Members to connect in a new database (default: the first). */
  oids?: string[];
  push?: boolean;
  config?: Partial<SyncEngineConfig>;
  freshness?: { samples: number; pauseMs: [number, number] };
  /** Diagnosis: time inside transactions, in the listener, and committing. */
  diag?: boolean;
}

export interface HistoryResult {
  ms: number;
  cpuMs: number;
  ok: boolean;
  requests: number;
  mailFacts: number;
  eventFacts: number;
  interactions: number;
  detailFetches: number;
  maxRssMb: number;
  idle: { requests: number; ok: boolean; ms: number; mailFolders: number; calendars: number };
  state: { dir: string; key: string };
  diag?: Diag;
}

interface Diag {
  /** Peaks of process.memoryUsage() sampled every 100 ms (MB). */
  memory?: Record<string, number>;
  transactions: number;
  /** Inside transactions (the import and the listener). */
  txInnerMs: number;
  /** BEGIN/COMMIT included. */
  txOuterMs: number;
  listenerMs: number;
}

const input = JSON.parse(fs.readFileSync(process.argv[2]!, "utf8")) as WorkerInput;
const certs = ensureDevCertificates();

let output: unknown = null;
function finish(): never {
  process.stdout.write(`RESULT ${JSON.stringify(output)}\n`);
  process.exit(0);
}

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

if (input.scenario === "page") {
  const member = input.emulator.members[0]!;
  const calendarWindow = calendarWindowFor(new Date(), DEFAULT_SYNC_CONFIG.historyMonths, DEFAULT_SYNC_CONFIG.calendarHorizonDays);
  const cpu = process.cpuUsage();
  const r = await pageThrough({ graphUrl: input.emulator.graphUrl, token: member.token, windowStart: calendarWindow.start, calendarWindow });
  output = { ...r, cpuMs: cpuMs(cpu), maxRssMb: maxRssMb() };
  finish();
}

const fresh = !input.state;
const dir = input.state?.dir ?? fs.mkdtempSync(path.join(process.env.TEST_DATA_DIR ?? os.tmpdir(), "sync-bench-"));
const key = input.state?.key ?? crypto.randomBytes(32).toString("base64");
const config = loadConfig({
  DATA_DIR: dir,
  PORT: String(input.port),
  PUBLIC_URL: `https://localhost:${input.port}`,
  MS_AUTHORITY_HOST: input.emulator.url,
  GRAPH_BASE_URL: input.emulator.graphUrl,
  MS_CLIENT_ID: input.emulator.clientId,
  MS_CLIENT_SECRET: input.emulator.clientSecret,
  MS_TENANT: "organizations",
  TOKEN_ENCRYPTION_KEY: key,
  TLS_CERT_PATH: certs.certPath,
  TLS_KEY_PATH: certs.keyPath,
  LOG_LEVEL: "silent",
});
const org = JSON.parse(fs.readFileSync(input.directoryFile, "utf8")) as GeneratedOrganisation;
let organisationId: string;
let memberIdsByOid: Record<string, string>;
{
  const db = openDatabase(config.databasePath);
  if (fresh) {
    ({ organisationId, memberIdsByOid } = seedDirectory(db, org));
  } else {
    // Seeding again would move the directory's timestamp and make the restarted server decide everything again.
    const rows = db.prepare("SELECT id, organisation_id, entra_oid FROM team_members WHERE entra_oid IS NOT NULL").all() as { id: string; organisation_id: string; entra_oid: string }[];
    organisationId = rows[0]!.organisation_id;
    memberIdsByOid = Object.fromEntries(rows.map((r) => [r.entra_oid, r.id]));
  }
  db.close();
}

const product: Product = await startProduct(config, { push: input.push ?? false, startSync: false, sync: { config: input.config ?? {} } });
const { ctx, sync } = product;
const engine = sync.engine;
const diag: Diag = { transactions: 0, txInnerMs: 0, txOuterMs: 0, listenerMs: 0 };
if (input.diag) instrument();

const oids = input.oids ?? [input.emulator.members[0]!.oid];
const memberIds = oids.map((oid) => {
  const id = memberIdsByOid[oid];
  if (!id) throw new Error(`member ${oid} is not in the directory`);
  return id;
});
const control = emulatorControl(input.emulator.controlUrl);
if (fresh) {
  for (const id of memberIds) await connect(id);
  // The connect flow's alias discovery called Graph: the benchmark's counts start here.
  await control("/pipeline/stats/reset", {});
}
const count = (sql: string, ...params: unknown[]) => (ctx.db.prepare(sql).get(...params) as { n: number }).n;

try {
  if (input.scenario === "history") {
    const memberId = memberIds[0]!;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const outcome = await engine.runHistorySync(memberId);
    const ms = performance.now() - started;
    const cpuUsed = cpuMs(cpu);
    const rss = maxRssMb();
    const folders = engine.store.folders(memberId);
    const result: HistoryResult = {
      ms,
      cpuMs: cpuUsed,
      ok: outcome.ok && outcome.historyDone,
      requests: engine.driver.requestCounts.get(memberId) ?? 0,
      mailFacts: count("SELECT COUNT(*) AS n FROM sync_mail_facts WHERE member_id = ?", memberId),
      eventFacts: count("SELECT COUNT(*) AS n FROM sync_event_facts WHERE member_id = ?", memberId),
      interactions: count("SELECT COUNT(*) AS n FROM interactions"),
      detailFetches: product.interactions.engine.stats.detailFetches,
      maxRssMb: rss,
      idle: { requests: 0, ok: false, ms: 0, mailFolders: folders.filter((f) => f.kind === "mail").length, calendars: folders.filter((f) => f.kind === "calendar").length },
      state: { dir, key },
      diag: input.diag ? { ...diag } : undefined,
    };
    const idleStarted = performance.now();
    const idle = await engine.runMailbox(memberId);
    result.idle.ms = performance.now() - idleStarted;
    result.idle.requests = idle.requests;
    result.idle.ok = idle.ok;
    output = result;
  }

  if (input.scenario === "fleet") {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const outcomes = await Promise.all(memberIds.map((id) => engine.runHistorySync(id)));
    output = {
      ms: performance.now() - started,
      cpuMs: cpuMs(cpu),
      ok: outcomes.every((o) => o.ok && o.historyDone),
      mailboxes: memberIds.length,
      requests: memberIds.reduce((s, id) => s + (engine.driver.requestCounts.get(id) ?? 0), 0),
      mailFacts: count("SELECT COUNT(*) AS n FROM sync_mail_facts"),
      eventFacts: count("SELECT COUNT(*) AS n FROM sync_event_facts"),
      interactions: count("SELECT COUNT(*) AS n FROM interactions"),
      ourPeakInFlight: Math.max(...memberIds.map((id) => engine.driver.mailboxStats(id).peakInFlight)),
      maxRssMb: maxRssMb(),
    };
  }

  if (input.scenario === "freshness") {
    const memberId = memberIds[0]!;
    const oid = oids[0]!;
    const member = input.emulator.members.find((m) => m.oid === oid)!;
    if (engine.store.mailbox(memberId)?.history_done_at == null) await engine.runHistorySync(memberId);
    if (sync.push) await sync.push.ensureSubscriptions(memberId);
    const contact = org.contacts[0]!;
    const appeared = ctx.db.prepare<[string, string], { n: number }>(
      "SELECT COUNT(*) AS n FROM interaction_messages WHERE organisation_id = ? AND internet_message_id = ?",
    );
    sync.start();
    // A restarted server polls on its own schedule; start the cycle now so the first poll is not minutes away.
    engine.requestSync(memberId);
    while (engine.isRunning(memberId)) await new Promise((r) => setTimeout(r, 10));
    const samples: number[] = [];
    const { samples: n, pauseMs } = input.freshness ?? { samples: 10, pauseMs: [100, 600] };
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, pauseMs[0] + Math.random() * (pauseMs[1] - pauseMs[0])));
      const imid = `<freshness-${i}-${crypto.randomUUID()}@bench.test>`;
      const at = new Date().toISOString();
      const started = performance.now();
      await control(`/graph/mailboxes/${oid}/messages`, {
        folder: "inbox",
        message: {
          subject: `Freshness probe ${i}`,
          internetMessageId: imid,
          receivedDateTime: at,
          sentDateTime: at,
          from: { emailAddress: { address: contact.address, name: contact.name } },
          toRecipients: [{ emailAddress: { address: member.primaryAddress } }],
        },
      });
      const deadline = Date.now() + 120_000;
      while (appeared.get(organisationId, imid)!.n === 0) {
        if (Date.now() > deadline) throw new Error(`probe ${i} never became an interaction`);
        await new Promise((r) => setTimeout(r, 5));
      }
      samples.push(performance.now() - started);
    }
    output = { samples, maxRssMb: maxRssMb() };
  }
} finally {
  await product.close();
  if (!input.keep) fs.rmSync(dir, { recursive: true, force: true });
}
finish();

/** What the Office dialog does: open the single-use link and follow the redirects to our callback. */
async function connect(memberId: string): Promise<void> {
  await followConnectLink(ctx.connectFlow.createAuthSession(memberId).url);
  if (ctx.connections.get(memberId).state !== "connected") throw new Error(`member ${memberId} did not connect`);
}

/** Wraps the database's transactions and the listener with timers (diagnosis runs only). */
function instrument(): void {
  const peaks: Record<string, number> = {};
  diag.memory = peaks;
  setInterval(() => {
    for (const [k, v] of Object.entries(process.memoryUsage())) peaks[k] = Math.max(peaks[k] ?? 0, Math.round(v / 1048576));
  }, 100).unref();
  const tx = ctx.db.transaction.bind(ctx.db);
  (ctx.db as { transaction: unknown }).transaction = (fn: (...a: unknown[]) => unknown) => {
    const inner = tx((...a: unknown[]) => {
      const t = performance.now();
      try {
        return fn(...a);
      } finally {
        diag.txInnerMs += performance.now() - t;
      }
    });
    return (...a: unknown[]) => {
      if (ctx.db.inTransaction) return inner(...a);
      const t = performance.now();
      try {
        return inner(...a);
      } finally {
        diag.txOuterMs += performance.now() - t;
        diag.transactions++;
      }
    };
  };
  const listener = product.interactions.engine;
  const on = listener.onFactsChanged.bind(listener);
  listener.onFactsChanged = (c) => {
    const t = performance.now();
    try {
      on(c);
    } finally {
      diag.listenerMs += performance.now() - t;
    }
  };
}
