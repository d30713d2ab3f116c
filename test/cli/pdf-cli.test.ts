import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { pageTexts, tool } from "../helpers/pdf-tools";

let dataDir: string;
let out: string;
beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo"));
  out = tempDir("quire-pdf-cli-");
});

function pdf(...args: string[]) {
  return runQuire(["pdf", ...args], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: "2026-11-30T12:00:00Z" });
}

describe("quire pdf", () => {
  it("writes the version in force as an uncontrolled copy and says what it wrote as JSON", async () => {
    const file = path.join(out, "ts.pdf");
    const r = pdf("--doc", "SOP-TS-001", "--out", file, "--json");
    expect(r.status, r.stderr).toBe(0);
    const answer = JSON.parse(r.stdout) as Record<string, unknown>;
    const bytes = fs.readFileSync(file);
    expect(answer).toEqual({
      doc: "SOP-TS-001",
      version: "2.0",
      status: "effective",
      pages: expect.any(Number),
      sha256: createHash("sha256").update(bytes).digest("hex"),
      out: file,
    });
    expect(tool("qpdf", ["--check", file]).status).toBe(0);
    const pages = pageTexts(file);
    expect(pages).toHaveLength(answer.pages as number);
    expect(pages[0]).toContain("SOP-TS-001");
    expect(pages.at(-1)).toContain("Uncontrolled copy: valid on 2026-11-30 only");
    expect(pages.at(-1)).toMatch(/Printed by cli:\S+ at 2026-11-30 12:00:00 UTC/);
    // Taking the copy is audited as an export, with the file's SHA-256.
    const rows = await queryDataFolder<{ username: string; new_values: string }>(
      dataDir,
      "SELECT username, new_values FROM audit_events WHERE action = 'document.pdf.export' AND object_id = 'SOP-TS-001'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.username).toMatch(/^cli:/);
    expect(JSON.parse(rows[0]!.new_values)).toMatchObject({ version: "2.0", copy: "uncontrolled", sha256: answer.sha256 });
  });

  it("prints the same bytes again for the same version and print time, and a past version with --on", () => {
    const again = path.join(out, "ts-again.pdf");
    expect(pdf("--doc", "SOP-TS-001", "--out", again).status).toBe(0);
    expect(fs.readFileSync(again).equals(fs.readFileSync(path.join(out, "ts.pdf")))).toBe(true);
    const old = JSON.parse(pdf("--doc", "SOP-TS-001", "--on", "2025-06-01", "--out", path.join(out, "old.pdf"), "--json").stdout) as Record<string, unknown>;
    expect(old).toMatchObject({ version: "1.0", status: "superseded" });
  });

  it("exits 2 with one clear line and leaves no file for bad input", () => {
    const folder = tempDir("quire-pdf-bad-");
    const file = path.join(folder, "x.pdf");
    const cases: [string[], RegExp][] = [
      [["--doc", "SOP-XX-999", "--out", file], /^quire: There is no controlled document SOP-XX-999\.\n$/],
      [["--doc", "SOP-TS-001", "--version", "9.0", "--out", file], /^quire: Document SOP-TS-001 has no version 9\.0 \(it has 2\.0, 1\.0\)\.\n$/],
      [
        ["--doc", "SOP-TS-001", "--on", "2024-01-01", "--out", file],
        /^quire: No version of SOP-TS-001 was in force on 2024-01-01; the first took effect 2025-02-03\.\n$/,
      ],
      [["--doc", "SOP-TS-001", "--version", "1.0", "--on", "2025-06-01", "--out", file], /^quire: give --version or --on, not both\n$/],
      [["--doc", "SOP-TS-001", "--on", "June", "--out", file], /^quire: --on must be a date YYYY-MM-DD\n$/],
      [["--doc", "SOP-TS-001", "--out", path.join(folder, "missing", "x.pdf")], /^quire: cannot write .*: the folder .* does not exist\n$/],
      [["--doc", "SOP-TS-001", "--out", path.join(out, "ts.pdf", "x.pdf")], /^quire: cannot write .*ts\.pdf is not a folder\n$/],
      [["--doc", "SOP-TS-001"], /required option '--out <file>'/],
    ];
    for (const [args, message] of cases) {
      const r = pdf(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it("has help naming its options and exit codes", () => {
    const help = pdf("--help");
    expect(help.status).toBe(0);
    for (const option of ["--doc <id>", "--version <X.Y>", "--on <date>", "--out <file>", "--json"]) expect(help.stdout).toContain(option);
    expect(help.stdout).toContain("Exit 0");
  });
});
