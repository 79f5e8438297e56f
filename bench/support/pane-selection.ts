/**
 * Times, inside the pane's page, how long the preview takes to show after the selection changes: from
 * performance.now() right before window.__testHost.selectItem(item) (which fires ItemChanged as Outlook
 * does) to the moment a MutationObserver sees the expected answer in the "This email" section — the
 * customer cards' names (exactly these, in any order) or, for an email with no customer, the summary text.
 * A second time is taken one animation frame later (the frame that paints it).
 */
import type { Page } from "playwright-core";
import type { TestItem } from "../../e2e/test-host/index";
import type { OpenMessage, PreviewResponse } from "../../shared/api/contract";

/** What the pane must show: customer names (sorted), or the summary when there is no customer. */
export interface ExpectedPreview {
  names: string[];
  text: string;
}

export function expectedOf(preview: PreviewResponse): ExpectedPreview {
  return { names: preview.customers.map((c) => c.name).sort(), text: preview.summary || "No customer contact in this email." };
}

/** A key for "would the pane look the same": consecutive selections must differ, or the old answer would count. */
export function expectedKey(e: ExpectedPreview): string {
  return e.names.length > 0 ? `names:${e.names.join("|")}` : `text:${e.text}`;
}

/** The OpenMessage the pane builds from the item (addin/office/mailbox.ts readOpenMessage), for asking the API directly. */
export function openMessageOf(item: TestItem): OpenMessage {
  const address = (a: { emailAddress: string; displayName?: string } | undefined) =>
    a ? (a.displayName && a.displayName !== a.emailAddress ? { name: a.displayName, address: a.emailAddress } : { address: a.emailAddress }) : undefined;
  const message: OpenMessage = {
    to: (item.to ?? []).map((a) => address(a)!),
    cc: (item.cc ?? []).map((a) => address(a)!),
  };
  const from = address(item.from ?? item.sender);
  if (from) message.from = from;
  if (item.internetMessageId) message.internetMessageId = item.internetMessageId;
  if (item.subject !== undefined) message.subject = item.subject;
  if (item.dateTimeCreated) message.dateTimeCreated = new Date(item.dateTimeCreated).toISOString();
  return message;
}

export interface SelectionTiming {
  /** Selection call → the answer in the DOM. */
  domMs: number;
  /** Selection call → the next animation frame after that (painted). */
  frameMs: number;
  /** The POST /api/preview of this selection (Resource Timing), relative to the selection call; null if none was seen. */
  request: { startMs: number; endMs: number } | null;
}

/**
 * The in-page part, as plain text: tsx compiles this file with esbuild's keepNames, which wraps named inner
 * functions in a `__name` helper that does not exist in the page.
 */
const IN_PAGE = `({ item, expected, timeoutMs }) => new Promise((resolve, reject) => {
  const matches = () => {
    const section = document.querySelector('section[aria-labelledby="email-heading"]');
    if (!section) return false;
    const names = Array.from(section.querySelectorAll("article h3"), (h) => (h.textContent || "").trim()).sort();
    if (expected.names.length > 0) return names.length === expected.names.length && names.every((n, i) => n === expected.names[i]);
    if (names.length > 0) return false;
    const status = section.querySelector('[role="status"]');
    return !!status && (status.textContent || "").includes(expected.text);
  };
  let done = false;
  let start = 0;
  const check = () => {
    if (done || !matches()) return;
    done = true;
    const domMs = performance.now() - start;
    observer.disconnect();
    clearTimeout(timer);
    const frameDone = () => {
      const frameMs = performance.now() - start;
      const calls = performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/preview") && e.startTime >= start);
      const last = calls[calls.length - 1];
      resolve({ domMs, frameMs, request: last ? { startMs: last.startTime - start, endMs: last.responseEnd - start } : null });
    };
    requestAnimationFrame(frameDone);
  };
  const observer = new MutationObserver(check);
  const timer = setTimeout(() => {
    observer.disconnect();
    const section = document.querySelector('section[aria-labelledby="email-heading"]');
    reject(new Error("the preview did not show " + JSON.stringify(expected) + " within " + timeoutMs + " ms; the section says: " + ((section && section.textContent) || "").slice(0, 300)));
  }, timeoutMs);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  performance.clearResourceTimings();
  start = performance.now();
  window.__testHost.selectItem(item);
  check();
})`;

export async function timeSelection(page: Page, item: TestItem | null, expected: ExpectedPreview, timeoutMs = 15_000): Promise<SelectionTiming> {
  return page.evaluate(`(${IN_PAGE})(${JSON.stringify({ item, expected, timeoutMs })})`) as Promise<SelectionTiming>;
}
