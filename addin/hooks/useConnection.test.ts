import { test } from "node:test";
import assert from "node:assert/strict";
import type { ConnectionStatus } from "../../shared/api/contract";
import { SUCCESS_NOTICE_MS, noticeLifetimeMs, outcomeNotice, staleNotice } from "./useConnection";
import { parseDialogMessage } from "../office/dialog";
import { REAUTHENTICATE_LABEL } from "../logic/connection";

const URL_ = "https://login.microsoftonline.com/t1/adminconsent?client_id=abc&state=adminconsent";

function status(extra: Partial<ConnectionStatus>): ConnectionStatus {
  return { state: "not_connected", label: "", explanation: "", accountAddress: null, lastSyncAt: null, progress: null, adminConsentUrl: null, lastError: null, retryAt: null, ...extra };
}

test("'Connected …' is a success notice that goes by itself; warnings and errors stay", () => {
  const connected = outcomeNotice({ kind: "message", status: "connected", message: "Connected anna@demo.com. Emails and meetings with customers now sync automatically." });
  assert.equal(connected?.tone, "success");
  assert.equal(noticeLifetimeMs(connected), SUCCESS_NOTICE_MS);
  assert.ok(SUCCESS_NOTICE_MS >= 5000 && SUCCESS_NOTICE_MS <= 10_000, "a few seconds: long enough to read");
  assert.equal(noticeLifetimeMs(outcomeNotice({ kind: "closed" })), null);
  assert.equal(noticeLifetimeMs(outcomeNotice({ kind: "failed", code: 12007, message: "x" })), null);
  assert.equal(noticeLifetimeMs(null), null);
});

test("admin approval: no notice repeating the link when the card shows it", () => {
  const outcome = parseDialogMessage({
    type: "startdeliver:connect-result",
    ok: false,
    state: "admin_consent_required",
    message: `Your Microsoft 365 admin must approve Startdeliver before you can connect. Send your admin this link: ${URL_}`,
    accountAddress: null,
    adminConsentUrl: URL_,
  });
  assert.equal(outcomeNotice(outcome, status({ state: "admin_consent_required", adminConsentUrl: URL_ })), null);
  // Should the status not carry the link, the server's words (with the link) are all the member gets.
  assert.match(outcomeNotice(outcome, status({ state: "not_connected" }))?.text ?? "", /adminconsent/);
});

test("notices name the button the member sees", () => {
  assert.match(outcomeNotice({ kind: "closed" })!.text, /Click to start authentication when you're ready/);
  assert.match(outcomeNotice({ kind: "closed" }, null, REAUTHENTICATE_LABEL)!.text, /Re-authenticate when you're ready/);
});

test("a check that finds another state drops the notice about the previous one ('Connected …' under 'Connection lost')", () => {
  assert.equal(staleNotice(status({ state: "initial_sync" }), status({ state: "connection_lost" })), true);
  assert.equal(staleNotice(status({ state: "not_connected" }), status({ state: "connected" })), true, "'Access revoked.' once connected elsewhere");
  assert.equal(staleNotice(status({ state: "initial_sync" }), status({ state: "initial_sync", progress: { itemsDone: 5, itemsEstimated: 9 } })), false);
  assert.equal(staleNotice(null, status({ state: "connected" })), false);
});
