/**
 * Fault soak at the size: a 20,000-message, 500-event mailbox synced while about 10% of
 * Graph requests fail in the emulator's mix (429 and 503 with Retry-After, 504, connection resets,
 * bodies cut mid-JSON, 410 SyncStateNotFound on delta, 401) — with Graph's delta quirks on top
 * (replayed pages, empty pages, removals of unknown ids) — and while 200 live changes happen —
 * during runs (made between two committed pages) and between them. Runs repeat, faults still on,
 * until one completes with nothing left pending. Then:
 *   - every item of the emulator's ground truth inside the sync window is stored exactly once, in the
 *     folder Graph has it in, and nothing else is;
 *   - the stored messages, events, interactions and interaction messages equal, item for item, what
 *     a fault-free sync of the final mailbox into a fresh database stores;
 *   - the emulator saw no request before a Retry-After it had given, and never more than 4 in flight.
 * Small delta and list pages (200) so the mailbox takes a few hundred requests and the faults land
 * everywhere: initial rounds, the backfill past the 5,000 cap, incremental rounds, $batch lookups.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_DRIVER_LIMITS, TEST_SYNC_CONFIG } from "./test-kit";
import { LiveChanges } from "./testing/live-changes";
import { assertAccountsForGroundTruth, assertActivityConsistent, assertSameSnapshot, expectedFromGroundTruth, snapshotSync } from "./testing/snapshot";
import { mulberry32 } from "../../shared/random";
import { startNode, startWorld, type ProductNode, type World } from "./testing/world";

const SIZES = { messagesPerMailbox: 20_000, eventsPerMailbox: 500, teamMembers: 1, customers: 30, contactsPerCustomer: 3 };
const CHANGES = 200;
/** Of the 200, at most this many are made during runs (between two committed pages), the rest between runs. */
const DURING_RUNS = 80;
const BETWEEN_RUNS_BATCH = 20;
const debug = (...args: unknown[]) => {
  if (process.env.DEBUG_SYNC) console.log("[soak-full]", ...args);
};

let world: World;
const nodes: ProductNode[] = [];

before(async () => {
  world = await startWorld({ seed: "soak-full", sizes: SIZES });
});

after(async () => {
  for (const n of nodes) await n.close();
  await world?.close();
});

describe("fault soak (20,000 messages, 500 events, 200 live changes, ~10% faults)", () => {
  test("ends equal to a fault-free sync of the final mailbox, with the ground truth accounted for", async () => {
    const started = Date.now();
    const oid = world.org.teamMembers[0]!.oid;
    const random = mulberry32(20_000);
    const pages = { deltaPageSize: 200, listPageSize: 200 };

    const faulty = startNode(world, { label: "soak-faulty", config: { ...TEST_SYNC_CONFIG, ...pages, folderConcurrency: 4 }, driverLimits: TEST_DRIVER_LIMITS });
    nodes.push(faulty);
    const memberId = await faulty.connect(oid);
    const engine = faulty.sync.engine;

    await world.control("/pipeline/stats/reset", {});
    // Graph's own quirks on top of the faults: delta pages served twice, empty pages with a nextLink,
    // first rounds that open with removals of messages the client never saw.
    const quirks = { replayProbability: 0.05, emptyPageProbability: 0.03, firstRoundRemovals: 5 };
    await world.control("/graph/knobs", quirks, "PUT");
    await world.control("/pipeline/faults", {
      rules: [
        // Every Nth request for each kind, the periods co-prime so they rarely collide: ≈10% of all
        // requests fail, every kind is sure to fire, and where they land depends on the interleaving.
        { kind: "status", status: 429, retryAfterSeconds: 1, everyNth: 41 },
        { kind: "status", status: 503, retryAfterSeconds: 1, everyNth: 59 },
        { kind: "status", status: 504, everyNth: 61 },
        { kind: "reset", everyNth: 67 },
        { kind: "truncate", everyNth: 71 },
        { kind: "401", everyNth: 89 },
        { match: { pathRegex: "/delta" }, kind: "delta410", everyNth: 43 },
      ],
    });

    // Changes during runs: one after every third committed page (while the quota lasts).
    const live = new LiveChanges(world.emu, world.org, oid, random, { tag: "soak" });
    let during = 0;
    let committed = 0;
    const store = engine.store;
    const afterPage = () => {
      if (++committed % 3 !== 0 || during >= DURING_RUNS || live.applied >= CHANGES) return;
      live.applyDirect();
      during++;
    };
    const applyMailPage = store.applyMailPage.bind(store);
    const applyEventPage = store.applyEventPage.bind(store);
    store.applyMailPage = (...args) => {
      const r = applyMailPage(...args);
      afterPage();
      return r;
    };
    store.applyEventPage = (...args) => {
      const r = applyEventPage(...args);
      afterPage();
      return r;
    };

    let runs = 0;
    let converged = false;
    let historyRuns = 0;
    for (; runs < 60 && !converged; runs++) {
      const changesBefore = live.applied;
      const runStarted = Date.now();
      const outcome = await engine.runMailbox(memberId);
      if (!outcome.historyDone) historyRuns++;
      const pending = store.pendingRemovals(memberId).length;
      debug(`run ${runs}: ok ${outcome.ok} history ${outcome.historyDone} requests ${outcome.requests} changes ${live.applied} pending ${pending} ${Date.now() - runStarted} ms ${outcome.error ?? ""}`);
      // Converged: every change was made before this run started, and the run read everything to its end.
      converged = live.applied >= CHANGES && changesBefore === live.applied && outcome.ok && outcome.historyDone && pending === 0;
      if (live.applied < CHANGES) await live.apply(Math.min(BETWEEN_RUNS_BATCH, CHANGES - live.applied), "control");
    }
    store.applyMailPage = applyMailPage;
    store.applyEventPage = applyEventPage;
    assert.ok(converged, `the sync converged within ${runs} runs despite the faults`);
    assert.equal(live.applied, CHANGES);
    assert.ok(during > 0 && during < CHANGES, `changes both during (${during}) and between runs (${CHANGES - during})`);

    const faults = (await world.control("/pipeline/faults")).rules as Array<{ kind: string; status?: number; hits: number }>;
    const hits = Object.fromEntries(faults.map((r) => [r.status ? `${r.kind} ${r.status}` : r.kind, r.hits]));
    await world.control("/pipeline/faults", undefined, "DELETE");
    await world.control("/graph/knobs", { replayProbability: 0, emptyPageProbability: 0, firstRoundRemovals: 0 }, "PUT");
    const stats = await world.control(`/pipeline/stats?oid=${oid}`);
    debug("faults", hits, "requests", stats.requests, "changes", live.counts, "history runs", historyRuns, "runs", runs, `${Date.now() - started} ms`);
    for (const [kind, n] of Object.entries(hits)) assert.ok(n > 0, `the ${kind} fault fired (${JSON.stringify(hits)})`);
    const fired = Object.values(hits).reduce((a, b) => a + b, 0);
    assert.ok(fired >= 0.05 * stats.requests, `about 10% of requests failed: ${fired} of ${stats.requests} (${JSON.stringify(hits)})`);
    assert.equal(stats.retryAfterViolations, 0, JSON.stringify(stats.violations));
    assert.ok(stats.peakConcurrency <= 4, `peak concurrency ${stats.peakConcurrency}`);

    // Nothing lost, nothing duplicated: the ground truth, item by item.
    const expected = await expectedFromGroundTruth(world.emu.controlUrl, oid, engine);
    assertAccountsForGroundTruth(faulty.ctx.db, memberId, expected, "faulty sync");

    // The reference: a fault-free sync of the final mailbox into a fresh database (a fresh copy of the same directory).
    const freshStarted = Date.now();
    const fresh = startNode(world, { label: "soak-fresh", config: TEST_SYNC_CONFIG, driverLimits: TEST_DRIVER_LIMITS });
    nodes.push(fresh);
    const freshMember = await fresh.connect(oid);
    const reference = await fresh.sync.engine.runHistorySync(freshMember);
    assert.ok(reference.ok && reference.historyDone, JSON.stringify(reference));
    await fresh.interactions.engine.whenIdle();
    assertAccountsForGroundTruth(fresh.ctx.db, freshMember, await expectedFromGroundTruth(world.emu.controlUrl, oid, fresh.sync.engine), "fresh sync");
    await faulty.interactions.engine.whenIdle();
    const now = new Date();
    const want = snapshotSync(fresh.ctx.db, now);
    const got = snapshotSync(faulty.ctx.db, now);
    assertActivityConsistent(fresh.ctx.db, now, "fresh sync");
    assertActivityConsistent(faulty.ctx.db, now, "faulty sync");
    assert.ok(want.interactions.size > 100 && want.interactionMessages.size > want.interactions.size, `a real interaction history (${want.interactions.size})`);
    assertSameSnapshot(got, want, "the soaked database equals a fault-free sync of the final mailbox");
    debug(`fresh sync and comparison ${Date.now() - freshStarted} ms`);
    debug(`mail ${got.mail.size} events ${got.events.size} interactions ${got.interactions.size} messages ${got.interactionMessages.size}; ${Date.now() - started} ms`);
  });
});
