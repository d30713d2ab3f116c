import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { STANDARD_14, fontsOf, infoOf, pageTexts } from "../helpers/pdf-tools";

// `quire review-pack` (SOP-KP-001, "Prepare management review inputs"; inspection questions 19 and
// 21) on the project demo as init leaves it on 25 November 2026: read back with poppler's tools.

let dataDir: string;
let out: string;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  out = tempDir("quire-review-pack-");
});

function pack(...args: string[]) {
  return runQuire(["review-pack", ...args], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: "2026-11-25T09:00:00Z" });
}

describe("quire review-pack", () => {
  it("writes the inputs Quire holds: KPI results with status in words, charts, red KPIs' analyses, open actions, document control, training", () => {
    const file = path.join(out, "pack.pdf");
    const result = pack("--from", "2026-05", "--to", "2026-10", "--out", file, "--json");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const written = JSON.parse(result.stdout) as { out: string; pages: number; sha256: string };
    expect(written.out).toBe(file);
    const text = pageTexts(file).join("\n");
    expect(text).toContain("Management review input report");
    expect(text).toContain("Period: May 2026 to Oct 2026");
    expect(text).toMatch(/Data query resolution time\s+SOP-DM-001\s+15 days or fewer\s+24\.6 days\s+red \(act\)/);
    expect(text).toContain("Data query resolution time (SOP-DM-001): target 15 days or fewer");
    expect(text).toContain("Two sites of QRX-410 lost their study");
    expect(text).toContain("CAPA-0001");
    expect(text).toContain("CR-2026-0008");
    expect(text).toContain("Overdue training:");
    expect(text).toContain("Sponsor feedback, complaints and satisfaction results");
    expect(text).toContain(`Page 1 of ${written.pages}`);
    expect(text).toContain("Uncontrolled copy: valid on 2026-11-25 only");
    expect(infoOf(file).Title).toBe("Management review input report");
    expect(fontsOf(file).every((f) => f.embedded && !STANDARD_14.test(f.name))).toBe(true);
  });

  it("gives the same bytes for the same period and print time, and audits each report with its SHA-256", async () => {
    const a = pack("--from", "2026-08", "--to", "2026-10", "--out", path.join(out, "a.pdf"), "--json");
    const b = pack("--from", "2026-08", "--to", "2026-10", "--out", path.join(out, "b.pdf"), "--json");
    expect(fs.readFileSync(path.join(out, "a.pdf")).equals(fs.readFileSync(path.join(out, "b.pdf")))).toBe(true);
    const sha = (JSON.parse(a.stdout) as { sha256: string }).sha256;
    expect((JSON.parse(b.stdout) as { sha256: string }).sha256).toBe(sha);
    const audit = await queryDataFolder<{ new_values: string }>(dataDir, "SELECT new_values FROM audit_events WHERE action = 'kpi.review-pack'");
    expect(audit.filter((r) => r.new_values.includes(sha))).toHaveLength(2);
  });

  it("refuses a bad or incomplete period and an unwritable path with exit 2, writing nothing", () => {
    const file = path.join(out, "never.pdf");
    for (const [args, message] of [
      [["--from", "2026-13", "--to", "2026-10"], '--from must be a month YYYY-MM, not "2026-13"'],
      [["--from", "2026-10", "--to", "2026-05"], "--from 2026-10 is after --to 2026-05"],
      [["--from", "2026-10", "--to", "2026-11"], "--to 2026-11 is not a complete month yet"],
      [["--from", "2024-01", "--to", "2026-10"], "longer than 24 months"],
    ] as const) {
      const result = pack(...args, "--out", file);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(message);
    }
    expect(pack("--from", "2026-05", "--to", "2026-10", "--out", path.join(out, "no-such-folder", "x.pdf")).status).toBe(2);
    expect(fs.existsSync(file)).toBe(false);
  });
});
