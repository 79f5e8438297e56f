/**
 * The pane-token cache (server/auth/pane-token.ts) remembers only that a token is genuine: who the caller is
 * in Startdeliver (member, organisation, admin) is still read on every call. The same, cached, token loses
 * its access as soon as the directory says so.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startApiFixture, type ApiFixture } from "../test-support/api-fixture";

let f: ApiFixture;
before(async () => {
  f = await startApiFixture("pane-auth-cache");
});
after(() => f.close());

test("a cached token of a member who was unlinked is refused on the next call", async () => {
  const token = await f.token("bob");
  assert.equal((await f.call("GET", "/api/me", token)).status, 200);
  assert.equal((await f.call("GET", "/api/me", token)).status, 200);
  f.ctx.db.prepare("UPDATE team_members SET entra_oid = NULL, entra_tid = NULL WHERE external_id = 'bob'").run();
  const res = await f.call("GET", "/api/me", token);
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, "unknown_member");
});

test("a cached token of an admin who was demoted can no longer change the directory", async () => {
  const token = await f.token("alice");
  const body = { domains: ["a.test"] };
  assert.equal((await f.call("PUT", "/api/directory/company-domains", token, body)).status, 200);
  f.ctx.db.prepare("UPDATE team_members SET is_admin = 0 WHERE external_id = 'alice'").run();
  const res = await f.call("PUT", "/api/directory/company-domains", token, body);
  assert.equal(res.status, 403);
  assert.equal(res.body.error.code, "admin_required");
});
