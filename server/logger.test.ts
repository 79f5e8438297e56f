import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createLogger } from "./logger";

test("tokens, secrets and authorization headers never reach the log", () => {
  let out = "";
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const log = createLogger("info", sink);
  log.info(
    {
      headers: { authorization: "Bearer eyJhbGciOi.secret.sig", cookie: "__Host-sd_connect=abc" },
      result: { accessToken: "AT-123", refreshToken: "RT-456", idToken: "ID-789", account: { username: "a@b.test" } },
      body: { client_secret: "cs-1", refresh_token: "RT-2", code_verifier: "verifier-3" },
      apiKey: "sk_live",
    },
    "token response",
  );
  for (const secret of ["eyJhbGciOi", "abc", "AT-123", "RT-456", "ID-789", "cs-1", "RT-2", "verifier-3", "sk_live"]) {
    assert.ok(!out.includes(secret), `${secret} is redacted`);
  }
  assert.ok(out.includes("a@b.test"), "other fields stay");
});
