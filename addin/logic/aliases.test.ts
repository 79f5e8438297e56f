import { test } from "node:test";
import assert from "node:assert/strict";
import { validateAlias } from "./aliases";

const existing = [
  { address: "anna@startdeliver-demo.com", source: "discovered" as const },
  { address: "a.andersson@startdeliver-demo.com", source: "manual" as const },
];

test("accepts a plain address, trimmed and lower-cased", () => {
  assert.deepEqual(validateAlias("  Anna.Andersson@Startdeliver-Demo.com ", existing), { ok: true, address: "anna.andersson@startdeliver-demo.com" });
  assert.deepEqual(validateAlias("first+tag@sub.example.co.uk"), { ok: true, address: "first+tag@sub.example.co.uk" });
});

test("rejects bad aliases with a message saying what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["", /Enter an email address/],
    ["anna", /exactly one @/],
    ["anna@@example.com", /exactly one @/],
    ["@example.com", /exactly one @/],
    ["anna andersson@example.com", /spaces/],
    ["anna@example", /valid domain/],
    ["anna@-example.com", /valid domain/],
    ["anna@example.123", /valid domain/],
    [".anna@example.com", /before the @/],
    ["an..na@example.com", /before the @/],
    ["anna(x)@example.com", /before the @/],
    [`${"a".repeat(65)}@example.com`, /too long/],
  ];
  for (const [input, message] of cases) {
    const result = validateAlias(input, existing);
    assert.equal(result.ok, false, `${JSON.stringify(input)} should be rejected`);
    if (!result.ok) assert.match(result.error, message, JSON.stringify(input));
  }
});

test("rejects an alias already in the list, and the primary address", () => {
  const dup = validateAlias("ANNA@startdeliver-demo.com", existing);
  assert.equal(dup.ok, false);
  if (!dup.ok) assert.match(dup.error, /already in the list/);
  const primary = validateAlias("boss@startdeliver-demo.com", [], "Boss@startdeliver-demo.com");
  assert.equal(primary.ok, false);
  if (!primary.ok) assert.match(primary.error, /main address/);
});
