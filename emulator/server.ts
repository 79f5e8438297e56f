/**
 * The emulator as one HTTPS server: Entra ID (identity/), Microsoft Graph v1.0 behind the request
 * pipeline (pipeline/ → graph/), and the control APIs under /_emulator. Seeding registers a
 * generated organisation everywhere it has to exist: the tenant and its users in identity, the
 * mailboxes in the Graph store, plus the demo app registration the product signs in with.
 */
import { createHash, X509Certificate } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import express from "express";
import pino, { type Logger } from "pino";
import { generateOrganisation, PRESETS, type PresetName, userProfileFor } from "./generator/index";
import type { GeneratedOrganisation, GeneratorOptions } from "./generator/types";
import { createGraphData, type GraphData } from "./graph/index";
import { createIdentityService, DirectoryError, type IdentityService } from "./identity/index";
import { changeFeedFromStore } from "./pipeline/graph-feed";
import { createPipeline, type Pipeline, type PipelineSettings } from "./pipeline/index";
import type { NotifierConfig } from "./pipeline/notifier";
import { defaultCertDir, ensureDevCertificates } from "./tls/dev-certs";

export type GeneratorSizes = Partial<Omit<GeneratorOptions, "seed" | "now">>;

export interface DemoAppOptions {
  clientId?: string;
  clientSecret?: string;
  /** Web redirect URIs of the product server (confidential client). */
  redirectUris?: string[];
  /** SPA redirect URIs of the task pane (PKCE, cross-origin redemption; brk-multihub:// for nested app auth). */
  spaRedirectUris?: string[];
  displayName?: string;
}

export interface EmulatorOptions {
  /** 0 (default) picks a free port: what tests use. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1; the certificate names localhost, 127.0.0.1 and ::1). */
  host?: string;
  /**
   * "demo" | "tiny" | "bench" (generator presets), any other string (demo sizes, that seed), a
   * ready GeneratedOrganisation, or null/undefined for an empty emulator.
   */
  seed?: string | GeneratedOrganisation | null;
  sizes?: GeneratorSizes;
  certDir?: string;
  /** The emulator's clock (ms). Tests move it to expire tokens; seeded history ends at this "now". */
  now?: () => number;
  demoApp?: DemoAppOptions;
  /** Seeded runs: add a second, admin-consent-required tenant (default true when seeded). */
  adminConsentTenant?: boolean;
  /** Seeded runs: the main tenant requires admin consent too (default false). */
  primaryRequiresAdminConsent?: boolean;
  /** Skip the sign-in/consent pages in every tenant (scripted tests). Default false. */
  autoConsent?: boolean;
  pipeline?: Partial<PipelineSettings>;
  notifier?: Partial<NotifierConfig>;
  logger?: Logger;
}

export interface DemoApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  spaRedirectUris: string[];
  /** The scope the pane requests for the product's API. */
  apiScope: string;
  /** Graph scopes the product asks for. */
  graphScopes: string[];
}

export interface SeededTenant {
  tenantId: string;
  displayName: string;
  domains: string[];
  requiresAdminConsent: boolean;
  users: Array<{ oid: string; userPrincipalName: string; displayName: string }>;
}

export interface Emulator {
  /** https://localhost:{port} */
  url: string;
  /** Graph base: {url}/v1.0 */
  graphUrl: string;
  /** Authority of the main seeded tenant ({url}/{tenantId}), or {url}/organizations when unseeded. */
  authority: string;
  controlUrl: string;
  caCertPath: string;
  /** For Chromium's --ignore-certificate-errors-spki-list: SHA-256 of the localhost certificate's public key, base64. */
  spkiHash: string;
  identity: IdentityService;
  graph: GraphData;
  pipeline: Pipeline;
  organisation: GeneratedOrganisation | null;
  /** The admin-consent-required second tenant, when added. */
  adminConsentTenant: SeededTenant | null;
  demoApp: DemoApp;
  close(): Promise<void>;
}

export const GRAPH_SCOPES = ["openid", "profile", "offline_access", "User.Read", "Mail.Read", "Calendars.Read"];

export async function createEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const clock = opts.now ?? Date.now;
  const logger = opts.logger ?? pino({ name: "emulator", level: process.env.LOG_LEVEL ?? "info" });
  const certs = ensureDevCertificates(opts.certDir ?? defaultCertDir());
  const app = express();
  app.disable("x-powered-by");
  const server = https.createServer({ key: certs.key, cert: certs.cert }, app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://localhost:${port}`;

  const identity = createIdentityService({ baseUrl: url, now: clock, logger: logger.child({ part: "identity" }) });
  if (opts.autoConsent) identity.updateSettings({ autoConsentAllTenants: true });
  const registerOrganisation = (org: GeneratedOrganisation, requiresAdminConsent: boolean) =>
    registerInIdentity(identity, org, requiresAdminConsent);
  const graph = createGraphData({
    baseUrl: url,
    now: clock,
    lookupUser: (oid) => identity.findUser(oid),
    // Organisations loaded later through POST /_emulator/graph/seed must be able to sign in too.
    onOrganisation: (org) => registerOrganisation(org, org.tenant.requiresAdminConsent),
  });
  const pipeline = createPipeline({
    verifyAccessToken: (token, audience) => identity.verifyAccessToken(token, audience),
    graphRouter: graph.router,
    authorityBaseUrl: url,
    graphBaseUrl: `${url}/v1.0`,
    loopbackOrigin: () => `https://${loopbackHost(opts.host)}:${port}`,
    extraCa: certs.ca,
    changeFeed: changeFeedFromStore(graph.store),
    resolveUser: (principal) => (identity.findUser(principal) ?? identity.findUserByEmail(principal))?.oid,
    notifier: opts.notifier,
    clock,
    logger: logger.child({ part: "pipeline" }),
  });
  if (opts.pipeline) pipeline.configure(opts.pipeline);

  let organisation: GeneratedOrganisation | null = null;
  let adminConsentTenant: SeededTenant | null = null;
  if (opts.seed !== undefined && opts.seed !== null) {
    organisation = typeof opts.seed === "string" ? generate(opts.seed, opts.sizes, clock) : opts.seed;
    registerOrganisation(organisation, opts.primaryRequiresAdminConsent ?? organisation.tenant.requiresAdminConsent);
    graph.loadOrganisation(organisation);
    if (opts.adminConsentTenant ?? true) {
      const second = secondOrganisation(organisation, clock);
      adminConsentTenant = registerOrganisation(second, true);
      graph.loadOrganisation(second);
    }
  }

  const homeTenantId = organisation?.tenant.id ?? identity.tenants()[0]?.id;
  const seedKey = organisation?.seed ?? "emulator";
  const appOptions = opts.demoApp ?? {};
  const registered = identity.registerApp({
    clientId: appOptions.clientId ?? deterministicGuid(`demo-app:${seedKey}`),
    clientSecrets: [appOptions.clientSecret ?? deterministicSecret(`demo-app-secret:${seedKey}`)],
    displayName: appOptions.displayName ?? "Startdeliver Outlook Sync (emulated)",
    redirectUris: appOptions.redirectUris ?? ["https://localhost:3000/auth/callback"],
    spaRedirectUris: appOptions.spaRedirectUris ?? ["https://localhost:3000/taskpane.html", "brk-multihub://localhost:3000"],
    exposedScopes: ["access_as_user"],
    homeTenantId,
    signInAudience: "AzureADMultipleOrgs",
    requiredScopes: GRAPH_SCOPES.filter((s) => !["openid", "profile", "offline_access"].includes(s)),
  });
  const demoApp: DemoApp = {
    clientId: registered.clientId,
    clientSecret: registered.clientSecret ?? "",
    redirectUris: registered.redirectUris,
    spaRedirectUris: registered.spaRedirectUris ?? [],
    apiScope: `api://${registered.clientId}/access_as_user`,
    graphScopes: GRAPH_SCOPES,
  };

  app.use("/v1.0", pipeline.router);
  app.use("/_emulator/identity", identity.controlRouter);
  app.use("/_emulator/graph", graph.controlRouter);
  app.use("/_emulator/pipeline", pipeline.controlRouter);
  app.get("/_emulator", (_req, res) => {
    res.json({
      authority: organisation ? `${url}/${organisation.tenant.id}` : `${url}/organizations`,
      graph: `${url}/v1.0`,
      control: { identity: `${url}/_emulator/identity`, graph: `${url}/_emulator/graph`, pipeline: `${url}/_emulator/pipeline` },
      demoApp: { clientId: demoApp.clientId, redirectUris: demoApp.redirectUris, spaRedirectUris: demoApp.spaRedirectUris, apiScope: demoApp.apiScope },
      tenants: identity.tenants().map((t) => ({ id: t.id, displayName: t.displayName, domains: t.domains, requiresAdminConsent: t.requiresAdminConsent, users: t.users.size })),
    });
  });
  app.use(identity.router);

  let closed = false;
  return {
    url,
    graphUrl: `${url}/v1.0`,
    authority: organisation ? `${url}/${organisation.tenant.id}` : `${url}/organizations`,
    controlUrl: `${url}/_emulator`,
    caCertPath: certs.caCertPath,
    spkiHash: certificateSpkiHash(certs.cert),
    identity,
    graph,
    pipeline,
    organisation,
    adminConsentTenant,
    demoApp,
    async close() {
      if (closed) return;
      closed = true;
      pipeline.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Base64 SHA-256 of a certificate's SubjectPublicKeyInfo (the first certificate of a PEM chain). */
export function certificateSpkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

/** Where $batch sub-requests reach the server itself (the certificate names localhost, 127.0.0.1 and ::1). */
function loopbackHost(host: string | undefined): string {
  if (!host || host === "0.0.0.0" || host === "::" || host === "127.0.0.1") return "127.0.0.1";
  if (host === "::1") return "[::1]";
  return host;
}

/** A generator preset by name, or the demo sizes with a custom seed string. */
export function generate(seed: string, sizes: GeneratorSizes = {}, clock: () => number = Date.now): GeneratedOrganisation {
  const preset = seed in PRESETS ? PRESETS[seed as PresetName] : { ...PRESETS.demo, seed };
  return generateOrganisation({ ...preset, ...sizes, now: new Date(clock()) });
}

/**
 * A small organisation for the admin-consent tenant. Company names come from a short list, so seeds
 * are tried until the domains differ from the main tenant's (a domain is verified by one tenant only).
 */
function secondOrganisation(main: GeneratedOrganisation, clock: () => number): GeneratedOrganisation {
  const taken = new Set(main.tenant.domains);
  for (let attempt = 0; attempt < 50; attempt++) {
    const org = generateOrganisation({
      seed: `${main.seed}-admin-consent${attempt === 0 ? "" : `-${attempt}`}`,
      messagesPerMailbox: 20,
      eventsPerMailbox: 4,
      teamMembers: 2,
      customers: 3,
      contactsPerCustomer: 2,
      now: new Date(clock()),
    });
    if (org.tenant.id !== main.tenant.id && !org.tenant.domains.some((d) => taken.has(d))) {
      return { ...org, tenant: { ...org.tenant, requiresAdminConsent: true } };
    }
  }
  throw new Error("could not generate a second tenant with distinct domains");
}

/** Tenant and users in identity, with the proxyAddresses the generator gave them (aliases, X500). */
export function registerInIdentity(identity: IdentityService, org: GeneratedOrganisation, requiresAdminConsent: boolean): SeededTenant {
  if (!identity.getTenant(org.tenant.id)) {
    identity.addTenant({
      id: org.tenant.id,
      displayName: org.tenant.displayName,
      domains: org.tenant.domains,
      requiresAdminConsent,
    });
  }
  const users: SeededTenant["users"] = [];
  for (const member of org.teamMembers) {
    const profile = userProfileFor(org, member);
    const existing = identity.findUser(member.oid);
    if (!existing) {
      const aliases = profile.proxyAddresses.filter((p) => p.startsWith("smtp:")).map((p) => p.slice(5));
      const x500 = profile.proxyAddresses.find((p) => /^x500:/i.test(p));
      try {
        identity.addUser(org.tenant.id, {
          oid: member.oid,
          displayName: member.displayName,
          mail: member.primaryAddress,
          userPrincipalName: profile.userPrincipalName,
          aliases,
          x500,
        });
      } catch (error) {
        if (!(error instanceof DirectoryError)) throw error;
      }
    }
    users.push({ oid: member.oid, userPrincipalName: profile.userPrincipalName, displayName: member.displayName });
  }
  return {
    tenantId: org.tenant.id,
    displayName: org.tenant.displayName,
    domains: org.tenant.domains,
    requiresAdminConsent,
    users,
  };
}

/** Stable demo credentials across restarts (the product's .env keeps working); not secret, it is an emulator. */
function deterministicGuid(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function deterministicSecret(text: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  const bytes = createHash("sha512").update(text).digest();
  let out = "";
  for (let i = 0; i < 37; i++) out += alphabet[bytes[i]! % alphabet.length];
  return `${out.slice(0, 3)}8Q~${out.slice(3)}`;
}
