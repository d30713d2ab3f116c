import fs from "node:fs";
import path from "node:path";

import { appRoot } from "~/config.server";

import type { Database } from "./db.server";

/** Applies app/db/migrations/NNN-name.sql in order, each once, recording it in schema_migrations. */
export async function migrate(db: Database): Promise<string[]> {
  await db.execScript("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
  const dir = path.join(appRoot(), "app", "db", "migrations");
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort();
  const done = new Set((await db.all<{ name: string }>("SELECT name FROM schema_migrations")).map((r) => r.name));
  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file)) continue;
    const sql = fs.readFileSync(path.join(dir, file), "utf8");
    // Each migration and its record commit together, or neither does.
    try {
      await db.execScript(`BEGIN;\n${sql}\nINSERT INTO schema_migrations (name, applied_at) VALUES ('${file}', '${new Date().toISOString()}');\nCOMMIT;`);
    } catch (error) {
      await db.execScript("ROLLBACK").catch(() => undefined);
      throw new Error(`Migration ${file} failed: ${(error as Error).message}`);
    }
    applied.push(file);
  }
  return applied;
}
