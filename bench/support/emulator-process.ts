/**
 * Runs an emulator in its own process for benchmarks, so that the client's work (JSON parsing, the sync)
 * does not share a core with the server's: on a 2-core machine that is the difference between measuring
 * the emulator and measuring the benchmark. Prints one JSON line {url, graphUrl, token, oid, clientId}
 * on stdout, then serves until killed.
 */
import pino from "pino";
import { createEmulator } from "../../emulator/server";

const [messages = "50000", events = "10", latencyMs = "0"] = process.argv.slice(2);
const emulator = await createEmulator({
  seed: "bench",
  sizes: { messagesPerMailbox: Number(messages), eventsPerMailbox: Number(events), teamMembers: 1 },
  adminConsentTenant: false,
  logger: pino({ level: "silent" }),
});
if (Number(latencyMs) > 0) emulator.pipeline.configure({ latencyMs: Number(latencyMs) });
const member = emulator.organisation!.teamMembers[0]!;
const token = await emulator.identity.mintAccessToken({
  oid: member.oid,
  clientId: emulator.demoApp.clientId,
  scopes: ["https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/Calendars.Read"],
  lifetimeSeconds: 3600,
});
process.stdout.write(`${JSON.stringify({ url: emulator.url, graphUrl: emulator.graphUrl, token, oid: member.oid, clientId: emulator.demoApp.clientId })}\n`);
process.on("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
