/**
 * Crash test with real process death: the product (startProduct, the real sync and interactions
 * engine over a file-backed SQLite database) runs as a child process and is killed with SIGKILL at
 * 10 points drawn from a seeded PRNG — 5 during the history sync, 5 during delta sync — and started
 * again on the same database each time. The emulator lives in this process throughout: its state is
 * the ground truth, and it keeps changing between and during the child's lives.
 *
 * Two team members (two mailboxes synced at once, sharing some messages and meetings), so kills also
 * land while one mailbox's pages and the other's interleave. Both connect once, through the pane's
 * connect flow against the first child; every later child syncs with the tokens its vault kept.
 *
 * A kill point is mostly "d ms after the k-th page this life committed" (k and d drawn), which lands
 * inside requests, between a commit and the next request, in the pending lookups and the details
 * queue alike; some kills (the second of each phase, and others at random) land deliberately inside
 * the k-th page's open transaction, after its facts and interactions were written, before the commit.
 *
 * History runs on small pages (40) with the emulator's filtered-delta cap scaled down to 300 (and the
 * engine told so), so kills also land in the backfill past the cap. Delta-phase kills follow a batch
 * of live changes (adds, replies, moves in and out, deletes, meeting edits, cancellations), made while
 * the child runs and while it is dead.
 *
 * At the end the last child is stopped gracefully, and its database must equal, item for item, an
 * uninterrupted sync of the same final mailboxes (in-process, into a fresh copy of the same directory
 * database), and account for every item of the ground truth.
 */
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ensureDevCertificates } from "../../emulator/tls/dev-certs";
import { openDatabase, type Db } from "../db/database";
import { removeDir, tempDir, testConfig } from "../test-support/env";
import { TEST_DRIVER_LIMITS, TEST_SYNC_CONFIG } from "./test-kit";
import { LiveChanges } from "./testing/live-changes";
import { assertAccountsForGroundTruth, assertActivityConsistent, assertSameSnapshot, expectedFromGroundTruth, snapshotSync } from "./testing/snapshot";
import { mulberry32 } from "../../shared/random";
import { freePort } from "../test-support/ports";
import { connectMember, installDatabase, productEnv, startNode, startWorld, type ProductNode, type World } from "./testing/world";

const SIZES = { messagesPerMailbox: 1500, eventsPerMailbox: 80, teamMembers: 2, customers: 12, contactsPerCustomer: 3 };
const CAP = 300;
const SYNC_CONFIG = {
  deltaPageSize: 40,
  listPageSize: 40,
  filteredDeltaCap: CAP,
  folderConcurrency: 2,
  pollIntervalMs: 300,
  tickMs: 100,
  failureBackoffBaseMs: 50,
  failureBackoffMaxMs: 500,
};
const HISTORY_KILLS = 5;
const DELTA_KILLS = 5;
const CHILD = path.join(import.meta.dirname, "testing", "crash-child.ts");
const debug = (...args: unknown[]) => {
  if (process.env.DEBUG_SYNC) console.log("[crash-kill]", ...args);
};

type ChildMessage =
  | { type: "ready"; url: string; pid: number }
  | { type: "page"; kind: "mail" | "calendar"; items: number; n: number }
  | { type: "in-transaction"; page: number }
  | { type: "run"; memberId: string; ok: boolean; ran: boolean; historyDone: boolean; error: string | null; pending: number; startedAt: number };
type RunMessage = Extract<ChildMessage, { type: "run" }>;

/** One life of the product process. */
class Life {
  readonly messages: ChildMessage[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<() => void> = [];
  stderr = "";
  pages = 0;
  onPage: ((n: number) => void) | null = null;

  constructor(readonly child: ChildProcess) {
    child.on("message", (m: ChildMessage) => {
      this.messages.push(m);
      if (m.type === "page") {
        this.pages = m.n;
        this.onPage?.(m.n);
      }
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr!.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.stdout!.resume();
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves with the first message (from `from` on) that satisfies `match`. */
  async waitFor<T extends ChildMessage>(match: (m: ChildMessage) => m is T, what: string, timeoutMs = 90_000, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the child exited while waiting for ${what}:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  runs(): Array<Extract<ChildMessage, { type: "run" }>> {
    return this.messages.filter((m): m is Extract<ChildMessage, { type: "run" }> => m.type === "run");
  }

  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    const { signal } = await this.exited;
    assert.equal(signal, "SIGKILL", "the child died of SIGKILL");
  }
}

let world: World;
let dataDir: string;
let port: number;
let childEnv: Record<string, string>;
let memberIdsByOid: Record<string, string>;
const lives: Life[] = [];
let reference: ProductNode | undefined;

before(async () => {
  port = await freePort();
  const childUrl = `https://localhost:${port}`;
  world = await startWorld({ seed: "crash-kill", sizes: SIZES, extraRedirectUris: [`${childUrl}/auth/callback`] });
  await world.control("/graph/knobs", { filteredDeltaCap: CAP }, "PUT");
  dataDir = tempDir("crash-kill");
  const env = productEnv(world, childUrl, dataDir);
  // The directory and the shared address key, in place before the first start (as scripts/start.ts seeds the demo).
  memberIdsByOid = installDatabase(world, testConfig(dataDir, env).databasePath);
  const certs = ensureDevCertificates();
  childEnv = {
    ...(process.env as Record<string, string>),
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    TLS_CERT_PATH: certs.certPath,
    TLS_KEY_PATH: certs.keyPath,
    SYNC_POLL_INTERVAL_SECONDS: "1",
    CRASH_SYNC_CONFIG: JSON.stringify(SYNC_CONFIG),
  };
});

after(async () => {
  for (const life of lives) if (life.child.exitCode === null && life.child.signalCode === null) life.child.kill("SIGKILL");
  await Promise.all(lives.map((l) => l.exited));
  await reference?.close();
  await world?.close();
  if (dataDir) removeDir(dataDir);
});

async function startLife(): Promise<Life> {
  const child = fork(CHILD, [], { execArgv: ["--import", "tsx"], env: childEnv, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const life = new Life(child);
  lives.push(life);
  await life.waitFor((m): m is Extract<ChildMessage, { type: "ready" }> => m.type === "ready", "the child to listen");
  return life;
}

/** SIGKILL after the k-th page committed from now on in this life, plus `delayMs`. */
async function killAfterPages(life: Life, k: number, delayMs: number): Promise<void> {
  const target = life.pages + k;
  await new Promise<void>((resolve, reject) => {
    let fired = false;
    const fire = () => {
      fired = true;
      life.onPage = null;
      setTimeout(() => life.kill().then(resolve, reject), delayMs);
    };
    void life.exited.then(() => {
      if (!fired) reject(new Error(`the child exited before page ${target}:\n${life.stderr}`));
    });
    if (life.pages >= target) return fire();
    life.onPage = (n) => {
      if (n >= target) fire();
    };
  });
}

/** SIGKILL inside the transaction of the k-th page from now that changes facts (the child blocks there). */
async function killInsideTransaction(life: Life, k: number): Promise<number> {
  const from = life.messages.length;
  life.child.send({ type: "arm", k });
  const m = await life.waitFor((x): x is Extract<ChildMessage, { type: "in-transaction" }> => x.type === "in-transaction", "a page transaction", 90_000, from);
  await life.kill();
  return m.page;
}

/** One kill: mostly after a page plus a few ms (anywhere), sometimes deliberately inside a page's transaction. */
async function killSomewhere(life: Life, random: () => number, i: number, maxPages: number): Promise<string> {
  const k = 1 + Math.floor(random() * maxPages);
  if (i === 1 || random() < 0.3) {
    const page = await killInsideTransaction(life, k);
    return `inside the transaction of page ${page} (armed ${k} page(s) ahead)`;
  }
  const delay = Math.floor(random() * 30);
  await killAfterPages(life, k, delay);
  return `${delay} ms after page ${k} (${life.pages} committed)`;
}

describe("crash test: SIGKILL at 10 random points, restarted on the same database", () => {
  test("ends equal to an uninterrupted sync of the same final mailboxes", async () => {
    const started = Date.now();
    // Two streams, so the kill points do not depend on how many changes were drawn meanwhile.
    const random = mulberry32(0xc0ffee);
    const changeRandom = mulberry32(0xfeed);
    const oids = world.org.teamMembers.map((m) => m.oid);
    const memberIds = oids.map((oid) => memberIdsByOid[oid]!);
    const lives_ = oids.map((oid) => new LiveChanges(world.emu, world.org, oid, changeRandom, { tag: `crash-${oid.slice(0, 4)}` }));
    let changes = 0;
    const change = async (n: number) => {
      for (let i = 0; i < n; i++) await lives_[changes++ % lives_.length]!.applyViaControl();
    };
    const kills: string[] = [];
    const historyDone = new Set<string>();
    const noteRuns = (life: Life) => {
      for (const r of life.runs()) if (r.ok && r.historyDone) historyDone.add(r.memberId);
    };

    // ── History sync: killed 5 times, live changes between the lives. ──
    let life = await startLife();
    for (const oid of oids) await connectMember(world, `https://localhost:${port}`, oid);
    for (let i = 0; i < HISTORY_KILLS; i++) {
      const where = await killSomewhere(life, random, i, 10);
      noteRuns(life);
      assert.ok(historyDone.size < memberIds.length, "the kill came during the history sync");
      kills.push(`history, life ${lives.length}: ${where}`);
      await change(3);
      life = await startLife();
    }
    for (const memberId of memberIds) {
      await life.waitFor((m): m is RunMessage => m.type === "run" && m.memberId === memberId && m.ok && m.historyDone, "the history sync to finish");
    }
    debug(`history done after ${lives.length} lives, ${Date.now() - started} ms`);

    // ── Delta sync: a batch of live changes, then a kill while the runs read them. ──
    for (let i = 0; i < DELTA_KILLS; i++) {
      // The kill is armed first: the changes (which go on while the process is dead, too) give it pages.
      const killed = killSomewhere(life, random, i, 6);
      killed.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      await change(30);
      const where = await killed;
      kills.push(`delta, life ${lives.length}: ${where}`);
      life = await startLife();
    }

    // ── The last life: a few more changes, then until every mailbox had a complete run that started after them. ──
    await change(10);
    const lastChange = Date.now();
    for (const memberId of memberIds) {
      await life.waitFor(
        (m): m is RunMessage => m.type === "run" && m.memberId === memberId && m.startedAt > lastChange && m.ok && m.historyDone && m.pending === 0,
        "a complete run after the last change",
      );
    }
    life.child.send({ type: "stop" });
    const exit = await life.exited;
    assert.equal(exit.code, 0, `the last child stopped cleanly:\n${life.stderr}`);
    const counts: Record<string, number> = {};
    for (const l of lives_) for (const [k, v] of Object.entries(l.counts)) counts[k] = (counts[k] ?? 0) + v;
    debug(kills.join("\n"), `\nchanges ${JSON.stringify(counts)}; ${lives.length} lives; ${Date.now() - started} ms`);
    assert.equal(kills.length, HISTORY_KILLS + DELTA_KILLS);
    assert.equal(lives.length, HISTORY_KILLS + DELTA_KILLS + 1);

    // ── The reference: the same final mailboxes, synced once without interruption. ──
    reference = startNode(world, { label: "crash-reference", config: { ...TEST_SYNC_CONFIG, filteredDeltaCap: CAP }, driverLimits: TEST_DRIVER_LIMITS });
    const expected = new Map<string, Awaited<ReturnType<typeof expectedFromGroundTruth>>>();
    for (const oid of oids) {
      const refMember = await reference.connect(oid);
      const outcome = await reference.sync.engine.runHistorySync(refMember);
      assert.ok(outcome.ok && outcome.historyDone, JSON.stringify(outcome));
      expected.set(oid, await expectedFromGroundTruth(world.emu.controlUrl, oid, reference.sync.engine));
      assertAccountsForGroundTruth(reference.ctx.db, refMember, expected.get(oid)!, "uninterrupted sync");
    }
    await reference.interactions.engine.whenIdle();
    const now = new Date();
    const want = snapshotSync(reference.ctx.db, now);
    assertActivityConsistent(reference.ctx.db, now, "uninterrupted sync");

    const db: Db = openDatabase(path.join(dataDir, "app.db"));
    try {
      for (const oid of oids) assertAccountsForGroundTruth(db, memberIdsByOid[oid]!, expected.get(oid)!, `killed and restarted sync (${oid})`);
      const got = snapshotSync(db, now);
      assertActivityConsistent(db, now, "killed and restarted sync");
      assert.ok(want.interactions.size > 20, `a real interaction history (${want.interactions.size})`);
      assertSameSnapshot(got, want, "the killed and restarted sync equals an uninterrupted one");
      debug(`mail ${got.mail.size} events ${got.events.size} interactions ${got.interactions.size}; ${Date.now() - started} ms`);
    } finally {
      db.close();
    }
  });
});
