import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { CryptoProvider, InteractionRequiredAuthError, ServerError, type AuthenticationResult } from "@azure/msal-node";
import { GRAPH_APP_ID } from "../state";
import { AccessTokenError } from "./index";
import { Browser, msalClient, signIn, startIdentityServer, type TestServer } from "./test-support";

const REDIRECT = "https://app.example.test/auth/callback";
const crypto = new CryptoProvider();

/** The refresh token msal-node holds in its cache (it never hands it out in results). */
function cachedRefreshToken(cca: ReturnType<typeof msalClient>): string {
  const cache = JSON.parse(cca.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> };
  const tokens = Object.values(cache.RefreshToken);
  assert.equal(tokens.length, 1, "exactly one refresh token cached");
  return tokens[0]!.secret;
}

async function rejectsWith(promise: Promise<unknown>, check: (e: ServerError) => void): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ServerError || e instanceof InteractionRequiredAuthError, `unexpected error ${String(e)}`);
    check(e as ServerError);
    return true;
  });
}

describe("Entra ID emulator driven by @azure/msal-node", () => {
  let s: TestServer;
  let tenantId: string;
  let adaOid: string;
  let graceOid: string;
  let app: { clientId: string; clientSecret?: string };
  let api: { clientId: string };

  before(async () => {
    s = await startIdentityServer();
    const tenant = s.identity.addTenant({ displayName: "Contoso", domains: ["contoso.example", "contoso.onmicrosoft.example"] });
    tenantId = tenant.id;
    adaOid = s.identity.addUser(tenantId, { displayName: "Ada Lovelace", mail: "ada@contoso.example", aliases: ["countess@contoso.example"] }).oid;
    graceOid = s.identity.addUser(tenantId, { displayName: "Grace Hopper", mail: "grace@contoso.example" }).oid;
    api = s.identity.registerApp({ displayName: "Sync API", redirectUris: [], exposedScopes: ["access_as_user"] });
    app = s.identity.registerApp({ displayName: "CRM Sync", redirectUris: [REDIRECT] });
  });
  after(() => s.close());

  async function interactiveSignIn(opts: { scopes: string[]; account?: string; tenant?: string; nonce?: string }) {
    const cca = msalClient(s, { clientId: app.clientId, clientSecret: app.clientSecret, tenant: opts.tenant ?? tenantId });
    const pkce = await crypto.generatePkceCodes();
    const state = crypto.createNewGuid();
    const url = await cca.getAuthCodeUrl({
      scopes: opts.scopes,
      redirectUri: REDIRECT,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: "S256",
      state,
      nonce: opts.nonce,
      prompt: "select_account",
    });
    const browser = new Browser();
    const { redirect, pages } = await signIn(browser, url, { action: "accept", account: opts.account });
    assert.equal(redirect.origin + redirect.pathname, REDIRECT);
    assert.equal(redirect.searchParams.get("state"), state);
    const code = redirect.searchParams.get("code");
    assert.ok(code, `expected a code, got ${redirect.search}`);
    return { cca, code, pkce, pages, browser, redirect };
  }

  test("discovery document has what MSAL reads, with the tenant GUID even when asked by domain", async () => {
    const byDomain = (await (await fetch(`${s.baseUrl}/contoso.example/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(byDomain.issuer, `${s.baseUrl}/${tenantId}/v2.0`);
    assert.equal(byDomain.authorization_endpoint, `${s.baseUrl}/${tenantId}/oauth2/v2.0/authorize`);
    assert.equal(byDomain.token_endpoint, `${s.baseUrl}/${tenantId}/oauth2/v2.0/token`);
    assert.equal(byDomain.jwks_uri, `${s.baseUrl}/${tenantId}/discovery/v2.0/keys`);
    assert.equal(byDomain.end_session_endpoint, `${s.baseUrl}/${tenantId}/oauth2/v2.0/logout`);
    assert.deepEqual(byDomain.response_modes_supported, ["query", "fragment", "form_post"]);
    const common = (await (await fetch(`${s.baseUrl}/common/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(common.issuer, `${s.baseUrl}/{tenantid}/v2.0`);
    assert.equal(common.authorization_endpoint, `${s.baseUrl}/common/oauth2/v2.0/authorize`);
    const unknown = await fetch(`${s.baseUrl}/nowhere.example/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
    const body = (await unknown.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, "invalid_tenant");
    assert.deepEqual(body.error_codes, [90002]);
  });

  test("auth code + PKCE through the consent page: tokens verify against the JWKS with the documented claims", async () => {
    const nonce = crypto.createNewGuid();
    const { cca, code, pkce, pages, redirect } = await interactiveSignIn({ scopes: ["User.Read", "Mail.Read"], account: adaOid, nonce });
    assert.equal(pages.length, 1);
    assert.match(pages[0]!, /id="idSIButton9"[^>]*>Accept</);
    assert.match(pages[0]!, /id="idBtn_Back">Cancel</);
    assert.match(pages[0]!, /Read your mail/);
    assert.ok(redirect.searchParams.get("client_info"), "client_info returned with the code");

    const result = await cca.acquireTokenByCode({ code, scopes: ["User.Read", "Mail.Read"], redirectUri: REDIRECT, codeVerifier: pkce.verifier, nonce });
    assert.equal(result.tenantId, tenantId);
    assert.equal(result.uniqueId, adaOid);
    assert.equal(result.account?.homeAccountId, `${adaOid}.${tenantId}`);
    assert.equal(result.account?.username, "ada@contoso.example");
    assert.equal(result.tokenType, "Bearer");

    const jwks = createRemoteJWKSet(new URL(`${s.baseUrl}/${tenantId}/discovery/v2.0/keys`));
    const at = await jwtVerify(result.accessToken, jwks, { issuer: `https://sts.windows.net/${tenantId}/`, audience: GRAPH_APP_ID });
    assert.equal(at.payload.ver, "1.0");
    assert.equal(at.payload.oid, adaOid);
    assert.equal(at.payload.tid, tenantId);
    assert.equal(at.payload.appid, app.clientId);
    assert.equal(at.payload.upn, "ada@contoso.example");
    assert.deepEqual(String(at.payload.scp).split(" ").sort(), ["Mail.Read", "User.Read", "openid", "profile"]);
    assert.equal((at.payload.exp ?? 0) - (at.payload.iat ?? 0), 3599);

    const id = await jwtVerify(result.idToken, jwks, { issuer: `${s.baseUrl}/${tenantId}/v2.0`, audience: app.clientId });
    assert.equal(id.payload.nonce, nonce);
    assert.equal(id.payload.ver, "2.0");
    assert.equal(id.payload.name, "Ada Lovelace");
    assert.equal(id.payload.preferred_username, "ada@contoso.example");
    assert.equal(id.payload.oid, adaOid);
    assert.ok(id.payload.sub && id.payload.sub !== adaOid, "sub is pairwise, not the oid");

    const verified = await s.identity.verifyAccessToken(result.accessToken, "https://graph.microsoft.com");
    assert.deepEqual({ tid: verified.tid, oid: verified.oid, appid: verified.appid }, { tid: tenantId, oid: adaOid, appid: app.clientId });
    assert.ok(verified.scp.includes("Mail.Read"));
  });

  test("refresh tokens rotate: the new one works, the redeemed one is refused", async () => {
    const { cca, code, pkce } = await interactiveSignIn({ scopes: ["Mail.Read"], account: graceOid });
    const first = await cca.acquireTokenByCode({ code, scopes: ["Mail.Read"], redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    const rt1 = cachedRefreshToken(cca);
    const silent = await cca.acquireTokenSilent({ account: first.account!, scopes: ["Mail.Read"], forceRefresh: true });
    assert.notEqual(silent.accessToken, first.accessToken);
    const rt2 = cachedRefreshToken(cca);
    assert.notEqual(rt2, rt1, "a new refresh token came back");

    await rejectsWith(cca.acquireTokenByRefreshToken({ refreshToken: rt1, scopes: ["Mail.Read"] }), (e) => {
      assert.equal(e.errorCode, "invalid_grant");
      assert.match(e.errorMessage, /AADSTS70008/);
    });
    const again = (await cca.acquireTokenByRefreshToken({ refreshToken: rt2, scopes: ["Mail.Read"] })) as AuthenticationResult;
    assert.equal(again.uniqueId, graceOid);
  });

  test("a password change (revokeUser) turns the next refresh into invalid_grant AADSTS50173 / interaction required", async () => {
    const { cca, code, pkce } = await interactiveSignIn({ scopes: ["User.Read"], account: adaOid });
    const first = await cca.acquireTokenByCode({ code, scopes: ["User.Read"], redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    s.identity.revokeUser(adaOid);
    await assert.rejects(cca.acquireTokenSilent({ account: first.account!, scopes: ["User.Read"], forceRefresh: true }), (e: unknown) => {
      assert.ok(e instanceof InteractionRequiredAuthError, `expected InteractionRequiredAuthError, got ${String(e)}`);
      assert.equal(e.errorCode, "invalid_grant");
      assert.equal(e.subError, "bad_token");
      assert.match(e.errorMessage, /AADSTS50173: The provided grant has expired due to it being revoked/);
      return true;
    });
    // Signing in again after the password change works.
    const fresh = await interactiveSignIn({ scopes: ["User.Read"], account: adaOid });
    const result = await fresh.cca.acquireTokenByCode({ code: fresh.code, scopes: ["User.Read"], redirectUri: REDIRECT, codeVerifier: fresh.pkce.verifier });
    assert.equal(result.uniqueId, adaOid);
    await fresh.cca.acquireTokenSilent({ account: result.account!, scopes: ["User.Read"], forceRefresh: true });
  });

  test("a wrong PKCE verifier is refused (AADSTS501481) and a code cannot be redeemed twice (AADSTS54005)", async () => {
    const wrong = await interactiveSignIn({ scopes: ["User.Read"], account: graceOid });
    const other = await crypto.generatePkceCodes();
    await rejectsWith(
      wrong.cca.acquireTokenByCode({ code: wrong.code, scopes: ["User.Read"], redirectUri: REDIRECT, codeVerifier: other.verifier }),
      (e) => {
        assert.equal(e.errorCode, "invalid_grant");
        assert.match(e.errorMessage, /AADSTS501481/);
      },
    );
    const ok = await interactiveSignIn({ scopes: ["User.Read"], account: graceOid });
    const request = { code: ok.code, scopes: ["User.Read"], redirectUri: REDIRECT, codeVerifier: ok.pkce.verifier };
    await ok.cca.acquireTokenByCode(request);
    await rejectsWith(ok.cca.acquireTokenByCode(request), (e) => {
      assert.equal(e.errorCode, "invalid_grant");
      assert.match(e.errorMessage, /AADSTS54005: OAuth2 Authorization code was already redeemed/);
    });
  });

  test("Cancel on the consent page returns access_denied with error_subcode=cancel and AADSTS65004", async () => {
    const cca = msalClient(s, { clientId: app.clientId, clientSecret: app.clientSecret, tenant: tenantId });
    const url = await cca.getAuthCodeUrl({ scopes: ["Calendars.Read"], redirectUri: REDIRECT, state: "s-cancel", prompt: "consent" });
    const { redirect } = await signIn(new Browser(), url, { action: "cancel" });
    assert.equal(redirect.searchParams.get("error"), "access_denied");
    assert.equal(redirect.searchParams.get("error_subcode"), "cancel");
    assert.equal(redirect.searchParams.get("state"), "s-cancel");
    assert.match(redirect.searchParams.get("error_description") ?? "", /^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /);
    assert.equal(redirect.searchParams.get("code"), null);
  });

  test("prompt=none: login_required without a session, silent code with one (SSO cookie)", async () => {
    const cca = msalClient(s, { clientId: app.clientId, clientSecret: app.clientSecret, tenant: tenantId });
    const silentUrl = await cca.getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: REDIRECT, prompt: "none", loginHint: "grace@contoso.example" });
    const stranger = await signIn(new Browser(), silentUrl);
    assert.equal(stranger.redirect.searchParams.get("error"), "login_required");
    assert.match(stranger.redirect.searchParams.get("error_description") ?? "", /^AADSTS50058/);

    const { browser } = await interactiveSignIn({ scopes: ["User.Read"], account: graceOid });
    const again = await signIn(browser, silentUrl);
    assert.equal(again.pages.length, 0, "no page shown");
    assert.ok(again.redirect.searchParams.get("code"));
  });

  test("one request for two resources gets AADSTS28000; an API scope yields a v2.0 token for the API", async () => {
    const apiScope = `api://${api.clientId}/access_as_user`;
    const both = await interactiveSignIn({ scopes: ["User.Read", apiScope], account: adaOid });
    await rejectsWith(
      both.cca.acquireTokenByCode({ code: both.code, scopes: ["User.Read", apiScope], redirectUri: REDIRECT, codeVerifier: both.pkce.verifier }),
      (e) => {
        assert.equal(e.errorCode, "invalid_request");
        assert.match(e.errorMessage, /AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource/);
      },
    );
    const one = await interactiveSignIn({ scopes: [apiScope], account: adaOid });
    const result = await one.cca.acquireTokenByCode({ code: one.code, scopes: [apiScope], redirectUri: REDIRECT, codeVerifier: one.pkce.verifier });
    const claims = decodeJwt(result.accessToken);
    assert.equal(claims.aud, api.clientId);
    assert.equal(claims.iss, `${s.baseUrl}/${tenantId}/v2.0`);
    assert.equal(claims.ver, "2.0");
    assert.equal(claims.scp, "access_as_user");
    assert.equal(claims.azp, app.clientId);
    assert.deepEqual(result.scopes, [apiScope]);
    const verified = await s.identity.verifyAccessToken(result.accessToken, apiScope.replace("/access_as_user", ""));
    assert.equal(verified.appid, app.clientId);
    await assert.rejects(s.identity.verifyAccessToken(result.accessToken, "https://graph.microsoft.com"), (e: unknown) => {
      assert.ok(e instanceof AccessTokenError);
      assert.equal(e.reason, "invalid_audience");
      return true;
    });
  });

  test("a wrong client secret is invalid_client AADSTS7000215", async () => {
    const { code, pkce } = await interactiveSignIn({ scopes: ["User.Read"], account: adaOid });
    const bad = msalClient(s, { clientId: app.clientId, clientSecret: "not-the-secret", tenant: tenantId });
    await rejectsWith(bad.acquireTokenByCode({ code, scopes: ["User.Read"], redirectUri: REDIRECT, codeVerifier: pkce.verifier }), (e) => {
      assert.equal(e.errorCode, "invalid_client");
      assert.match(e.errorMessage, /AADSTS7000215: Invalid client secret provided/);
    });
  });

  test("the /common authority signs in a user of any tenant; tokens carry the user's tenant", async () => {
    const { cca, code, pkce } = await interactiveSignIn({ scopes: ["User.Read"], account: graceOid, tenant: "common" });
    const result = await cca.acquireTokenByCode({ code, scopes: ["User.Read"], redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    assert.equal(result.tenantId, tenantId);
    assert.equal(decodeJwt(result.idToken).iss, `${s.baseUrl}/${tenantId}/v2.0`);
  });

  test("an unknown client id and an unregistered redirect URI stop at an error page", async () => {
    const unknown = await fetch(`${s.baseUrl}/${tenantId}/oauth2/v2.0/authorize?client_id=11111111-2222-3333-4444-555555555555&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(REDIRECT)}`, { redirect: "manual" });
    assert.equal(unknown.status, 400);
    assert.match(await unknown.text(), /AADSTS700016: Application with identifier &#39;11111111-2222-3333-4444-555555555555&#39; was not found in the directory &#39;Contoso&#39;/);
    const mismatch = await fetch(`${s.baseUrl}/${tenantId}/oauth2/v2.0/authorize?client_id=${app.clientId}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`, { redirect: "manual" });
    assert.equal(mismatch.status, 400);
    assert.match(await mismatch.text(), /AADSTS50011: The redirect URI &#39;https:\/\/evil.example\/cb&#39; specified in the request does not match/);
  });
});

describe("admin consent, expiry and key rotation", () => {
  let s: TestServer;

  before(async () => {
    s = await startIdentityServer();
  });
  after(() => s.close());

  test("a tenant that requires admin consent refuses users (AADSTS90094) until /adminconsent is accepted", async () => {
    const tenant = s.identity.addTenant({ displayName: "Fabrikam", domains: ["fabrikam.example"], requiresAdminConsent: true });
    const user = s.identity.addUser(tenant.id, { displayName: "Bob Admin", mail: "bob@fabrikam.example" });
    const app = s.identity.registerApp({ displayName: "CRM Sync", redirectUris: [REDIRECT], requiredScopes: ["User.Read", "Mail.Read"] });
    const cca = msalClient(s, { clientId: app.clientId, clientSecret: app.clientSecret, tenant: "fabrikam.example" });
    const pkce = await crypto.generatePkceCodes();
    const url = await cca.getAuthCodeUrl({ scopes: ["Mail.Read"], redirectUri: REDIRECT, codeChallenge: pkce.challenge, codeChallengeMethod: "S256", state: "st" });

    const refused = await signIn(new Browser(), url);
    assert.equal(refused.pages.length, 2, "sign-in page, then Need admin approval");
    assert.match(refused.pages[1]!, /Need admin approval/);
    assert.equal(refused.redirect.searchParams.get("error"), "access_denied");
    assert.match(refused.redirect.searchParams.get("error_description") ?? "", /^AADSTS90094: The grant requires admin permission\./);
    assert.equal(refused.redirect.searchParams.get("state"), "st");

    // The scripted (auto-consent) path answers the same without pages.
    tenant.autoConsent = true;
    const scripted = await signIn(new Browser(), url);
    assert.equal(scripted.pages.length, 0);
    assert.match(scripted.redirect.searchParams.get("error_description") ?? "", /^AADSTS90094/);
    tenant.autoConsent = false;

    const adminUrl = `${s.baseUrl}/${tenant.id}/adminconsent?client_id=${app.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=adm`;
    const admin = await signIn(new Browser(), adminUrl);
    assert.match(admin.pages[0]!, /Accept for your organization/);
    assert.equal(admin.redirect.searchParams.get("admin_consent"), "True");
    assert.equal(admin.redirect.searchParams.get("tenant"), tenant.id);
    assert.equal(admin.redirect.searchParams.get("state"), "adm");
    assert.ok(tenant.adminConsentedApps.has(app.clientId));

    const allowed = await signIn(new Browser(), url);
    const code = allowed.redirect.searchParams.get("code");
    assert.ok(code, `expected a code, got ${allowed.redirect.search}`);
    const result = await cca.acquireTokenByCode({ code, scopes: ["Mail.Read"], redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    assert.equal(result.uniqueId, user.oid);
    assert.ok(decodeJwt(result.accessToken).scp?.toString().includes("Mail.Read"));
  });

  test("auto-consent tenants hand out a code for login_hint (or the first user) without any page", async () => {
    const tenant = s.identity.addTenant({ displayName: "Scripted", domains: ["scripted.example"], autoConsent: true });
    s.identity.addUser(tenant.id, { displayName: "First", mail: "first@scripted.example" });
    const second = s.identity.addUser(tenant.id, { displayName: "Second", mail: "second@scripted.example" });
    const app = s.identity.registerApp({ displayName: "Pane", redirectUris: [REDIRECT] });
    const cca = msalClient(s, { clientId: app.clientId, clientSecret: app.clientSecret, tenant: tenant.id });
    const pkce = await crypto.generatePkceCodes();
    const url = await cca.getAuthCodeUrl({ scopes: ["User.Read"], redirectUri: REDIRECT, codeChallenge: pkce.challenge, codeChallengeMethod: "S256", loginHint: "second@scripted.example" });
    const { redirect, pages } = await signIn(new Browser(), url);
    assert.equal(pages.length, 0);
    const result = await cca.acquireTokenByCode({ code: redirect.searchParams.get("code")!, scopes: ["User.Read"], redirectUri: REDIRECT, codeVerifier: pkce.verifier });
    assert.equal(result.uniqueId, second.oid);
  });

  test("verifyAccessToken: expired tokens and tokens signed by a dropped key are rejected; rotation keeps old kids for a while", async () => {
    const tenant = s.identity.addTenant({ displayName: "Clocked", domains: ["clocked.example"] });
    const user = s.identity.addUser(tenant.id, { displayName: "Clock User", mail: "clock@clocked.example" });
    const app = s.identity.registerApp({ displayName: "Clock App", redirectUris: [REDIRECT] });
    const token = await s.identity.mintAccessToken({ oid: user.oid, clientId: app.clientId, scopes: ["Mail.Read"] });
    assert.equal((await s.identity.verifyAccessToken(token, "https://graph.microsoft.com")).oid, user.oid);

    s.identity.rotateSigningKey();
    assert.equal((await s.identity.verifyAccessToken(token, GRAPH_APP_ID)).oid, user.oid, "old kid still published");

    s.clock.advance(3600 * 1000);
    await assert.rejects(s.identity.verifyAccessToken(token, GRAPH_APP_ID), (e: unknown) => {
      assert.ok(e instanceof AccessTokenError);
      assert.equal(e.reason, "expired");
      assert.equal(e.code, "InvalidAuthenticationToken");
      assert.equal(e.message, "Lifetime validation failed, the token is expired.");
      return true;
    });

    s.identity.updateSettings({ accessTokenLifetimeSeconds: 60 });
    const short = await s.identity.mintAccessToken({ oid: user.oid, clientId: app.clientId, scopes: ["Mail.Read"] });
    s.clock.advance(59 * 1000);
    await s.identity.verifyAccessToken(short, GRAPH_APP_ID);
    s.clock.advance(1000);
    await assert.rejects(s.identity.verifyAccessToken(short, GRAPH_APP_ID), /expired/);

    const fresh = await s.identity.mintAccessToken({ oid: user.oid, clientId: app.clientId, scopes: ["Mail.Read"] });
    s.identity.rotateSigningKey({ dropPrevious: true });
    await assert.rejects(s.identity.verifyAccessToken(fresh, GRAPH_APP_ID), (e: unknown) => e instanceof AccessTokenError && e.reason === "invalid_signature");
    await assert.rejects(s.identity.verifyAccessToken("garbage", GRAPH_APP_ID), (e: unknown) => e instanceof AccessTokenError && e.reason === "malformed");
  });
});
