/**
 * Browser smoke test of the built pane: dist/addin served over HTTPS, the server's JSON answered by stubs,
 * Outlook played by the test host. Checks the not-connected headline at 320 px, accessibility (axe), and keeps
 * a screenshot in e2e/screenshots/pane-not-connected.png.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import AxeBuilder from "@axe-core/playwright";
import type { ConnectionStatus, MeResponse, MemberSettings, PreviewResponse } from "../shared/api/contract";
import {
  DIST_ADDIN,
  REPO_ROOT,
  STUB_CONFIG,
  ensureScreenshotDir,
  launchChromium,
  loadPane,
  newPaneContext,
  serveStatic,
  stubApi,
} from "./harness";

const me: MeResponse = {
  member: { id: "m1", name: "Anna Andersson", primaryAddress: "anna@startdeliver-demo.com", isAdmin: false },
  organisation: { id: "o1", name: "Demo Org" },
};

const notConnected: ConnectionStatus = {
  state: "not_connected",
  label: "Click to start authentication",
  explanation: "Connect your Microsoft 365 account to sync emails and meetings.",
  accountAddress: null,
  lastSyncAt: null,
  progress: null,
  adminConsentUrl: null,
  lastError: null,
  retryAt: null,
};

const settings: MemberSettings = {
  aliases: [{ address: "anna.andersson@startdeliver-demo.com", source: "discovered" }],
  syncToCustomersByDomain: false,
  syncUnknownSender: false,
  syncUnknownOrganizer: false,
  customersWithDomainCount: 0,
};

const noCustomer: PreviewResponse = { customers: [], summary: "No customer contact in this email." };

function ensureBuilt() {
  if (fs.existsSync(path.join(DIST_ADDIN, "taskpane.html"))) return;
  // Running this file on its own: build the pane first (npm test builds it before the tests).
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-addin.ts"], { cwd: REPO_ROOT, stdio: "inherit" });
  assert.equal(result.status, 0, "building the pane failed");
}

test("the pane, not connected, at 320 px: headline, bearer token, accessibility, screenshot", async (t) => {
  ensureBuilt();
  const server = await serveStatic(DIST_ADDIN);
  t.after(() => server.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await newPaneContext(browser);

  const calls = await stubApi(context, server.url, {
    "GET /addin/config.json": STUB_CONFIG,
    "GET /api/me": me,
    "GET /api/connection": notConnected,
    "GET /api/settings": settings,
    "POST /api/preview": noCustomer,
  });
  const page = await loadPane(context, server.url, {
    testHost: {
      user: { displayName: me.member.name, emailAddress: me.member.primaryAddress },
      item: {
        itemId: "AAMkAGI2TG93AAA/bc+de=",
        internetMessageId: "<smoke-1@mail.example.com>",
        conversationId: "conv-1",
        subject: "Quarterly review",
        from: { displayName: "Someone Else", emailAddress: "someone@unknown.example" },
        to: [{ displayName: me.member.name, emailAddress: me.member.primaryAddress }],
        dateTimeCreated: "2025-11-20T10:00:00Z",
      },
      naa: { accessToken: "smoke-access-token" },
    },
  });

  const start = page.getByRole("button", { name: "Click to start authentication" });
  await start.waitFor({ state: "visible", timeout: 30_000 });
  await page.getByText("No customer contact in this email").waitFor({ timeout: 30_000 });
  assert.ok(await page.getByText("Last sync: never").isVisible());

  // Every API call carried the token Outlook's NAA bridge (the test host) handed to MSAL.
  const apiCalls = calls.filter((c) => c.path.startsWith("/api/"));
  assert.ok(apiCalls.length >= 3, `expected API calls, got ${JSON.stringify(calls)}`);
  for (const call of apiCalls) assert.equal(call.authorization, "Bearer smoke-access-token", `${call.method} ${call.path}`);
  // The open message went to /api/preview as the contract's OpenMessage, with the REST id.
  const preview = apiCalls.find((c) => c.path === "/api/preview");
  assert.deepEqual((preview?.body as { restId?: string }).restId, "AAMkAGI2TG93AAA-bc_de=");

  // Nothing may overflow the 320 px pane.
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 320, `the pane is ${scrollWidth} px wide`);

  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
  );

  await page.screenshot({ path: path.join(ensureScreenshotDir(), "pane-not-connected.png"), fullPage: true });
});
