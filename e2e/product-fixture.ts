/**
 * The whole product for browser tests, wired the way `npm start` wires the demo (scripts/start.ts): the real
 * Entra ID + Graph emulator seeded with a generated organisation, the directory loaded from the same seed
 * (server/demo/seed-directory.ts), and the real server (startProduct) over HTTPS with the dev certificates,
 * a temp DATA_DIR and a short poll interval. Everything listens on free ports on 127.0.0.1.
 *
 * The emulator must know the server's redirect URIs before the server exists, so the server's port is
 * picked first (a free port, released and then listened on by the server).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { createEmulator, generate, type Emulator, type GeneratorSizes, type SeededTenant } from "../emulator/server";
import type { GeneratedOrganisation } from "../emulator/generator/types";
import { ensureDevCertificates } from "../emulator/tls/dev-certs";
import { loadConfig, type Config } from "../server/config";
import { openDatabase } from "../server/db/database";
import { seedDirectory, seededMemberExternalId } from "../server/demo/seed-directory";
import { createOrganisation, upsertTeamMembers } from "../server/directory/service";
import { startProduct, type Product } from "../server/product";
import type { SeedMessage } from "../emulator/graph/seed-types";
import type { TestAddress, TestItem, TokenMinter } from "./test-host/index";
import { REPO_ROOT } from "./harness";
import { freePort } from "../server/test-support/ports";

export interface ProductFixtureOptions {
  /** Generator preset or seed string (default "tiny"). */
  seed?: string;
  sizes?: GeneratorSizes;
  /** Changes the generated organisation before the emulator and the directory are loaded from it. */
  prepare?: (org: GeneratedOrganisation) => void;
  /** Also load the emulator's admin-consent tenant's users into the directory (a second organisation). */
  seedAdminConsentTenant?: boolean;
  /** How often a connected mailbox is polled (default 3 s). */
  pollIntervalMs?: number;
}

export interface ProductFixture {
  emulator: Emulator;
  product: Product;
  config: Config;
  /** https://localhost:{port}: the server's PUBLIC_URL, where the pane is loaded from. */
  baseUrl: string;
  org: GeneratedOrganisation;
  /** Entra oid → the directory's team member id. */
  memberIdsByOid: Record<string, string>;
  /** The admin-consent tenant, when seeded into the directory. */
  adminConsentTenant: SeededTenant | null;
  /** A real token for the server's API, as Outlook's NAA broker would hand it to the pane. */
  paneToken(oid: string): Promise<string>;
  /** For the test host's NAA bridge (loadPane's mintToken). */
  minterFor(oid: string): TokenMinter;
  /** Calls the server's JSON API as that user (for setup and checks the pane doesn't make). */
  api<T = unknown>(oid: string, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Calls the emulator's control API (under /_emulator). */
  control<T = unknown>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  /**
   * The seeded messages of a mailbox that satisfy `match`, each as the item Outlook would show for it (the
   * mailbox's current item id in Office's EWS form, which the test host converts back to the REST id).
   */
  messages(oid: string, match: (m: SeedMessage) => boolean): Array<{ seed: SeedMessage; item: TestItem }>;
  close(): Promise<void>;
}

const logLevel = () => (process.env.E2E_LOG_LEVEL ?? "silent") as pino.Level | "silent";

async function jsonCall<T>(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, {
    method,
    headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T };
}

export async function startProductFixture(options: ProductFixtureOptions = {}): Promise<ProductFixture> {
  const certs = ensureDevCertificates(path.join(REPO_ROOT, "data", "certs"));
  const port = await freePort();
  const publicUrl = `https://localhost:${port}`;
  const host = new URL(publicUrl).host;

  const org = generate(options.seed ?? "tiny", options.sizes);
  options.prepare?.(org);
  const emulator = await createEmulator({
    port: 0,
    seed: org,
    certDir: path.join(REPO_ROOT, "data", "certs"),
    demoApp: {
      redirectUris: [`${publicUrl}/auth/callback`],
      spaRedirectUris: [`${publicUrl}/addin/auth-redirect.html`, `brk-multihub://${host}`],
    },
    logger: pino({ name: "emulator", level: logLevel() }),
  });

  const dataDir = fs.mkdtempSync(path.join(process.env.TEST_DATA_DIR ?? os.tmpdir(), "e2e-product-"));
  let product: Product | null = null;
  try {
    const config = loadConfig({
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: publicUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: logLevel(),
      MS_CLIENT_ID: emulator.demoApp.clientId,
      MS_CLIENT_SECRET: emulator.demoApp.clientSecret,
      MS_TENANT: "organizations",
      MS_AUTHORITY_HOST: emulator.url,
      GRAPH_BASE_URL: emulator.graphUrl,
      OFFICE_JS_URL: `${publicUrl}/addin/office/office.js`,
      TOKEN_ENCRYPTION_KEY: crypto.randomBytes(32).toString("base64"),
      TLS_CERT_PATH: certs.certPath,
      TLS_KEY_PATH: certs.keyPath,
    });

    // The directory, loaded before the server starts (as scripts/start.ts does).
    const db = openDatabase(config.databasePath);
    let memberIdsByOid: Record<string, string>;
    try {
      ({ memberIdsByOid } = seedDirectory(db, org, { organisationId: "e2e-organisation" }));
      if (options.seedAdminConsentTenant && emulator.adminConsentTenant) {
        const tenant = emulator.adminConsentTenant;
        const orgId = createOrganisation(db, tenant.displayName, "e2e-admin-consent-organisation");
        upsertTeamMembers(
          db,
          orgId,
          tenant.users.map((u, i) => ({
            externalId: seededMemberExternalId(u.userPrincipalName),
            name: u.displayName,
            primaryAddress: u.userPrincipalName,
            isAdmin: i === 0,
            aliases: [],
            entraObjectId: u.oid,
            entraTenantId: tenant.tenantId,
          })),
        );
        const rows = db.prepare("SELECT id, entra_oid FROM team_members WHERE organisation_id = ?").all(orgId) as { id: string; entra_oid: string }[];
        for (const r of rows) memberIdsByOid[r.entra_oid] = r.id;
      }
    } finally {
      db.close();
    }

    const pollIntervalMs = options.pollIntervalMs ?? 3000;
    product = await startProduct(config, {
      // Change notifications would need the emulator to reach us; polling is enough (and deterministic).
      push: false,
      sync: { config: { pollIntervalMs, tickMs: 250, failureBackoffBaseMs: 2000, failureBackoffMaxMs: 10_000 } },
    });
    const started = product;

    const paneToken = (oid: string) =>
      emulator.identity.mintAccessToken({ oid, clientId: emulator.demoApp.clientId, scopes: [emulator.demoApp.apiScope] });

    return {
      emulator,
      product: started,
      config,
      baseUrl: publicUrl,
      org,
      memberIdsByOid,
      adminConsentTenant: options.seedAdminConsentTenant ? emulator.adminConsentTenant : null,
      paneToken,
      minterFor: (oid) => async () => ({ accessToken: await paneToken(oid), expiresIn: 3599 }),
      async api<T>(oid: string, method: string, route: string, body?: unknown) {
        return jsonCall<T>(`${publicUrl}${route}`, method, { authorization: `Bearer ${await paneToken(oid)}` }, body);
      },
      control<T>(method: string, route: string, body?: unknown) {
        return jsonCall<T>(`${emulator.url}/_emulator${route}`, method, {}, body);
      },
      messages(oid, match) {
        const truth = emulator.graph.store.groundTruth(oid);
        const restIds = new Map(truth.messages.map((m) => [m.internetMessageId, m.id]));
        return (org.mailboxes[oid]?.messages ?? []).filter(match).map((seed) => ({ seed, item: testItemOf(seed, restIds.get(seed.internetMessageId ?? undefined)) }));
      },
      async close() {
        await started.close();
        await emulator.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await product?.close();
    await emulator.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The member's address a message was sent from, in the seed. */
export function senderOf(message: { from?: { emailAddress?: { address?: string | null } | null } | null }): string {
  return (message.from?.emailAddress?.address ?? "").toLowerCase();
}

type SeedRecipient = { emailAddress?: { name?: string | null; address?: string | null } | null };

function toTestAddress(r: SeedRecipient | null | undefined): TestAddress | undefined {
  const address = r?.emailAddress?.address;
  if (!address) return undefined;
  return { emailAddress: address, displayName: r?.emailAddress?.name ?? address };
}

/** Office item ids are EWS ids: the standard-base64 form of the REST id. */
export function ewsIdOf(restId: string): string {
  return restId.replace(/-/g, "/").replace(/_/g, "+");
}

export function testItemOf(seed: SeedMessage, restId: string | undefined): TestItem {
  const list = (rs: SeedRecipient[] | null | undefined) => (rs ?? []).map(toTestAddress).filter((a): a is TestAddress => a !== undefined);
  return {
    itemId: restId ? ewsIdOf(restId) : undefined,
    internetMessageId: seed.internetMessageId ?? undefined,
    conversationId: seed.conversationId ?? undefined,
    subject: seed.subject ?? "",
    from: toTestAddress(seed.from as SeedRecipient),
    sender: toTestAddress((seed.sender ?? seed.from) as SeedRecipient),
    to: list(seed.toRecipients as SeedRecipient[]),
    cc: list(seed.ccRecipients as SeedRecipient[]),
    dateTimeCreated: seed.receivedDateTime ?? seed.sentDateTime ?? undefined,
  };
}
