/**
 * Typed helpers around office-test-host.js (see README.md): install it in a Playwright context or page, and
 * drive it from the test.
 */
import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";

/** An address as the test writes it (Office's EmailAddressDetails is derived from it). */
export interface TestAddress {
  emailAddress: string;
  displayName?: string;
}

/** A message as the test describes it; the host turns it into an Office read-mode item. */
export interface TestItem {
  itemId?: string;
  internetMessageId?: string;
  conversationId?: string;
  subject?: string;
  from?: TestAddress;
  sender?: TestAddress;
  to?: TestAddress[];
  cc?: TestAddress[];
  /** ISO date-time; becomes a Date like Office's dateTimeCreated. */
  dateTimeCreated?: string;
  itemType?: "message" | "appointment";
}

export interface NaaAccount {
  tenantId?: string;
  localAccountId?: string;
  homeAccountId?: string;
  environment?: string;
  username?: string;
  name?: string;
}

export interface TestHostOptions {
  /** Office.context.mailbox.userProfile */
  user?: { displayName?: string; emailAddress?: string; timeZone?: string };
  /** The item the pane opens on (null/absent: nothing selected). */
  item?: TestItem | null;
  /** Requirement sets and versions to report (defaults: Mailbox 1.5, DialogApi 1.1, NestedAppAuth 1.1). */
  supportedSets?: Record<string, string>;
  /**
   * Outlook's nested app authentication bridge. false: no bridge (the pane uses the standard MSAL client).
   * Tokens come from setToken(), then window.__testHostGetToken (exposeFunction), then accessToken here.
   */
  naa?: false | { accessToken?: string; account?: NaaAccount };
  /** Extra origins a dialog's messageParent may come from (the manifest's AppDomains). */
  appDomains?: string[];
}

export type TokenMinter = (request: { scope?: string; clientId?: string; method: string }) => Promise<{ accessToken: string; expiresIn?: number } | { error: { status: string; code?: string; description?: string } }>;

export interface TestHostLogEntry {
  type: string;
  at: number;
  [key: string]: unknown;
}

/** The driver object the host puts on window.__testHost. */
export interface TestHostApi {
  isDialog: boolean;
  log: TestHostLogEntry[];
  selectItem(item: TestItem | null): number;
  setToken(value: { accessToken: string; expiresIn?: number } | { error: { status: string; code?: string; description?: string } } | null): void;
  failNextDialog(code: number): void;
  handlerCount(eventType?: string): number;
}

declare global {
  interface Window {
    __testHost: TestHostApi;
    __testHostOptions?: TestHostOptions;
  }
}

export const TEST_HOST_SCRIPT_PATH = path.join(import.meta.dirname, "office-test-host.js");

export function testHostScript(options: TestHostOptions = {}): string {
  const body = fs.readFileSync(TEST_HOST_SCRIPT_PATH, "utf8");
  return `window.__testHostOptions = ${JSON.stringify(options)};\n${body}`;
}

/**
 * Installs the host before any page script runs. Prefer a BrowserContext: the dialog windows the pane opens
 * are pages of the same context and need the host too (for Office.context.ui.messageParent).
 */
export async function installTestHost(target: BrowserContext | Page, options: TestHostOptions = {}, mintToken?: TokenMinter): Promise<void> {
  if (mintToken) await target.exposeFunction("__testHostGetToken", mintToken);
  await target.addInitScript({ content: testHostScript(options) });
}

/** Changes the selected message and fires ItemChanged; returns how many handlers were notified. */
export function selectItem(page: Page, item: TestItem | null): Promise<number> {
  return page.evaluate((value) => window.__testHost.selectItem(value), item);
}

export function testHostLog(page: Page): Promise<TestHostLogEntry[]> {
  return page.evaluate(() => window.__testHost.log.slice());
}

/** The office.js the page asks the server for is replaced by an empty script: the host already defined Office. */
export const OFFICE_JS_STUB = "/* office.js replaced by the e2e test host (e2e/test-host) */";
