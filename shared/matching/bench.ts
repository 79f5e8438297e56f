/**
 * Speed of the decision functions, for `npm run bench` (bench/run.ts can import benchMatching).
 * Synthetic but realistic: a directory of a few thousand users, messages of 2–8 participants
 * drawn from team members, contacts, colleagues, strangers and X500 addresses.
 * Run alone: npx tsx shared/matching/bench.ts
 */
import { buildDirectoryIndex, memberContext, type Directory, type DirectoryUser } from "./directory";
import { decideEvent, decideMessage } from "./decide";
import { makeParticipant, type EventFacts, type MessageFacts, type Participant, type ParticipantRole } from "./participants";
import { mulberry32 } from "../random";

export interface MatchingBenchResult {
  /** Wall clock, median over rounds of decideMessage on the whole mailbox (one core). */
  decisionsPerSecond: number;
  bestDecisionsPerSecond: number;
  /** Per second of CPU time used (Node only): comparable across machine load. */
  decisionsPerCpuSecond: number | null;
  messages: number;
  events: number;
  /** Rebuild the index after one contact is added and decide every message and event again. */
  redecideAfterContactAddedMs: number;
  indexBuildMs: number;
}

export function syntheticDirectory(customers = 500, usersPerCustomer = 10, members = 12): Directory {
  const users: DirectoryUser[] = [];
  for (let c = 0; c < customers; c++) {
    for (let u = 0; u < usersPerCustomer; u++) {
      users.push({ id: `u${c}-${u}`, name: `User ${u}`, address: `user${u}@customer${c}.com`, customerId: `c${c}`, createdAt: "2023-01-01T00:00:00Z" });
    }
  }
  return {
    teamMembers: Array.from({ length: members }, (_, i) => ({ id: `m${i}`, name: `Member ${i}`, primaryAddress: `member${i}@team.io`, aliases: [`m${i}@team.io`] })),
    addedCompanyDomains: ["team-labs.io"],
    customers: Array.from({ length: customers }, (_, c) => ({ id: `c${c}`, name: `Customer ${c}`, domains: c % 3 === 0 ? [`customer${c}.com`] : [] })),
    users,
  };
}

function randomAddress(r: () => number, customers: number, usersPerCustomer: number, members: number): string {
  const x = r();
  if (x < 0.3) return `member${Math.floor(r() * members)}@team.io`;
  if (x < 0.65) return `user${Math.floor(r() * usersPerCustomer)}@customer${Math.floor(r() * customers)}.com`;
  if (x < 0.75) return `colleague${Math.floor(r() * 50)}@team.io`;
  if (x < 0.97) return `someone${Math.floor(r() * 5000)}@elsewhere${Math.floor(r() * 300)}.com`;
  return `/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=${Math.floor(r() * 1000)}-x`;
}

export function syntheticMailbox(messages: number, events: number, seed = 1, customers = 500, usersPerCustomer = 10, members = 12): { messages: MessageFacts[]; events: EventFacts[] } {
  const r = mulberry32(seed);
  const make = (address: string, role: ParticipantRole): Participant => makeParticipant(address, role)!;
  const msgs: MessageFacts[] = [];
  for (let i = 0; i < messages; i++) {
    const n = 1 + Math.floor(r() * 7);
    const participants: Participant[] = [make(r() < 0.5 ? "member0@team.io" : randomAddress(r, customers, usersPerCustomer, members), "from")];
    for (let j = 0; j < n; j++) participants.push(make(randomAddress(r, customers, usersPerCustomer, members), j === 0 ? "to" : r() < 0.8 ? "to" : "cc"));
    msgs.push({ isDraft: r() < 0.01, at: 1_700_000_000_000 + i * 60_000, participants });
  }
  const evts: EventFacts[] = [];
  for (let i = 0; i < events; i++) {
    const n = 1 + Math.floor(r() * 6);
    const participants: Participant[] = [make(randomAddress(r, customers, usersPerCustomer, members), "organizer")];
    for (let j = 0; j < n; j++) participants.push(make(randomAddress(r, customers, usersPerCustomer, members), "attendee"));
    evts.push({ type: "occurrence", isCancelled: r() < 0.05, memberResponse: r() < 0.05 ? "declined" : "accepted", at: 1_700_000_000_000 + i * 3_600_000, participants });
  }
  return { messages: msgs, events: evts };
}

export function benchMatching(opts: { messages?: number; events?: number; rounds?: number } = {}): MatchingBenchResult {
  const nMessages = opts.messages ?? 50_000;
  const nEvents = opts.events ?? 2_000;
  const rounds = opts.rounds ?? 8;
  const directory = syntheticDirectory();
  let t = performance.now();
  let index = buildDirectoryIndex(directory);
  const indexBuildMs = performance.now() - t;
  const { messages, events } = syntheticMailbox(nMessages, nEvents);
  const member = memberContext(index, "m0", { syncToCustomersByDomain: true, syncUnknownSender: true, syncUnknownOrganizer: false });

  let synced = 0;
  // Warm up the JIT before measuring.
  for (let i = 0; i < messages.length; i++) if (decideMessage(messages[i]!, index, member).sync) synced++;
  // Each round is timed on its own: on a shared machine the median is what one can count on.
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cpu0 = typeof process !== "undefined" ? process.cpuUsage() : null;
    t = performance.now();
    for (let i = 0; i < messages.length; i++) if (decideMessage(messages[i]!, index, member).sync) synced++;
    const elapsed = performance.now() - t;
    rates.push(messages.length / (elapsed / 1000));
    if (cpu0) {
      const cpu = process.cpuUsage(cpu0);
      cpuRates.push(messages.length / ((cpu.user + cpu.system) / 1e6));
    }
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return Math.round(sorted[Math.floor(sorted.length / 2)]!);
  };

  // Retroactive capture: one contact added → new index → every message and event decided again.
  t = performance.now();
  const changed: Directory = {
    ...directory,
    users: [...directory.users, { id: "new", name: "New", address: "someone42@elsewhere7.com", customerId: "c1", createdAt: "2024-01-01T00:00:00Z" }],
  };
  index = buildDirectoryIndex(changed);
  const m2 = memberContext(index, "m0", member.settings);
  for (let i = 0; i < messages.length; i++) if (decideMessage(messages[i]!, index, m2).sync) synced++;
  for (let i = 0; i < events.length; i++) if (decideEvent(events[i]!, index, m2).sync) synced++;
  const redecideAfterContactAddedMs = performance.now() - t;
  if (synced < 0) throw new Error("unreachable: keeps the work observable");

  return {
    decisionsPerSecond: median(rates),
    bestDecisionsPerSecond: Math.round(Math.max(...rates)),
    decisionsPerCpuSecond: cpuRates.length > 0 ? median(cpuRates) : null,
    messages: nMessages,
    events: nEvents,
    redecideAfterContactAddedMs: Math.round(redecideAfterContactAddedMs),
    indexBuildMs: Math.round(indexBuildMs),
  };
}

const isMain = typeof process !== "undefined" && process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) console.log(JSON.stringify(benchMatching(), null, 2));
