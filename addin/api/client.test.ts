import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiProblem, createApiClient, type TokenSource } from "./client";
import { describeProblem } from "../logic/problems";

interface Seen {
  url: string;
  method: string;
  authorization: string | null;
  body: unknown;
}

function fakeFetch(answers: (Response | Error)[]) {
  const seen: Seen[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    seen.push({ url: String(input), method: init?.method ?? "GET", authorization: headers.get("authorization"), body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    return next;
  }) as typeof fetch;
  return { impl, seen };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function tokens(): TokenSource & { calls: boolean[] } {
  const calls: boolean[] = [];
  return {
    calls,
    async getToken(options) {
      calls.push(options?.forceRefresh ?? false);
      return options?.forceRefresh ? "fresh-token" : "cached-token";
    },
  };
}

test("sends the bearer token and the contract's JSON to the right route", async () => {
  const { impl, seen } = fakeFetch([json(200, { customers: [], summary: "No customer contact in this email." })]);
  const api = createApiClient("https://sd.example.com/", tokens(), impl);
  const result = await api.preview({ internetMessageId: "<1@x>", to: [], cc: [] });
  assert.equal(result.summary, "No customer contact in this email.");
  assert.deepEqual(seen, [{ url: "https://sd.example.com/api/preview", method: "POST", authorization: "Bearer cached-token", body: { internetMessageId: "<1@x>", to: [], cc: [] } }]);
});

test("routes for connection, settings and aliases", async () => {
  const settings = { aliases: [], syncToCustomersByDomain: false, syncUnknownSender: false, syncUnknownOrganizer: false, customersWithDomainCount: 0 };
  const { impl, seen } = fakeFetch([json(200, { url: "https://sd/x" }), json(200, settings), json(200, settings), json(200, settings)]);
  const api = createApiClient("https://sd.example.com", tokens(), impl);
  await api.startAuthSession();
  await api.updateSettings({ syncUnknownSender: true });
  await api.addAlias("a@b.co");
  await api.removeAlias("a+x@b.co");
  assert.deepEqual(
    seen.map((s) => `${s.method} ${new URL(s.url).pathname}`),
    ["POST /api/connection/auth-session", "PUT /api/settings", "POST /api/settings/aliases", "DELETE /api/settings/aliases/a%2Bx%40b.co"],
  );
  assert.deepEqual(seen[1]!.body, { syncUnknownSender: true });
  assert.deepEqual(seen[2]!.body, { address: "a@b.co" });
});

test("401 once: retries with a fresh token; 401 twice: 'sign in again'", async () => {
  const source = tokens();
  const ok = fakeFetch([json(401, { error: { code: "unauthorized", message: "expired" } }), json(200, { state: "connected" })]);
  await createApiClient("https://sd", source, ok.impl).connection();
  assert.deepEqual(ok.seen.map((s) => s.authorization), ["Bearer cached-token", "Bearer fresh-token"]);

  const twice = fakeFetch([json(401, {}), json(401, {})]);
  const error = await createApiClient("https://sd", tokens(), twice.impl).connection().catch((e: unknown) => e);
  assert.ok(error instanceof ApiProblem);
  assert.equal(error.kind, "sign_in");
  assert.deepEqual(describeProblem(error), { title: "Your sign-in has expired", message: "Sign in again to continue.", next: "sign_in" });
});

test("403 means not a team member; no answer means the network; 5xx and 400 in plain words", async () => {
  const cases: [Response | Error, string, RegExp][] = [
    [json(403, { error: { code: "not_a_member", message: "x" } }), "forbidden", /Your account isn't a team member in Startdeliver; ask your admin/],
    [new TypeError("Failed to fetch"), "network", /Check your internet connection/],
    [json(503, {}), "unavailable", /Try again in a minute/],
    [json(400, { error: { code: "invalid", message: "That alias belongs to another team member.", field: "address" } }), "invalid", /belongs to another team member/],
  ];
  for (const [answer, kind, words] of cases) {
    const { impl } = fakeFetch([answer]);
    const error = await createApiClient("https://sd", tokens(), impl).settings().catch((e: unknown) => e);
    assert.ok(error instanceof ApiProblem, kind);
    assert.equal(error.kind, kind);
    assert.match(describeProblem(error).message, words);
  }
});
