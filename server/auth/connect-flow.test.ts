/**
 * The connect flow end to end against the emulator's identity service: the pane asks for an
 * auth session, the "dialog" follows the redirects, the callback stores encrypted tokens; then
 * refresh, revoke, admin consent and a dead grant (password change).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { createApp } from "../app";
import type { ServerContext } from "../context";
import { createOrganisation, upsertTeamMembers } from "../directory/service";
import { listAliases } from "../directory/read";
import { startEmulatorIdentity, type EmulatorFixture } from "../test-support/emulator-identity";
import { removeDir, tempDir, testConfig, testContext } from "../test-support/env";
import { listen, type RunningServer } from "../test-support/http";
import { ConnectionLostError } from "./graph-token";
import { refreshDiscoveredAliases } from "./alias-discovery";
import type { ConnectResultMessage } from "./connect-flow";

const TENANT = "7d3c1a2b-0000-4000-8000-0000000000a1";
const CONSENT_TENANT = "7d3c1a2b-0000-4000-8000-0000000000b2";
const ALICE = "a11ce000-0000-4000-8000-000000000001";
const BOB = "b0b00000-0000-4000-8000-000000000002";
const CAROL = "ca401000-0000-4000-8000-000000000003";

let emu: EmulatorFixture;
let server: RunningServer;
let ctx: ServerContext;
let dir: string;
let memberIds: Record<string, string>;

async function api(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) } });
}

function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

function resultOf(html: string): ConnectResultMessage {
  const m = /<script type="application\/json" id="result">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, "result page carries the JSON result");
  return JSON.parse(m[1]!) as ConnectResultMessage;
}

/** What the Office dialog does: open the single-use URL and follow redirects until our callback page. */
async function runDialog(oid: string): Promise<{ result: ConnectResultMessage; html: string }> {
  const token = await emu.paneToken(oid);
  const session = await api("/api/connection/auth-session", token, { method: "POST" });
  assert.equal(session.status, 201);
  const { url } = (await session.json()) as { url: string };
  assert.ok(url.startsWith(`${server.url}/auth/start?session=`));

  const start = await fetch(url, { redirect: "manual" });
  assert.equal(start.status, 302, await start.clone().text());
  const binding = cookieOf(start);
  const authorize = new URL(start.headers.get("location")!);
  assert.equal(authorize.origin, emu.baseUrl, "redirects to the configured authority, not Microsoft");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.ok(authorize.searchParams.get("login_hint")?.endsWith(".test"));

  const signIn = await fetch(authorize, { redirect: "manual" });
  assert.equal(signIn.status, 302, await signIn.clone().text());
  const callback = new URL(signIn.headers.get("location")!);
  assert.equal(callback.origin + callback.pathname, `${server.url}/auth/callback`);

  const page = await fetch(callback, { redirect: "manual", headers: { cookie: binding } });
  assert.equal(page.status, 200);
  const html = await page.text();
  if (process.env.DEBUG_CONNECT) console.log(resultOf(html));
  return { result: resultOf(html), html };
}

before(async () => {
  dir = tempDir("connect-flow");
  emu = await startEmulatorIdentity();
  emu.addTenant({
    id: TENANT,
    name: "Contoso",
    domain: "contoso.test",
    users: [
      { oid: ALICE, displayName: "Alice Andersson", mail: "alice@contoso.test", aliases: ["a.andersson@contoso.test", "alice@contoso-sales.test"] },
      { oid: BOB, displayName: "Bob Berg", mail: "bob@contoso.test" },
    ],
  });
  emu.addTenant({
    id: CONSENT_TENANT,
    name: "Strict Ltd",
    domain: "strict.test",
    requiresAdminConsent: true,
    users: [{ oid: CAROL, displayName: "Carol Carlsson", mail: "carol@strict.test" }],
  });
  server = await listen({ tls: true });
  const config = testConfig(dir, { ...emu.env, PUBLIC_URL: server.url, MS_TENANT: "organizations" });
  emu.registerApp(config.microsoft.redirectUri);
  ctx = testContext(config);
  server.setHandler(createApp(ctx));

  const org = createOrganisation(ctx.db, "Contoso CS");
  upsertTeamMembers(ctx.db, org, [
    { externalId: "alice", name: "Alice Andersson", primaryAddress: "alice@contoso.test", entraTenantId: TENANT, entraObjectId: ALICE },
    { externalId: "bob", name: "Bob Berg", primaryAddress: "bob@contoso.test", entraTenantId: TENANT, entraObjectId: BOB },
    { externalId: "carol", name: "Carol Carlsson", primaryAddress: "carol@strict.test", entraTenantId: CONSENT_TENANT, entraObjectId: CAROL },
  ]);
  const rows = ctx.db.prepare("SELECT id, external_id FROM team_members").all() as { id: string; external_id: string }[];
  memberIds = Object.fromEntries(rows.map((r) => [r.external_id, r.id]));
});

after(async () => {
  ctx?.db.close();
  await server?.close();
  await emu?.close();
  removeDir(dir);
});

describe("connect flow against the emulator", () => {
  test("connects, stores tokens encrypted, discovers aliases, and refreshes with rotation", async () => {
    const connected: string[] = [];
    ctx.events.onConnected((id) => void connected.push(id));
    const { result, html } = await runDialog(ALICE);
    assert.equal(result.ok, true, result.message);
    assert.equal(result.state, "connected");
    assert.equal(result.accountAddress, "alice@contoso.test");
    assert.match(html, /messageParent/);
    assert.deepEqual(connected, [memberIds.alice]);

    const status = (await (await api("/api/connection", await emu.paneToken(ALICE))).json()) as { state: string; label: string };
    assert.equal(status.state, "connected");
    assert.equal(status.label, "Authenticated (revoke)");

    const aliases = listAliases(ctx.db, memberIds.alice!);
    assert.deepEqual(
      aliases.map((a) => `${a.address}:${a.source}`),
      ["a.andersson@contoso.test:discovered", "alice@contoso-sales.test:discovered"],
    );

    // The mailbox gains an alias later: a refresh picks it up, manual aliases untouched.
    emu.identity.findUser(ALICE)!.proxyAddresses.push("smtp:Alice.New@contoso.test");
    const deps = { db: ctx.db, tokens: ctx.tokens, graphBaseUrl: ctx.config.microsoft.graphBaseUrl };
    assert.equal(await refreshDiscoveredAliases(deps, memberIds.alice!), true);
    assert.ok(listAliases(ctx.db, memberIds.alice!).some((a) => a.address === "alice.new@contoso.test" && a.source === "discovered"));
    assert.equal(await refreshDiscoveredAliases(deps, memberIds.alice!), false);

    const token1 = await ctx.tokens.getGraphAccessToken(memberIds.alice!);
    assert.ok(token1.split(".").length === 3);
    // The emulator rejects a reused refresh token: two forced refreshes pass only if the rotated one was stored.
    const token2 = await ctx.tokens.getGraphAccessToken(memberIds.alice!, { forceRefresh: true });
    const token3 = await ctx.tokens.getGraphAccessToken(memberIds.alice!, { forceRefresh: true });
    assert.notEqual(token2, token3);

    // The database never holds a token in plaintext.
    ctx.db.pragma("wal_checkpoint(TRUNCATE)");
    const bytes = fs.readFileSync(ctx.config.databasePath).toString("latin1");
    for (const t of [token1, token2, token3]) assert.ok(!bytes.includes(t.slice(-40)), "access token not stored in plaintext");
    assert.ok(!bytes.includes('"secret"'), "no MSAL cache JSON in plaintext");
    const blob = ctx.db.prepare("SELECT token_blob FROM connections WHERE member_id = ?").get(memberIds.alice!) as { token_blob: string };
    assert.match(blob.token_blob, /^v1\./);
  });

  test("the sign-in link and the OAuth state are single-use", async () => {
    const token = await emu.paneToken(BOB);
    const { url } = (await (await api("/api/connection/auth-session", token, { method: "POST" })).json()) as { url: string };
    const first = await fetch(url, { redirect: "manual" });
    assert.equal(first.status, 302);
    const second = await fetch(url, { redirect: "manual" });
    assert.equal(second.status, 400);
    assert.equal(resultOf(await second.text()).ok, false);

    const signIn = await fetch(first.headers.get("location")!, { redirect: "manual" });
    const callback = signIn.headers.get("location")!;
    // Without the browser-binding cookie the callback refuses (login CSRF).
    const foreign = resultOf(await (await fetch(callback)).text());
    assert.equal(foreign.ok, false);
    assert.match(foreign.message, /another browser/);
    // …and the state is now spent, even with the right cookie.
    const replay = resultOf(await (await fetch(callback, { headers: { cookie: cookieOf(first) } })).text());
    assert.equal(replay.ok, false);
    assert.equal(ctx.connections.get(memberIds.bob!).state, "not_connected");
  });

  test("a tenant that requires admin consent gives admin_consent_required with the admin-consent link", async () => {
    const { result } = await runDialog(CAROL);
    assert.equal(result.ok, false);
    assert.equal(result.state, "admin_consent_required");
    const link = new URL(result.adminConsentUrl!);
    assert.equal(link.origin + link.pathname, `${emu.baseUrl}/${CONSENT_TENANT}/adminconsent`);
    assert.equal(link.searchParams.get("client_id"), emu.clientId);
    assert.equal(link.searchParams.get("redirect_uri"), ctx.config.microsoft.redirectUri);

    const status = (await (await api("/api/connection", await emu.paneToken(CAROL))).json()) as Record<string, unknown>;
    assert.equal(status.state, "admin_consent_required");
    assert.equal(status.label, "Click to start authentication");
    assert.equal(status.adminConsentUrl, result.adminConsentUrl);

    // The admin approves (the emulator auto-consents), lands on our callback, then Carol connects.
    const approve = await fetch(result.adminConsentUrl!, { redirect: "manual" });
    assert.equal(approve.status, 302);
    const back = resultOf(await (await fetch(approve.headers.get("location")!)).text());
    assert.equal(back.ok, true);
    assert.match(back.message, /approved/);
    const retry = await runDialog(CAROL);
    assert.equal(retry.result.ok, true, retry.result.message);
  });

  test("revoke deletes the tokens, keeps the row, and runs the revoke hook first", async () => {
    const seen: string[] = [];
    ctx.events.onRevoke(async (id) => {
      // Tokens still work while the hook runs (to delete subscriptions).
      await ctx.tokens.getGraphAccessToken(id);
      seen.push(id);
    });
    const res = await api("/api/connection/revoke", await emu.paneToken(CAROL), { method: "POST" });
    assert.equal(res.status, 200);
    const status = (await res.json()) as { state: string; label: string };
    assert.equal(status.state, "not_connected");
    assert.equal(status.label, "Click to start authentication");
    assert.deepEqual(seen, [memberIds.carol]);
    const row = ctx.db.prepare("SELECT token_blob, revoked_at FROM connections WHERE member_id = ?").get(memberIds.carol!) as {
      token_blob: string | null;
      revoked_at: string | null;
    };
    assert.equal(row.token_blob, null);
    assert.ok(row.revoked_at);
  });

  test("a refresh after the user's password change marks the connection lost", async () => {
    const lost: string[] = [];
    ctx.events.onConnectionLost((id) => void lost.push(id));
    const { result } = await runDialog(BOB);
    assert.equal(result.ok, true, result.message);
    await ctx.tokens.getGraphAccessToken(memberIds.bob!);
    emu.identity.revokeUser(BOB);
    await assert.rejects(ctx.tokens.getGraphAccessToken(memberIds.bob!, { forceRefresh: true }), (err: unknown) => {
      assert.ok(err instanceof ConnectionLostError);
      assert.equal(err.aadsts, 50173);
      return true;
    });
    assert.deepEqual(lost, [memberIds.bob]);
    const status = (await (await api("/api/connection", await emu.paneToken(BOB))).json()) as Record<string, unknown>;
    assert.equal(status.state, "connection_lost");
    assert.equal(status.label, "Click to start authentication");
    assert.match(String(status.lastError), /password/);
  });

  test("a cancelled sign-in keeps the previous state and says so in plain words", async () => {
    const token = await emu.paneToken(BOB);
    const { url } = (await (await api("/api/connection/auth-session", token, { method: "POST" })).json()) as { url: string };
    const start = await fetch(url, { redirect: "manual" });
    const authorize = new URL(start.headers.get("location")!);
    // What Entra sends back when the user closes the consent page.
    const cancel = new URL(ctx.config.microsoft.redirectUri);
    cancel.searchParams.set("error", "access_denied");
    cancel.searchParams.set("error_subcode", "cancel");
    cancel.searchParams.set("error_description", "AADSTS65004: User declined to consent to access the app.");
    cancel.searchParams.set("state", authorize.searchParams.get("state")!);
    const result = resultOf(await (await fetch(cancel, { headers: { cookie: cookieOf(start) } })).text());
    assert.equal(result.ok, false);
    assert.match(result.message, /cancelled/);
    assert.equal(ctx.connections.get(memberIds.bob!).state, "connection_lost", "a failed attempt does not erase the lost state's cause");
  });
});
