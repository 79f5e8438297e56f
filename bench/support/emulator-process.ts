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
if (options.directoryFile) {
  // The directory the product imports (seedDirectory): everything but the mailboxes, which stay here.
  fs.writeFileSync(options.directoryFile, JSON.stringify({ ...org, mailboxes: {} }));
}
const scopes = ["https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/Calendars.Read"];
const mint = (oid: string) => emulator.identity.mintAccessToken({ oid, clientId: emulator.demoApp.clientId, scopes, lifetimeSeconds: 3600 });
const members = [];
for (const m of org.teamMembers) members.push({ oid: m.oid, primaryAddress: m.primaryAddress, token: await mint(m.oid) });
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
