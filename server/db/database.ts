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
  // Performance (npm run bench -- sync): the sync's pages touch index pages all over the interaction
  // tables. With SQLite's defaults (a 2 MB page cache, a checkpoint every 1,000 WAL pages) a history
  // sync spent about a third of its time re-reading evicted pages and copying the same hot pages
  // back into the database at each checkpoint. 32 MB of cache and a checkpoint every ~40 MB of WAL
  // took a 50,000-message history sync from 37 s to 25 s (CPU 25 s → 19 s) with the same peak RSS;
  // the WAL file is truncated back to 64 MB after a checkpoint so it does not stay large.
  db.pragma("cache_size = -32768");
  db.pragma("wal_autocheckpoint = 10000");
  db.pragma("journal_size_limit = 67108864");
  if (options.migrate !== false) applyMigrations(db, options.migrationsDirs ?? [defaultMigrationsDir]);
  return db;
}

const preparedByDb = new WeakMap<Db, Map<string, Database.Statement<unknown[], unknown>>>();

/**
 * A statement prepared once per database and SQL text, for plain functions on hot paths (classes keep
 * theirs as fields): preparing a point query costs more than running it.
 */
export function preparedOnce<P extends unknown[], R>(db: Db, sql: string): Database.Statement<P, R> {
  let statements = preparedByDb.get(db);
  if (!statements) preparedByDb.set(db, (statements = new Map()));
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db.prepare(sql)));
  return statement as unknown as Database.Statement<P, R>;
}

/** ISO-8601 UTC with milliseconds: sorts as text, and what the API returns. */
export function nowIso(): string {
  return new Date().toISOString();
}
