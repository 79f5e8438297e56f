import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig } from "./config";
import { removeDir, tempDir } from "./test-support/env";

const dir = tempDir("config");
after(() => removeDir(dir));

const required = { MS_CLIENT_ID: "abc", MS_CLIENT_SECRET: "s", TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"), DATA_DIR: dir };

test("defaults follow the documented table", () => {
  const c = loadConfig(required);
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, "https://localhost:3000");
  assert.equal(c.databasePath, path.join(dir, "app.db"));
  assert.equal(c.microsoft.authority, "https://login.microsoftonline.com/organizations");
  assert.equal(c.microsoft.graphBaseUrl, "https://graph.microsoft.com/v1.0");
  assert.equal(c.microsoft.apiScope, "api://abc/access_as_user");
  assert.equal(c.microsoft.redirectUri, "https://localhost:3000/auth/callback");
  assert.deepEqual(c.microsoft.graphScopes, ["User.Read", "Mail.Read", "Calendars.Read"]);
  assert.equal(c.sync.historyMonths, 6);
});

test("every problem is reported at once", () => {
  assert.throws(
    () => loadConfig({ DATA_DIR: dir, PORT: "x", MAIL_SCOPE: "Mail.ReadWrite" }),
    (err: unknown) => err instanceof ConfigError && err.problems.length >= 3,
  );
  assert.throws(() => loadConfig({ ...required, TOKEN_ENCRYPTION_KEY: "short" }), /32 random bytes/);
  assert.throws(() => loadConfig({ ...required, MS_AUTHORITY_HOST: "http://login.test" }), /https/);
});

test("demo mode generates the token key once into DATA_DIR/token.key with mode 0600", () => {
  const { TOKEN_ENCRYPTION_KEY: _, ...rest } = required;
  const a = loadConfig({ ...rest, DEMO_MODE: "true" });
  const b = loadConfig({ ...rest, DEMO_MODE: "true" });
  assert.equal(a.tokenEncryption.source, "file");
  assert.deepEqual(a.tokenEncryption.key, b.tokenEncryption.key);
  assert.equal(fs.statSync(path.join(dir, "token.key")).mode & 0o777, 0o600);
  assert.throws(() => loadConfig(rest), /TOKEN_ENCRYPTION_KEY is required/);
});
