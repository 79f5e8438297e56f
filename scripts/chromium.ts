import fs from "node:fs";
import { execFileSync } from "node:child_process";

/** Flags that keep Debian's Chromium quiet on a machine without internet (see README). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return fs.existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((p) => fs.existsSync(p));
}

/** Finds Chromium, installing Debian's package when we are root on Debian; otherwise explains. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  const canApt = process.getuid?.() === 0 && fs.existsSync("/usr/bin/apt-get");
  if (canApt) {
    console.log("Chromium not found: installing Debian's chromium package for the browser tests…");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    const installed = findChromium();
    if (installed) return installed;
  }
  throw new Error("Chromium is required for the browser tests: run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH) and try again.");
}
