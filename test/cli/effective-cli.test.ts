import { beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";

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
    const badDate = effective("--doc", "SOP-TS-001", "--on", "2026-02-30x");
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toContain("--on must be a date YYYY-MM-DD");
    const noFolder = runQuire(["effective", "--doc", "SOP-TS-001", "--on", "2026-01-01"], { QUIRE_DATA_DIR: tempDir() + "/none" });
    expect(noFolder.status).toBe(2);
    expect(noFolder.stderr).toContain("No Quire data folder");
  });
});
