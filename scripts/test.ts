/**
 * `npm test`: the one way to run every check. Ensures Chromium and the local TLS CA, type-checks,
 * builds the pane, runs every *.test.ts with Node's test runner, and ends with the plain
 * "N passed, N failed" line that CI reads.
 */
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { ensureChromium } from "./chromium";
import { ensureDevCertificates, trustBundlePath } from "../emulator/tls/dev-certs";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, "data", "test");
fs.mkdirSync(dataDir, { recursive: true });

const filters = process.argv.slice(2);
const certs = ensureDevCertificates(path.join(root, "data", "certs"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_EXTRA_CA_CERTS: trustBundlePath(certs),
  CHROMIUM_PATH: ensureChromium(),
  TEST_DATA_DIR: dataDir,
  LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
  NODE_ENV: "test",
};

let passed = 0;
let failed = 0;

function step(name: string, command: string, args: string[]): boolean {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" });
  const ok = result.status === 0;
  if (ok) passed++;
  else failed++;
  console.log(ok ? `✔ ${name}` : `✖ ${name} (exit ${result.status})`);
  return ok;
}

const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

if (filters.length === 0) {
  step("type-check (tsc --strict)", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
}
if (fs.existsSync(path.join(root, "addin", "index.tsx"))) {
  step("build the pane (webpack)", bin("tsx"), ["scripts/build-addin.ts"]);
}

const testFiles = findTests(root).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
const tapFile = path.join(dataDir, "results.tap");
console.log(`\n▶ ${testFiles.length} test files`);
spawnSync(
  process.execPath,
  [
    "--import", "tsx",
    "--test",
    "--test-concurrency=2",
    "--test-timeout=600000",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tapFile}`,
    ...testFiles,
  ],
  { cwd: root, env, stdio: "inherit" },
);
const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, "utf8") : "";
const count = (label: string) => Number(new RegExp(`^# ${label} (\\d+)$`, "m").exec(tap)?.[1] ?? 0);
passed += count("pass");
failed += count("fail") + count("cancelled");
if (testFiles.length > 0 && !tap.includes("# pass")) failed++;

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "data" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith(".test.ts") || entry.name.endsWith(".test.tsx")) out.push(path.relative(root, full));
  }
  return out.sort();
}
