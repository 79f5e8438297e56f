import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { validateManifestXml, renderManifest, formatIssues, MANIFEST_ROUTES } from "./validate";

const template = fs.readFileSync(path.resolve(import.meta.dirname, "..", "..", "manifest.xml"), "utf8");

/** Applies a textual edit and makes sure it actually changed the manifest (so a test can't silently pass). */
function edit(xml: string, from: string | RegExp, to: string): string {
  const out = xml.replace(from, to);
  assert.notEqual(out, xml, `the edit ${String(from)} did not apply`);
  return out;
}

async function expectInvalid(xml: string, mention: RegExp, publicUrl?: string) {
  const result = await validateManifestXml(xml, { publicUrl });
  assert.equal(result.valid, false, "expected the manifest to be rejected");
  assert.ok(
    result.issues.some((i) => mention.test(i.message)),
    `expected an issue matching ${mention}, got:\n${formatIssues(result.issues)}`,
  );
  return result;
}

test("the committed manifest passes schema and rules", async () => {
  const result = await validateManifestXml(template);
  assert.deepEqual(result.issues, []);
  assert.equal(result.valid, true);
  assert.equal(result.info?.officeAppType, "MailApp");
  assert.equal(result.info?.permissions, "ReadItem");
});

test("the manifest rendered for another public URL passes for that URL and fails for the default", async () => {
  const rendered = renderManifest(template, "https://sd.example.com/outlook/");
  assert.match(rendered, /<AppDomain>https:\/\/sd\.example\.com<\/AppDomain>/);
  assert.match(rendered, /https:\/\/sd\.example\.com\/outlook\/addin\/taskpane\.html/);
  assert.doesNotMatch(rendered, /localhost:3000/);
  const ok = await validateManifestXml(rendered, { publicUrl: "https://sd.example.com/outlook" });
  assert.deepEqual(ok.issues, []);
  await expectInvalid(rendered, /not under the public URL https:\/\/localhost:3000/);
});

test("a manifest without ProviderName fails naming ProviderName", async () => {
  await expectInvalid(edit(template, /\s*<ProviderName>[^<]*<\/ProviderName>/, ""), /ProviderName/);
});

test("Permissions before FormSettings fails (element order is fixed by the XSD)", async () => {
  const withoutPermissions = edit(template, /\s*<Permissions>ReadItem<\/Permissions>/, "");
  const moved = edit(withoutPermissions, "<FormSettings>", "<Permissions>ReadItem</Permissions>\n  <FormSettings>");
  const result = await expectInvalid(moved, /Permissions/);
  assert.ok(result.issues.some((i) => i.rule === "schema"));
});

test("SupportsPinning before SourceLocation fails", async () => {
  const moved = edit(
    template,
    /<SourceLocation resid="Taskpane.Url"\/>\s*<SupportsPinning>true<\/SupportsPinning>/,
    '<SupportsPinning>true</SupportsPinning>\n                      <SourceLocation resid="Taskpane.Url"/>',
  );
  await expectInvalid(moved, /SupportsPinning/);
});

test("a duplicate resid fails naming the id", async () => {
  const dup = edit(
    template,
    '<bt:String id="Group.Label" DefaultValue="Startdeliver"/>',
    '<bt:String id="Group.Label" DefaultValue="Startdeliver"/>\n          <bt:String id="Group.Label" DefaultValue="Again"/>',
  );
  await expectInvalid(dup, /Duplicate resource id "Group\.Label"/);
});

test("a URL not under the public URL fails naming the URL", async () => {
  const elsewhere = edit(template, "https://localhost:3000/addin/assets/icon-32.png", "https://cdn.example.net/icon-32.png");
  await expectInvalid(elsewhere, /"https:\/\/cdn\.example\.net\/icon-32\.png", which is not under the public URL/);
});

test("a URL under the public URL but not a served route fails", async () => {
  const wrong = edit(template, `https://localhost:3000${MANIFEST_ROUTES.commands}`, "https://localhost:3000/addin/functions.html");
  await expectInvalid(wrong, /functions\.html.*server serves only/);
});

test("rules the schema can't check: GUID id, duplicate control id, pinning, dangling resid, permissions", async () => {
  await expectInvalid(edit(template, /<Id>[^<]*<\/Id>/, "<Id>not-a-guid</Id>"), /must be a GUID/);
  await expectInvalid(edit(template, 'id="startdeliverReadGroup"', 'id="startdeliverOpenPaneButton"'), /"startdeliverOpenPaneButton" is used 2 times/);
  await expectInvalid(edit(template, /\s*<SupportsPinning>true<\/SupportsPinning>/, ""), /SupportsPinning/);
  await expectInvalid(edit(template, '<Label resid="Group.Label"/>', '<Label resid="Group.Missing"/>'), /resid="Group\.Missing"> refers to no resource/);
  await expectInvalid(edit(template, "<Permissions>ReadItem</Permissions>", "<Permissions>ReadWriteMailbox</Permissions>"), /ReadItem/);
});

test("the version must have the Office format", async () => {
  await expectInvalid(edit(template, "<Version>1.0.0.0</Version>", "<Version>1.0.0.0.0</Version>"), /Version/);
});
