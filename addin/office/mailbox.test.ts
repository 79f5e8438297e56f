import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { OfficeMockObject } from "office-addin-mock";
import { messageKey, onItemChanged, readOpenMessage, readUserProfile, supportsNestedAppAuth } from "./mailbox";

/** Office's namespace with a read-mode message, the way Outlook presents it (Mailbox 1.5). */
function outlookData(overrides: Record<string, unknown> = {}) {
  const handlers: Record<string, () => void> = {};
  const data = {
    host: "outlook",
    EventType: { ItemChanged: "olkItemSelectedChanged" },
    MailboxEnums: { RestVersion: { v2_0: "v2.0" }, ItemType: { Message: "message", Appointment: "appointment" } },
    context: {
      requirements: {
        isSetSupported: (name: string, version: string) => name === "NestedAppAuth" && version === "1.1",
      },
      mailbox: {
        item: {
          itemType: "message",
          itemId: "AAMkADU2/abc+def==",
          internetMessageId: "<CAF123@mail.acme.com>",
          conversationId: "AAQkADU2conv",
          subject: "Renewal next quarter",
          from: { displayName: "Carl Customer", emailAddress: "carl@acme.com" },
          to: [
            { displayName: "Anna Andersson", emailAddress: "anna@startdeliver-demo.com" },
            { displayName: "bo@acme.com", emailAddress: "bo@acme.com" },
          ],
          cc: [],
          dateTimeCreated: new Date("2025-11-20T10:15:00Z"),
          ...overrides,
        },
        userProfile: { displayName: "Anna Andersson", emailAddress: "anna@startdeliver-demo.com", timeZone: "Europe/Stockholm" },
        convertToRestId(itemId: string, version: string) {
          assert.equal(version, "v2.0");
          return itemId.replace(/\//g, "-").replace(/\+/g, "_");
        },
        addHandlerAsync(eventType: string, handler: () => void) {
          handlers[eventType] = handler;
        },
        removeHandlerAsync(eventType: string) {
          delete handlers[eventType];
        },
      },
    },
  };
  return { data, handlers };
}

function install(mock: unknown) {
  (globalThis as { Office?: unknown }).Office = mock;
}

afterEach(() => {
  delete (globalThis as { Office?: unknown }).Office;
});

test("maps an Outlook message (OfficeMockObject) to the contract's OpenMessage, with the REST id", () => {
  const { data } = outlookData();
  install(new OfficeMockObject(data));
  assert.deepEqual(readOpenMessage(), {
    internetMessageId: "<CAF123@mail.acme.com>",
    restId: "AAMkADU2-abc_def==",
    conversationId: "AAQkADU2conv",
    subject: "Renewal next quarter",
    from: { name: "Carl Customer", address: "carl@acme.com" },
    to: [{ name: "Anna Andersson", address: "anna@startdeliver-demo.com" }, { address: "bo@acme.com" }],
    cc: [],
    dateTimeCreated: "2025-11-20T10:15:00.000Z",
  });
});

test("no selected item (ItemChanged with nothing selected) maps to null", () => {
  const { data } = outlookData();
  const mock = new OfficeMockObject(data) as unknown as { context: { mailbox: { item: unknown } } };
  // What Outlook does when the selection goes away: item becomes null.
  mock.context.mailbox.item = null;
  install(mock);
  assert.equal(readOpenMessage(), null);
  assert.equal(messageKey(null), "");
});

test("a meeting item is not a message: null", () => {
  const { data } = outlookData({ itemType: "appointment" });
  install(new OfficeMockObject(data));
  assert.equal(readOpenMessage(), null);
});

test("outside Office there is no message, no profile and no NAA", () => {
  assert.equal(readOpenMessage(), null);
  assert.equal(readUserProfile(), null);
  assert.equal(supportsNestedAppAuth(), false);
  const unsubscribe = onItemChanged(() => assert.fail("no events outside Office"));
  unsubscribe();
});

test("ItemChanged: the callback gets the newly selected message, then null; unsubscribing removes the handler", () => {
  const { data, handlers } = outlookData();
  const mock = new OfficeMockObject(data) as unknown as { context: { mailbox: { item: unknown } } };
  install(mock);
  const seen: (string | null)[] = [];
  const unsubscribe = onItemChanged((message) => seen.push(message ? message.internetMessageId ?? "?" : null));
  assert.equal(typeof handlers.olkItemSelectedChanged, "function");

  mock.context.mailbox.item = outlookData({ internetMessageId: "<second@acme.com>" }).data.context.mailbox.item;
  handlers.olkItemSelectedChanged!();
  mock.context.mailbox.item = null;
  handlers.olkItemSelectedChanged!();
  assert.deepEqual(seen, ["<second@acme.com>", null]);

  unsubscribe();
  assert.equal(handlers.olkItemSelectedChanged, undefined);
});

test("ItemChanged with two listeners (message + connection check): one Office handler, removed with the last listener", () => {
  const { data, handlers } = outlookData();
  let registrations = 0;
  const add = data.context.mailbox.addHandlerAsync;
  data.context.mailbox.addHandlerAsync = (eventType: string, handler: () => void) => {
    registrations++;
    add(eventType, handler);
  };
  const mock = new OfficeMockObject(data) as unknown as { context: { mailbox: { item: unknown } } };
  install(mock);
  const first: (string | null)[] = [];
  let second = 0;
  const stopFirst = onItemChanged((message) => first.push(message?.internetMessageId ?? null));
  const stopSecond = onItemChanged(() => second++);
  assert.equal(registrations, 1, "Mailbox.removeHandlerAsync removes every handler of a type: register one");

  handlers.olkItemSelectedChanged!();
  assert.deepEqual(first, ["<CAF123@mail.acme.com>"]);
  assert.equal(second, 1);

  stopFirst();
  stopFirst(); // twice is harmless
  assert.equal(typeof handlers.olkItemSelectedChanged, "function", "the other listener still needs it");
  mock.context.mailbox.item = null;
  handlers.olkItemSelectedChanged!();
  assert.deepEqual(first, ["<CAF123@mail.acme.com>"]);
  assert.equal(second, 2);

  stopSecond();
  assert.equal(handlers.olkItemSelectedChanged, undefined);
});

test("user profile and the NestedAppAuth requirement set", () => {
  install(new OfficeMockObject(outlookData().data));
  assert.deepEqual(readUserProfile(), { displayName: "Anna Andersson", emailAddress: "anna@startdeliver-demo.com", timeZone: "Europe/Stockholm" });
  assert.equal(supportsNestedAppAuth(), true);
});
