import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "../db/database";
import { directorySnapshot } from "./read";
import { createOrganisation } from "./service";
import { importFiles, readCsv } from "./import-cli";
import { removeDir, tempDir } from "../test-support/env";

const root = path.resolve(import.meta.dirname, "../..");
const samples = path.join(root, "docs/samples");
const dir = tempDir("import");
after(() => removeDir(dir));

test("the sample CSVs import in dependency order, whatever order they are given in", () => {
  const db = openDatabase(path.join(dir, "a.db"));
  const org = createOrganisation(db, "Example");
  const files = ["users.csv", "customers.csv", "team.csv"].map((f) => readCsv(path.join(samples, f)));
  assert.deepEqual(files.map((f) => f.kind), ["users", "customers", "teamMembers"]);
  const results = importFiles(db, org, files);
  assert.deepEqual(results.map((r) => [r.kind, r.result.created]), [["teamMembers", 2], ["customers", 3], ["users", 4]]);
  const snap = directorySnapshot(db, org);
  const erik = snap.members.find((m) => m.externalId === "csm-erik")!;
  assert.deepEqual(erik.aliases.map((a) => a.address), ["e.holm@example-sales.com", "erik@example.com"]);
  assert.deepEqual(snap.customers.find((c) => c.externalId === "cust-1002")!.domains, ["fabrikam-eu.test", "fabrikam.test"]);
  assert.deepEqual(snap.customers.find((c) => c.externalId === "cust-1003")!.domains, []);
  assert.equal(snap.users.find((u) => u.externalId === "user-1")!.createdAt, "2024-01-15T09:00:00.000Z");
  db.close();
});

test("the CLI reports bad rows by CSV line and imports nothing", () => {
  const bad = path.join(dir, "bad-users.csv");
  fs.writeFileSync(bad, "externalId,name,address,customerExternalId\nu1,Ok,ok@x.test,cust-1001\nu2,Broken,not-an-address,cust-1001\n");
  const dbPath = path.join(dir, "cli.db");
  const env = { ...process.env, DATA_DIR: dir, DATABASE_PATH: dbPath };
  const run = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", path.join(root, "server/directory/import-cli.ts"), ...args], { cwd: root, env, encoding: "utf8" });

  const ok = run([path.join(samples, "team.csv"), path.join(samples, "customers.csv")]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /Created organisation .*API key \(shown once\): sk_/);
  assert.match(ok.stdout, /customers\.csv \(customers\): 3 created, 0 updated/);

  const failed = run([bad]);
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /line 3, address: must be an email address/);
  assert.match(failed.stderr, /Nothing was imported/);
  const db = openDatabase(dbPath);
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n, 0);
  db.close();
});
