import { test } from "node:test";
import assert from "node:assert/strict";
import { copyText } from "./clipboard";

/** Just enough of a Document for the select-and-copy fallback. */
function fakeDocument(copyWorks: boolean) {
  const log: string[] = [];
  const focused = { focus: () => log.push("focus restored") };
  const doc = {
    activeElement: focused,
    body: { appendChild: (el: { value: string }) => log.push(`append ${el.value}`) },
    createElement: () => {
      const el = {
        value: "",
        style: {} as Record<string, string>,
        setAttribute: () => {},
        select: () => log.push("select"),
        remove: () => log.push("remove"),
      };
      return el;
    },
    execCommand: (command: string) => {
      log.push(command);
      return copyWorks;
    },
  };
  return { doc: doc as unknown as Document, log };
}

test("the async clipboard when allowed", async () => {
  const written: string[] = [];
  const { doc, log } = fakeDocument(true);
  assert.equal(await copyText("https://x/adminconsent", { clipboard: { writeText: async (t) => void written.push(t) }, document: doc }), true);
  assert.deepEqual(written, ["https://x/adminconsent"]);
  assert.deepEqual(log, []);
});

test("denied (Outlook's iframe): select-and-copy, then the focus goes back", async () => {
  const { doc, log } = fakeDocument(true);
  const denied = { writeText: () => Promise.reject(new DOMException("denied", "NotAllowedError")) };
  assert.equal(await copyText("https://x/adminconsent", { clipboard: denied, document: doc }), true);
  assert.deepEqual(log, ["append https://x/adminconsent", "select", "copy", "remove", "focus restored"]);
});

test("nothing works: false, so the pane can say so", async () => {
  const { doc } = fakeDocument(false);
  assert.equal(await copyText("x", { clipboard: null, document: doc }), false);
  assert.equal(await copyText("x", { clipboard: null, document: null }), false);
});
