/**
 * End-to-end: the task pane as Outlook shows it (the Office test host, e2e/test-host) against the REAL server
 * (startProduct) and the REAL Entra ID + Graph emulator, wired like the demo (e2e/product-fixture.ts).
 *
 * The pane's own API token comes from Outlook's nested-app-authentication bridge (the test host), minted by the
 * emulator's Entra ID for the signed-in user; the Microsoft 365 connection goes through the server's connect
 * flow in the Office dialog (a real popup) and the emulator's consent page. Graph data is the emulator's
 * "tiny" organisation; the directory is seeded from the same organisation.
 *
 * Every pane state the journey passes through is saved to e2e/screenshots/<state>.png.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { ConnectionStatus, MemberSettings } from "../shared/api/contract";
import type { GeneratedContact } from "../emulator/generator/types";
import type { SeedMessage } from "../emulator/graph/seed-types";
import { ensurePaneBuilt, ensureScreenshotDir, horizontalOverflow, launchChromium, loadPane, newPaneContext } from "./harness";
import { senderOf, startProductFixture, type ProductFixture } from "./product-fixture";
import { selectItem, testHostLog, type TestItem } from "./test-host/index";

const UI_TIMEOUT = 30_000;

let fx: ProductFixture;
let browser: Browser;
/** The alias a member sends from (through "Send As") that is not among the mailbox's proxy addresses. */
let unregisteredAlias = "";
let unregisteredAliasOwnerOid = "";

before(async () => {
  assert.ok(process.env.NODE_EXTRA_CA_CERTS, "run with NODE_EXTRA_CA_CERTS=data/certs/ca.pem: the server must trust the emulator's local CA");
  ensurePaneBuilt();
  fx = await startProductFixture({ seed: "tiny", seedAdminConsentTenant: true });
  const owner = fx.org.teamMembers.find((m) => m.unregisteredAlias)!;
  assert.ok(owner, "the generator gives a member an unregistered alias");
  unregisteredAlias = owner.unregisteredAlias!.toLowerCase();
  unregisteredAliasOwnerOid = owner.oid;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await fx?.close();
});

// ------------------------------------------------------------------ helpers

interface Person {
  oid: string;
  tenantId: string;
  displayName: string;
  address: string;
}

function teamMember(oid: string): Person {
  const m = fx.org.teamMembers.find((t) => t.oid === oid)!;
  return { oid, tenantId: fx.org.tenant.id, displayName: m.displayName, address: m.primaryAddress };
}

async function openPane(person: Person, item: TestItem | null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newPaneContext(browser);
  const page = await loadPane(context, fx.baseUrl, {
    testHost: {
      user: { displayName: person.displayName, emailAddress: person.address },
      item,
      naa: { account: { tenantId: person.tenantId, localAccountId: person.oid, username: person.address, name: person.displayName } },
    },
    mintToken: fx.minterFor(person.oid),
  });
  return { context, page };
}

async function shot(page: Page, state: string): Promise<void> {
  await assertNoOverflow(page, state);
  await page.screenshot({ path: path.join(ensureScreenshotDir(), `${state}.png`), fullPage: true });
}

async function assertNoOverflow(page: Page, state: string): Promise<void> {
  const o = await horizontalOverflow(page);
  assert.ok(o.scrollWidth <= o.clientWidth, `${state}: the pane scrolls sideways (${o.scrollWidth} > ${o.clientWidth}): ${o.offenders.join("; ")}`);
}

const startButton = (page: Page) => page.getByRole("button", { name: "Click to start authentication" });
/** The connection card's headline when authenticated: "Authenticated (revoke)". */
const authenticatedHeadline = (page: Page) => page.getByText(/^Authenticated \(\s*revoke\s*\)$/);

/**
 * Clicks the start button (or `button`), waits for the Office dialog's popup, picks the account on the
 * emulator's consent page and accepts. `beforeAccept` runs with the consent page open.
 */
async function authenticateThroughConsentPage(
  context: BrowserContext,
  page: Page,
  person: Person,
  opts: { button?: string; beforeAccept?: (popup: Page) => Promise<void> } = {},
): Promise<Page> {
  const popupOpened = context.waitForEvent("page", { timeout: UI_TIMEOUT });
  await page.getByRole("button", { name: opts.button ?? "Click to start authentication" }).click();
  const popup = await popupOpened;
  // The Office dialog is far wider than the pane (80% of the screen by default).
  await popup.setViewportSize({ width: 640, height: 860 });
  await popup.getByRole("heading", { name: "Permissions requested" }).waitFor({ timeout: UI_TIMEOUT });
  await popup.getByRole("radio", { name: `${person.displayName} (${person.address})` }).check();
  await opts.beforeAccept?.(popup);
  await popup.locator("#idSIButton9").click(); // Accept
  return popup;
}

function connection(oid: string): Promise<ConnectionStatus> {
  return fx.api<ConnectionStatus>(oid, "GET", "/api/connection").then((r) => {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  });
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = UI_TIMEOUT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const participantsOf = (m: SeedMessage) =>
  [m.from, ...(m.toRecipients ?? []), ...(m.ccRecipients ?? [])].map((r) => (r?.emailAddress?.address ?? "").toLowerCase()).filter(Boolean);

function contactsByAddress(): Map<string, GeneratedContact[]> {
  const map = new Map<string, GeneratedContact[]>();
  for (const c of fx.org.contacts) map.set(c.address.toLowerCase(), [...(map.get(c.address.toLowerCase()) ?? []), c]);
  return map;
}

function customerName(externalId: string): string {
  return fx.org.customers.find((c) => c.externalId === externalId)!.name;
}

/** The contacts of the open email, per customer, as the preview should list them. */
function expectedMatches(m: SeedMessage): Map<string, GeneratedContact[]> {
  const contacts = contactsByAddress();
  const byCustomer = new Map<string, GeneratedContact[]>();
  for (const address of new Set(participantsOf(m))) {
    for (const c of contacts.get(address) ?? []) byCustomer.set(c.customerExternalId, [...(byCustomer.get(c.customerExternalId) ?? []), c]);
  }
  return byCustomer;
}

/** Checks the customer cards of the open email: exactly these customers, each with exactly these contacts. */
async function assertPreview(page: Page, expected: Map<string, GeneratedContact[]>): Promise<void> {
  const cards = page.locator("#pane-panel-email article");
  const first = customerName([...expected.keys()][0]!);
  await page.getByRole("article", { name: first }).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await cards.count(), expected.size, `customer cards: ${await cards.allInnerTexts()}`);
  for (const [customerId, contacts] of expected) {
    const card = page.getByRole("article", { name: customerName(customerId) });
    assert.ok(await card.isVisible(), `no card for ${customerName(customerId)}`);
    const shown = (await card.locator("ul:not([aria-label]) > li").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim()).sort();
    assert.deepEqual(shown, contacts.map((c) => `${c.name} (${c.address})`).sort(), `contacts of ${customerName(customerId)}`);
  }
}

// ------------------------------------------------------------------ the journey

test("journey: authenticate, initial sync, customer preview, why + add alias, pinned selection, revoke", async (t) => {
  const maria = teamMember(unregisteredAliasOwnerOid);
  const contacts = contactsByAddress();
  const ownAddresses = new Set([maria.address, ...fx.org.teamMembers.find((m) => m.oid === maria.oid)!.mailboxAliases].map((a) => a.toLowerCase()));
  const singleCustomer = (m: SeedMessage) => {
    const matches = expectedMatches(m);
    const others = participantsOf(m).filter((a) => !ownAddresses.has(a) && a !== unregisteredAlias);
    return matches.size === 1 && others.length > 0 && others.every((a) => (contacts.get(a)?.length ?? 0) === 1);
  };

  const newsletter = fx.messages(maria.oid, (m) => m.folderKey === "newsletters")[0];
  const aliasMail = fx.messages(maria.oid, (m) => senderOf(m) === unregisteredAlias && m.folderKey === "sentitems" && singleCustomer(m))[0];
  assert.ok(newsletter && aliasMail, "the seed has a newsletter and a sent email from the unregistered alias");
  const aliasCustomer = [...expectedMatches(aliasMail.seed).keys()][0]!;
  const customerMails = fx.messages(maria.oid, (m) => m.folderKey === "inbox" && contacts.has(senderOf(m)) && singleCustomer(m));
  const customerMail = customerMails.find((m) => [...expectedMatches(m.seed).keys()][0] !== aliasCustomer)!;
  const customerX = [...expectedMatches(customerMail.seed).keys()][0]!;
  const otherMail = customerMails.find((m) => ![aliasCustomer, customerX].includes([...expectedMatches(m.seed).keys()][0]!)) ?? customerMails.find((m) => m !== customerMail)!;
  assert.ok(customerMail && otherMail, "the seed has customer emails in the inbox");

  // The alias really is unknown: not registered with the product, and not among the mailbox's proxy addresses
  // (or connecting would discover it).
  const before = await fx.api<MemberSettings>(maria.oid, "GET", "/api/settings");
  assert.ok(!before.body.aliases.some((a) => a.address === unregisteredAlias), JSON.stringify(before.body.aliases));
  const proxies = fx.emulator.identity.findUser(maria.oid)!.proxyAddresses.map((p) => p.toLowerCase());
  assert.ok(!proxies.includes(`smtp:${unregisteredAlias}`), `the emulator lists ${unregisteredAlias} in proxyAddresses: ${proxies}`);

  // The server serves office.js itself (the test host stands in for it in the browser).
  const officeJs = await fetch(`${fx.baseUrl}/addin/office/office.js`);
  assert.equal(officeJs.status, 200);
  assert.match(officeJs.headers.get("content-type") ?? "", /javascript/);

  // 1. Open the pane on a newsletter: not connected.
  const { context, page } = await openPane(maria, newsletter.item);
  t.after(() => context.close());
  await startButton(page).waitFor({ timeout: UI_TIMEOUT });
  await page.getByText("Last sync: never").waitFor();
  await page.getByText("No customer contact in this email").waitFor({ timeout: UI_TIMEOUT });
  await shot(page, "journey-01-not-connected");

  // 2. Authenticate in the Office dialog: the emulator's consent page. The first Graph message request is held
  //    in flight so the initial sync is visibly running when the pane comes back.
  const hold = await fx.control("POST", "/pipeline/faults", { rules: [{ match: { oid: maria.oid, pathRegex: "/messages" }, kind: "hold", count: 1 }] });
  assert.equal(hold.status, 200, JSON.stringify(hold.body));
  t.after(() => fx.control("DELETE", "/pipeline/faults")); // releases held requests too, should a step fail
  const popup = await authenticateThroughConsentPage(context, page, maria, {
    beforeAccept: async (consent) => {
      assert.ok(await consent.getByText("Read your mail (Mail.Read)").isVisible());
      await consent.screenshot({ path: path.join(ensureScreenshotDir(), "journey-02-consent.png"), fullPage: true });
    },
  });
  await popup.waitForEvent("close", { timeout: UI_TIMEOUT });

  // 3. The initial sync's progress.
  await page.getByText("Syncing your last 6 months").waitFor({ timeout: UI_TIMEOUT });
  await page.getByRole("progressbar").waitFor();
  await authenticatedHeadline(page).waitFor();
  await page.getByText(`Connected ${maria.address}.`, { exact: false }).first().waitFor();
  await shot(page, "journey-03-initial-sync");
  const log = await testHostLog(page);
  const opened = log.find((e) => e.type === "dialogOpened");
  assert.ok(opened && String(opened.url).startsWith(`${fx.baseUrl}/auth/start?`), `dialog opened at ${opened?.url}`);
  const message = log.find((e) => e.type === "dialogMessage");
  assert.ok(message, "the dialog's last page reported through messageParent");
  assert.equal(JSON.parse(String(message.message)).ok, true);
  assert.ok(log.some((e) => e.type === "dialogClosedByAddIn"), "the pane closed the dialog");

  // The sync did reach the held request (it cannot have finished without it).
  await waitFor("the held Graph request", () => fx.control<{ held: number }>("GET", "/pipeline/faults"), (r) => r.body.held >= 1);
  // The newsletter's preview was asked before the sync finished: the pane asks again once it has.
  const previewAfterSync = page.waitForRequest((r) => r.url() === `${fx.baseUrl}/api/preview` && r.method() === "POST", { timeout: UI_TIMEOUT });
  await fx.control("POST", "/pipeline/faults/release");
  await fx.control("DELETE", "/pipeline/faults");

  // 4. Connected, with the last sync time (the pane polls while the initial sync runs).
  await page.getByText("Connected", { exact: true }).waitFor({ timeout: UI_TIMEOUT });
  await authenticatedHeadline(page).waitFor();
  await previewAfterSync;
  // The "Connected <account>" notice has gone by itself: one green bar, the card's.
  await page.getByText(`Connected ${maria.address}.`, { exact: false }).first().waitFor({ state: "detached", timeout: UI_TIMEOUT });
  const connected = await connection(maria.oid);
  assert.equal(connected.state, "connected");
  assert.ok(connected.lastSyncAt);
  await page.getByText(/^Last sync: \d/).waitFor();
  assert.equal(await page.getByRole("progressbar").count(), 0);
  await shot(page, "journey-04-connected");

  // Settings: the registered aliases, and the ones the connection discovered in the mailbox, marked as such.
  await page.getByRole("tab", { name: "Settings" }).click();
  const aliasList = page.getByRole("list", { name: "Email aliases" });
  const aliases = (await fx.api<MemberSettings>(maria.oid, "GET", "/api/settings")).body.aliases;
  const discovered = aliases.filter((a) => a.source === "discovered");
  assert.ok(discovered.length > 0, `connecting discovered the mailbox's addresses: ${JSON.stringify(aliases)}`);
  assert.ok(!aliases.some((a) => a.address === unregisteredAlias), `${unregisteredAlias} must stay unregistered: ${JSON.stringify(aliases)}`);
  for (const alias of aliases) {
    const row = aliasList.getByRole("listitem").filter({ hasText: alias.address });
    await row.waitFor({ timeout: UI_TIMEOUT });
    if (alias.source === "discovered") assert.ok(await row.getByText("from your mailbox").isVisible(), alias.address);
    else assert.ok(await row.getByRole("button", { name: `Remove alias ${alias.address}` }).isVisible(), alias.address);
  }
  await shot(page, "journey-05-settings");
  await page.getByRole("tab", { name: "This email" }).click();

  // 5. A customer's email: the preview names the customer and the matched contacts.
  assert.equal(await selectItem(page, customerMail.item), 1, "the pinned pane listens to ItemChanged");
  await assertPreview(page, expectedMatches(customerMail.seed));
  await page.getByText(customerMail.item.subject!, { exact: true }).first().waitFor();
  await shot(page, "journey-06-customer-email");

  // 6. The email sent from the unregistered alias: "why wasn't this synced?" explains it.
  await selectItem(page, aliasMail.item);
  await assertPreview(page, expectedMatches(aliasMail.seed));
  await page.getByRole("button", { name: "Why wasn't this synced?" }).click();
  const whyHeadline = page.getByText(/^Not synced/);
  await whyHeadline.waitFor({ timeout: UI_TIMEOUT });
  const why = page.getByRole("region", { name: "Why wasn't this synced?" });
  const reasons = (await why.locator("li").allInnerTexts()).join("\n");
  assert.match(reasons, new RegExp(`${unregisteredAlias.replace(/[.]/g, "\\.")}.*isn't registered as your alias`, "s"), reasons);
  const addAlias = why.getByRole("button", { name: `Add ${unregisteredAlias} as your alias` });
  await addAlias.waitFor();
  await shot(page, "journey-07-why-not-synced");

  // 7. One click adds the alias and checks again…
  await addAlias.click();
  const syncedHeadline = why.getByText(`Synced to ${customerName(aliasCustomer)}`);
  await syncedHeadline.waitFor({ timeout: UI_TIMEOUT });
  const settings = await fx.api<MemberSettings>(maria.oid, "GET", "/api/settings");
  assert.ok(settings.body.aliases.some((a) => a.address === unregisteredAlias && a.source === "manual"), JSON.stringify(settings.body.aliases));

  // …and after the next sync cycle the same check still says synced, with the email in the customer's history.
  const lastSync = (await connection(maria.oid)).lastSyncAt;
  const syncNow = await fx.api(maria.oid, "POST", "/api/connection/sync-now", {});
  assert.equal(syncNow.status, 202, JSON.stringify(syncNow.body));
  await waitFor("the next sync cycle", () => connection(maria.oid), (s) => s.state === "connected" && s.lastSyncAt !== lastSync);
  await Promise.all([
    page.waitForResponse((r) => r.url() === `${fx.baseUrl}/api/why` && r.request().method() === "POST", { timeout: UI_TIMEOUT }),
    why.getByRole("button", { name: "Check again" }).click(),
  ]);
  await syncedHeadline.waitFor({ timeout: UI_TIMEOUT });
  await why.getByRole("list", { name: "Where this email is in Startdeliver" }).waitFor();
  const whyAfter = await fx.api<{ synced: boolean; customers: { name: string }[] }>(maria.oid, "POST", "/api/why", {
    internetMessageId: aliasMail.item.internetMessageId,
  });
  assert.equal(whyAfter.body.synced, true, JSON.stringify(whyAfter.body));
  assert.deepEqual(whyAfter.body.customers.map((c) => c.name), [customerName(aliasCustomer)]);
  await shot(page, "journey-08-why-synced");

  // 8. Pinned: the pane follows the selection (ItemChanged).
  assert.equal(await selectItem(page, otherMail.item), 1);
  await assertPreview(page, expectedMatches(otherMail.seed));
  await page.getByRole("button", { name: "Why wasn't this synced?" }).waitFor(); // the previous answer is gone
  await shot(page, "journey-09-pinned-next-email");

  // 9. Nothing selected.
  await selectItem(page, null);
  await page.getByText("Select an email to see its customer").waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await page.locator("#pane-panel-email article").count(), 0);
  await shot(page, "journey-10-no-selection");

  // 10. Revoke, after confirming.
  await page.getByRole("button", { name: "revoke", exact: true }).click();
  const confirm = page.getByRole("group", { name: "Revoke access?" });
  await confirm.waitFor();
  await shot(page, "journey-11-revoke-confirmation");
  await confirm.getByRole("button", { name: "Revoke access" }).click();
  await startButton(page).waitFor({ timeout: UI_TIMEOUT });
  await page.getByText("Access revoked.", { exact: false }).waitFor();
  assert.equal((await connection(maria.oid)).state, "not_connected");
  await shot(page, "journey-12-revoked");
});

// ------------------------------------------------------------------ admin consent

test("a member of a tenant that requires admin consent: the pane explains admin approval and links to it", async (t) => {
  const tenant = fx.adminConsentTenant!;
  const user = tenant.users[0]!;
  const victor: Person = { oid: user.oid, tenantId: tenant.tenantId, displayName: user.displayName, address: user.userPrincipalName };
  const { context, page } = await openPane(victor, null);
  t.after(() => context.close());
  await startButton(page).waitFor({ timeout: UI_TIMEOUT });

  const popup = await authenticateThroughConsentPage(context, page, victor);
  await popup.getByRole("heading", { name: "Need admin approval" }).waitFor({ timeout: UI_TIMEOUT });
  await popup.screenshot({ path: path.join(ensureScreenshotDir(), "admin-consent-need-approval-page.png"), fullPage: true });
  await popup.getByRole("button", { name: "Return to the application without granting consent" }).click();
  await popup.waitForEvent("close", { timeout: UI_TIMEOUT });

  await page.getByText("Admin approval needed").waitFor({ timeout: UI_TIMEOUT });
  await startButton(page).waitFor();
  const status = await connection(victor.oid);
  assert.equal(status.state, "admin_consent_required");
  const link = page.getByRole("link", { name: /\/adminconsent\?/ });
  const href = await link.getAttribute("href");
  assert.ok(href && href.startsWith(`${fx.emulator.url}/${tenant.tenantId}/adminconsent?`), `admin-consent link: ${href}`);
  assert.equal(new URL(href).searchParams.get("client_id"), fx.emulator.demoApp.clientId);
  assert.equal(href, status.adminConsentUrl);
  // The link is shown once (no notice repeating it), with a button to copy it for the admin.
  assert.equal(await page.getByText(/\/adminconsent\?/).count(), 1, await page.locator("main").innerText());
  await page.getByRole("button", { name: "Copy approval link" }).click();
  await page.getByText("Copied. Paste it into a message to your admin.").waitFor();
  await shot(page, "admin-consent-required");

  // The admin opens the link and approves; then the member authenticates.
  const admin = await context.newPage();
  await admin.goto(href);
  await admin.locator("#idSIButton9").click();
  await admin.waitForURL(`${fx.baseUrl}/auth/callback**`, { timeout: UI_TIMEOUT });
  await admin.close();
  const again = await authenticateThroughConsentPage(context, page, victor);
  await again.waitForEvent("close", { timeout: UI_TIMEOUT });
  await authenticatedHeadline(page).waitFor({ timeout: UI_TIMEOUT });
  assert.notEqual((await connection(victor.oid)).state, "admin_consent_required");
});

// ------------------------------------------------------------------ connection lost

test("connection lost (the user's sessions are revoked in Entra ID): the pane says so and re-authenticates", async (t) => {
  const alex = teamMember(fx.org.teamMembers.find((m) => m.oid !== unregisteredAliasOwnerOid && m.isAdmin === false)!.oid);
  const { context, page } = await openPane(alex, null);
  t.after(() => context.close());
  await startButton(page).waitFor({ timeout: UI_TIMEOUT });
  const popup = await authenticateThroughConsentPage(context, page, alex);
  await popup.waitForEvent("close", { timeout: UI_TIMEOUT });
  await authenticatedHeadline(page).waitFor({ timeout: UI_TIMEOUT });
  await waitFor("the first sync", () => connection(alex.oid), (s) => s.state === "connected" && s.lastSyncAt !== null);

  // A password change: refresh tokens die. Graph rejects the cached access token, so the sync's refresh fails.
  const revoked = await fx.control("POST", `/identity/users/${alex.oid}/revoke`);
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  await fx.control("POST", "/pipeline/faults", { rules: [{ match: { oid: alex.oid }, kind: "401" }] });
  t.after(() => fx.control("DELETE", "/pipeline/faults"));
  await fx.api(alex.oid, "POST", "/api/connection/sync-now", {});
  const lost = await waitFor("connection_lost", () => connection(alex.oid), (s) => s.state === "connection_lost");
  assert.ok(lost.lastError);
  await fx.control("DELETE", "/pipeline/faults");

  // The pinned pane notices by itself (it checks again when the selection changes), says so and offers one
  // action: re-authenticate.
  assert.equal(await selectItem(page, null), 1);
  await page.getByText("Connection lost").waitFor({ timeout: UI_TIMEOUT });
  await page.getByRole("button", { name: "Re-authenticate" }).waitFor();
  assert.equal(await startButton(page).count(), 0, "one action, not two doing the same");
  assert.equal(await page.getByRole("button", { name: /authenticat/i }).count(), 1);
  assert.equal(await page.getByText(`Connected ${alex.address}.`, { exact: false }).count(), 0, "no notice contradicting the card");
  await page.getByText(/^Last sync: \d/).waitFor(); // what synced before stays
  await shot(page, "connection-lost");

  const again = await authenticateThroughConsentPage(context, page, alex, { button: "Re-authenticate" });
  await again.waitForEvent("close", { timeout: UI_TIMEOUT });
  await authenticatedHeadline(page).waitFor({ timeout: UI_TIMEOUT });
  assert.notEqual((await connection(alex.oid)).state, "connection_lost");
});

// ------------------------------------------------------------------ the connected pane: two customers, a11y, 320 px

describe("the connected pane on an email with two customers", () => {
  let page: Page;
  let context: BrowserContext;
  let twoCustomers: { seed: SeedMessage; item: TestItem };
  const shared = () => fx.org.cases.sharedContactAddress.toLowerCase();

  before(async () => {
    const admin = fx.org.teamMembers.find((m) => m.isAdmin)!;
    const oscar = teamMember(admin.oid);
    twoCustomers = fx.messages(oscar.oid, (s) => participantsOf(s).includes(shared())).find((x) => expectedMatches(x.seed).size >= 2)!;
    assert.ok(twoCustomers, "the seed has an email with the contact shared by two customers");
    ({ context, page } = await openPane(oscar, null));
    await startButton(page).waitFor({ timeout: UI_TIMEOUT });
    const popup = await authenticateThroughConsentPage(context, page, oscar);
    await popup.waitForEvent("close", { timeout: UI_TIMEOUT });
    // Once the initial sync is done, the customers' latest interactions include this mailbox's.
    await page.getByText("Connected", { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await selectItem(page, twoCustomers.item), 1);
  });
  after(() => context?.close());

  test("both customers are shown, each with the shared contact", async () => {
    const expected = expectedMatches(twoCustomers.seed);
    assert.deepEqual([...expected.keys()].sort(), [...fx.org.cases.sharedContactCustomers].sort());
    await assertPreview(page, expected);
    for (const id of expected.keys()) {
      assert.ok(await page.getByRole("article", { name: customerName(id) }).getByText(shared()).isVisible());
    }
    await shot(page, "two-customers");
  });

  test("accessibility: no serious or critical axe violations (preview, then the why answer)", async () => {
    const check = async (state: string) => {
      const result = await new AxeBuilder({ page }).analyze();
      const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      assert.deepEqual(
        serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
        [],
        state,
      );
    };
    await check("preview");
    await page.getByRole("button", { name: "Why wasn't this synced?" }).click();
    await page.getByRole("button", { name: "Check again" }).waitFor({ timeout: UI_TIMEOUT });
    await check("why answer");
    await page.getByRole("tab", { name: "Settings" }).click();
    await check("settings");
    await page.getByRole("tab", { name: "This email" }).click();
  });

  test("320 px wide: nothing overflows horizontally", async () => {
    assert.equal(page.viewportSize()?.width, 320);
    await assertNoOverflow(page, "this email");
    await page.getByRole("tab", { name: "Settings" }).click();
    await assertNoOverflow(page, "settings");
    await page.getByRole("tab", { name: "This email" }).click();
  });
});
