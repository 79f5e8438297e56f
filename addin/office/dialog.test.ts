import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { OfficeMockObject } from "office-addin-mock";
import type { ConnectResultMessage } from "../../shared/api/contract";
import { describeDialogError, openAuthDialog, parseDialogMessage } from "./dialog";

afterEach(() => {
  delete (globalThis as { Office?: unknown }).Office;
});

/** Office.context.ui.displayDialogAsync that either fails with `code` or opens a dialog the test drives. */
function officeWithDialog(code: number | null) {
  const handlers: Record<string, (arg: unknown) => void> = {};
  let closed = false;
  let openedUrl = "";
  const data = {
    host: "outlook",
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    EventType: { DialogMessageReceived: "dialogMessageReceived", DialogEventReceived: "dialogEventReceived" },
    context: {
      ui: {
        displayDialogAsync(url: string, _options: unknown, callback: (result: unknown) => void) {
          openedUrl = url;
          if (code !== null) {
            callback({ status: "failed", error: { code, message: "" } });
            return;
          }
          callback({
            status: "succeeded",
            value: {
              addEventHandler: (type: string, handler: (arg: unknown) => void) => (handlers[type] = handler),
              close: () => (closed = true),
            },
          });
        },
      },
    },
  };
  (globalThis as { Office?: unknown }).Office = new OfficeMockObject(data);
  return { handlers, isClosed: () => closed, url: () => openedUrl };
}

test("the last page's message is relayed and the dialog closed", async () => {
  const office = officeWithDialog(null);
  const outcome = openAuthDialog("https://localhost:3000/connect/start?session=abc");
  office.handlers.dialogMessageReceived!({ message: JSON.stringify({ type: "startdeliver-auth", status: "connected" }), origin: "https://localhost:3000" });
  assert.deepEqual(await outcome, { kind: "message", status: "connected", message: undefined });
  assert.equal(office.url(), "https://localhost:3000/connect/start?session=abc");
  assert.equal(office.isClosed(), true);
});

test("the user closing the dialog (12006) is 'closed', not an error", async () => {
  const office = officeWithDialog(null);
  const outcome = openAuthDialog("https://localhost:3000/connect/start");
  office.handlers.dialogEventReceived!({ error: 12006 });
  assert.deepEqual(await outcome, { kind: "closed" });
});

test("Office's dialog errors 12004/12005/12007 come back in plain words", async () => {
  for (const [code, words] of [
    [12004, /isn't one this add-in is allowed to open/],
    [12005, /secure \(https\)/],
    [12007, /already open/],
  ] as const) {
    officeWithDialog(code);
    const outcome = await openAuthDialog("https://localhost:3000/connect/start");
    assert.equal(outcome.kind, "failed");
    if (outcome.kind === "failed") {
      assert.equal(outcome.code, code);
      assert.match(outcome.message, words);
    }
  }
  assert.match(describeDialogError(12006), /closed before it finished/);
});

test("messages from the last page: JSON, a plain word, or anything else as an error", () => {
  assert.deepEqual(parseDialogMessage('{"status":"admin_consent_required"}'), { kind: "message", status: "admin_consent_required", message: undefined });
  assert.deepEqual(parseDialogMessage('{"status":"error","message":"You declined."}'), { kind: "message", status: "error", message: "You declined." });
  assert.deepEqual(parseDialogMessage("connected"), { kind: "message", status: "connected" });
  assert.deepEqual(parseDialogMessage("boom"), { kind: "message", status: "error", message: "boom" });
});

test("the server's connect result (the contract's ConnectResultMessage), as a string or an object", () => {
  const ok: ConnectResultMessage = {
    type: "startdeliver:connect-result",
    ok: true,
    state: "initial_sync",
    message: "Connected as anna@demo.com.",
    accountAddress: "anna@demo.com",
    adminConsentUrl: null,
  };
  assert.deepEqual(parseDialogMessage(JSON.stringify(ok)), {
    kind: "message",
    status: "connected",
    message: "Connected as anna@demo.com.",
    accountAddress: "anna@demo.com",
  });
  const url = "https://login.microsoftonline.com/t1/adminconsent?client_id=abc";
  const consent: ConnectResultMessage = { ...ok, ok: false, state: "admin_consent_required", message: "An admin must approve.", accountAddress: null, adminConsentUrl: url };
  assert.deepEqual(parseDialogMessage(consent), {
    kind: "message",
    status: "admin_consent_required",
    message: "An admin must approve.",
    adminConsentUrl: url,
  });
  assert.deepEqual(parseDialogMessage({ ...ok, ok: false, state: "not_connected", message: "You declined.", accountAddress: null }), {
    kind: "message",
    status: "error",
    message: "You declined.",
  });
});
