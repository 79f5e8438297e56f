/** Pane token validation against the emulator's identity service: real discovery, real JWKS, real token shapes. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { AuthorityDiscovery } from "./discovery";
import { createPaneTokenValidator, PaneTokenError, type PaneTokenValidator } from "./pane-token";
import { startEmulatorIdentity, TEST_CLIENT_ID, type EmulatorFixture } from "../test-support/emulator-identity";

const TENANT = "3e1f0000-0000-4000-8000-0000000000c1";
const OTHER_TENANT = "3e1f0000-0000-4000-8000-0000000000c2";
const USER = "3e1f0000-0000-4000-8000-00000000a001";
const OTHER_USER = "3e1f0000-0000-4000-8000-00000000a002";
const OTHER_APP = "3e1f0000-0000-4000-8000-0000000a9901";

let emu: EmulatorFixture;
let validate: PaneTokenValidator;

before(async () => {
  emu = await startEmulatorIdentity();
  emu.addTenant({ id: TENANT, name: "Contoso", domain: "contoso.test", users: [{ oid: USER, displayName: "Ann", mail: "ann@contoso.test" }] });
  emu.addTenant({ id: OTHER_TENANT, name: "Other", domain: "other.test", users: [{ oid: OTHER_USER, displayName: "Olle", mail: "olle@other.test" }] });
  emu.registerApp("https://localhost:1/auth/callback");
  emu.identity.registerApp({ clientId: OTHER_APP, displayName: "Other API", redirectUris: ["https://localhost:2/cb"], exposedScopes: ["access_as_user"] });
  // No cooldown between JWKS fetches, so the rotation test does not depend on time passing.
  const discovery = new AuthorityDiscovery(emu.baseUrl, "organizations", { jwksCooldownMs: 0 });
  validate = createPaneTokenValidator({
    authorityHost: emu.baseUrl,
    tenant: "organizations",
    audiences: [TEST_CLIENT_ID, `api://${TEST_CLIENT_ID}`],
    requiredScope: "access_as_user",
    keys: () => discovery.keySet(),
  });
});
after(() => emu.close());

test("a pane token from the emulator is accepted and names tenant and object id", async () => {
  const id = await validate(await emu.paneToken(USER));
  assert.equal(id.tenantId, TENANT);
  assert.equal(id.objectId, USER);
  assert.equal(id.username, "ann@contoso.test");
  assert.ok(id.scopes.includes("access_as_user"));
});

test("multi-tenant: users of any tenant validate (membership is decided later)", async () => {
  const id = await validate(await emu.paneToken(OTHER_USER));
  assert.equal(id.tenantId, OTHER_TENANT);
});

test("a Graph token (another audience) and a token for another API are refused", async () => {
  const graph = await emu.identity.mintAccessToken({ oid: USER, clientId: TEST_CLIENT_ID, scopes: ["Mail.Read"] });
  await assert.rejects(validate(graph), PaneTokenError);
  const other = await emu.identity.mintAccessToken({ oid: USER, clientId: TEST_CLIENT_ID, scopes: [`api://${OTHER_APP}/access_as_user`] });
  await assert.rejects(validate(other), /not for Startdeliver/);
});

test("a single-tenant configuration refuses other tenants", async () => {
  const discovery = new AuthorityDiscovery(emu.baseUrl, TENANT);
  const single = createPaneTokenValidator({
    authorityHost: emu.baseUrl,
    tenant: TENANT,
    audiences: [TEST_CLIENT_ID],
    requiredScope: "access_as_user",
    keys: () => discovery.keySet(),
  });
  await single(await emu.paneToken(USER));
  await assert.rejects(single(await emu.paneToken(OTHER_USER)), /another Microsoft 365 organisation/);
});

test("signing key rotation: tokens signed with the new key validate (the JWKS is refetched)", async () => {
  await validate(await emu.paneToken(USER));
  emu.identity.rotateSigningKey({ dropPrevious: true });
  const id = await validate(await emu.paneToken(USER));
  assert.equal(id.objectId, USER);
});

// ------------------------------------------------------------------ the cache of verified tokens

/** A validator on a movable clock that counts full verifications (each one fetches the key set). */
function countingValidator(options: { cacheSize?: number; clockToleranceSeconds?: number } = {}) {
  const discovery = new AuthorityDiscovery(emu.baseUrl, "organizations", { jwksCooldownMs: 0 });
  const state = { now: Date.now(), verifications: 0 };
  const v = createPaneTokenValidator({
    authorityHost: emu.baseUrl,
    tenant: "organizations",
    audiences: [TEST_CLIENT_ID, `api://${TEST_CLIENT_ID}`],
    requiredScope: "access_as_user",
    keys: () => {
      state.verifications++;
      return discovery.keySet();
    },
    now: () => state.now,
    ...options,
  });
  return { validate: v, state };
}

const expOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { exp: number }).exp * 1000;

test("cache: the same token is verified once; a different token (even of the same person) is verified in full", async () => {
  const { validate: v, state } = countingValidator();
  const a = await emu.paneToken(USER);
  assert.equal((await v(a)).objectId, USER);
  assert.equal((await v(a)).objectId, USER);
  assert.equal(state.verifications, 1, "the second call is served from the cache");

  const b = await emu.paneToken(OTHER_USER);
  assert.equal((await v(b)).objectId, OTHER_USER);
  assert.equal(state.verifications, 2);

  // A forged token that differs from the cached one only in its signature is not the cached token.
  const [h, p, sig] = a.split(".");
  const forged = `${h}.${p}.${sig!.slice(0, -4)}${sig!.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
  await assert.rejects(v(forged), PaneTokenError);
  // Nor is one that differs in its payload (another user's claims under the cached signature).
  const [, pb] = b.split(".");
  await assert.rejects(v(`${h}.${pb}.${sig}`), PaneTokenError);
  // A token for another audience is refused although a valid token of the same person is cached.
  const graph = await emu.identity.mintAccessToken({ oid: USER, clientId: TEST_CLIENT_ID, scopes: ["Mail.Read"] });
  await assert.rejects(v(graph), PaneTokenError);
  // Mutating an answer does not change what the cache hands out next time.
  const id = await v(a);
  id.scopes.length = 0;
  assert.ok((await v(a)).scopes.includes("access_as_user"));
});

test("cache: an expired token is refused even though it was verified (and cached) before", async () => {
  const { validate: v, state } = countingValidator({ clockToleranceSeconds: 0 });
  const token = await emu.identity.mintAccessToken({ oid: USER, clientId: TEST_CLIENT_ID, scopes: [`api://${TEST_CLIENT_ID}/access_as_user`], lifetimeSeconds: 300 });
  const exp = expOf(token);
  await v(token);
  state.now = exp - 1;
  await v(token);
  assert.equal(state.verifications, 1, "still cached one millisecond before exp");
  state.now = exp;
  await assert.rejects(v(token), /expired/);
  state.now = exp + 3_600_000;
  await assert.rejects(v(token), /expired/);
  assert.equal(state.verifications, 3, "after exp every call verifies in full (and fails)");
});

test("cache: with the default clock tolerance, a token past exp is verified in full every time, never served from the cache", async () => {
  const { validate: v, state } = countingValidator();
  const token = await emu.identity.mintAccessToken({ oid: USER, clientId: TEST_CLIENT_ID, scopes: [`api://${TEST_CLIENT_ID}/access_as_user`], lifetimeSeconds: 300 });
  const exp = expOf(token);
  await v(token);
  state.now = exp + 1_000; // inside jose's 60 s tolerance: accepted, but only by a full verification
  await v(token);
  await v(token);
  assert.equal(state.verifications, 3);
  state.now = exp + 61_000;
  await assert.rejects(v(token), /expired/);
});

test("cache: bounded in size (the oldest entry goes first)", async () => {
  const { validate: v, state } = countingValidator({ cacheSize: 2 });
  const tokens = [await emu.paneToken(USER), await emu.paneToken(OTHER_USER), await emu.paneToken(USER, [`api://${TEST_CLIENT_ID}/access_as_user`, "openid"])];
  assert.equal(new Set(tokens).size, 3);
  for (const t of tokens) await v(t);
  assert.equal(state.verifications, 3);
  await v(tokens[2]!);
  await v(tokens[1]!);
  assert.equal(state.verifications, 3, "the two newest are cached");
  await v(tokens[0]!);
  assert.equal(state.verifications, 4, "the oldest was evicted and is verified again");
});
