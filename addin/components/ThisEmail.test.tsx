import { test } from "node:test";
import assert from "node:assert/strict";
import type { Fix, WhyResponse } from "../../shared/api/contract";
import type { ApiClient } from "../api/client";
import type { ConnectionController } from "../hooks/useConnection";
import type { SettingsController } from "../hooks/useSettings";
import { NO_SELECTION_TEXT, ThisEmail } from "./ThisEmail";
import { WhyResult } from "./WhyResult";
import { buttonsOf, noop, renderHtml, textOf } from "../test-support";

const api = new Proxy({}, { get: () => () => new Promise(() => {}) }) as ApiClient;
const connection = {} as ConnectionController;
const settings = {} as SettingsController;

test("nothing selected (ItemChanged with a null item): 'Select an email to see its customer'", () => {
  const mailbox = { read: () => null, onChange: () => noop, profile: () => null };
  const text = textOf(renderHtml(<ThisEmail api={api} mailbox={mailbox} connection={connection} settings={settings} onOpenUrl={noop} onSignIn={noop} />));
  assert.match(text, new RegExp(NO_SELECTION_TEXT));
  assert.doesNotMatch(text, /Why wasn't this synced\?/);
});

test("a selected email offers 'Why wasn't this synced?'", () => {
  const mailbox = { read: () => ({ internetMessageId: "<1@x>", subject: "Hello", to: [], cc: [] }), onChange: () => noop, profile: () => null };
  const html = renderHtml(<ThisEmail api={api} mailbox={mailbox} connection={connection} settings={settings} onOpenUrl={noop} onSignIn={noop} />);
  assert.ok(buttonsOf(html).includes("Why wasn't this synced?"));
});

test("why: headline, reasons in plain words, each fix as a button", () => {
  const fixes: Fix[] = [
    { kind: "add_alias", label: "Add anna.a@demo.com as your alias", address: "anna.a@demo.com" },
    { kind: "enable_setting", label: "Sync emails with an unknown sender", setting: "syncUnknownSender" },
    { kind: "add_contact", label: "Add carl@acme.com to Acme", address: "carl@acme.com", customerId: "c1", customerUrl: "https://app.startdeliver.com/customers/c1" },
    { kind: "authenticate", label: "Authenticate" },
    { kind: "sync_now", label: "Sync now" },
  ];
  const why: WhyResponse = {
    synced: false,
    headline: "This email wasn't synced",
    interactions: [],
    customers: [],
    reasons: [{ code: "sender_is_alias", text: "It was sent from anna.a@demo.com, which isn't one of your addresses." }],
    fixes,
    lastSyncAt: null,
  };
  const html = renderHtml(<WhyResult why={why} applying={null} onApplyFix={noop} onOpenUrl={noop} />);
  const text = textOf(html);
  assert.match(text, /This email wasn't synced/);
  assert.match(text, /isn't one of your addresses/);
  assert.deepEqual(buttonsOf(html), fixes.map((f) => f.label));
});
