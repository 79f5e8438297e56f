/**
 * Wire-level checks of what msal-node cannot show: the exact error body, CORS/SPA rules,
 * response modes, on-behalf-of, and refresh token lifetimes under a controlled clock.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { decodeJwt } from "jose";
import { GRAPH_APP_ID } from "../state";
import { Browser, signIn, startIdentityServer, type TestServer } from "./test-support";

const SPA = "https://pane.example.test/taskpane.html";
const WEB = "https://server.example.test/auth/callback";

const verifier = () => randomBytes(32).toString("base64url");
const s256 = (v: string) => createHash("sha256").update(v).digest("base64url");

describe("token endpoint on the wire", () => {
  let s: TestServer;
  let tid: string;
  let oid: string;
  let pane: { clientId: string };
  let server: { clientId: string; clientSecret?: string };

  before(async () => {
    s = await startIdentityServer();
    const tenant = s.identity.addTenant({ displayName: "Wire", domains: ["wire.example"], autoConsent: true });
    tid = tenant.id;
    oid = s.identity.addUser(tid, { displayName: "Wire User", mail: "user@wire.example" }).oid;
    server = s.identity.registerApp({ displayName: "Server", redirectUris: [WEB], exposedScopes: ["access_as_user"] });
    pane = s.identity.registerApp({ displayName: "Pane", redirectUris: [], spaRedirectUris: [SPA], publicClient: true });
  });
  after(() => s.close());

  function authorizeUrl(p: Record<string, string>): string {
    const q = new URLSearchParams({ response_type: "code", ...p });
    return `${s.baseUrl}/${tid}/oauth2/v2.0/authorize?${q}`;
  }

  async function code(p: Record<string, string>): Promise<string> {
    const { redirect } = await signIn(new Browser(), authorizeUrl(p));
    const c = redirect.searchParams.get("code");
    assert.ok(c, `no code: ${redirect.search}`);
    return c;
  }

  async function token(form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const res = await fetch(`${s.baseUrl}/${tid}/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
  }

  test("error bodies have Entra's exact shape; client-request-id becomes the correlation id", async () => {
    const res = await token({ grant_type: "refresh_token", client_id: pane.clientId, refresh_token: "garbage", scope: "User.Read" }, { "client-request-id": "c0ffee00-0000-4000-8000-000000000001" });
    assert.equal(res.status, 400);
    assert.deepEqual(Object.keys(res.body), ["error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"]);
    assert.equal(res.body.error, "invalid_grant");
    assert.deepEqual(res.body.error_codes, [9002313]);
    assert.equal(res.body.correlation_id, "c0ffee00-0000-4000-8000-000000000001");
    assert.match(String(res.body.timestamp), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    assert.match(
      String(res.body.error_description),
      /^AADSTS9002313: Invalid request\. Request is malformed or invalid\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: c0ffee00-0000-4000-8000-000000000001\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );
    assert.equal(res.body.error_uri, `${s.baseUrl}/error?code=9002313`);

    const missing = await token({ client_id: pane.clientId });
    assert.deepEqual(missing.body.error_codes, [900144]);
    assert.match(String(missing.body.error_description), /^AADSTS900144: The request body must contain the following parameter: 'grant_type'\./);

    const secretless = await token({ grant_type: "authorization_code", client_id: server.clientId, code: await code({ client_id: server.clientId, redirect_uri: WEB, scope: "openid" }), redirect_uri: WEB });
    assert.equal(secretless.status, 401);
    assert.equal(secretless.body.error, "invalid_client");
    assert.deepEqual(secretless.body.error_codes, [7000218]);

    const unsupported = await token({ grant_type: "password", client_id: pane.clientId });
    assert.equal(unsupported.body.error, "unsupported_grant_type");
  });

  test("SPA redirect URIs: cross-origin redemption only, PKCE required, CORS echoed, 24 h refresh tokens", async () => {
    const v = verifier();
    const base = { client_id: pane.clientId, redirect_uri: SPA, scope: "User.Read openid profile offline_access" };
    const sameOrigin = await token({ ...base, grant_type: "authorization_code", code: await code({ ...base, code_challenge: s256(v), code_challenge_method: "S256" }), code_verifier: v });
    assert.deepEqual(sameOrigin.body.error_codes, [9002327]);

    const noPkce = await token({ ...base, grant_type: "authorization_code", code: await code(base) }, { origin: "https://pane.example.test" });
    assert.deepEqual(noPkce.body.error_codes, [9002325]);

    const ok = await token(
      { ...base, grant_type: "authorization_code", code: await code({ ...base, code_challenge: s256(v), code_challenge_method: "S256" }), code_verifier: v, client_info: "1" },
      { origin: "https://pane.example.test" },
    );
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://pane.example.test");
    assert.deepEqual(Object.keys(ok.body), ["token_type", "scope", "expires_in", "ext_expires_in", "access_token", "refresh_token", "refresh_token_expires_in", "id_token", "client_info"]);
    assert.equal(ok.body.refresh_token_expires_in, 24 * 3600);
    assert.equal(ok.body.expires_in, 3599);
    assert.deepEqual(JSON.parse(Buffer.from(String(ok.body.client_info), "base64url").toString()), { uid: oid, utid: tid });
    const at = decodeJwt(String(ok.body.access_token));
    assert.equal(at.appidacr, "0");
    assert.equal(at.aud, GRAPH_APP_ID);

    const preflight = await fetch(`${s.baseUrl}/${tid}/oauth2/v2.0/token`, { method: "OPTIONS", headers: { origin: "https://pane.example.test", "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://pane.example.test");

    const webFromBrowser = await token(
      { grant_type: "authorization_code", client_id: server.clientId, client_secret: server.clientSecret!, redirect_uri: WEB, code: await code({ client_id: server.clientId, redirect_uri: WEB, scope: "openid" }) },
      { origin: "https://pane.example.test" },
    );
    assert.deepEqual(webFromBrowser.body.error_codes, [9002326]);

    s.clock.advance(24 * 3600 * 1000 + 1000);
    const expired = await token({ grant_type: "refresh_token", client_id: pane.clientId, refresh_token: String(ok.body.refresh_token), scope: "User.Read" }, { origin: "https://pane.example.test" });
    assert.deepEqual(expired.body.error_codes, [700084]);
    assert.equal(expired.body.suberror, "bad_token");
  });

  test("PKCE plain, client_secret_basic, and refresh token inactivity (AADSTS700082)", async () => {
    const v = verifier();
    const c = await code({ client_id: server.clientId, redirect_uri: WEB, scope: "Mail.Read offline_access", code_challenge: v, code_challenge_method: "plain" });
    const basic = Buffer.from(`${encodeURIComponent(server.clientId)}:${encodeURIComponent(server.clientSecret!)}`).toString("base64");
    const ok = await token({ grant_type: "authorization_code", code: c, redirect_uri: WEB, code_verifier: v, scope: "Mail.Read offline_access" }, { authorization: `Basic ${basic}` });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.scope, "Mail.Read");
    assert.equal(ok.body.id_token, undefined, "no openid, no id_token");
    assert.equal(decodeJwt(String(ok.body.access_token)).appidacr, "1");

    s.clock.advance(91 * 24 * 3600 * 1000);
    const stale = await token({ grant_type: "refresh_token", client_id: server.clientId, client_secret: server.clientSecret!, refresh_token: String(ok.body.refresh_token), scope: "Mail.Read" });
    assert.deepEqual(stale.body.error_codes, [700082]);
  });

  test("response_mode=form_post and fragment deliver the code as Entra does", async () => {
    const res = await new Browser().get(authorizeUrl({ client_id: server.clientId, redirect_uri: WEB, scope: "openid", response_mode: "form_post", state: "fp" }));
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, new RegExp(`<form method="POST" name="hiddenform" action="${WEB.replace(/\./g, "\\.")}">`));
    assert.match(html, /name="code" value="1\.A/);
    assert.match(html, /name="state" value="fp"/);
    const frag = await new Browser().get(authorizeUrl({ client_id: server.clientId, redirect_uri: WEB, scope: "openid", response_mode: "fragment" }));
    assert.match(new URL(frag.headers.get("location")!).hash, /^#code=1\.A/);
  });

  test("on-behalf-of: the server swaps the pane's API token for a Graph token once consent exists", async () => {
    const apiToken = await s.identity.mintAccessToken({ oid, clientId: pane.clientId, scopes: [`api://${server.clientId}/access_as_user`] });
    const obo = (scope: string) =>
      token({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", client_id: server.clientId, client_secret: server.clientSecret!, assertion: apiToken, requested_token_use: "on_behalf_of", scope });
    const refused = await obo("https://graph.microsoft.com/Calendars.Read offline_access");
    assert.equal(refused.body.error, "invalid_grant");
    assert.equal(refused.body.suberror, "consent_required");
    assert.deepEqual(refused.body.error_codes, [65001]);

    s.identity.grantAdminConsent(tid, server.clientId);
    const ok = await obo("https://graph.microsoft.com/Calendars.Read offline_access");
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok(ok.body.refresh_token);
    const at = decodeJwt(String(ok.body.access_token));
    assert.equal(at.aud, "https://graph.microsoft.com");
    assert.equal(at.appid, server.clientId);
    assert.equal(at.oid, oid);
    // Tokens carry every scope consented so far (Mail.Read was consented in an earlier sign-in): incremental consent.
    assert.deepEqual(String(ok.body.scope).split(" ").sort(), ["https://graph.microsoft.com/Calendars.Read", "https://graph.microsoft.com/Mail.Read"]);

    s.clock.advance(2 * 3600 * 1000);
    const late = await obo("https://graph.microsoft.com/Calendars.Read");
    assert.deepEqual(late.body.error_codes, [500133]);
  });

  test("single-tenant apps are unknown in other tenants (AADSTS700016)", async () => {
    const other = s.identity.addTenant({ displayName: "Elsewhere", domains: ["elsewhere.example"] });
    const local = s.identity.registerApp({ displayName: "Local only", redirectUris: [WEB], homeTenantId: other.id, signInAudience: "AzureADMyOrg" });
    const res = await fetch(authorizeUrl({ client_id: local.clientId, redirect_uri: WEB, scope: "openid" }), { redirect: "manual" });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /AADSTS700016/);
  });
});
