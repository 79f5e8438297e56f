/**
 * The emulator's identity service on an HTTPS port-0 server, with a tenant, users and the
 * product's app registration, plus a minimal Graph /v1.0/me (the connect flow reads
 * proxyAddresses from it) that checks the Graph access token like Graph would.
 */
import express from "express";
import { createIdentityService, type IdentityService } from "../../emulator/identity/index";
import { GRAPH_APP_ID, GRAPH_RESOURCE } from "../../emulator/state";
import { createLogger } from "../logger";
import { listen, type RunningServer } from "./http";

export interface TestUser {
  oid: string;
  displayName: string;
  mail: string;
  aliases?: string[];
}

export interface EmulatorFixture {
  identity: IdentityService;
  server: RunningServer;
  baseUrl: string;
  /** Environment for loadConfig: authority host, Graph base URL, client id and secret. */
  env: Record<string, string>;
  clientId: string;
  addTenant(opts: { id: string; name: string; domain: string; requiresAdminConsent?: boolean; users: TestUser[] }): void;
  /** Register the product's app once the server's redirect URI is known. */
  registerApp(redirectUri: string): void;
  /** A pane token (api://{clientId}/access_as_user) for a user, as NAA would get it. */
  paneToken(oid: string, scopes?: string[]): Promise<string>;
  close(): Promise<void>;
}

export const TEST_CLIENT_ID = "5a0d7f6e-0000-4000-8000-00000000c11e";
const TEST_SECRET = "emulator-test-secret";

export async function startEmulatorIdentity(): Promise<EmulatorFixture> {
  const server = await listen({ tls: true });
  const identity = createIdentityService({ baseUrl: server.url, logger: createLogger("silent") });
  const app = express();
  app.use(identity.router);
  app.use("/_emulator/identity", identity.controlRouter);
  app.get("/v1.0/me", async (req, res) => {
    const token = (req.headers.authorization ?? "").replace(/^Bearer /i, "");
    try {
      const v = await identity.verifyAccessToken(token, [GRAPH_APP_ID, GRAPH_RESOURCE]);
      const user = identity.findUser(v.oid)!;
      res.json({ id: user.oid, mail: user.mail, userPrincipalName: user.userPrincipalName, proxyAddresses: user.proxyAddresses });
    } catch {
      res.status(401).json({ error: { code: "InvalidAuthenticationToken", message: "Access token validation failure." } });
    }
  });
  server.setHandler(app);

  return {
    identity,
    server,
    baseUrl: server.url,
    clientId: TEST_CLIENT_ID,
    env: {
      MS_AUTHORITY_HOST: server.url,
      GRAPH_BASE_URL: `${server.url}/v1.0`,
      MS_CLIENT_ID: TEST_CLIENT_ID,
      MS_CLIENT_SECRET: TEST_SECRET,
    },
    addTenant({ id, name, domain, requiresAdminConsent, users }) {
      identity.addTenant({ id, displayName: name, domains: [domain], requiresAdminConsent: requiresAdminConsent ?? false, autoConsent: true });
      for (const u of users) identity.addUser(id, { oid: u.oid, displayName: u.displayName, mail: u.mail, aliases: u.aliases });
    },
    registerApp(redirectUri) {
      identity.registerApp({
        clientId: TEST_CLIENT_ID,
        displayName: "Startdeliver",
        redirectUris: [redirectUri],
        clientSecrets: [TEST_SECRET],
        exposedScopes: ["access_as_user"],
        accessTokenAcceptedVersion: 2,
      });
    },
    paneToken(oid, scopes = [`api://${TEST_CLIENT_ID}/access_as_user`]) {
      return identity.mintAccessToken({ oid, clientId: TEST_CLIENT_ID, scopes });
    },
    close: () => server.close(),
  };
}
