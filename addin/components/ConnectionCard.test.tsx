import { test } from "node:test";
import assert from "node:assert/strict";
import type { ConnectionState, ConnectionStatus } from "../../shared/api/contract";
import { ConnectionCard } from "./ConnectionCard";
import { COPIED_TEXT, CopyButton } from "./CopyButton";
import { buttonsOf, noop, renderHtml, textOf } from "../test-support";

const NOW = new Date("2025-11-27T09:00:00Z");
const FORMAT = { locale: "en-GB", timeZone: "UTC" };

function status(state: ConnectionState, extra: Partial<ConnectionStatus> = {}): ConnectionStatus {
  return {
    state,
    label: "",
    explanation: "",
    accountAddress: null,
    lastSyncAt: null,
    progress: null,
    adminConsentUrl: null,
    lastError: null,
    retryAt: null,
    ...extra,
  };
}

function render(s: ConnectionStatus) {
  const html = renderHtml(
    <ConnectionCard status={s} onAuthenticate={noop} onRevoke={noop} onSyncNow={noop} onOpenUrl={noop} now={NOW} format={FORMAT} />,
  );
  return { html, text: textOf(html), buttons: buttonsOf(html) };
}

test("not connected: the 'Click to start authentication' button and what it's for", () => {
  const { text, buttons } = render(status("not_connected"));
  assert.deepEqual(buttons, ["Click to start authentication"]);
  assert.match(text, /Not connected/);
  assert.match(text, /Connect your Microsoft 365 account/);
  assert.match(text, /Last sync: never/);
});

test("connected: headline exactly 'Authenticated (revoke)', revoke is a button, last sync time", () => {
  const { html, text, buttons } = render(status("connected", { accountAddress: "anna@startdeliver-demo.com", lastSyncAt: "2025-11-27T08:45:00Z" }));
  assert.match(text, /Authenticated \( ?revoke ?\)/);
  assert.match(textOf(html.match(/<span[^>]*>Authenticated[\s\S]*?\)<\/span>/)![0]).replace(/\s/g, ""), /^Authenticated\(revoke\)$/);
  assert.deepEqual(buttons, ["revoke"]);
  assert.match(html, /aria-expanded="false"/, "revoke asks for confirmation first");
  assert.match(text, /Connected Emails and meetings with customer contacts sync/);
  assert.match(text, /Mailbox: anna@startdeliver-demo\.com/);
  assert.match(text, /Last sync: 27 Nov 2025, 08:45/);
});

test("initial sync: progress bar with items done of the estimate", () => {
  const { html, text } = render(status("initial_sync", { progress: { itemsDone: 1234, itemsEstimated: 5000 } }));
  assert.match(text, /Authenticated/);
  assert.match(text, /Syncing your last 6 months/);
  assert.match(text, /1,234 of about 5,000 items/);
  assert.match(html, /role="progressbar"/);
  assert.match(html, /aria-valuenow="0\.2468"/);
  assert.match(text, /Last sync: not yet/);
});

test("initial sync before the estimate: an indeterminate bar and the count so far", () => {
  const { html, text } = render(status("initial_sync", { progress: { itemsDone: 40, itemsEstimated: null } }));
  assert.match(text, /40 items so far/);
  assert.doesNotMatch(html, /aria-valuenow/);
});

test("admin consent required: plain words, the link to forward to an admin shown once, and a copy button", () => {
  const url = "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=abc";
  const { html, text, buttons } = render(status("admin_consent_required", { adminConsentUrl: url }));
  assert.deepEqual(buttons, ["Click to start authentication", "Copy approval link"]);
  assert.match(text, /Admin approval needed/);
  assert.match(text, /Send the approval link below to your Microsoft 365 admin/);
  assert.ok(html.includes(`href="${url.replace(/&/g, "&amp;")}"`));
  assert.equal(text.split("/adminconsent?").length - 1, 1, `the link once: ${text}`);
});

test("admin consent: what 'Copy approval link' did, in words (announced)", () => {
  const url = "https://login.microsoftonline.com/t/adminconsent?client_id=abc";
  const copied = renderHtml(<CopyButton text={url} label="Copy approval link" initialResult="copied" />);
  assert.match(copied, /role="status"/);
  assert.match(textOf(copied), new RegExp(COPIED_TEXT.replace(/[.]/g, "\\.")));
  assert.match(textOf(renderHtml(<CopyButton text={url} label="Copy approval link" initialResult="failed" />)), /Select the link above and copy it/);
});

test("connection lost: says why and offers one action, Re-authenticate", () => {
  const { text, buttons } = render(status("connection_lost", { lastSyncAt: "2025-11-27T08:45:00Z" }));
  assert.match(text, /Connection lost/);
  assert.match(text, /Microsoft password changed/);
  assert.deepEqual(buttons, ["Re-authenticate"]);
  assert.match(text, /Last sync: 27 Nov 2025, 08:45/);
});

test("temporarily failing: when it retries, Sync now, and the last error", () => {
  const { text, buttons } = render(
    status("temporarily_failing", { retryAt: "2025-11-27T09:10:00Z", lastError: "Graph answered 503", lastSyncAt: "2025-11-27T07:00:00Z" }),
  );
  assert.match(text, /Authenticated/);
  assert.match(text, /Sync is temporarily failing/);
  assert.match(text, /retries automatically in 10 minutes \(27 Nov 2025, 09:10\)/);
  assert.match(text, /Last error: Graph answered 503/);
  assert.deepEqual(buttons, ["revoke", "Sync now"]);
});

test("every state has a headline, a plain-words title and text", () => {
  const states: ConnectionState[] = ["not_connected", "connected", "initial_sync", "admin_consent_required", "connection_lost", "temporarily_failing"];
  for (const s of states) {
    const { text } = render(status(s));
    assert.ok(/Authenticated|Click to start authentication|Re-authenticate/.test(text), s);
    assert.ok(/Last sync:/.test(text), s);
  }
});
