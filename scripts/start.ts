/**
 * `npm start`: runs the product.
 * - With Microsoft app credentials (MS_CLIENT_ID and MS_CLIENT_SECRET in .env or the environment) it starts
 *   the server against Microsoft 365.
 * - With none it starts the zero-configuration demo: the Entra ID + Graph emulator with a seeded organisation,
 *   the directory loaded from the same seed, and the server pointed at the emulator. Then it prints the URLs.
 */
import "dotenv/config";
import path from "node:path";
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import { ensureDevCertificates, isTrustedByThisProcess, trustBundlePath } from "../emulator/tls/dev-certs";
import { missingServerNodeOptions } from "../server/runtime";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, "data"));
const certs = ensureDevCertificates(path.join(dataDir, "certs"));

// Node reads NODE_EXTRA_CA_CERTS and V8 options only at start-up: re-run with them so the server trusts
// the emulator's CA and runs with the server's heap settings (server/runtime.ts).
const missingOptions = missingServerNodeOptions();
if (!isTrustedByThisProcess(certs) || missingOptions.length > 0) {
  const child = spawnSync(process.execPath, [...missingOptions, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: trustBundlePath(certs) },
  });
  process.exit(child.status ?? 1);
}

const realMicrosoft = Boolean(process.env.MS_CLIENT_ID && process.env.MS_CLIENT_SECRET);
const publicUrl = (process.env.PUBLIC_URL ?? `https://localhost:${process.env.PORT ?? 3000}`).replace(/\/$/, "");

if (!fs.existsSync(path.join(root, "dist", "addin", "taskpane.html")) || process.env.REBUILD_ADDIN === "true") {
  console.log("Building the task pane…");
  const built = spawnSync(process.execPath, [...process.execArgv, path.join(root, "scripts", "build-addin.ts")], {
    stdio: "inherit",
    env: { ...process.env, PUBLIC_URL: publicUrl },
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const { loadConfigFromProcess, ConfigError } = await import("../server/config");
const { startProduct } = await import("../server/product");

let emulator: Awaited<ReturnType<typeof import("../emulator/server").createEmulator>> | null = null;
let demoLines: string[] = [];
if (!realMicrosoft) {
  const { createEmulator } = await import("../emulator/server");
  const { seedDirectory } = await import("../server/demo/seed-directory");
  const { openDatabase } = await import("../server/db/database");
  const host = new URL(publicUrl).host;
  emulator = await createEmulator({
    port: Number(process.env.EMULATOR_PORT ?? 4000),
    seed: process.env.DEMO_SEED ?? "demo",
    certDir: path.join(dataDir, "certs"),
    demoApp: {
      redirectUris: [`${publicUrl}/auth/callback`],
      spaRedirectUris: [`${publicUrl}/addin/auth-redirect.html`, `brk-multihub://${host}`],
    },
  });
  Object.assign(process.env, {
    DEMO_MODE: "true",
    DATA_DIR: path.join(dataDir, "demo"),
    PUBLIC_URL: publicUrl,
    MS_CLIENT_ID: emulator.demoApp.clientId,
    MS_CLIENT_SECRET: emulator.demoApp.clientSecret,
    MS_TENANT: "organizations",
    MS_AUTHORITY_HOST: emulator.url,
    GRAPH_BASE_URL: emulator.graphUrl,
    OFFICE_JS_URL: `${publicUrl}/addin/office/office.js`,
    // The same local CA as the emulator's, which this process already trusts.
    TLS_CERT_PATH: process.env.TLS_CERT_PATH ?? certs.certPath,
    TLS_KEY_PATH: process.env.TLS_KEY_PATH ?? certs.keyPath,
  });
  fs.mkdirSync(path.join(dataDir, "demo"), { recursive: true });
  const org = emulator.organisation!;
  const config = await loadConfigFromProcess();
  const db = openDatabase(config.databasePath);
  seedDirectory(db, org, { organisationId: "demo-organisation" });
  db.close();
  demoLines = [
    "",
    "Demo organisation (emulated Microsoft 365):",
    ...org.teamMembers.map((m) => `  team member ${m.displayName} <${m.primaryAddress}>${m.isAdmin ? " (admin)" : ""}`),
    `  ${org.customers.length} customers, ${org.contacts.length} contacts; sign in on the emulator's page by choosing an account.`,
    emulator.adminConsentTenant ? `  admin-consent tenant: ${emulator.adminConsentTenant.displayName} (${emulator.adminConsentTenant.domains[0]})` : "",
    "",
    "Emulator:",
    `  authority      ${emulator.url}/{tenant}/oauth2/v2.0/authorize`,
    `  Graph          ${emulator.graphUrl}`,
    `  control API    ${emulator.controlUrl}  (see emulator/README.md)`,
  ];
}

let config;
try {
  config = await loadConfigFromProcess();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`${err.message}\nSee docs/configuration.md.`);
    process.exit(1);
  }
  throw err;
}
const product = await startProduct(config);

console.log(
  [
    "",
    `Startdeliver Outlook sync is running${realMicrosoft ? " against Microsoft 365" : " in demo mode"}.`,
    "",
    `  Task pane      ${config.publicUrl}/addin/taskpane.html`,
    `  Customers      ${config.publicUrl}/addin/pages.html#/customers`,
    `  Impact         ${config.publicUrl}/addin/pages.html#/impact`,
    `  Manifest       ${config.publicUrl}/manifest.xml  (sideload it in Outlook)`,
    `  API (OpenAPI)  ${config.publicUrl}/api/openapi.json`,
    ...demoLines,
    "",
    `Certificates: the local CA is ${certs.caCertPath} (trust it in your browser, or open the URLs once and accept).`,
    "Press Ctrl+C to stop.",
  ].join("\n"),
);

const shutdown = async () => {
  await product.close();
  await emulator?.close();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
