/**
 * The syncing process of the sync benchmarks: the real product (server/product.ts startProduct — HTTPS
 * server, interactions engine as the FactListener, sync engine, push receiver, reports' triggers) over a
 * fresh SQLite file, its team members connected through the real connect flow (MSAL auth code + PKCE
 * against the emulator, auto-consent), syncing from an emulator that runs in another process.
 *
 * One scenario per process, so process.resourceUsage().maxRSS is that scenario's peak:
 *   history    history sync of the first member, then one idle delta cycle
 *   fleet      history sync of every member at once
 *   freshness  history sync, then the scheduler (and push when on) runs while messages are added in the
 *              emulator; measures how long each takes to appear as an interaction
 *   page       no product: pages through the same data (bench/support/pager.ts)
 *
 * Input: one JSON argument (WorkerInput). Output: one line "RESULT {json}" on stdout.
 * SYNC_BENCH_CPU_PROF=dir (read by spawn-worker.ts) runs it under node --cpu-prof.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../../server/config";
import { seedDirectory } from "../../server/demo/seed-directory";
import { openDatabase } from "../../server/db/database";
import { startProduct, type Product } from "../../server/product";
import { ensureDevCertificates } from "../../emulator/tls/dev-certs";
import type { GeneratedOrganisation } from "../../emulator/generator/types";
import type { SyncEngineConfig } from "../../server/sync/engine";
import { pageThrough } from "./pager";

export interface WorkerInput {
  scenario: "history" | "fleet" | "freshness" | "page";
  emulator: { url: string; graphUrl: string; controlUrl: string; clientId: string; clientSecret: string; members: Array<{ oid: string; primaryAddress: string; token: string }> };
  /** The product's HTTPS port (registered as the emulator's redirect URI). */
  port: number;
  directoryFile: string;
  /** Members to connect (default: the first). */
  oids?: string[];
  push?: boolean;
  config?: Partial<SyncEngineConfig>;
  historyMonths?: number;
  freshness?: { samples: number; pauseMs: [number, number] };
  /** Diagnosis only: drop migration 300's report triggers to see what they cost. */
  dropReportTriggers?: boolean;
  /** Diagnosis only: pragmas applied to the product's connection. */
  pragmas?: string[];
  /** Diagnosis only: keep the database (its path is in the result). */
  keepDb?: boolean;
  /** Diagnosis only: time spent inside transactions, in the listener, and committing. */
  diag?: boolean;
}

const input = JSON.parse(process.argv[2]!) as WorkerInput;
const certs = ensureDevCertificates();

function windows(now: Date, months: number, horizonDays: number) {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const mail = new Date(day);
  mail.setUTCMonth(mail.getUTCMonth() - months);
  return { mail, calendar: { start: mail, end: new Date(day.getTime() + horizonDays * 86400_000) } };
}

let output: unknown = null;
function result(value: unknown): void {
  output = value;
}
function finish(): never {
  process.stdout.write(`RESULT ${JSON.stringify(output)}\n`);
  process.exit(0);
}

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

if (input.scenario === "page") {
  const member = input.emulator.members[0]!;
  const w = windows(new Date(), input.historyMonths ?? 6, 180);
  const r = await pageThrough({ graphUrl: input.emulator.graphUrl, token: member.token, windowStart: w.mail, calendarWindow: w.calendar });
  result({ ...r, maxRssMb: maxRssMb() });
  finish();
}

const dir = fs.mkdtempSync(path.join(process.env.TEST_DATA_DIR ?? "/tmp", "sync-bench-"));
const config = loadConfig({
  DATA_DIR: dir,
  PORT: String(input.port),
  PUBLIC_URL: `https://localhost:${input.port}`,
  MS_AUTHORITY_HOST: input.emulator.url,
  GRAPH_BASE_URL: input.emulator.graphUrl,
  MS_CLIENT_ID: input.emulator.clientId,
  MS_CLIENT_SECRET: input.emulator.clientSecret,
  MS_TENANT: "organizations",
  TOKEN_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
  TLS_CERT_PATH: certs.certPath,
  TLS_KEY_PATH: certs.keyPath,
  LOG_LEVEL: "silent",
});
const org = JSON.parse(fs.readFileSync(input.directoryFile, "utf8")) as GeneratedOrganisation;
const seedDb = openDatabase(config.databasePath);
const seeded = seedDirectory(seedDb, org);
if (input.dropReportTriggers) {
  for (const t of seedDb.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report_%'").all() as { name: string }[]) {
    seedDb.exec(`DROP TRIGGER ${t.name}`);
  }
}
seedDb.close();

const product: Product = await startProduct(config, {
  push: input.push ?? false,
  startSync: false,
  sync: { config: input.config ?? {} },
});
const { ctx, sync } = product;
for (const p of input.pragmas ?? []) ctx.db.pragma(p);
const diag = { txOuter: 0, txInner: 0, listener: 0, txCount: 0, applies: 0, written: 0, removed: 0, changedFacts: 0 };
if (input.diag) {
  const tx = ctx.db.transaction.bind(ctx.db);
  (ctx.db as { transaction: unknown }).transaction = (fn: (...a: unknown[]) => unknown) => {
    const inner = tx((...a: unknown[]) => {
      const t = performance.now();
      try {
        return fn(...a);
      } finally {
        diag.txInner += performance.now() - t;
      }
    });
    return (...a: unknown[]) => {
      if (ctx.db.inTransaction) return inner(...a);
      const t = performance.now();
      try {
        return inner(...a);
      } finally {
        diag.txOuter += performance.now() - t;
        diag.txCount++;
      }
    };
  };
  const mat = product.interactions.engine.materialiser;
  const apply = mat.apply.bind(mat);
  mat.apply = (...a: Parameters<typeof apply>) => {
    const r = apply(...a);
    diag.applies++;
    diag.written += r.interactionsWritten;
    diag.removed += r.interactionsRemoved;
    diag.changedFacts += r.changedFacts;
    return r;
  };
  const listener = product.interactions.engine;
  const on = listener.onFactsChanged.bind(listener);
  listener.onFactsChanged = (c) => {
    const t = performance.now();
    try {
      on(c);
    } finally {
      diag.listener += performance.now() - t;
    }
  };
}
const engine = sync.engine;
const oids = input.oids ?? [input.emulator.members[0]!.oid];
const memberIds: string[] = [];
for (const oid of oids) {
  const memberId = seeded.memberIdsByOid[oid];
  if (!memberId) throw new Error(`member ${oid} is not in the directory`);
  await connect(memberId);
  memberIds.push(memberId);
}
const control = async (p: string, body?: unknown) => {
  const res = await fetch(`${input.emulator.controlUrl}${p}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${p} → ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
};
// The connect flow's alias discovery called Graph: the benchmark counts from here.
await control("/pipeline/stats/reset", {});

const count = (sql: string, ...params: unknown[]) => (ctx.db.prepare(sql).get(...params) as { n: number }).n;

try {
  if (input.scenario === "history") {
    const memberId = memberIds[0]!;
    const started = performance.now();
    const outcome = await engine.runHistorySync(memberId);
    const ms = performance.now() - started;
    const rssAfterHistory = maxRssMb();
    const history = {
      ms,
      ok: outcome.ok,
      requests: engine.driver.requestCounts.get(memberId) ?? 0,
      mailFacts: count("SELECT COUNT(*) AS n FROM sync_mail_facts WHERE member_id = ?", memberId),
      eventFacts: count("SELECT COUNT(*) AS n FROM sync_event_facts WHERE member_id = ?", memberId),
      interactions: count("SELECT COUNT(*) AS n FROM interactions"),
      interactionFacts: count("SELECT COUNT(*) AS n FROM interaction_facts"),
      detailFetches: product.interactions.engine.stats.detailFetches,
      peakInFlight: engine.driver.mailboxStats(memberId).peakInFlight,
    };
    const folders = engine.store.folders(memberId);
    const idle = await engine.runMailbox(memberId);
    result({
      db: input.keepDb ? config.databasePath : undefined,
      diag: input.diag ? diag : undefined,
      history,
      maxRssMb: rssAfterHistory,
      idle: { requests: idle.requests, ok: idle.ok, mailFolders: folders.filter((f) => f.kind === "mail").length, calendars: folders.filter((f) => f.kind === "calendar").length },
    });
  }

  if (input.scenario === "fleet") {
    const started = performance.now();
    const outcomes = await Promise.all(memberIds.map((id) => engine.runHistorySync(id)));
    const ms = performance.now() - started;
    result({
      ms,
      ok: outcomes.every((o) => o.ok && o.historyDone),
      mailboxes: memberIds.length,
      requests: memberIds.reduce((s, id) => s + (engine.driver.requestCounts.get(id) ?? 0), 0),
      mailFacts: count("SELECT COUNT(*) AS n FROM sync_mail_facts"),
      eventFacts: count("SELECT COUNT(*) AS n FROM sync_event_facts"),
      interactions: count("SELECT COUNT(*) AS n FROM interactions"),
      ourPeakInFlight: Math.max(...memberIds.map((id) => engine.driver.mailboxStats(id).peakInFlight)),
      maxRssMb: maxRssMb(),
    });
  }

  if (input.scenario === "freshness") {
    const memberId = memberIds[0]!;
    const oid = oids[0]!;
    const member = input.emulator.members.find((m) => m.oid === oid)!;
    await engine.runHistorySync(memberId);
    if (input.push) {
      // Subscriptions are made after a successful run (onRunFinished); wait for both.
      const deadline = Date.now() + 20_000;
      while (count("SELECT COUNT(*) AS n FROM sync_subscriptions WHERE member_id = ?", memberId) < 2) {
        if (Date.now() > deadline) throw new Error("no subscriptions");
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const orgId = seeded.organisationId;
    const contact = org.contacts[0]!;
    const appeared = ctx.db.prepare<[string, string], { n: number }>(
      "SELECT COUNT(*) AS n FROM interaction_messages WHERE organisation_id = ? AND internet_message_id = ?",
    );
    sync.start();
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
      while (appeared.get(orgId, imid)!.n === 0) {
        if (Date.now() > deadline) throw new Error(`probe ${i} never became an interaction`);
        await new Promise((r) => setTimeout(r, 5));
      }
      samples.push(performance.now() - started);
    }
    result({ samples, maxRssMb: maxRssMb() });
  }
} finally {
  await product.close();
  if (!input.keepDb) fs.rmSync(dir, { recursive: true, force: true });
}
finish();

/** What the Office dialog does: open the single-use link and follow the redirects to our callback. */
async function connect(memberId: string): Promise<void> {
  const { url } = ctx.connectFlow.createAuthSession(memberId);
  const start = await fetch(url, { redirect: "manual" });
  if (start.status !== 302) throw new Error(`auth start answered ${start.status}`);
  const cookie = start.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const signIn = await fetch(start.headers.get("location")!, { redirect: "manual" });
  if (signIn.status !== 302) throw new Error(`authorize answered ${signIn.status}: ${await signIn.text()}`);
  const page = await fetch(signIn.headers.get("location")!, { redirect: "manual", headers: { cookie } });
  if (page.status !== 200) throw new Error(`callback answered ${page.status}`);
  if (ctx.connections.get(memberId).state !== "connected") throw new Error(`member ${memberId} did not connect`);
}
