import { test } from "node:test";
import assert from "node:assert/strict";
import type { MemberSettings } from "../../shared/api/contract";
import { validateAlias } from "../logic/aliases";
import { RECHECK_NOTICE } from "../hooks/useSettings";
import { AliasEditor } from "./AliasEditor";
import { SETTING_TEXT, SettingsPanel } from "./SettingsPanel";
import { buttonsOf, noop, renderHtml, textOf } from "../test-support";

const settings: MemberSettings = {
  aliases: [
    { address: "anna.andersson@startdeliver-demo.com", source: "discovered" },
    { address: "aa@startdeliver-demo.com", source: "manual" },
  ],
  syncToCustomersByDomain: false,
  syncUnknownSender: true,
  syncUnknownOrganizer: false,
  customersWithDomainCount: 0,
};

const props = {
  problem: null,
  saving: null,
  savedNotice: null,
  primaryAddress: "anna@startdeliver-demo.com",
  onToggle: noop,
  onAddAlias: async () => true,
  onRemoveAlias: noop,
  onRetry: noop,
  onSignIn: noop,
};

test("aliases: discovered ones are marked 'from your mailbox' and can't be removed; manual ones can", () => {
  const html = renderHtml(<SettingsPanel {...props} settings={settings} />);
  const text = textOf(html);
  assert.match(text, /anna\.andersson@startdeliver-demo\.com from your mailbox/);
  const buttons = buttonsOf(html);
  assert.ok(buttons.includes("Remove"));
  assert.equal(buttons.filter((b) => b === "Remove").length, 1, "only the manual alias has a Remove button");
  assert.match(html, /aria-label="Remove alias aa@startdeliver-demo\.com"/);
  assert.doesNotMatch(html, /Remove alias anna\.andersson/);
});

test("the three toggles with their one-line explanations; the domain one explains the missing domain field", () => {
  const html = renderHtml(<SettingsPanel {...props} settings={settings} />);
  const text = textOf(html);
  for (const label of Object.values(SETTING_TEXT)) assert.ok(text.includes(label), label);
  assert.match(text, /No customer has the domain field filled in yet/);
  assert.equal((html.match(/role="switch"/g) ?? []).length, 3);
  assert.equal((html.match(/aria-describedby="/g) ?? []).length, 3, "each switch points at its explanation");
  const withDomains = textOf(renderHtml(<SettingsPanel {...props} settings={{ ...settings, customersWithDomainCount: 12 }} />));
  assert.doesNotMatch(withDomains, /No customer has the domain field/);
  assert.match(withDomains, /12 customers have a domain/);
});

test("saving says the last 6 months will be re-checked", () => {
  const text = textOf(renderHtml(<SettingsPanel {...props} settings={settings} savedNotice={`Saved. ${RECHECK_NOTICE}`} />));
  assert.match(text, /Saved\. The last 6 months will be re-checked on the next sync\./);
});

test("a bad alias is rejected and the editor shows why (and nothing is sent)", () => {
  const check = validateAlias("anna at startdeliver", settings.aliases, props.primaryAddress);
  assert.equal(check.ok, false);
  const error = check.ok ? "" : check.error;
  let added = false;
  const html = renderHtml(
    <AliasEditor
      aliases={settings.aliases}
      primaryAddress={props.primaryAddress}
      onAdd={async () => (added = true)}
      onRemove={noop}
      initialInput="anna at startdeliver"
      initialError={error}
    />,
  );
  assert.ok(textOf(html).includes(error));
  assert.match(html, /aria-invalid="true"/);
  assert.equal(added, false);
});
