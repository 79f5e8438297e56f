import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { emulatorControl } from "../../emulator/control-client";

export interface EmulatorProcessOptions {
  /** Mailboxes (team members) in the seeded tenant; default 1. */
  teamMembers?: number;
  /** Web redirect URIs of the demo app: the product's /auth/callback, for the real connect flow. */
  redirectUris?: string[];
  /** Skip the sign-in/consent pages (scripted connects). */
  autoConsent?: boolean;
  /** Where to write the generated organisation without its mailboxes (the product imports it as its directory). */
  directoryFile?: string;
  /** Change-notification delivery settings (push benchmarks). */
  notifier?: { batchDelayMs?: number; retryBaseMs?: number };
}

export interface EmulatorProcess {
  url: string;
  graphUrl: string;
  controlUrl: string;
  /** A Graph token (Mail.Read, Calendars.Read) for the first team member. */
  token: string;
  oid: string;
  clientId: string;
  clientSecret: string;
  /** Every team member with a Graph token. */
  members: Array<{ oid: string; primaryAddress: string; token: string }>;
  /** The emulator's control API: `control("/pipeline/stats?oid=…")`, `control("/pipeline/limits", {latencyMs: 100})`. */
  control<T = any>(path: string, body?: unknown, method?: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts bench/support/emulator-process.ts and waits for its one JSON line. */
export async function spawnEmulator(messages: number, events: number, latencyMs = 0, options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
  const script = path.join(import.meta.dirname, "emulator-process.ts");
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, script, String(messages), String(events), String(latencyMs), JSON.stringify(options)],
    { stdio: ["ignore", "pipe", "inherit"], env: process.env },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the emulator process exited with ${code} before it was ready`)));
  });
  const info = JSON.parse(line) as Omit<EmulatorProcess, "stop" | "control">;
  const control = emulatorControl(info.controlUrl);

  return {
    ...info,
    control,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
