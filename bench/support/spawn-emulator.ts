import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface EmulatorProcess {
  url: string;
  graphUrl: string;
  token: string;
  oid: string;
  clientId: string;
  stop(): Promise<void>;
}

/** Starts bench/support/emulator-process.ts and waits for its one JSON line. */
export async function spawnEmulator(messages: number, events: number, latencyMs = 0): Promise<EmulatorProcess> {
  const script = path.join(import.meta.dirname, "emulator-process.ts");
  const child: ChildProcess = spawn(process.execPath, [...process.execArgv, script, String(messages), String(events), String(latencyMs)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the emulator process exited with ${code} before it was ready`)));
  });
  const info = JSON.parse(line) as Omit<EmulatorProcess, "stop">;
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
