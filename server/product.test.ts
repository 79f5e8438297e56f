import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Express } from "express";
import { createApp } from "./app";
import { productAppOptions } from "./product";
import { createServerInteractions } from "./interactions";
import { createServerSync } from "./sync";
import { startApiFixture, type ApiFixture } from "./test-support/api-fixture";
import { documentedRoutes, routesOf } from "./test-support/routes";

let f: ApiFixture;
let app: Express;
before(async () => {
  f = await startApiFixture("product-openapi");
  const interactions = createServerInteractions(f.ctx);
  const sync = createServerSync(f.ctx, { listener: interactions.listener, push: false });
  const options = productAppOptions(f.ctx, { sync, interactions });
  app = createApp(f.ctx, options);
  f.server.setHandler(app);
});
after(() => f.close());

/** Only the REST API: the pane host's pages and the OAuth redirects are not part of it. */
const apiOnly = (routes: string[]) => routes.filter((r) => r.split(" ")[1]!.startsWith("/api/"));

test("the product's OpenAPI document describes every /api route it serves (sync, interactions, reports included)", async () => {
  const res = await f.call("GET", "/api/openapi.json", null);
  assert.equal(res.status, 200);
  const doc = res.body as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
  assert.deepEqual(apiOnly(documentedRoutes(doc)), apiOnly(routesOf(app)));
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  for (const r of refs) assert.ok(doc.components.schemas[r], `schema ${r} is defined`);
});

test("the pane host serves the runtime config with nothing secret in it", async () => {
  const res = await f.call("GET", "/addin/config.json", null);
  assert.equal(res.status, 200);
  assert.equal(res.body.clientId, f.ctx.config.microsoft.clientId);
  assert.equal(res.body.apiScope, f.ctx.config.microsoft.apiScope);
  const text = JSON.stringify(res.body);
  assert.ok(!text.includes(f.ctx.config.microsoft.clientSecret), "the client secret never reaches the browser");
});
