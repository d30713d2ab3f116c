import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";

import { runQuire } from "../helpers/cli";
import { copyDataFolder } from "../helpers/data-folder";

// The fixture demo's CRAs acknowledged SOP-TS-001 v1.0 a few working days after go-live (2025-02-03)
// and v2.0 (effective 2026-03-02) after its approval, through the same signing path as the browser.

let dataDir: string;
let acks: { version: string; signed_at: string; id: number }[];

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo"));
  const db = await Database.open(path.join(dataDir, "quire.db"));
  acks = await db.all(
    "SELECT s.version, s.signed_at, s.id FROM signatures s JOIN users u ON u.id = s.user_id WHERE u.username = 'cra1' AND s.doc_id = 'SOP-TS-001' AND s.meaning = 'Read and understood' ORDER BY s.id",
  );
  await db.close();
});

function trained(...args: string[]) {
  return runQuire(["trained", ...args], { QUIRE_DATA_DIR: dataDir });
}

function dayBefore(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

describe("quire trained (inspection question 9)", () => {
  it("answers yes from the day of the acknowledgement, with its time, and no the day before", () => {
    const v1 = acks.find((a) => a.version === "1.0")!;
    const day = v1.signed_at.slice(0, 10);
    expect(day > "2025-02-03").toBe(true);
    const yes = trained("--user", "cra1", "--doc", "SOP-TS-001", "--on", day, "--json");
    expect(yes.status).toBe(0);
    expect(JSON.parse(yes.stdout)).toEqual({ user: "cra1", doc: "SOP-TS-001", on: day, version: "1.0", trained: true, acknowledgedAt: v1.signed_at });
    const no = JSON.parse(trained("--user", "cra1", "--doc", "SOP-TS-001", "--on", dayBefore(day), "--json").stdout);
    expect(no).toEqual({ user: "cra1", doc: "SOP-TS-001", on: dayBefore(day), version: "1.0", trained: false, acknowledgedAt: null });
  });

  it("asks for the version in force that day: training on v1.0 does not count once v2.0 is in force", () => {
    const v2 = acks.find((a) => a.version === "2.0")!;
    const answer = JSON.parse(trained("--user", "cra1", "--doc", "SOP-TS-001", "--on", "2026-11-25", "--json").stdout);
    expect(answer).toMatchObject({ version: "2.0", trained: true, acknowledgedAt: v2.signed_at });
    const text = trained("--user", "cra1", "--doc", "SOP-TS-001", "--on", "2026-11-25").stdout;
    expect(text).toContain(
      `cra1 was trained on SOP-TS-001 v2.0 on 2026-11-25: signed "Read and understood" by Chloe Martin at ${v2.signed_at} (signature ${v2.id}`,
    );
    // Signed during the working week between approval and effective date, so trained on the first day in force.
    expect(v2.signed_at < "2026-03-02").toBe(true);
    expect(JSON.parse(trained("--user", "cra1", "--doc", "SOP-TS-001", "--on", "2026-03-02", "--json").stdout)).toMatchObject({
      version: "2.0",
      trained: true,
    });
  });

  it("has nothing to be trained on before the first version took effect", () => {
    expect(JSON.parse(trained("--user", "cra1", "--doc", "SOP-TS-001", "--on", "2024-01-01", "--json").stdout)).toEqual({
      user: "cra1",
      doc: "SOP-TS-001",
      on: "2024-01-01",
      version: null,
      trained: false,
      acknowledgedAt: null,
    });
  });

  it("exits 2 for an unknown user or document or a bad date, naming it", () => {
    const user = trained("--user", "nobody", "--doc", "SOP-TS-001", "--on", "2026-01-01");
    expect([user.status, user.stderr]).toEqual([2, "quire: unknown user nobody\n"]);
    const doc = trained("--user", "cra1", "--doc", "SOP-XX-999", "--on", "2026-01-01");
    expect([doc.status, doc.stderr]).toEqual([2, "quire: unknown document SOP-XX-999\n"]);
    const date = trained("--user", "cra1", "--doc", "SOP-TS-001", "--on", "01/02/2026");
    expect(date.status).toBe(2);
    expect(date.stderr).toContain("--on must be a date YYYY-MM-DD");
    expect(trained("--help").stdout).toContain("--user <username>");
  });
});
