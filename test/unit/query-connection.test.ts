import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { Database, openQueryConnection, type QueryConnection } from "~/db/db.server";
import { pendingMigrations, migrate } from "~/db/migrate.server";

import { tempDir } from "../helpers/data-folder";

let open: QueryConnection | null = null;
afterEach(async () => {
  await open?.close();
  open = null;
});

describe("openQueryConnection (read-only commands)", () => {
  it("reads what a Database wrote, and refuses to write", async () => {
    const file = path.join(tempDir(), "quire.db");
    const db = await Database.open(file);
    await db.execScript("CREATE TABLE t (n INTEGER NOT NULL); INSERT INTO t VALUES (1);");
    await db.close();
    open = await openQueryConnection(file);
    expect(await open.all("SELECT n FROM t")).toEqual([{ n: 1 }]);
    await expect(open.all("INSERT INTO t VALUES (2)")).rejects.toThrow(/readonly|read-only/i);
    expect(await open.all("SELECT n FROM t")).toEqual([{ n: 1 }]);
  });

  it("does not create a database that is not there", async () => {
    await expect(openQueryConnection(path.join(tempDir(), "none.db"))).rejects.toThrow(/unable to open/);
  });
});

describe("pendingMigrations", () => {
  it("lists every migration for a database without schema_migrations, none once migrated, and one undone", async () => {
    const file = path.join(tempDir(), "quire.db");
    const db = await Database.open(file);
    try {
      const all = await pendingMigrations(db);
      expect(all.length).toBeGreaterThan(20);
      expect(all[0]).toMatch(/^001-/);
      expect(await migrate(db)).toEqual(all);
      expect(await pendingMigrations(db)).toEqual([]);
      await db.execScript(`DELETE FROM schema_migrations WHERE name = '${all.at(-1)!}'`);
      expect(await pendingMigrations(db)).toEqual([all.at(-1)]);
    } finally {
      await db.close();
    }
  });
});
