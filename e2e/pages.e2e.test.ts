/**
 * The report pages in Chromium against the real server app: createApp() (auth, /api/me, JSON
 * errors) with the reports router and the built pages mounted, interactions written by the real
 * interactions engine (its test kit standing in for the sync), pane tokens checked by a stub
 * validator ("tenantId:objectId"), Outlook's NAA bridge played by the test host.
 * Opens each page, sorts and filters the customer list, exports CSV, switches the profile's tabs,
 * drills down from the dashboard with the mouse and the keyboard, checks accessibility (axe) and
 * saves screenshots under e2e/screenshots/.
 *
 * The pages are built from addin/pages/index.tsx: dist/addin/pages.html when the main build has
 * them, otherwise a build of its own (webpack.config.ts plus the pages entry) into data/test.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import express from "express";
import HtmlWebpackPlugin from "html-webpack-plugin";
import webpack from "webpack";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import createConfig from "../webpack.config";
import { createApp } from "../server/app";
import { openDatabase, type Db } from "../server/db/database";
import { listen, type RunningServer } from "../server/test-support/http";
import { removeDir, tempDir, testConfig, testContext } from "../server/test-support/env";
import { reportsRoutes } from "../server/reports/routes";
import { SCENARIO_NOW, createScenarioKits, daysBefore, seedScenario, stubPaneTokens, type Scenario } from "../server/reports/test-kit";
import { upsertCustomers, upsertUsers } from "../server/directory/service";
import { DIST_ADDIN, REPO_ROOT, STUB_CONFIG, ensureScreenshotDir, launchChromium, loadPane, newPaneContext } from "./harness";

const VIEWPORT = { width: 1280, height: 900 };

let db: Db;
let dataDir: string;
let scenario: Scenario;
let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pagesDir: string;

async function buildPages(): Promise<string> {
  if (fs.existsSync(path.join(DIST_ADDIN, "pages.html"))) return DIST_ADDIN;
  const outDir = path.join(REPO_ROOT, "data", "test", "pages-build");
  const config = createConfig({ outDir, mode: "production" });
  config.entry = { ...(config.entry as Record<string, string>), pages: "./addin/pages/index.tsx" };
  config.plugins = [
    ...(config.plugins ?? []),
    new HtmlWebpackPlugin({ template: path.join(REPO_ROOT, "addin", "pages", "pages.html"), filename: "pages.html", chunks: ["pages"], scriptLoading: "defer", inject: "head" }),
  ];
  const stats = await new Promise<webpack.Stats>((resolve, reject) => {
    const compiler = webpack(config);
    compiler.run((error, result) => compiler.close(() => (error || !result ? reject(error ?? new Error("no stats")) : resolve(result))));
  });
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true }));
  return outDir;
}

/** More customers and a month of mail around the standard scenario, so the pages have something to show. */
function seedMore(s: Scenario): void {
  const { a } = s;
  const names = ["Contoso", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Wide World Importers", "Litware", "Proseware", "Adventure Works"];
  upsertCustomers(
    db,
    a.orgId,
    names.map((name, i) => ({ externalId: `extra-${i}`, name, ownerAddress: i % 2 ? "tom@northwind.io" : "jane@northwind.io", domains: [] })),
  );
  upsertUsers(
    db,
    a.orgId,
    names.map((name, i) => ({ externalId: `extra-u${i}`, name: `${name.split(" ")[0]} Contact`, address: `hello@extra${i}.example`, customerExternalId: `extra-${i}`, createdAt: "2024-01-01T00:00:00Z" })),
  );
  names.forEach((name, i) => {
    const member = i % 2 ? "tom" : "jane";
    const me = `${member}@northwind.io`;
    const contact = `hello@extra${i}.example`;
    for (let k = 0; k < 1 + (i % 4); k++) {
      const at = daysBefore(1 + ((i * 7 + k * 5) % 45));
      a.mail(member, { id: `x${i}-${k}`, imid: `<x${i}-${k}@e2e>`, conv: `x${i}-${k}`, from: k % 2 ? contact : me, to: [k % 2 ? me : contact], at, subject: `${name}: ${["Onboarding", "Invoice question", "Roadmap", "Check-in"][k % 4]}` });
      if (k % 2 === 0) {
        a.mail(member, { id: `x${i}-${k}r`, imid: `<x${i}-${k}r@e2e>`, conv: `x${i}-${k}`, from: contact, to: [me], at: new Date(Date.parse(at) + (2 + i) * 3600_000).toISOString(), subject: "RE" });
      }
    }
    if (i % 3 === 0) a.event(member, { id: `xm${i}`, ical: `xm${i}`, organizer: me, attendees: [contact], start: daysBefore(3 + i * 2), subject: `${name} review` });
  });
}

before(async () => {
  pagesDir = await buildPages();
  dataDir = tempDir("pages-e2e");
  db = openDatabase(":memory:");
  scenario = createScenarioKits(db);
  seedScenario(scenario);
  seedMore(scenario);
  const ctx = testContext(testConfig(dataDir), { db, validatePaneToken: stubPaneTokens });
  server = await listen({ tls: true });
  server.setHandler(
    createApp(ctx, {
      mount: (app) => {
        app.use(reportsRoutes({ db, authenticator: ctx.authenticator, now: () => SCENARIO_NOW, refreshDueActivity: () => scenario.a.engine.refreshDueActivity() }));
        app.get("/addin/config.json", (_req, res) => {
          res.json(STUB_CONFIG);
        });
        app.use("/addin", express.static(pagesDir));
      },
    }),
  );
  browser = await launchChromium();
  context = await newPaneContext(browser, { viewport: VIEWPORT });
  page = await loadPane(context, server.url, {
    path: "/addin/pages.html#/customers",
    testHost: { user: { displayName: "Jane Doe", emailAddress: "jane@northwind.io" }, item: null, naa: { accessToken: scenario.tokens.jane } },
  });
});

after(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  scenario?.a.close();
  scenario?.b.close();
  db?.close();
  if (dataDir) removeDir(dataDir);
});

async function rowNames(): Promise<string[]> {
  const table = page.getByRole("table", { name: "Customers" });
  await table.waitFor();
  return table.locator("tbody tr td:first-child").allInnerTexts();
}

async function expectRows(first: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = await rowNames();
    if (first.every((n, i) => names[i] === n)) return;
    await page.waitForTimeout(100);
  }
  assert.deepEqual(names.slice(0, first.length), first);
}

async function expectRowsMatching(check: (names: string[]) => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = await rowNames();
    if (check(names)) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`unexpected rows: ${names.join(", ")}`);
}

async function axe(label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    serious.map((v) => `${label}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    [],
  );
}

test("customer list: sort by last interaction / last email reply, owner and quiet filters, CSV export", async () => {
  await page.getByText("Jane Doe · Northwind").waitFor({ timeout: 30_000 });
  // Newest last interaction first (Acme 2 days ago leads; a Contoso thread 1 day ago is newer still).
  await expectRows(["Contoso"]);
  const initial = await rowNames();
  assert.ok(initial.indexOf("Acme") >= 0 && initial.indexOf("Acme") < initial.indexOf("Globex"));
  assert.equal(initial.at(-1), "Initech", "never contacted: last");

  // Oldest first: never-contacted customers first.
  await page.getByRole("columnheader", { name: /Last interaction/ }).click();
  await expectRows([`=HYPERLINK("http://x")`, "Initech"]);
  assert.match(page.url(), /sort=last_interaction|order=asc/);

  await page.getByRole("columnheader", { name: /Last email reply/ }).click();
  await expectRows(["Contoso"]);

  await page.getByLabel("Quiet for more than (days)").fill("30");
  await page.waitForFunction(() => window.location.hash.includes("quietDays=30"));
  await expectRowsMatching((names) => !names.includes("Acme") && names.includes(`Quotes "and", commas`));
  const quiet = await rowNames();
  assert.ok(!quiet.includes("Acme") && !quiet.includes("Globex") && quiet.includes("Initech"), quiet.join(", "));

  // Tom's quiet customers: the awkward one (100 days), the formula one (never), not Initech (no owner).
  await page.getByLabel("Owner").selectOption({ label: "Tom Berg" });
  await page.waitForFunction(() => window.location.hash.includes("owner="));
  await expectRowsMatching((names) => !names.includes("Initech") && names.includes(`Quotes "and", commas`));
  const toms = await rowNames();

  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^customers-2024-06-15\.csv$/);
  const csv = fs.readFileSync(await file.path(), "utf8");
  assert.match(csv, /^\uFEFFCustomer,External id,Owner,/);
  assert.equal(csv.trimEnd().split("\r\n").length, 1 + toms.length, "the export has the filtered rows");
  assert.ok(csv.includes(`"Quotes ""and"", commas",awkward,Tom Berg,`), csv);

  // Jane has no quiet customers: a plain-language empty state with a way out.
  await page.getByLabel("Owner").selectOption({ label: "My customers" });
  await page.getByText("No customers match these filters").waitFor();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.waitForFunction(() => !window.location.hash.includes("quietDays"));

  await page.goto(`${server.url}/addin/pages.html#/customers`);
  await expectRows(["Contoso"]);
  await axe("customers");
  await page.screenshot({ path: path.join(ensureScreenshotDir(), "customers.png"), fullPage: true });
});

test("customer profile: activity, History and Interactions tabs, Outlook links", async () => {
  await page.getByRole("link", { name: "Acme", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Acme" }).waitFor();
  const history = page.getByRole("list", { name: "History" });
  await history.waitFor();
  const items = history.getByRole("listitem");
  assert.equal(await items.count(), 4);
  // Names as the messages had them (the test kit's Graph details use the address's local part).
  assert.match(await items.nth(0).innerText(), /Renewal[\s\S]*3 messages · last sent by the team[\s\S]*Contacts: alice · Team: jane, tom/);
  assert.match(await items.nth(1).innerText(), /Weekly sync[\s\S]*Cancelled/);
  assert.equal(await history.getByRole("link", { name: /opens in Outlook on the web/ }).first().getAttribute("target"), "_blank");
  const activity = page.getByRole("definition").filter({ hasText: "50%" });
  assert.equal(await activity.count(), 1, "the customer replied in 1 of 2 conversations");
  await page.getByRole("list", { name: "Upcoming meetings" }).or(page.getByText("Upcoming meetings")).first().waitFor();

  await page.getByRole("tab", { name: "Interactions" }).click();
  await page.getByRole("list", { name: "Interactions" }).waitFor();
  assert.match(page.url(), /tab=interactions/);
  await axe("customer profile");
  await page.getByRole("tab", { name: "History" }).click();
  await page.getByRole("list", { name: "History" }).waitFor();
  await page.screenshot({ path: path.join(ensureScreenshotDir(), "customer-profile.png"), fullPage: true });
});

test("Impact dashboard: charts, drill-down from a bar (mouse and keyboard) equal to the bar, period selector", async () => {
  await page.getByRole("navigation", { name: "Reports" }).getByRole("link", { name: "Impact" }).click();
  await page.getByRole("heading", { level: 1, name: "Impact" }).waitFor();
  const memberChart = page.getByRole("figure", { name: "Per team member" });
  await memberChart.waitFor();
  const janeEmails = memberChart.getByRole("button", { name: /^Jane Doe: \d+ emails?\. Show them\.$/ });
  const label = (await janeEmails.getAttribute("aria-label")) ?? "";
  const barValue = Number(/: (\d+) email/.exec(label)?.[1]);
  assert.ok(barValue > 0, label);
  await axe("impact");
  await page.screenshot({ path: path.join(ensureScreenshotDir(), "impact.png"), fullPage: true });

  await janeEmails.click();
  const total = page.getByTestId("drilldown-total");
  await total.waitFor();
  assert.equal(await total.innerText(), `Total: ${barValue} emails`);
  const rows = page.getByRole("table", { name: /^Emails · Jane Doe/ }).locator("tbody tr");
  const inBar = (await rows.locator("td:nth-child(4)").allInnerTexts()).reduce((n, v) => n + Number(v), 0);
  assert.equal(inBar, barValue, "the listed interactions add up to the bar");
  await page.getByRole("heading", { level: 2, name: /^Emails · Jane Doe/ }).waitFor();
  await axe("impact drill-down");
  await page.screenshot({ path: path.join(ensureScreenshotDir(), "impact-drilldown.png"), fullPage: true });

  // Keyboard: the day chart is one Tab stop; arrows move between bars, Enter opens one.
  const dayChart = page.getByRole("figure", { name: "Per day" });
  const bars = dayChart.locator("rect[role=button]");
  const focusable = dayChart.locator('rect[role=button][tabindex="0"]');
  assert.equal(await focusable.count(), 1);
  await focusable.focus();
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  const focused = await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "");
  assert.equal(focused, await bars.nth((await bars.count()) - 2).getAttribute("aria-label"));
  await page.keyboard.press("Enter");
  const value = Number(/: (\d+) /.exec(focused)?.[1]);
  await page.waitForFunction(() => window.location.hash.includes("day="));
  await page.getByTestId("drilldown-total").filter({ hasText: `Total: ${value} ` }).waitFor();

  // The data-table alternative opens the same drill-down.
  await dayChart.locator("xpath=..").getByText("Show the numbers as a table").click();
  await page.getByRole("table", { name: "Emails and meetings per day" }).waitFor();

  // Period selector: the last 7 days (ending on the server's today).
  await page.getByLabel("Period").selectOption({ label: "Last 7 days" });
  await page.waitForFunction(() => window.location.hash.includes("from=2024-06-09") && window.location.hash.includes("to=2024-06-15"));
  // Seven days, two bars each (the old period's chart stays up until the new numbers arrive).
  await page.waitForFunction(() => document.querySelectorAll('figure rect[role="button"][data-bar^="2024-06-"]').length === 14, undefined, { timeout: 15_000 });
  assert.equal(await page.getByRole("figure", { name: "Per day" }).locator("rect[role=button]").count(), 14);
});
