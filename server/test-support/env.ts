/** Shared test setup: temp directories, a config, a context with a silent logger. */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig, type Config } from "../config";
import { createServerContext, type ContextOverrides, type ServerContext } from "../context";
import { createLogger } from "../logger";

export function tempDir(prefix: string): string {
  const base = process.env.TEST_DATA_DIR ?? os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(path.join(base, `${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: dataDir,
    PUBLIC_URL: "https://localhost:3000",
    MS_CLIENT_ID: "11111111-1111-4111-8111-111111111111",
    MS_CLIENT_SECRET: "test-secret",
    MS_AUTHORITY_HOST: "https://login.invalid",
    GRAPH_BASE_URL: "https://graph.invalid/v1.0",
    TOKEN_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    ...env,
  });
}

export function testContext(config: Config, overrides: ContextOverrides = {}): ServerContext {
  return createServerContext(config, { log: createLogger(config.logLevel), ...overrides });
}
