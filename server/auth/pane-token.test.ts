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
