/**
 * A tiny migration runner: numbered .sql files (001_foundation.sql, 100_sync.sql …) applied in
 * order, each in its own transaction together with its row in schema_migrations, so a failed
 * file leaves nothing half-applied and re-running is a no-op.
 */
import fs from "node:fs";
import path from "node:path";
import type Database from "better-sqlite3";

export const defaultMigrationsDir = path.join(import.meta.dirname, "migrations");

export interface Migration {
  version: number;
  name: string;
  file: string;
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9_-]+)\.sql$/i;

export function listMigrations(dirs: string[]): Migration[] {
  const found = new Map<number, Migration>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir)) {
      const m = FILE_PATTERN.exec(entry);
      if (!m) continue;
      const version = Number(m[1]);
      const existing = found.get(version);
      if (existing) throw new Error(`Two migrations share version ${version}: ${existing.file} and ${entry}`);
      found.set(version, { version, name: m[2]!, file: path.join(dir, entry) });
    }
  }
  return [...found.values()].sort((a, b) => a.version - b.version);
}

/** Applies pending migrations; returns the versions applied now. */
export function applyMigrations(db: Database.Database, dirs: string[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version),
  );
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const done: number[] = [];
  for (const migration of listMigrations(dirs)) {
    if (applied.has(migration.version)) continue;
    const sql = fs.readFileSync(migration.file, "utf8");
    // IMMEDIATE takes the write lock first, so a second process starting at the same time waits and
    // then sees the version as applied instead of failing half-way.
    const ran = db
      .transaction(() => {
        if (db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").get(migration.version)) return false;
        db.exec(sql);
        record.run(migration.version, migration.name, new Date().toISOString());
        return true;
      })
      .immediate();
    if (ran) done.push(migration.version);
  }
  return done;
}
