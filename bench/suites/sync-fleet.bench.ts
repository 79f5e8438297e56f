/**
 * Issue 4: 200 mailboxes of 5,000 messages synced concurrently by one server process, against the
 * emulator in its own process, without exceeding any mailbox's limits: the emulator's statistics
 * must show at most 4 requests in flight per mailbox, no Retry-After violation and no 429 for
 * concurrency. Every member is connected through the real connect flow; all 200 history syncs are
 * started at once (what 200 members connecting together cause: each connect requests a sync), so
 * only the driver's per-mailbox (4) and global (32) limits pace them.
 * Separate from sync.bench.ts so that each suite stays under ~5 minutes (generating a million
 * messages takes the emulator a minute on its own).
 */
import { atMost, formatCount as n, untargeted, type BenchResult, type BenchSuite } from "../harness";
import { runWorker, spawnEmulatorForWorkers } from "../support/spawn-worker";

// SYNC_FLEET_MAILBOXES / SYNC_FLEET_MESSAGES shrink it while working on the sync (the figures are the defaults).
const MAILBOXES = Number(process.env.SYNC_FLEET_MAILBOXES ?? 200);
const MESSAGES = Number(process.env.SYNC_FLEET_MESSAGES ?? 5_000);
const EVENTS = 20;

interface FleetResult {
  ms: number;
  cpuMs: number;
  ok: boolean;
  mailboxes: number;
  requests: number;
  mailFacts: number;
  eventFacts: number;
  interactions: number;
  ourPeakInFlight: number;
  maxRssMb: number;
}

interface MailboxStats {
  oid: string;
  requests: number;
  peakConcurrency: number;
  throttled: number;
  throttledConcurrency: number;
  throttledWindow: number;
  retryAfterViolations: number;
}

const suite: BenchSuite = {
  name: "sync-fleet",
  async run() {
    const generated = performance.now();
    // A few spare: the generator repeats the odd address among hundreds of members (see emulator-process.ts).
    const { emu, base, stop } = await spawnEmulatorForWorkers(MESSAGES, EVENTS, { teamMembers: MAILBOXES + Math.ceil(MAILBOXES / 40) });
    const setupMs = performance.now() - generated;
    const results: BenchResult[] = [];
    try {
      if (emu.members.length < MAILBOXES) throw new Error(`only ${emu.members.length} distinct mailboxes`);
      const oids = emu.members.slice(0, MAILBOXES).map((m) => m.oid);
      const r = await runWorker<FleetResult>({ ...base, scenario: "fleet", oids });
      if (!r.ok) throw new Error("not every mailbox completed its history sync");
      const stats = ((await emu.control("/pipeline/stats")) as { mailboxes: MailboxStats[] }).mailboxes.filter((m) => oids.includes(m.oid));
      const peak = Math.max(...stats.map((s) => s.peakConcurrency));
      const violations = stats.reduce((s, m) => s + m.retryAfterViolations, 0);
      const concurrency429 = stats.reduce((s, m) => s + m.throttledConcurrency, 0);
      const throttled = stats.reduce((s, m) => s + m.throttled, 0);
      const emulatorRequests = stats.reduce((s, m) => s + m.requests, 0);
      const limits = `${stats.length} mailboxes seen by the emulator, ${n(emulatorRequests)} requests`;
      results.push(
        untargeted(`${MAILBOXES} mailboxes × ${n(MESSAGES)} messages synced at once: total time`, r.ms / 1000, "s",
          `${n(r.mailFacts)} messages (6-month window) + ${n(r.eventFacts)} events → ${n(r.interactions)} interactions; ${n(r.requests)} Graph requests; ${n(r.cpuMs)} ms CPU; peak RSS ${n(r.maxRssMb)} MB; emulator start with generation ${n(setupMs / 1000)} s`),
        untargeted(`${MAILBOXES} mailboxes at once: throughput`, r.mailFacts / (r.ms / 1000), "messages/s", `${n(r.mailFacts / (r.cpuMs / 1000))} messages per CPU-second of the syncing process`),
        atMost("highest number of requests in flight for any one mailbox (emulator)", peak, "requests", 4, `${limits}; our driver's own peak ${r.ourPeakInFlight}`),
        atMost("Retry-After violations (emulator, all mailboxes)", violations, "", 0, `${throttled} throttled in all`),
        atMost("429s for exceeding a mailbox's concurrency (emulator, all mailboxes)", concurrency429, "", 0, `driver limits: 4 per mailbox, 32 in all`),
      );
    } finally {
      await stop();
    }
    return results;
  },
};
export default suite;
