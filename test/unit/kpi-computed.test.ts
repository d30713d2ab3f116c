// The KPIs Quire computes from its records (SOP-TR-001's formulas), against figures worked out by
// hand from a handful of training assignments on a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { computedObservations, monthEnd } from "~/modules/kpi/computed.server";
import type { KpiDefinition } from "~/modules/kpi/kpi";

import { createTestUser, openCopy } from "../helpers/factories";

let q: Quire;

const MONTHS = ["2026-11", "2026-12"];
const TODAY = "2027-01-15";

function def(id: string, unit: KpiDefinition["unit"], direction: KpiDefinition["direction"]): KpiDefinition {
  return {
    id,
    name: id,
    unit,
    direction,
    target: 95,
    tolerance: 3,
    frequency: "monthly",
    source: "computed",
    aggregation: "ratio",
    owner: "quality-manager",
    dataSource: "Quire training records",
    formula: "",
    definition: "",
    docId: "SOP-TS-001",
  };
}

beforeAll(async () => {
  // test/fixtures/content, plain init on 2026-11-25: SOP-TS-001 v1.0 effective that day, no training yet.
  q = await openCopy("fixture-plain", "2027-01-15T10:00:00Z");
  const ids: string[] = [];
  for (const name of ["u1", "u2", "u3", "u4", "u5"]) ids.push((await createTestUser(q, name, { jobFunctions: [] })).id);
  // People without a job function have no training of their own: these rows are the only ones.
  expect((await q.db.get<{ n: number }>("SELECT count(*) AS n FROM training_assignments"))!.n).toBe(0);
  // [user, assigned, due, status, closed]
  const rows: [string, string, string, string, string | null][] = [
    [ids[0]!, "2026-11-25T09:00:00Z", "2026-12-09", "completed", "2026-12-01T10:00:00Z"], // on time
    [ids[1]!, "2026-11-25T09:00:00Z", "2026-12-09", "completed", "2026-12-15T10:00:00Z"], // late
    [ids[2]!, "2026-11-25T09:00:00Z", "2026-12-09", "open", null], // never done
    [ids[3]!, "2026-11-10T09:00:00Z", "2026-11-30", "completed", "2026-11-20T10:00:00Z"], // on time, before the effective date
    [ids[4]!, "2026-11-25T09:00:00Z", "2026-12-20", "cancelled", "2026-12-05T10:00:00Z"], // not due: cancelled
  ];
  await q.db.transaction(async (tx) => {
    for (const [user, assigned, due, status, closed] of rows) {
      await tx.run(
        `INSERT INTO training_assignments (user_id, doc_id, version, cause, assigned_at, due_on, status, closed_at)
         VALUES (?, 'SOP-TS-001', '1.0', 'approval', ?, ?, ?, ?)`,
        [user, assigned, due, status, closed],
      );
    }
  });
});
afterAll(async () => {
  await q?.db.close();
});

async function figures(id: string, unit: KpiDefinition["unit"] = "%", direction: KpiDefinition["direction"] = "higher") {
  const byMonth = await computedObservations(q, def(id, unit, direction), MONTHS, TODAY);
  return Object.fromEntries(
    [...byMonth].map(([period, o]) => [period, { value: Math.round(o.value * 10) / 10, numerator: o.numerator, denominator: o.denominator }]),
  );
}

describe("computed KPIs", () => {
  it("months end on their last day", () => {
    expect(monthEnd("2026-02")).toBe("2026-02-28");
    expect(monthEnd("2028-02")).toBe("2028-02-29");
    expect(monthEnd("2026-12")).toBe("2026-12-31");
  });

  it("training compliance: items completed by their due date among items due in the month, cancelled items not due", async () => {
    expect(await figures("training-compliance")).toEqual({
      "2026-11": { value: 100, numerator: 1, denominator: 1 },
      // Due in December: u1 on time, u2 late, u3 open (u5 cancelled): 1 of 3.
      "2026-12": { value: 33.3, numerator: 1, denominator: 3 },
    });
  });

  it("overdue training: at the month's end, open items past their due date among the items open that day", async () => {
    expect(await figures("training-overdue", "%", "lower")).toEqual({
      // 30 November: u1, u2, u3 and u5 still open, none past due (u4 done on the 20th).
      "2026-11": { value: 0, numerator: 0, denominator: 4 },
      // 31 December: only u3 open, due on the 9th.
      "2026-12": { value: 100, numerator: 1, denominator: 1 },
    });
  });

  it("training before effective date: people trained on a version by its effective date among those assigned it", async () => {
    // SOP-TS-001 v1.0 took effect on 2026-11-25: u4 (done on the 20th) of u1 to u4 (u5 cancelled).
    expect(await figures("training-before-effective")).toEqual({ "2026-11": { value: 25, numerator: 1, denominator: 4 } });
  });

  it("a count is the numerator alone, so aggregation never reads it as a ratio", async () => {
    const byMonth = await computedObservations(q, def("training-overdue", "count", "lower"), MONTHS, TODAY);
    expect(byMonth.get("2026-12")).toEqual({ value: 1 });
  });

  it("gives no data for a computed KPI Quire has no formula for, and for months with nothing to measure", async () => {
    expect((await computedObservations(q, def("not-a-formula", "%", "higher"), MONTHS, TODAY)).size).toBe(0);
    expect((await computedObservations(q, def("training-compliance", "%", "higher"), ["2025-01"], TODAY)).size).toBe(0);
  });
});

describe("computed KPIs of document control (SOP-DC-001), on the fixture's demo history", () => {
  let demo: Quire;
  beforeAll(async () => {
    // SOP-TS-001 v2.0 came from CR-2026-0001: submitted Tuesday 2026-02-10, approved Thursday 2026-02-12.
    // Next reviews: QM-001 2027-02-03 (24 months from 2025-02-03), SOP-TS-001 2027-03-02 (12 months
    // from 2026-03-02), FRM-TS-001 2028-02-03 (36 months).
    demo = await openCopy("fixture-demo", "2027-04-15T10:00:00Z");
  });
  afterAll(async () => {
    await demo?.db.close();
  });

  it("approval cycle time: median working days from first submission to final approval, by the month approved", async () => {
    const byMonth = await computedObservations(demo, def("approval-cycle-time", "days", "lower"), ["2026-01", "2026-02", "2026-03"], "2027-04-15");
    expect(Object.fromEntries(byMonth)).toEqual({ "2026-02": { value: 2 } });
  });

  it("documents past periodic review: effective documents whose review date has passed, at each month's end", async () => {
    const byMonth = await computedObservations(demo, def("documents-past-review", "count", "lower"), ["2027-01", "2027-02", "2027-03"], "2027-04-15");
    expect(Object.fromEntries(byMonth)).toEqual({ "2027-01": { value: 0 }, "2027-02": { value: 1 }, "2027-03": { value: 2 } });
    const share = await computedObservations(demo, def("documents-past-review", "%", "lower"), ["2027-03"], "2027-04-15");
    expect(Math.round(share.get("2027-03")!.value * 10) / 10).toBe(66.7);
  });
});
