/**
 * Runs an emulator in its own process for benchmarks, so that the client's work (JSON parsing, the sync)
 * does not share a core with the server's: on a 2-core machine that is the difference between measuring
 * the emulator and measuring the benchmark. Prints one JSON line {url, graphUrl, token, oid, clientId, …}
 * on stdout, then serves until killed.
 *
 * Arguments: messages per mailbox, events per mailbox, added latency (ms), and optionally one JSON object
 * of EmulatorProcessOptions (spawn-emulator.ts): team members, the product's redirect URI (for the real
 * connect flow, with auto-consent), a file to write the generated directory to (for the product's
 * directory import), and notifier settings (push deliveries to the product).
 */
import fs from "node:fs";
import pino from "pino";
import { createEmulator } from "../../emulator/server";
import type { EmulatorProcessOptions } from "./spawn-emulator";

const [messages = "50000", events = "10", latencyMs = "0", json = "{}"] = process.argv.slice(2);
const options = JSON.parse(json) as EmulatorProcessOptions;
const emulator = await createEmulator({
  seed: "bench",
  sizes: { messagesPerMailbox: Number(messages), eventsPerMailbox: Number(events), teamMembers: options.teamMembers ?? 1 },
  adminConsentTenant: false,
  autoConsent: options.autoConsent ?? false,
  demoApp: options.redirectUris ? { redirectUris: options.redirectUris } : undefined,
  notifier: options.notifier,
  logger: pino({ level: "silent" }),
});
if (Number(latencyMs) > 0) emulator.pipeline.configure({ latencyMs: Number(latencyMs) });
const org = emulator.organisation!;
const scopes = ["https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/Calendars.Read"];
const mint = (oid: string) => emulator.identity.mintAccessToken({ oid, clientId: emulator.demoApp.clientId, scopes, lifetimeSeconds: 3600 });
// With hundreds of team members the generator repeats the odd name, so an address can come out twice;
// identity then refuses the second user. Only members with a sign-in of their own (and addresses no
// earlier member has) are handed out and put in the directory.
const members = [];
const kept = [];
const taken = new Set<string>();
for (const m of org.teamMembers) {
  const addresses = [m.primaryAddress, ...m.mailboxAliases].map((a) => a.toLowerCase());
  if (addresses.some((a) => taken.has(a)) || !emulator.identity.findUser(m.oid)) continue;
  for (const a of addresses) taken.add(a);
  kept.push(m);
  members.push({ oid: m.oid, primaryAddress: m.primaryAddress, token: await mint(m.oid) });
}
if (options.directoryFile) {
  // The directory the product imports (seedDirectory): everything but the mailboxes, which stay here.
  fs.writeFileSync(options.directoryFile, JSON.stringify({ ...org, teamMembers: kept, mailboxes: {} }));
}
const first = members[0]!;
process.stdout.write(
  `${JSON.stringify({
    url: emulator.url,
    graphUrl: emulator.graphUrl,
    controlUrl: emulator.controlUrl,
    token: first.token,
    oid: first.oid,
    clientId: emulator.demoApp.clientId,
    clientSecret: emulator.demoApp.clientSecret,
    members,
  })}\n`,
);
process.on("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
// A benchmark that dies (Ctrl-C, a crash) must not leave its emulator running: exit once orphaned.
// unref'd: the HTTPS server keeps the process alive, the check does not.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void emulator.close().then(() => process.exit(0));
}, 1000).unref();
