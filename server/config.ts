/**
 * Every setting the server reads, from the environment (and .env via dotenv), with defaults.
 * Each one is documented in docs/configuration.md; keep the two in step.
 * Every Microsoft endpoint is configuration so the same code runs against the emulator and Microsoft 365.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const url = z
  .string()
  .url()
  .transform((v) => v.replace(/\/+$/, ""));

const positiveInt = z.coerce.number().int().positive();

/** The raw environment schema; names are exactly the environment variable names. */
const EnvSchema = z.object({
  NODE_ENV: z.string().default("development"),
  DEMO_MODE: bool.default(false),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().optional(),
  PUBLIC_URL: url.default("https://localhost:3000"),
  DATA_DIR: z.string().default("./data"),
  DATABASE_PATH: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

  MS_CLIENT_ID: z.string().min(1, "MS_CLIENT_ID is required: the application (client) id of the app registration"),
  MS_CLIENT_SECRET: z.string().min(1, "MS_CLIENT_SECRET is required: a client secret of the app registration"),
  MS_TENANT: z.string().min(1).default("organizations"),
  MS_AUTHORITY_HOST: url.default("https://login.microsoftonline.com"),
  MS_REDIRECT_URI: url.optional(),
  GRAPH_BASE_URL: url.default("https://graph.microsoft.com/v1.0"),
  API_SCOPE: z.string().optional(),
  MAIL_SCOPE: z.enum(["Mail.Read", "Mail.ReadBasic"]).default("Mail.Read"),
  CALENDAR_SCOPE: z.string().min(1).default("Calendars.Read"),

  TOKEN_ENCRYPTION_KEY: z.string().optional(),
  TOKEN_ENCRYPTION_OLD_KEYS: z.string().optional(),
  TLS_CERT_PATH: z.string().optional(),
  TLS_KEY_PATH: z.string().optional(),
  OFFICE_JS_URL: url.default("https://appsforoffice.microsoft.com/lib/1/hosted/office.js"),
  AUTH_SESSION_TTL_SECONDS: positiveInt.default(600),

  SYNC_POLL_INTERVAL_SECONDS: positiveInt.default(300),
  SYNC_HISTORY_MONTHS: positiveInt.max(24).default(6),
  SYNC_CALENDAR_HORIZON_DAYS: positiveInt.max(730).default(180),
});

export type RawEnv = z.input<typeof EnvSchema>;

export interface Config {
  nodeEnv: string;
  demoMode: boolean;
  port: number;
  /** Interface to listen on; null = every interface (IPv6 and IPv4 where available). */
  host: string | null;
  /** Origin the browser sees, without trailing slash; links and the redirect URI are built from it. */
  publicUrl: string;
  dataDir: string;
  databasePath: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  microsoft: {
    clientId: string;
    clientSecret: string;
    /** organizations | common | a tenant id: the path segment of the authority. */
    tenant: string;
    authorityHost: string;
    /** `${authorityHost}/${tenant}` */
    authority: string;
    redirectUri: string;
    graphBaseUrl: string;
    /** The scope the pane requests for our own API (api://{clientId}/access_as_user). */
    apiScope: string;
    /** Accepted `aud` values of pane tokens. */
    apiAudiences: string[];
    mailScope: "Mail.Read" | "Mail.ReadBasic";
    calendarScope: string;
    /** Delegated Graph scopes requested at connect (offline_access, openid, profile are added by MSAL). */
    graphScopes: string[];
  };
  tokenEncryption: {
    /** Current key: encrypts and decrypts. */
    key: Buffer;
    /** Previous keys: decrypt only, so keys can rotate without losing connections. */
    oldKeys: Buffer[];
    /** Where the key came from, for the startup log (never the key itself). */
    source: "env" | "file";
  };
  tls: { certPath: string; keyPath: string } | null;
  officeJsUrl: string;
  authSessionTtlSeconds: number;
  sync: {
    pollIntervalSeconds: number;
    historyMonths: number;
    calendarHorizonDays: number;
  };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

function decodeKey(value: string, name: string, problems: string[]): Buffer | null {
  const buf = Buffer.from(value.trim(), "base64");
  if (buf.length !== 32) {
    problems.push(`${name}: must be 32 random bytes in base64 (generate one with: openssl rand -base64 32)`);
    return null;
  }
  return buf;
}

/** In demo mode a missing key is generated once into DATA_DIR/token.key (0600) so restarts keep connections. */
function loadOrCreateKeyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, "token.key");
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
  fs.mkdirSync(dataDir, { recursive: true });
  const key = crypto.randomBytes(32);
  fs.writeFileSync(file, key.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  return key;
}

/**
 * Builds the configuration from an environment object. Pure apart from the demo key file:
 * tests pass their own object; main.ts passes process.env after dotenv.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") cleaned[k] = v;
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "env"}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  const dataDir = path.resolve(e.DATA_DIR);
  let key: Buffer | null = null;
  let source: "env" | "file" = "env";
  if (e.TOKEN_ENCRYPTION_KEY) key = decodeKey(e.TOKEN_ENCRYPTION_KEY, "TOKEN_ENCRYPTION_KEY", problems);
  else if (e.DEMO_MODE) {
    key = loadOrCreateKeyFile(dataDir);
    source = "file";
    if (key.length !== 32) problems.push(`${path.join(dataDir, "token.key")}: must hold 32 bytes in base64`);
  } else {
    problems.push("TOKEN_ENCRYPTION_KEY is required outside demo mode (generate one with: openssl rand -base64 32)");
  }
  const oldKeys = (e.TOKEN_ENCRYPTION_OLD_KEYS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s, i) => decodeKey(s, `TOKEN_ENCRYPTION_OLD_KEYS[${i}]`, problems))
    .filter((k): k is Buffer => k !== null);

  if (Boolean(e.TLS_CERT_PATH) !== Boolean(e.TLS_KEY_PATH)) {
    problems.push("TLS_CERT_PATH and TLS_KEY_PATH must be set together");
  }
  if (!e.MS_AUTHORITY_HOST.startsWith("https://")) {
    problems.push("MS_AUTHORITY_HOST must be https (MSAL refuses insecure authorities)");
  }
  if (problems.length > 0 || !key) throw new ConfigError(problems);

  const clientId = e.MS_CLIENT_ID;
  const apiScope = e.API_SCOPE ?? `api://${clientId}/access_as_user`;
  const apiResource = apiScope.includes("/") ? apiScope.slice(0, apiScope.lastIndexOf("/")) : `api://${clientId}`;
  const apiAudiences = [...new Set([clientId, apiResource, `api://${clientId}`])];

  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    demoMode: e.DEMO_MODE,
    port: e.PORT,
    host: e.HOST ?? null,
    publicUrl: e.PUBLIC_URL,
    dataDir,
    databasePath: path.resolve(e.DATABASE_PATH ?? path.join(dataDir, "app.db")),
    logLevel: e.LOG_LEVEL,
    microsoft: {
      clientId,
      clientSecret: e.MS_CLIENT_SECRET,
      tenant: e.MS_TENANT,
      authorityHost: e.MS_AUTHORITY_HOST,
      authority: `${e.MS_AUTHORITY_HOST}/${e.MS_TENANT}`,
      redirectUri: e.MS_REDIRECT_URI ?? `${e.PUBLIC_URL}/auth/callback`,
      graphBaseUrl: e.GRAPH_BASE_URL,
      apiScope,
      apiAudiences,
      mailScope: e.MAIL_SCOPE,
      calendarScope: e.CALENDAR_SCOPE,
      graphScopes: ["User.Read", e.MAIL_SCOPE, e.CALENDAR_SCOPE],
    },
    tokenEncryption: { key, oldKeys, source },
    tls: e.TLS_CERT_PATH && e.TLS_KEY_PATH ? { certPath: e.TLS_CERT_PATH, keyPath: e.TLS_KEY_PATH } : null,
    officeJsUrl: e.OFFICE_JS_URL,
    authSessionTtlSeconds: e.AUTH_SESSION_TTL_SECONDS,
    sync: {
      pollIntervalSeconds: e.SYNC_POLL_INTERVAL_SECONDS,
      historyMonths: e.SYNC_HISTORY_MONTHS,
      calendarHorizonDays: e.SYNC_CALENDAR_HORIZON_DAYS,
    },
  });
}

/** main.ts and the CLIs: read .env (without overriding real environment variables), then validate. */
export async function loadConfigFromProcess(): Promise<Config> {
  const dotenv = await import("dotenv");
  dotenv.config({ quiet: true });
  return loadConfig(process.env);
}

/** Only the database location (CLIs that do not talk to Microsoft need nothing else). */
export async function databasePathFromEnv(env: Record<string, string | undefined> = process.env): Promise<string> {
  if (env === process.env) {
    const dotenv = await import("dotenv");
    dotenv.config({ quiet: true });
  }
  const dataDir = path.resolve(env.DATA_DIR || "./data");
  return path.resolve(env.DATABASE_PATH || path.join(dataDir, "app.db"));
}
