import { after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "./database";
import { applyMigrations, defaultMigrationsDir, listMigrations } from "./migrate";
import { removeDir, tempDir } from "../test-support/env";

const dir = tempDir("migrate");
after(() => removeDir(dir));

test("migrations apply once and are recorded; re-running is a no-op", () => {
  const file = path.join(dir, "a.db");
  const db = openDatabase(file, { migrate: false });
  const first = applyMigrations(db, [defaultMigrationsDir]);
  assert.ok(first.includes(1));
  assert.deepEqual(applyMigrations(db, [defaultMigrationsDir]), []);
  const rows = db.prepare("SELECT version, name FROM schema_migrations").all();
  assert.deepEqual(rows, listMigrations([defaultMigrationsDir]).map((m) => ({ version: m.version, name: m.name })));
  db.close();
  // Opening again (as the server does at every start) applies nothing new and keeps data.
  const again = openDatabase(file);
  assert.equal((again.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get() as { n: number }).n, first.length);
  assert.equal(again.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(again.pragma("foreign_keys", { simple: true }), 1);
  again.close();
});

test("a failing migration leaves nothing half-applied; later directories add numbered files", () => {
  const extra = path.join(dir, "extra");
  fs.mkdirSync(extra);
  fs.writeFileSync(path.join(extra, "900_good.sql"), "CREATE TABLE sync_things (id TEXT PRIMARY KEY);");
  fs.writeFileSync(path.join(extra, "901_bad.sql"), "CREATE TABLE half (id TEXT); THIS IS NOT SQL;");
  const db = openDatabase(path.join(dir, "b.db"), { migrate: false });
  assert.throws(() => applyMigrations(db, [defaultMigrationsDir, extra]));
  const versions = (db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]).map((r) => r.version);
  assert.ok(versions.includes(900));
  assert.ok(!versions.includes(901));
  assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get(), undefined);
  db.close();
});

test("two files with the same number are refused", () => {
  const dup = path.join(dir, "dup");
  fs.mkdirSync(dup);
  fs.writeFileSync(path.join(dup, "001_again.sql"), "SELECT 1;");
  assert.throws(() => listMigrations([defaultMigrationsDir, dup]), /share version 1/);
});
