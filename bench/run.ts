/**
 * `npm run bench [-- suite…]`: runs the benchmark suites in bench/suites/, prints a table and rewrites the
 * generated section of BENCHMARKS.md with the figures and the command that produced them.
 * Speed is measured here, never by timed assertions in tests.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import type { BenchResult, BenchSuite } from "./harness";

const root = path.resolve(import.meta.dirname, "..");

// NODE_EXTRA_CA_CERTS is read once at process start: re-run ourselves with it so HTTPS to the emulator is trusted.
const { ensureDevCertificates, isTrustedByThisProcess, trustBundlePath } = await import("../emulator/tls/dev-certs");
const certs = ensureDevCertificates(path.join(root, "data", "certs"));
if (!isTrustedByThisProcess(certs)) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, NODE_EXTRA_CA_CERTS: trustBundlePath(certs), LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
  });
  process.exit(child.status ?? 1);
}

const wanted = process.argv.slice(2);
const suiteDir = path.join(root, "bench", "suites");
const files = fs.readdirSync(suiteDir).filter((f) => f.endsWith(".bench.ts")).sort();
const unknown = wanted.filter((w) => !files.includes(`${w}.bench.ts`));
if (unknown.length > 0) {
  console.error(`No benchmark suite named ${unknown.join(", ")}; the suites are: ${files.map((f) => f.replace(/\.bench\.ts$/, "")).join(", ")}.`);
  process.exit(2);
}
const rows: { suite: string; result: BenchResult; measured: string }[] = [];
let failures = 0;

for (const file of files) {
  const suiteName = file.replace(/\.bench\.ts$/, "");
  if (wanted.length > 0 && !wanted.includes(suiteName)) continue;
  const suite = (await import(path.join(suiteDir, file))).default as BenchSuite;
  console.log(`\n▶ ${suite.name}`);
  try {
    for (const result of await suite.run()) {
      // Suites are often run one at a time: each row says which command measured it, when, and how busy the
      // machine was then (wall-clock figures on a loaded 2-core machine are pessimistic).
      rows.push({ suite: suite.name, result, measured: `\`npm run bench -- ${suiteName}\`, ${new Date().toISOString().slice(0, 16)}Z, load ${os.loadavg()[0]!.toFixed(1)}` });
      const mark = result.met === null ? " " : result.met ? "✔" : "✖";
      console.log(`  ${mark} ${result.name}: ${format(result.value)} ${result.unit} ${result.target ? `(target ${result.target})` : ""}${result.notes ? ` — ${result.notes}` : ""}`);
    }
  } catch (error) {
    failures++;
    console.error(`  ✖ suite failed: ${(error as Error).stack ?? error}`);
  }
}

writeBenchmarksMd(rows, wanted);
console.log(`\nRecorded in BENCHMARKS.md.`);
process.exit(failures === 0 ? 0 : 1);

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en-US");
  return value.toFixed(value < 10 ? 2 : 1);
}

function writeBenchmarksMd(results: typeof rows, filter: string[]): void {
  const file = path.join(root, "BENCHMARKS.md");
  const begin = "<!-- bench:begin -->";
  const end = "<!-- bench:end -->";
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : `# Benchmarks\n\n${begin}\n${end}\n`;
  // Keep rows of suites not run this time, so `npm run bench -- one-suite` refreshes only that suite.
  const previous = current.includes(begin) ? current.slice(current.indexOf(begin) + begin.length, current.indexOf(end)) : "";
  const ranSuites = new Set(results.map((r) => r.suite));
  const keptLines = previous
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| Suite") && !line.startsWith("| ---"))
    .filter((line) => !ranSuites.has(line.split("|")[1]!.trim()))
    // Rows written before the "Measured" column existed.
    .map((line) => (line.split("|").length === 8 ? `${line} — |` : line));
  const newLines = results.map(({ suite, result, measured }) =>
    `| ${suite} | ${result.name} | ${format(result.value)} ${result.unit} | ${result.target || "—"} | ${result.met === null ? "—" : result.met ? "met" : "**missed**"} | ${result.notes ?? ""} | ${measured} |`,
  );
  const command = `npm run bench${filter.length ? ` -- ${filter.join(" ")}` : ""}`;
  const table = [
    "",
    `Last run: ${new Date().toISOString().slice(0, 16)}Z on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}, with \`${command}\`; each row names the command that measured it.`,
    "",
    "| Suite | Measure | Result | Target | | Notes | Measured by, at, load |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...keptLines,
    ...newLines,
    "",
  ].join("\n");
  const updated = current.includes(begin)
    ? current.slice(0, current.indexOf(begin) + begin.length) + table + current.slice(current.indexOf(end))
    : `${current}\n${begin}${table}${end}\n`;
  fs.writeFileSync(file, updated);
}
