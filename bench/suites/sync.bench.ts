/**
 * Issue 4: the sync end to end, on this machine, against the emulator in its own process (so the
 * emulator and the syncing process each have a core), with the real product in a child process
 * (bench/support/sync-worker.ts: HTTPS server, real connect flow, interactions engine inside the sync's
 * transactions, the reports' triggers, a SQLite file).
 *
 * A 50,000-message, 2,000-event mailbox ("bench" generator seed):
 *   - the emulator's renderings are warmed first by one untimed pass (its first read of an item costs it
 *     3× more; neither the sync nor the baseline should be measured against that);
 *   - baseline: paging through the same data with the same requests and page sizes, 4 in flight, doing
 *     nothing but parse the JSON (bench/support/pager.ts);
 *   - history sync with zero added latency: messages/s, ratio to the baseline, Graph requests vs the
 *     minimum for Graph's page sizes (computed from the ground truth: bench/support/sync-plan.ts), the
 *     syncing process's peak RSS; then one idle delta cycle;
 *   - freshness: the same database reopened by a restarted server, first polling only (interval 5 s),
 *     then with push (the emulator delivers change notifications to the server's HTTPS endpoint);
 *   - history sync again with 100 ms added to every Graph request, against the bound 4 concurrent
 *     requests allow.
 * CPU time is reported next to wall time: the machine is shared, and wall time on a busy machine says
 * more about the neighbours than about the sync.
 * The 200-mailbox run is its own suite (sync-fleet.bench.ts) to keep each under ~5 minutes.
 */
import fs from "node:fs";
import { atLeast, atMost, formatCount as n, percentile, type BenchResult, type BenchSuite } from "../harness";
import { planFor } from "../support/sync-plan";
import { runWorker, spawnEmulatorForWorkers } from "../support/spawn-worker";
import type { HistoryResult } from "../support/sync-worker";

const MESSAGES = 50_000;
const EVENTS = 2_000;
const LATENCY_MS = 100;
const POLL_MS = 5_000;

const suite: BenchSuite = {
  name: "sync",
  async run() {
    const { emu, base, stop } = await spawnEmulatorForWorkers(MESSAGES, EVENTS);
    const results: BenchResult[] = [];
    let kept: string | null = null;
    try {
      const plan = await planFor(emu, emu.oid);
      const sizes = `${n(plan.messages)} messages in the 6-month window of ${plan.folders.length} synced folders (largest ${n(Math.max(...plan.folders.map((f) => f.messages)))}), ${n(plan.events)} calendar occurrences`;

      await runWorker({ ...base, scenario: "page" }); // warms the emulator's renderings
      const page = await runWorker<{ ms: number; cpuMs: number; requests: number; messages: number }>({ ...base, scenario: "page" });
      await emu.control("/pipeline/stats/reset", {});
      const h = await runWorker<HistoryResult>({ ...base, scenario: "history", keep: true });
      kept = h.state.dir;
      if (!h.ok) throw new Error("the history sync did not complete");
      const stats = await emu.control(`/pipeline/stats?oid=${emu.oid}`);
      const rate = h.mailFacts / (h.ms / 1000);
      results.push(
        atLeast("history sync, zero added latency: messages per second end to end", rate, "messages/s", 20_000,
          `${n(h.mailFacts)} messages + ${n(h.eventFacts)} events → ${n(h.interactions)} interactions in ${n(h.ms)} ms wall, ${n(h.cpuMs)} ms CPU (${n(h.mailFacts / (h.cpuMs / 1000))} messages per CPU-second); ${sizes}`),
        atMost("history sync time ÷ time to page through the same data", h.ms / page.ms, "×", 1.5,
          `paging alone: ${n(page.ms)} ms wall, ${n(page.cpuMs)} ms CPU, ${page.requests} requests, ${n(page.messages)} messages (same requests, page size 1,000, 4 in flight, JSON parsed, nothing else)`),
        atMost("Graph requests used ÷ the minimum for Graph's page sizes", h.requests / plan.minimum, "×", 1.1,
          `${h.requests} requests ($batch counted once; the emulator counted ${stats.requests} with sub-requests) vs minimum ${plan.minimum} = ${plan.dataRequests} data pages of ≤ 1,000 + ${plan.listingRequests} folder listings + 1 well-known $batch; peak ${stats.peakConcurrency} in flight, ${stats.throttled} throttled, ${stats.retryAfterViolations} Retry-After violations`),
        atMost("peak RSS of the syncing process (history sync of that mailbox)", h.maxRssMb, "MB", 300, "the whole server process (HTTPS server, connect flow, sync, interactions engine, SQLite), started with the server's V8 options as npm start starts it (server/runtime.ts: a 1 GB heap ceiling)"),
      );
      const perFolder = h.idle.requests / (h.idle.mailFolders + h.idle.calendars);
      const listing = h.idle.requests - (h.idle.mailFolders + h.idle.calendars);
      results.push(
        atMost("idle delta cycle over the unchanged mailbox: delta requests per folder", (h.idle.requests - listing) / (h.idle.mailFolders + h.idle.calendars), "requests/folder", 1,
          `${h.idle.requests} requests in all for ${h.idle.mailFolders} mail folders + ${h.idle.calendars} calendar (${perFolder.toFixed(2)} per folder): ${listing} of them re-list the folders (top level + child folders) so new folders are picked up; the cycle took ${n(h.idle.ms)} ms`),
      );

      const poll = await runWorker<{ samples: number[] }>({
        ...base,
        scenario: "freshness",
        state: h.state,
        keep: true,
        push: false,
        config: { pollIntervalMs: POLL_MS, tickMs: 100 },
        freshness: { samples: 8, pauseMs: [0, POLL_MS] },
      });
      results.push(
        atMost("freshness without push: new message → interaction, worst of samples", Math.max(...poll.samples), "ms", POLL_MS,
          `poll interval ${POLL_MS} ms (scheduler tick 100 ms); ${poll.samples.length} messages added at random moments; median ${n(percentile(poll.samples, 50))} ms`),
      );
      const push = await runWorker<{ samples: number[] }>({ ...base, scenario: "freshness", state: h.state, push: true, freshness: { samples: 20, pauseMs: [200, 800] } });
      results.push(
        atMost("freshness with push: new message → interaction, p95", percentile(push.samples, 95), "ms", 2_000,
          `${push.samples.length} messages; median ${n(percentile(push.samples, 50))} ms, max ${n(Math.max(...push.samples))} ms; includes the emulator's 100 ms notification batching and the default 300 s poll interval`),
      );

      await emu.control("/pipeline/limits", { latencyMs: LATENCY_MS });
      await emu.control("/pipeline/stats/reset", {});
      const slow = await runWorker<HistoryResult>({ ...base, scenario: "history" });
      const slowStats = await emu.control(`/pipeline/stats?oid=${emu.oid}`);
      await emu.control("/pipeline/limits", { latencyMs: 0 });
      const bound = Math.ceil(plan.minimum / 4) * LATENCY_MS;
      results.push(
        atMost(`history sync with ${LATENCY_MS} ms added per request ÷ the bound 4 concurrent requests allow`, slow.ms / bound, "×", 1.3,
          `${n(slow.ms)} ms for ${slow.requests} requests (peak ${slowStats.peakConcurrency} in flight, ${slowStats.retryAfterViolations} Retry-After violations) vs ⌈${plan.minimum} / 4⌉ × ${LATENCY_MS} ms = ${n(bound)} ms; the longest chain of dependent requests alone (listing depth + pages of the largest folder) is ${plan.criticalPath} × ${LATENCY_MS} ms`),
      );
    } finally {
      await stop();
      if (kept) fs.rmSync(kept, { recursive: true, force: true });
    }
    return results;
  },
};
export default suite;
