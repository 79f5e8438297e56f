/**
 * The SQLite database: one file, WAL so readers never wait on the sync's writes,
 * foreign keys on (SQLite leaves them off by default), and a busy timeout so a CLI
 * import next to a running server waits instead of failing.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { applyMigrations, defaultMigrationsDir } from "./migrate";

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Directories with numbered .sql files; defaults to server/db/migrations. */
  migrationsDirs?: string[];
  /** Skip migrations (tests of the runner itself). */
  migrate?: boolean;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL");
  if (options.migrate !== false) applyMigrations(db, options.migrationsDirs ?? [defaultMigrationsDir]);
  return db;
}

/** ISO-8601 UTC with milliseconds: sorts as text, and what the API returns. */
export function nowIso(): string {
  return new Date().toISOString();
}
