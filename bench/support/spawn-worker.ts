import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { WorkerInput } from "./sync-worker";
import { SERVER_NODE_OPTIONS } from "../../server/runtime";

/**
 * Runs one scenario of bench/support/sync-worker.ts in its own process and resolves with its result.
 * The process runs with the server's V8 options (server/runtime.ts), as `npm start` runs the product.
 * SYNC_BENCH_CPU_PROF=dir profiles the worker (node --cpu-prof) into that folder.
 */
export async function runWorker<T>(input: WorkerInput): Promise<T> {
  const script = path.join(import.meta.dirname, "sync-worker.ts");
  const prof = process.env.SYNC_BENCH_CPU_PROF;
  // The input goes through a file: 200 members' tokens are more than one command-line argument may hold.
  const inputFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sync-worker-")), "input.json");
  fs.writeFileSync(inputFile, JSON.stringify(input));
  const args = [...SERVER_NODE_OPTIONS, ...process.execArgv, ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []), script, inputFile];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: process.env });
  let found: T | undefined;
  const rl = createInterface({ input: child.stdout! });
  rl.on("line", (line) => {
    if (line.startsWith("RESULT ")) found = JSON.parse(line.slice(7)) as T;
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  fs.rmSync(path.dirname(inputFile), { recursive: true, force: true });
  if (found === undefined) throw new Error(`the ${input.scenario} worker exited with ${code} without a result`);
  return found;
}

