import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";
import { migrate } from "~/db/migrate.server";

import { tempDir } from "../helpers/data-folder";

let db: Database | null = null;
afterEach(async () => {
  await db?.close();
  db = null;
});

async function openTemp(): Promise<Database> {
  db = await Database.open(path.join(tempDir(), "quire.db"));
  await db.execScript("CREATE TABLE t (tx TEXT NOT NULL, n INTEGER NOT NULL)");
  return db;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

describe("Database", () => {
  it("keeps a cached read until a commit from this or another connection, and not after a rollback", async () => {
    const d = await openTemp();
    let loads = 0;
    const count = () => d.cached("count", async () => (loads++, (await d.get<{ n: number }>("SELECT count(*) AS n FROM t"))!.n));
    expect([await count(), await count()]).toEqual([0, 0]);
    expect(loads).toBe(1);
    await d.transaction((tx) => tx.run("INSERT INTO t (tx, n) VALUES ('a', 1)"));
    expect(await count()).toBe(1);
    await d
      .transaction(async (tx) => {
        await tx.run("INSERT INTO t (tx, n) VALUES ('b', 1)");
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    expect(await count()).toBe(1);
    expect(loads).toBe(2);
    // Another process writing the same file (a second connection) is seen too.
    const other = await Database.open(d.file);
    await other.transaction((tx) => tx.run("INSERT INTO t (tx, n) VALUES ('c', 1)"));
    await other.close();
    expect(await count()).toBe(2);
    expect(loads).toBe(3);
  });

  it("runs concurrent transactions one after another, never mixing their statements", async () => {
    const d = await openTemp();
    // Each transaction writes 5 rows with awaits between them; one of them fails half-way.
    const work = (name: string, fail: boolean) =>
      d.transaction(async (tx) => {
        for (let n = 0; n < 5; n++) {
          await tx.run("INSERT INTO t (tx, n) VALUES (?, ?)", [name, n]);
          await pause();
          if (fail && n === 2) throw new Error(`${name} failed`);
        }
      });
    const results = await Promise.allSettled([work("a", false), work("b", true), work("c", false), work("d", false)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const rows = await d.all<{ tx: string; n: number }>("SELECT tx, n FROM t ORDER BY rowid");
    // b rolled back entirely; the others' rows are contiguous, in order.
    expect(rows.map((r) => `${r.tx}${r.n}`).join(" ")).toBe("a0 a1 a2 a3 a4 c0 c1 c2 c3 c4 d0 d1 d2 d3 d4");
  });

  it("does not let readers see a transaction before it commits", async () => {
    const d = await openTemp();
    let seenInside = -1;
    await d.transaction(async (tx) => {
      await tx.run("INSERT INTO t (tx, n) VALUES ('x', 1)");
      seenInside = (await d.get<{ c: number }>("SELECT count(*) AS c FROM t"))!.c;
    });
    expect(seenInside).toBe(0);
    expect((await d.get<{ c: number }>("SELECT count(*) AS c FROM t"))!.c).toBe(1);
  });

  it("applies migrations once and keeps records immutable", async () => {
    db = await Database.open(path.join(tempDir(), "quire.db"));
    expect(await migrate(db)).toContain("001-documents.sql");
    expect(await migrate(db)).toEqual([]);
    await db.transaction(async (tx) => {
      await tx.run("INSERT INTO documents (id, type, path, created_at) VALUES ('SOP-AA-001', 'sop', 'sops/SOP-AA-001.mdx', 'now')");
      await tx.run(
        "INSERT INTO document_versions (doc_id, major, minor, version, commit_sha, tag, path, content_hash, title, frontmatter, change_reason, approved_at, effective_from) VALUES ('SOP-AA-001', 1, 0, '1.0', 'abc', 'SOP-AA-001/v1.0', 'p', 'h', 't', '{}', 'r', 'now', '2025-01-01')",
      );
    });
    await expect(db.transaction((tx) => tx.run("UPDATE document_versions SET title = 'changed'"))).rejects.toThrow(/never updated/);
    await expect(db.transaction((tx) => tx.run("DELETE FROM document_versions"))).rejects.toThrow(/never deleted/);
  });
});
