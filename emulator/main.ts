/**
 * `npm run emulator -- [--port 4000] [--seed demo] [--messages N] [--admin-consent-tenant] ...`
 * Starts the Entra ID + Microsoft Graph emulator and prints what a product needs to point at it.
 * Flags are documented in emulator/README.md and by --help.
 */
import { parseArgs } from "node:util";
import { createEmulator, type Emulator } from "./server";

const HELP = `Usage: npm run emulator -- [options]

  --port N                  HTTPS port (default 4000; 0 picks a free one)
  --host ADDR               interface to listen on (default 127.0.0.1)
  --seed NAME               demo | tiny | bench | any seed string | none (default demo)
  --messages N              messages per mailbox (overrides the preset)
  --events N                calendar events per mailbox (overrides the preset)
  --team-members N          team members (mailboxes) in the main tenant
  --admin-consent-tenant    the main tenant requires admin consent too (users cannot consent themselves)
  --no-second-tenant        do not add the second, admin-consent-required tenant
  --redirect-uri URL        web redirect URI of the demo app (repeatable; default https://localhost:3000/auth/callback)
  --spa-redirect-uri URL    SPA redirect URI of the demo app (repeatable; default https://localhost:3000/taskpane.html
                            and brk-multihub://localhost:3000)
  --auto-consent            skip the sign-in/consent pages (first or login_hint user signs in)
  --latency MS              added latency per Graph request (benchmarks)
  --help                    this text
`;

function int(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      seed: { type: "string" },
      messages: { type: "string" },
      events: { type: "string" },
      "team-members": { type: "string" },
      "admin-consent-tenant": { type: "boolean" },
      "no-second-tenant": { type: "boolean" },
      "redirect-uri": { type: "string", multiple: true },
      "spa-redirect-uri": { type: "string", multiple: true },
      "auto-consent": { type: "boolean" },
      latency: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const seed = values.seed ?? "demo";
  const sizes = {
    messagesPerMailbox: int(values.messages, "messages"),
    eventsPerMailbox: int(values.events, "events"),
    teamMembers: int(values["team-members"], "team-members"),
  };
  const latencyMs = int(values.latency, "latency");
  const emulator = await createEmulator({
    port: int(values.port, "port") ?? 4000,
    host: values.host,
    seed: seed === "none" ? null : seed,
    sizes: Object.fromEntries(Object.entries(sizes).filter(([, v]) => v !== undefined)),
    adminConsentTenant: !values["no-second-tenant"],
    primaryRequiresAdminConsent: values["admin-consent-tenant"] ?? false,
    autoConsent: values["auto-consent"] ?? false,
    demoApp: { redirectUris: values["redirect-uri"], spaRedirectUris: values["spa-redirect-uri"] },
    pipeline: latencyMs === undefined ? undefined : { latencyMs },
  });
  process.stdout.write(describe(emulator));

  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function describe(e: Emulator): string {
  const lines: string[] = [];
  const org = e.organisation;
  lines.push(`Microsoft 365 emulator listening on ${e.url}`, "");
  lines.push(`  Authority        ${e.authority}`);
  lines.push(`                   ${e.url}/organizations  (multi-tenant sign-in)`);
  lines.push(`  Graph            ${e.graphUrl}`);
  lines.push(`  Control API      ${e.controlUrl}  (identity, graph, pipeline)`);
  lines.push(`  Local CA         ${e.caCertPath}  (Node: NODE_EXTRA_CA_CERTS=${e.caCertPath})`);
  lines.push(`  Chromium         --ignore-certificate-errors-spki-list=${e.spkiHash}`, "");
  lines.push("Demo app registration");
  lines.push(`  client id        ${e.demoApp.clientId}`);
  lines.push(`  client secret    ${e.demoApp.clientSecret}`);
  lines.push(`  redirect URIs    ${e.demoApp.redirectUris.join(", ")}`);
  lines.push(`  SPA redirects    ${e.demoApp.spaRedirectUris.join(", ")}`);
  lines.push(`  API scope        ${e.demoApp.apiScope}`);
  lines.push(`  Graph scopes     ${e.demoApp.graphScopes.join(" ")}`, "");
  if (org) {
    const tenant = e.identity.getTenant(org.tenant.id);
    lines.push(`Tenant "${org.tenant.displayName}" ${org.tenant.id}${tenant?.requiresAdminConsent ? "  (admin consent required)" : ""}`);
    lines.push(`  domains          ${org.tenant.domains.join(", ")}`);
    for (const m of org.teamMembers) {
      const box = org.mailboxes[m.oid];
      lines.push(`  ${m.primaryAddress.padEnd(40)} ${m.displayName}${m.isAdmin ? " (admin)" : ""}, ${box?.messages.length ?? 0} messages, ${box?.events.length ?? 0} events`);
    }
  } else {
    lines.push("No organisation loaded (seed with POST /_emulator/graph/seed).");
  }
  const second = e.adminConsentTenant;
  if (second) {
    lines.push("", `Tenant "${second.displayName}" ${second.tenantId}  (admin consent required)`);
    lines.push(`  admin consent    ${e.url}/${second.tenantId}/adminconsent?client_id=${e.demoApp.clientId}`);
    for (const u of second.users) lines.push(`  ${u.userPrincipalName.padEnd(40)} ${u.displayName}`);
  }
  lines.push("", "Ctrl+C stops the emulator.", "");
  return lines.join("\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
