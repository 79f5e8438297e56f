import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { WorkerInput } from "./sync-worker";
import { spawnEmulator, type EmulatorProcess } from "./spawn-emulator";
import { freePort } from "../../server/test-support/ports";
import { SERVER_NODE_OPTIONS } from "../../server/runtime";

/** What every worker of a suite is given: the emulator, and the port and directory file it was set up for. */
export type WorkerBase = Pick<WorkerInput, "emulator" | "port" | "directoryFile">;

/**
 * The emulator the suite's workers sync from, in its own process, set up for the product: its demo
 * app redirects to /auth/callback on a free port the workers then serve on, consent is automatic
 * (the workers connect by script), and the generated directory is written to a file the workers
 * import. stop() ends it and removes that file.
 */
export async function spawnEmulatorForWorkers(
  messages: number,
  events: number,
  options: { teamMembers?: number } = {},
): Promise<{ emu: EmulatorProcess; base: WorkerBase; stop(): Promise<void> }> {
  const port = await freePort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sync-bench-"));
  const directoryFile = path.join(tmp, "directory.json");
  try {
    const emu = await spawnEmulator(messages, events, 0, { ...options, redirectUris: [`https://localhost:${port}/auth/callback`], autoConsent: true, directoryFile });
    return {
      emu,
      base: { emulator: emu, port, directoryFile },
      async stop() {
        await emu.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

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

