import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { Express } from "express";
import { createApp } from "../app";
import { startApiFixture, type ApiFixture } from "../test-support/api-fixture";
import { documentedRoutes, routesOf } from "../test-support/routes";

let f: ApiFixture;
before(async () => {
  f = await startApiFixture("openapi");
});
after(() => f.close());

test("GET /api/openapi.json documents every route the server has, and nothing it does not", async () => {
  const res = await f.call("GET", "/api/openapi.json", null);
  assert.equal(res.status, 200);
  const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
  assert.equal(doc.openapi, "3.1.0");
  assert.deepEqual(documentedRoutes(doc), routesOf(createApp(f.ctx)));

  // Every $ref points at a defined schema.
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  for (const r of refs) assert.ok(doc.components.schemas[r], `schema ${r} is defined`);
});

test("request schemas carry the validation rules (field names, formats)", async () => {
  const doc = (await f.call("GET", "/api/openapi.json", null)).body;
  const users = doc.components.schemas.PutUsers;
  const row = users.properties.users.items;
  assert.deepEqual([...row.required].sort(), ["address", "customerExternalId", "externalId"]);
  assert.equal(users.properties.users.maxItems, 5000);
  assert.equal(doc.components.schemas.SettingsUpdate.additionalProperties, false);
});
