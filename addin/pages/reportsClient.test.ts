import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiProblem } from "../api/client";
import { createReportsApi, fileNameOf, queryString } from "./reportsClient";

test("query strings carry only the values that are set", () => {
  assert.equal(queryString({ sort: "name", owner: undefined, q: "", page: 2 }), "?sort=name&page=2");
  assert.equal(queryString({}), "");
  assert.equal(fileNameOf('attachment; filename="customers-2024-06-15.csv"', "x.csv"), "customers-2024-06-15.csv");
  assert.equal(fileNameOf(null, "x.csv"), "x.csv");
});

test("bearer token on every call; one retry with a fresh token after a 401; errors keep the field", async () => {
  const calls: { url: string; auth: string | null }[] = [];
  let fresh = 0;
  const tokens = { getToken: async (o?: { forceRefresh?: boolean }) => (o?.forceRefresh ? `fresh-${++fresh}` : "cached") };
  const responses = [
    new Response("", { status: 401 }),
    new Response(JSON.stringify({ items: [] }), { status: 200, headers: { "content-type": "application/json" } }),
    new Response(JSON.stringify({ error: { code: "invalid_request", message: "quietDays: must be at least 1", field: "quietDays" } }), { status: 400 }),
  ];
  const fetchStub = (async (url: string, init?: RequestInit) => {
    calls.push({ url, auth: new Headers(init?.headers).get("authorization") });
    return responses.shift()!;
  }) as typeof fetch;
  const api = createReportsApi("https://sd.example/", tokens, fetchStub);
  await api.customers({ sort: "last_interaction", quietDays: 30 });
  assert.deepEqual(calls.map((c) => c.auth), ["Bearer cached", "Bearer fresh-1"]);
  assert.equal(calls[0]!.url, "https://sd.example/api/customers?sort=last_interaction&quietDays=30");
  await assert.rejects(api.customers({ quietDays: 0 }), (e: unknown) => e instanceof ApiProblem && e.kind === "invalid" && e.field === "quietDays");
});

test("CSV downloads drop paging and ask for csv", async () => {
  let url = "";
  const fetchStub = (async (u: string) => {
    url = u;
    return new Response("\uFEFFa,b\r\n", { status: 200, headers: { "content-disposition": 'attachment; filename="customers-x.csv"' } });
  }) as typeof fetch;
  const api = createReportsApi("https://sd.example", { getToken: async () => "t" }, fetchStub);
  const file = await api.customersCsv({ sort: "name", page: 3, pageSize: 50, owner: "me" });
  assert.equal(url, "https://sd.example/api/customers?sort=name&owner=me&format=csv");
  assert.equal(file.fileName, "customers-x.csv");
});
