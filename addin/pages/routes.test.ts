import { test } from "node:test";
import assert from "node:assert/strict";
import { customerPageLink, formatRoute, impactPageLink, parseRoute, type Route } from "./routes";

test("routes survive a round trip through the hash", () => {
  const routes: Route[] = [
    { page: "customers", sort: "last_interaction", pageNumber: 1 },
    { page: "customers", sort: "last_email_reply", order: "asc", owner: "me", quietDays: 30, q: "acme & co", pageNumber: 3 },
    { page: "customer", id: "c/1 x", tab: "interactions" },
    { page: "customer", id: "abc", tab: "history" },
    { page: "impact" },
    { page: "impact", from: "2024-05-01", to: "2024-05-31", drill: { kind: "email", member: "m1" } },
    { page: "impact", drill: { kind: "meeting", from: "2024-01-01", to: "2024-01-07" } },
    { page: "impact", drill: { day: "2024-06-05" } },
  ];
  for (const r of routes) {
    const back = parseRoute(formatRoute(r));
    assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(r)), formatRoute(r));
  }
});

test("bad or missing values fall back to defaults instead of failing", () => {
  assert.deepEqual(parseRoute(""), { page: "customers", sort: "last_interaction", order: undefined, owner: undefined, quietDays: undefined, q: undefined, pageNumber: 1 });
  const r = parseRoute("#/customers?sort=revenue&order=sideways&quietDays=-4&page=zero");
  assert.equal(r.page, "customers");
  if (r.page === "customers") {
    assert.equal(r.sort, "last_interaction");
    assert.equal(r.order, undefined);
    assert.equal(r.quietDays, undefined);
    assert.equal(r.pageNumber, 1);
  }
  assert.deepEqual(parseRoute("#/impact?from=yesterday&drill=1&kind=call"), { page: "impact", from: undefined, to: undefined, drill: { kind: undefined, member: undefined, day: undefined, from: undefined, to: undefined } });
});

test("links from the pane point at pages.html next to it", () => {
  assert.equal(customerPageLink("https://sd.example/addin/taskpane.html?x=1", "c1"), "https://sd.example/addin/pages.html#/customers/c1");
  assert.equal(impactPageLink("https://sd.example/base/addin/taskpane.html"), "https://sd.example/base/addin/pages.html#/impact");
});
