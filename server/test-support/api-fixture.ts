/**
 * An app on plain HTTP with two organisations, local pane tokens and API keys: for API tests
 * that do not need the identity emulator.
 *   org A: alice (admin), bob (member)     org B: zed (admin)
 */
import { createApp, type AppOptions } from "../app";
import type { ServerContext } from "../context";
import { createOrganisation, rotateApiKey, upsertTeamMembers } from "../directory/service";
import { removeDir, tempDir, testConfig, testContext } from "./env";
import { listen, type RunningServer } from "./http";
import { localTokenIssuer } from "./local-tokens";

export const TID_A = "aaaaaaaa-0000-4000-8000-00000000000a";
export const TID_B = "bbbbbbbb-0000-4000-8000-00000000000b";
export const OID = {
  alice: "00000000-0000-4000-8000-0000000a11ce",
  bob: "00000000-0000-4000-8000-000000000b0b",
  zed: "00000000-0000-4000-8000-0000000000ed",
  stranger: "00000000-0000-4000-8000-00000000dead",
};

export interface ApiFixture {
  ctx: ServerContext;
  server: RunningServer;
  orgA: string;
  orgB: string;
  keyA: string;
  keyB: string;
  token(who: keyof typeof OID, extra?: Record<string, unknown>): Promise<string>;
  mint: Awaited<ReturnType<typeof localTokenIssuer>>["mint"];
  call(method: string, path: string, auth: string | null, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startApiFixture(name: string, options: AppOptions = {}): Promise<ApiFixture> {
  const dir = tempDir(name);
  const server = await listen({ tls: false });
  const config = testConfig(dir, { PUBLIC_URL: server.url });
  const issuer = await localTokenIssuer(config);
  const ctx = testContext(config, { validatePaneToken: issuer.validator });
  server.setHandler(createApp(ctx, options));

  const orgA = createOrganisation(ctx.db, "Org A");
  const orgB = createOrganisation(ctx.db, "Org B");
  upsertTeamMembers(ctx.db, orgA, [
    { externalId: "alice", name: "Alice", primaryAddress: "alice@a.test", isAdmin: true, entraTenantId: TID_A, entraObjectId: OID.alice },
    { externalId: "bob", name: "Bob", primaryAddress: "bob@a.test", entraTenantId: TID_A, entraObjectId: OID.bob },
  ]);
  upsertTeamMembers(ctx.db, orgB, [
    { externalId: "zed", name: "Zed", primaryAddress: "zed@b.test", isAdmin: true, entraTenantId: TID_B, entraObjectId: OID.zed },
  ]);
  const keyA = rotateApiKey(ctx.db, orgA);
  const keyB = rotateApiKey(ctx.db, orgB);

  const tids: Record<keyof typeof OID, string> = { alice: TID_A, bob: TID_A, zed: TID_B, stranger: TID_A };
  return {
    ctx,
    server,
    orgA,
    orgB,
    keyA,
    keyB,
    mint: issuer.mint,
    token: (who, extra = {}) => issuer.mint({ oid: OID[who], tid: tids[who], preferred_username: `${who}@${tids[who] === TID_A ? "a" : "b"}.test`, ...extra }),
    async call(method, path, auth, body) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // HTML or empty
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await server.close();
      ctx.db.close();
      removeDir(dir);
    },
  };
}
