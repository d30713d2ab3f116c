import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";

import { runQuire } from "../helpers/cli";
import { PROJECT_ROOT, copyDataFolder, tempDir } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";

let dataDir: string;
beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo"));
});

function effective(...args: string[]) {
  return runQuire(["effective", ...args], { QUIRE_DATA_DIR: dataDir });
}

describe("quire effective", () => {
  it("gives the version in force on a date, with its commit and period, as JSON", () => {
    const before = JSON.parse(effective("--doc", "SOP-TS-001", "--on", "2026-03-01", "--json").stdout);
    expect(before).toEqual({
      doc: "SOP-TS-001",
      on: "2026-03-01",
      version: "1.0",
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
      effectiveFrom: "2025-02-03",
      effectiveTo: "2026-03-02",
    });
    const after = JSON.parse(effective("--doc", "SOP-TS-001", "--on", "2026-03-02", "--json").stdout);
    expect(after).toMatchObject({ version: "2.0", effectiveFrom: "2026-03-02", effectiveTo: null });
    expect(after.commit).not.toBe(before.commit);
  });

  it("says when no version was effective yet, exiting 0", () => {
    const r = effective("--doc", "SOP-TS-001", "--on", "2024-01-01", "--json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ doc: "SOP-TS-001", on: "2024-01-01", version: null, commit: null, effectiveFrom: null, effectiveTo: null });
    expect(effective("--doc", "SOP-TS-001", "--on", "2024-01-01").stdout).toContain("no version was effective (the first, 1.0, took effect 2025-02-03)");
  });

  it("exits 2 for an unknown document, a bad date or a missing data folder", () => {
    const unknown = effective("--doc", "SOP-XX-999", "--on", "2026-01-01");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("quire: unknown document SOP-XX-999\n");
    for (const bad of ["2026-02-30x", "2026-02-30", "2026-13-01", "26-01-01"]) {
      const badDate = effective("--doc", "SOP-TS-001", "--on", bad);
      expect(badDate.status, bad).toBe(2);
      expect(badDate.stderr, bad).toBe("quire: --on must be a date YYYY-MM-DD\n");
    }
    expect(JSON.parse(effective("--doc", "SOP-TS-001", "--on", "2028-02-29", "--json").stdout)).toMatchObject({ on: "2028-02-29", version: "2.0" });
    const noFolder = runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-01-01"], { QUIRE_DATA_DIR: tempDir() + "/none" });
    expect(noFolder.status).toBe(2);
    expect(noFolder.stderr).toContain("No Quire data folder");
  });
});

/**
 * `quire effective` reads the database alone (issue 10: it must start within 3x `node -e 0`), but
 * it still refuses a data folder openDataFolder refuses, and still migrates an old one first.
 */
describe("quire effective on a data folder that is not ready", () => {
  it("refuses a folder whose content repository is missing or not a git repository (exit 2)", async () => {
    const { dataDir: missing } = await copyDataFolder("fixture-demo");
    fs.rmSync(path.join(missing, "content"), { recursive: true });
    const { dataDir: notGit } = await copyDataFolder("fixture-demo");
    fs.rmSync(path.join(notGit, "content", "objects"), { recursive: true });
    for (const dir of [missing, notGit]) {
      const r = runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-03-01", "--json"], { QUIRE_DATA_DIR: dir });
      expect(r.status, dir).toBe(2);
      expect(r.stderr).toBe(`quire: The content repository ${path.join(dir, "content")} is missing or not a git repository.\n`);
      expect(r.stdout).toBe("");
    }
  });

  it("migrates a folder whose database lacks a migration before it answers, as the other commands do", async () => {
    const { dataDir: old } = await copyDataFolder("fixture-demo");
    // Undo migration 027 (three indexes), as if the folder were made before it existed.
    const db = await Database.open(path.join(old, "quire.db"));
    await db.execScript(
      "DROP INDEX training_assignments_open_on; DROP INDEX training_assignments_due; DROP INDEX training_assignments_version_done; DELETE FROM schema_migrations WHERE name = '027-kpi-indexes.sql';",
    );
    await db.close();
    const r = runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-03-01", "--json"], { QUIRE_DATA_DIR: old });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ doc: "SOP-TS-001", version: "1.0" });
    expect(await queryDataFolder(old, "SELECT name FROM schema_migrations WHERE name = '027-kpi-indexes.sql'")).toHaveLength(1);
    expect(
      await queryDataFolder(
        old,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('training_assignments_open_on', 'training_assignments_due', 'training_assignments_version_done') ORDER BY name",
      ),
    ).toEqual([{ name: "training_assignments_due" }, { name: "training_assignments_open_on" }, { name: "training_assignments_version_done" }]);
  });

  it("leaves a current folder as it found it: no -wal or -shm file behind, nothing written", async () => {
    const { dataDir: current } = await copyDataFolder("fixture-demo");
    const dbFile = path.join(current, "quire.db");
    const before = fs.readFileSync(dbFile);
    expect(runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-03-01", "--json"], { QUIRE_DATA_DIR: current }).status).toBe(0);
    expect(fs.readdirSync(current).filter((f) => f.startsWith("quire.db"))).toEqual(["quire.db"]);
    expect(fs.readFileSync(dbFile).equals(before)).toBe(true);
  });
});

describe("quire effective's start-up (issue 10: within 3x `node -e 0`, bench group cli)", () => {
  it("starts no process and loads no child_process: no git, and commander's spawn stays unloaded", () => {
    const report = 'data:text/javascript,process.on("exit", () => process.stderr.write(`\\nloaded: ${JSON.stringify(process.moduleLoadList)}`))';
    const r = spawnSync(
      process.execPath,
      ["--import", report, path.join(PROJECT_ROOT, "scripts", "quire.js"), "effective", "--doc", "SOP-TS-001", "--on", "2026-03-01", "--json"],
      { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", QUIRE_DATA_DIR: dataDir }, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: "1.0" });
    const loaded = JSON.parse(r.stderr.split("\nloaded: ")[1]!) as string[];
    expect(loaded).toContain("NativeModule fs");
    expect(loaded.filter((m) => m.includes("child_process"))).toEqual([]);
  });
});
