import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startIdentityServer, type TestServer } from "./test-support";

describe("identity control API", () => {
  let s: TestServer;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${s.baseUrl}/_emulator/identity${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  before(async () => {
    s = await startIdentityServer();
  });
  after(() => s.close());

  test("tenants, users and apps are created over JSON; secrets are shown once", async () => {
    const tenant = await call("POST", "/tenants", { displayName: "Northwind", domains: ["northwind.example"], requiresAdminConsent: true });
    assert.equal(tenant.status, 201);
    assert.match(tenant.body.id, /^[0-9a-f-]{36}$/);
    assert.equal(tenant.body.requiresAdminConsent, true);

    const user = await call("POST", `/tenants/${tenant.body.id}/users`, {
      displayName: "Nancy Davolio",
      mail: "nancy@northwind.example",
      aliases: ["nd@northwind.example"],
      x500: "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=nancy",
    });
    assert.equal(user.status, 201);
    assert.deepEqual(user.body.proxyAddresses, [
      "SMTP:nancy@northwind.example",
      "smtp:nd@northwind.example",
      "X500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=nancy",
    ]);
    assert.equal(s.identity.findUserByEmail("ND@northwind.example")?.oid, user.body.oid);

    const app = await call("POST", "/apps", { displayName: "Sync", redirectUris: ["https://localhost:3000/auth/callback"], exposedScopes: ["access_as_user"] });
    assert.equal(app.status, 201);
    assert.match(app.body.clientSecret, /^.{3}8Q~.{34}$/);
    assert.equal(app.body.identifierUri, `api://${app.body.clientId}`);

    const state = await call("GET", "/state");
    assert.equal(state.body.tenants[0].users[0].mail, "nancy@northwind.example");
    assert.equal(state.body.apps[0].clientSecretCount, 1);
    assert.ok(!JSON.stringify(state.body).includes(app.body.clientSecret), "secrets never listed");

    const consent = await call("POST", `/tenants/${tenant.body.id}/admin-consent`, { clientId: app.body.clientId });
    assert.deepEqual(consent.body.adminConsentedApps, [app.body.clientId]);
    const patched = await call("PATCH", `/tenants/${tenant.body.id}`, { autoConsent: true });
    assert.equal(patched.body.autoConsent, true);
  });

  test("bad input is 400, duplicates 409, unknown ids 404", async () => {
    assert.equal((await call("POST", "/tenants", { displayName: "", domains: [] })).status, 400);
    await call("POST", "/tenants", { displayName: "Dup", domains: ["dup.example"] });
    const dup = await call("POST", "/tenants", { displayName: "Dup again", domains: ["dup.example"] });
    assert.equal(dup.status, 409);
    assert.equal((await call("POST", "/users/00000000-0000-0000-0000-000000000000/revoke")).status, 404);
    assert.equal((await call("PUT", "/settings", { accessTokenLifetimeSeconds: -5 })).status, 400);
  });

  test("settings, revocation and key rotation", async () => {
    const settings = await call("PUT", "/settings", { accessTokenLifetimeSeconds: 5, refreshTokenReuse: "allow" });
    assert.equal(settings.body.accessTokenLifetimeSeconds, 5);
    assert.equal(s.identity.settings.refreshTokenReuse, "allow");

    const tenant = s.identity.addTenant({ displayName: "Revocable", domains: ["revocable.example"] });
    const user = s.identity.addUser(tenant.id, { displayName: "R", mail: "r@revocable.example" });
    const revoked = await call("POST", `/users/${user.oid}/revoke`);
    assert.equal(revoked.body.tokensValidAfter, new Date(s.clock.now()).toISOString());

    const before = (await call("GET", "/state")).body.keys;
    const rotated = await call("POST", "/keys/rotate", {});
    assert.notEqual(rotated.body.currentKid, before.currentKid);
    assert.deepEqual(rotated.body.published, [before.currentKid, rotated.body.currentKid]);
    const jwks = (await (await fetch(`${s.baseUrl}/common/discovery/v2.0/keys`)).json()) as { keys: Array<{ kid: string }> };
    assert.deepEqual(jwks.keys.map((k) => k.kid), [rotated.body.currentKid, before.currentKid]);
    const dropped = await call("POST", "/keys/rotate", { dropPrevious: true });
    assert.deepEqual(dropped.body.published, [dropped.body.currentKid]);
  });

  test("MSAL instance discovery answers for the emulator host", async () => {
    const url = `${s.baseUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${s.baseUrl}/contoso.example/oauth2/v2.0/authorize`)}`;
    const body = (await (await fetch(url)).json()) as Record<string, any>;
    assert.equal(body.tenant_discovery_endpoint, `${s.baseUrl}/contoso.example/v2.0/.well-known/openid-configuration`);
    assert.deepEqual(body.metadata, [{ preferred_network: s.host, preferred_cache: s.host, aliases: [s.host] }]);
  });
});
