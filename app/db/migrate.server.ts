import fs from "node:fs";
import path from "node:path";

import { appRoot } from "~/locations.server";

import type { Database, Queryable } from "./db.server";

/** A migration that rebuilds a table others refer to starts with this line (SQLite's twelve-step table change). */
const FOREIGN_KEYS_OFF = "-- quire:foreign-keys-off";

/** app/db/migrations/NNN-name.sql, in the order they apply. */
function migrationFiles(): { dir: string; files: string[] } {
  const dir = path.join(appRoot(), "app", "db", "migrations");
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort();
  return { dir, files };
}

/**
 * The migrations a database has not had yet (all of them when it has no schema_migrations table),
 * read without writing anything: a read-only command checks this and migrates only when it is not
 * empty (`quire effective`'s fast start, issue 10).
 */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const { files } = migrationFiles();
  const table = await db.get<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (table === undefined) return files;
  const done = new Set((await db.all<{ name: string }>("SELECT name FROM schema_migrations")).map((r) => r.name));
  return files.filter((f) => !done.has(f));
}

/**
 * Applies app/db/migrations/NNN-name.sql in order, each once, recording it in schema_migrations.
 * A migration marked FOREIGN_KEYS_OFF runs with foreign keys off (they cannot be switched inside a
 * transaction) and commits only if `PRAGMA foreign_key_check` then finds nothing.
 */
export async function migrate(db: Database): Promise<string[]> {
  await db.execScript("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const { dir, files } = migrationFiles();
  const done = new Set((await db.all<{ name: string }>("SELECT name FROM schema_migrations")).map((r) => r.name));
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = fs.readFileSync(path.join(dir, file), "utf8");
    const keysOff = sql.startsWith(FOREIGN_KEYS_OFF);
    // Each migration and its record commit together, or neither does.
    try {
      if (keysOff) await db.execScript("PRAGMA foreign_keys = OFF");
      await db.execScript(`BEGIN;\n${sql}\nINSERT INTO schema_migrations (name, applied_at) VALUES ('${file}', '${new Date().toISOString()}');`);
      if (keysOff) {
        const broken = await db.writerAll<{ table: string; rowid: number; parent: string }>("PRAGMA foreign_key_check");
        if (broken.length > 0)
          throw new Error(`it would leave ${broken.length} broken reference(s), first ${broken[0]!.table} row ${broken[0]!.rowid} to ${broken[0]!.parent}`);
      }
      await db.execScript("COMMIT");
    } catch (error) {
      await db.execScript("ROLLBACK").catch(() => undefined);
      throw new Error(`Migration ${file} failed: ${(error as Error).message}`);
    } finally {
      if (keysOff) await db.execScript("PRAGMA foreign_keys = ON");
    }
    applied.push(file);
  }
  return applied;
}
