import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import { verifyRecord } from "~/modules/integrity/verify.server";
import { DemoClock, playDemo } from "~/modules/setup/demo-timeline.server";

import { copyDataFolder } from "../helpers/data-folder";

// Issue 13, "A believable record": the demo's history is written in the order it happened, so an
// inspector reading its audit trail by sequence number reads it in time order, and nobody acts or
// signs before their account exists (ALCOA+: attributable, contemporaneous).

let q: Quire;

beforeAll(async () => {
  const { config } = await copyDataFolder("project-demo");
  q = await open(config);
}, 300_000);

afterAll(async () => {
  await q?.db.close();
});

describe("the demo's record", () => {
  it("has an audit trail whose sequence order is its time order", async () => {
    const rows = await q.db.all<{ seq: number; at: string; action: string; object_id: string | null }>(
      "SELECT seq, at, action, object_id FROM audit_events ORDER BY seq",
    );
    expect(rows.length).toBeGreaterThan(600);
    const backwards = rows.filter((r, i) => i > 0 && r.at < rows[i - 1]!.at).map((r) => `${r.seq} ${r.at} ${r.action} ${r.object_id ?? ""}`);
    expect(backwards).toEqual([]);
    // Init's own row comes last, at init time, before only the anchor of the trail it leaves.
    expect(rows.slice(-2).map((r) => [r.action, r.at])).toEqual([
      ["system.init", "2026-11-25T09:00:00.000Z"],
      ["audit.anchor", "2026-11-25T09:00:00.000Z"],
    ]);
  });

  it("creates every account before its holder acts or signs, at the instant its audit row says", async () => {
    const users = await q.db.all<{ id: string; username: string; created_at: string; created_row: string | null }>(
      `SELECT u.id, u.username, u.created_at,
              (SELECT a.at FROM audit_events a WHERE a.action = 'user.create' AND a.object_id = u.username) AS created_row
         FROM users u`,
    );
    expect(users).toHaveLength(13);
    for (const u of users) expect(u.created_row, u.username).toBe(u.created_at);
    // Those there at go-live (2025-02-03) had accounts before it; recent starters from the day they joined.
    const created = new Map(users.map((u) => [u.username, u.created_at]));
    expect(created.get("qa")! < "2025-02-03").toBe(true);
    expect(created.get("cra3")!.slice(0, 10)).toBe("2026-10-21");
    expect(created.get("pm1")!.slice(0, 10)).toBe("2026-11-17");

    const early = await q.db.all<{ seq: number; at: string; username: string; action: string; created_at: string }>(
      `SELECT a.seq, a.at, u.username, a.action, u.created_at FROM audit_events a JOIN users u ON u.id = a.user_id
        WHERE a.at < u.created_at ORDER BY a.seq`,
    );
    expect(early).toEqual([]);
    const unsignedBefore = await q.db.all<{ id: number; username: string; meaning: string; signed_at: string; created_at: string }>(
      `SELECT s.id, u.username, s.meaning, s.signed_at, u.created_at FROM signatures s JOIN users u ON u.id = s.user_id
        WHERE s.signed_at < u.created_at ORDER BY s.id`,
    );
    expect(unsignedBefore).toEqual([]);
    // Every signature and every person's audit row has an account behind it.
    const orphans = await q.db.get<{ n: number }>(
      `SELECT (SELECT count(*) FROM signatures s WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = s.user_id))
            + (SELECT count(*) FROM audit_events a WHERE a.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id)) AS n`,
    );
    expect(orphans!.n).toBe(0);
  });

  it("records the go-live baseline when it was approved, not on init day", async () => {
    const recorded = await q.db.all<{ object_id: string; at: string }>(
      "SELECT object_id, at FROM audit_events WHERE action = 'document.version.recorded' AND at >= '2026-11-25' ORDER BY seq",
    );
    expect(recorded).toEqual([]);
    const documents = await q.db.get<{ latest: string }>("SELECT max(created_at) AS latest FROM documents");
    expect(documents!.latest < "2026-11-25").toBe(true);
    const jobFunctions = await q.db.get<{ latest: string }>("SELECT max(at) AS latest FROM audit_events WHERE action = 'job-function.create'");
    expect(jobFunctions!.latest < "2025-02-03").toBe(true);
  });

  it("still verifies as a whole (quire verify): git and the database agree, the chain is intact", async () => {
    const verdict = await verifyRecord(q.db, q.repo);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(true);
  });
});

describe("the demo clock", () => {
  it("plays steps in time order, whatever order they are given in", async () => {
    const clock = new DemoClock(new Date("2026-01-10T00:00:00Z"));
    const played: string[] = [];
    const step = (day: string) => ({ at: new Date(`${day}T09:00:00Z`), what: day, run: async () => void played.push(day) });
    await playDemo(clock, [step("2026-01-05"), step("2026-01-02"), step("2026-01-03")], { until: async () => undefined });
    expect(played).toEqual(["2026-01-02", "2026-01-03", "2026-01-05"]);
  });

  it("refuses to go back in time or past init, naming both events", () => {
    const clock = new DemoClock(new Date("2026-01-10T00:00:00Z"));
    clock.advance(new Date("2026-01-05T09:00:00Z"), "an approval");
    expect(() => clock.advance(new Date("2026-01-04T09:00:00Z"), "a signature")).toThrow(
      "The demo history is out of order: a signature at 2026-01-04T09:00:00.000Z would follow an approval at 2026-01-05T09:00:00.000Z.",
    );
    expect(() => clock.advance(new Date("2026-01-11T09:00:00Z"), "a notice")).toThrow(/after init/);
  });

  it("refuses a background act earlier than the step already played", async () => {
    const clock = new DemoClock(new Date("2026-01-10T00:00:00Z"));
    const steps = [{ at: new Date("2026-01-05T09:00:00Z"), what: "an approval", run: async () => undefined }];
    // A background that writes something dated before the step it is asked to catch up to.
    let calls = 0;
    const background = {
      until: async () => {
        if (++calls === 2) clock.advance(new Date("2026-01-04T09:00:00Z"), "a late acknowledgement");
      },
    };
    await expect(playDemo(clock, steps, background)).rejects.toThrow(/a late acknowledgement .* would follow an approval/);
  });
});
