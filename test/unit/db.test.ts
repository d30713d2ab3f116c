import fs from "node:fs";
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

  it("changes its version token with every commit: its own at once, another process's from the next turn of the event loop", async () => {
    const d = await openTemp();
    const start = await d.version();
    // Reads in one turn share one data_version read.
    const [a, b] = await Promise.all([d.version(), d.version()]);
    expect(a).toBe(b);
    const other = await Database.open(d.file);
    await other.transaction((tx) => tx.run("INSERT INTO t (tx, n) VALUES ('other', 1)"));
    await other.close();
    await new Promise((resolve) => setImmediate(resolve));
    const afterOther = await d.version();
    expect(afterOther).not.toBe(start);
    await d.transaction((tx) => tx.run("INSERT INTO t (tx, n) VALUES ('own', 1)"));
    expect(await d.version()).not.toBe(afterOther);
  });

  it("leaves only the database file when it closes: the WAL checkpointed, no -wal or -shm beside it", async () => {
    for (let i = 0; i < 5; i++) {
      const d = await openTemp();
      await d.transaction((tx) => tx.run("INSERT INTO t (tx, n) VALUES ('a', 1)"));
      await d.get("SELECT count(*) AS n FROM t");
      await d.close();
      db = null;
      expect(fs.readdirSync(path.dirname(d.file))).toEqual(["quire.db"]);
    }
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

describe("migration 009 (signature meanings)", () => {
  it("rebuilds the signatures table keeping every row and reference, then takes a new meaning by one INSERT", async () => {
    const fs = await import("node:fs");
    db = await Database.open(path.join(tempDir(), "quire.db"));
    const dir = path.join(import.meta.dirname, "..", "..", "app", "db", "migrations");
    // A data folder as it stood before 009: migrations 001-008 and a signed retirement.
    await db.execScript("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f < "009")
      .sort()) {
      await db.execScript(`BEGIN; ${fs.readFileSync(path.join(dir, file), "utf8")}; INSERT INTO schema_migrations VALUES ('${file}', 'then'); COMMIT;`);
    }
    await db.transaction(async (tx) => {
      await tx.run(
        "INSERT INTO users (id, username, display_name, email, password_hash, password_changed_at, created_at) VALUES ('u1', 'qa', 'Q A', 'q@x', 'h', 't', 't')",
      );
      await tx.run("INSERT INTO documents (id, type, path, created_at) VALUES ('SOP-A-001', 'sop', 'sops/SOP-A-001.mdx', 't')");
      await tx.run(
        "INSERT INTO signatures (id, doc_id, version, user_id, username, printed_name, meaning, signed_at, content_hash) VALUES (7, 'SOP-A-001', '1.0', 'u1', 'qa', 'Q A', 'Retired', 't', 'h')",
      );
      await tx.run("INSERT INTO retirements (doc_id, effective_from, reason, signature_id, retired_at) VALUES ('SOP-A-001', '2026-01-01', 'gone', 7, 't')");
    });
    // 009 and every later migration apply on top.
    expect(await migrate(db)).toEqual(
      fs
        .readdirSync(dir)
        .filter((f) => f >= "009" && f.endsWith(".sql"))
        .sort(),
    );
    expect(await db.get("SELECT id, meaning, printed_name FROM signatures")).toEqual({ id: 7, meaning: "Retired", printed_name: "Q A" });
    expect(await db.get("SELECT signature_id FROM retirements")).toEqual({ signature_id: 7 });
    expect(await db.all("PRAGMA foreign_key_check")).toEqual([]);
    const sign = (meaning: string) =>
      db!.transaction((tx) =>
        tx.run(
          "INSERT INTO signatures (doc_id, version, user_id, username, printed_name, meaning, signed_at, content_hash) VALUES ('SOP-A-001', '1.0', 'u1', 'qa', 'Q A', ?, 't', 'h')",
          [meaning],
        ),
      );
    await expect(sign("Witnessed")).rejects.toThrow(/FOREIGN KEY/);
    await db.transaction((tx) => tx.run("INSERT INTO signature_meanings (meaning, purpose) VALUES ('Witnessed', 'training')"));
    await sign("Witnessed");
    await expect(db.transaction((tx) => tx.run("UPDATE signatures SET printed_name = 'x'"))).rejects.toThrow(/never updated/);
    await expect(db.transaction((tx) => tx.run("DELETE FROM signatures"))).rejects.toThrow(/never deleted/);
  });
});
