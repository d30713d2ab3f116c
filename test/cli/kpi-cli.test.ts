import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";

// `quire kpi show` and `quire kpi import` (SOP-KP-001; inspection questions 19 and 20) on the project
// demo as init leaves it on 25 November 2026, so the last complete month is October 2026. The demo's
// story (app/modules/setup/demo-kpi-data.ts): query resolution time is red in September (22.5 days)
// and October 2026 (24.6 days) against a 15-day target; enrolment on QRX-410 is amber three months
// running, so red by the rule; no site was initiated in October 2026.

let dataDir: string;
let files: string;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  files = tempDir("quire-kpi-csv-");
});

function kpi(...args: string[]) {
  return runQuire(["kpi", ...args], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: "2026-11-25T09:00:00Z" });
}

interface ShowJson {
  id: string;
  period: string;
  value: number | null;
  target: number;
  status: "green" | "amber" | "red" | null;
}

/** `kpi show --json`, with the value rounded to one decimal as the dashboard shows it. */
function show(...args: string[]): ShowJson {
  const result = kpi("show", ...args, "--json");
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const parsed = JSON.parse(result.stdout) as ShowJson;
  return { ...parsed, value: parsed.value === null ? null : Math.round(parsed.value * 10) / 10 };
}

/** A CSV file in the test's temp folder. */
function csvFile(name: string, lines: string[]): string {
  const file = path.join(files, name);
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const HEADER = "kpi,period,study,site,value,numerator,denominator";
/** Two sites of a new study: 19/20 and 39/40 visits without an important deviation, 58/60 = 96.7% (green: target 95%). */
const GOOD_ROWS = ["protocol-adherence-rate,2026-10,T-1,S-1,95,19,20", "protocol-adherence-rate,2026-10,T-1,S-2,97.5,39,40"];

describe("quire kpi show (SOP-KP-001: a KPI's value, target and status)", () => {
  it("gives the last complete month by default: query resolution time red at 24.6 days in October 2026", () => {
    const result = kpi("show", "--id", "query-resolution-time", "--json");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const keys = Object.keys(JSON.parse(result.stdout) as object);
    expect(keys).toEqual(["id", "period", "value", "target", "status"]);
    expect(show("--id", "query-resolution-time")).toEqual({ id: "query-resolution-time", period: "2026-10", value: 24.6, target: 15, status: "red" });
  });

  it("gives an earlier month with --period: red at 22.5 days in September 2026", () => {
    expect(show("--id", "query-resolution-time", "--period", "2026-09")).toEqual({
      id: "query-resolution-time",
      period: "2026-09",
      value: 22.5,
      target: 15,
      status: "red",
    });
  });

  it("answers a month without data with a null value and status, exit 0", () => {
    const answer = show("--id", "site-initiation-time", "--period", "2026-10");
    expect(answer).toMatchObject({ id: "site-initiation-time", period: "2026-10", value: null, status: null });
    expect(answer.target).toBe(90);
    const text = kpi("show", "--id", "site-initiation-time", "--period", "2026-10");
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("none (no data)");
  });

  it("narrows to one study with --study: enrolment on QRX-410 is red (amber three months running)", () => {
    expect(show("--id", "enrolment-rate", "--study", "QRX-410")).toMatchObject({ id: "enrolment-rate", period: "2026-10", value: 84.8, status: "red" });
  });

  it("exits 2 for an unknown KPI id, naming it, and for a month that does not exist", () => {
    const unknown = kpi("show", "--id", "no-such-kpi", "--json");
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain("no-such-kpi");
    expect(unknown.stderr).not.toMatch(/\n\s+at /);

    const badMonth = kpi("show", "--id", "query-resolution-time", "--period", "2026-13", "--json");
    expect(badMonth.status).toBe(2);
    expect(badMonth.stdout).toBe("");
    expect(badMonth.stderr).toMatch(/^quire: .*--period/);
    expect(badMonth.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("quire kpi import (SOP-KP-001: collect and check the data)", () => {
  it("imports a good file, and a second import of the same file changes nothing", () => {
    const file = csvFile("t1.csv", [HEADER, ...GOOD_ROWS]);
    const first = kpi("import", file, "--json");
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const imported = JSON.parse(first.stdout) as { status: string; import: { rows: number; new: number; changed: number; unchanged: number; sha256: string } };
    expect(imported.status).toBe("imported");
    expect(imported.import).toMatchObject({ rows: 2, new: 2, changed: 0, unchanged: 0 });
    expect(imported.import.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(show("--id", "protocol-adherence-rate", "--study", "T-1")).toEqual({
      id: "protocol-adherence-rate",
      period: "2026-10",
      value: 96.7,
      target: 95,
      status: "green",
    });

    const again = kpi("import", file, "--json");
    expect(again.status).toBe(0);
    const second = JSON.parse(again.stdout) as { status: string; import: { rows: number; new: number; changed: number; unchanged: number } };
    expect(second.status).toBe("imported");
    expect(second.import).toMatchObject({ rows: 2, new: 0, changed: 0, unchanged: 2 });

    const text = kpi("import", file);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Imported .*t1\.csv as import \d+ \(sha256:[0-9a-f]{64}\): 2 row\(s\), 0 new, 0 changed, 2 unchanged\.\n$/);
  });

  it("imports nothing from a file with a bad row, naming its line, column and value, exit 1", () => {
    // Line 2 would change S-1's figure; line 3's value has a decimal comma. Nothing may be imported.
    const file = csvFile("bad.csv", [HEADER, "protocol-adherence-rate,2026-10,T-1,S-1,50,10,20", 'protocol-adherence-rate,2026-10,T-1,S-2,"12,5",1,8']);
    const result = kpi("import", file);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('line 3, column value: "12,5" is not a number');
    expect(result.stderr).toContain(`quire: nothing imported from ${file}: 1 problem(s).`);
    expect(result.stderr).not.toMatch(/\n\s+at /);

    const json = kpi("import", file, "--json");
    expect(json.status).toBe(1);
    const rejected = JSON.parse(json.stdout) as { status: string; problems: { line: number; column: string | null; message: string }[] };
    expect(rejected.status).toBe("rejected");
    expect(rejected.problems).toEqual([{ line: 3, column: "value", message: 'line 3, column value: "12,5" is not a number' }]);

    // The earlier import stands: 58/60, green.
    expect(show("--id", "protocol-adherence-rate", "--study", "T-1")).toMatchObject({ value: 96.7, status: "green" });
  });

  it("exits 2 for a file that does not exist", () => {
    const missing = path.join(files, "no-such-file.csv");
    const result = kpi("import", missing, "--json");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`quire: no such file: ${missing}\n`);
  });

  it("has --help for kpi and kpi import", () => {
    const help = kpi("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: quire kpi");
    expect(help.stdout).toContain("import");
    expect(help.stdout).toContain("show");
    const importHelp = kpi("import", "--help");
    expect(importHelp.status).toBe(0);
    expect(importHelp.stdout).toContain("Usage: quire kpi import");
    expect(importHelp.stdout).toContain("Exit 0 imported, 1 the file has errors");
  });
});
