import { describe, expect, it } from "vitest";

import { aggregate, monthsEnding, needsCapa, statusSeries, type KpiDefinition, type KpiObservation, type KpiStatus } from "~/modules/kpi/kpi";
import { DEMO_KPI_STUDIES, demoKpiCsv } from "~/modules/setup/demo-kpi-data";

import { parseCsv } from "../helpers/csv";

const HEADER = ["kpi", "period", "study", "site", "value", "numerator", "denominator"];

interface Row {
  kpi: string;
  period: string;
  study: string;
  site: string;
  value: number;
  numerator: number | null;
  denominator: number | null;
}

/** The CSV read by the tests' own RFC 4180 reader, not by the generator's code. */
function rowsOf(csv: string): Row[] {
  const [header, ...records] = parseCsv(csv);
  expect(header).toEqual(HEADER);
  return records.map(([kpi, period, study, site, value, numerator, denominator]) => ({
    kpi: kpi!,
    period: period!,
    study: study!,
    site: site!,
    value: Number(value),
    numerator: numerator == null ? null : Number(numerator),
    denominator: denominator == null ? null : Number(denominator),
  }));
}

function definition(fields: Pick<KpiDefinition, "id" | "name" | "unit" | "direction" | "target" | "tolerance" | "aggregation">): KpiDefinition {
  return {
    ...fields,
    frequency: "monthly",
    source: "imported",
    owner: "quality-manager",
    dataSource: "Demo trial systems",
    formula: "As the SOP defines it",
    definition: "Demo definition.",
    docId: "SOP-KP-001",
  };
}

const ADHERENCE = definition({
  id: "protocol-adherence-rate",
  name: "Protocol adherence rate",
  unit: "%",
  direction: "higher",
  target: 95,
  tolerance: 3,
  aggregation: "ratio",
});
const ENROLMENT = definition({
  id: "enrolment-rate",
  name: "Enrolment rate against plan",
  unit: "%",
  direction: "higher",
  target: 90,
  tolerance: 10,
  aggregation: "ratio",
});
const INITIATION = definition({
  id: "site-initiation-time",
  name: "Site initiation time",
  unit: "days",
  direction: "lower",
  target: 90,
  tolerance: 20,
  aggregation: "median",
});
const QUERIES = definition({
  id: "query-resolution-time",
  name: "Query resolution time",
  unit: "days",
  direction: "lower",
  target: 15,
  tolerance: 5,
  aggregation: "median",
});

const CSV = demoKpiCsv();
const ROWS = rowsOf(CSV);
const PERIODS = monthsEnding("2026-10", 24);

/** A KPI's monthly values over the 24 months, aggregated as the dashboard does, and their statuses. */
function monthly(
  def: KpiDefinition,
  rows: readonly Row[],
  filter: (row: Row) => boolean = () => true,
): { values: (number | null)[]; statuses: (KpiStatus | null)[] } {
  const values = PERIODS.map((period) => {
    const observations: KpiObservation[] = rows.filter((r) => r.kpi === def.id && r.period === period && filter(r));
    return aggregate(def, observations);
  });
  return { values, statuses: statusSeries(def, values) };
}

describe("the demo KPI data", () => {
  it("is the same text on every call, and differs for another last month", () => {
    expect(demoKpiCsv()).toBe(CSV);
    expect(demoKpiCsv({ lastPeriod: "2026-10" })).toBe(CSV);
    const earlier = demoKpiCsv({ lastPeriod: "2025-06" });
    expect(earlier).not.toBe(CSV);
    expect(rowsOf(earlier).at(-1)!.period).toBe("2025-06");
  });

  it("refuses a last month that is not YYYY-MM, saying so", () => {
    expect(() => demoKpiCsv({ lastPeriod: "October 2026" })).toThrow(/lastPeriod must be a month as YYYY-MM, got "October 2026"/);
  });

  it("has the exact header, LF line ends and the four KPIs", () => {
    expect(CSV.split("\n")[0]).toBe("kpi,period,study,site,value,numerator,denominator");
    expect(CSV).not.toContain("\r");
    expect(CSV.endsWith("\n")).toBe(true);
    expect(new Set(ROWS.map((r) => r.kpi))).toEqual(new Set([ADHERENCE.id, ENROLMENT.id, INITIATION.id, QUERIES.id]));
  });

  it("covers the 24 months ending October 2026, three studies of ten sites", () => {
    expect([...new Set(ROWS.map((r) => r.period))].sort()).toEqual(PERIODS);
    expect(DEMO_KPI_STUDIES.map((s) => s.study)).toEqual(["QRX-301", "QRX-302", "QRX-410"]);
    for (const { study, sites } of DEMO_KPI_STUDIES) {
      expect(sites).toHaveLength(10);
      expect(new Set(sites).size).toBe(10);
      for (const site of sites) expect(site).toMatch(/^[A-Z]{2}-\d{2}$/);
      const inData = new Set(ROWS.filter((r) => r.study === study).map((r) => r.site));
      expect([...inData].sort()).toEqual([...sites].sort());
    }
    expect(new Set(DEMO_KPI_STUDIES.flatMap((s) => s.sites.map((site) => site.slice(0, 2)))).size).toBeGreaterThanOrEqual(6);
  });

  it("gives numerators no greater than denominators, and values that agree with them", () => {
    const ratios = ROWS.filter((r) => r.kpi === ADHERENCE.id || r.kpi === ENROLMENT.id);
    expect(ratios.length).toBeGreaterThan(0);
    for (const r of ratios) {
      expect(Number.isInteger(r.numerator) && Number.isInteger(r.denominator), JSON.stringify(r)).toBe(true);
      expect(r.numerator!, JSON.stringify(r)).toBeLessThanOrEqual(r.denominator!);
      expect(r.denominator!).toBeGreaterThan(0);
      expect(r.value).toBeCloseTo((100 * r.numerator!) / r.denominator!, 1);
    }
    for (const r of ROWS.filter((r) => r.kpi === INITIATION.id || r.kpi === QUERIES.id)) {
      expect(r.numerator).toBeNull();
      expect(r.denominator).toBeNull();
      expect(r.value).toBeGreaterThan(0);
    }
    // Enrolment is cumulative: no site's count goes down from one month to the next.
    for (const { study, sites } of DEMO_KPI_STUDIES) {
      for (const site of sites) {
        const counts = ROWS.filter((r) => r.kpi === ENROLMENT.id && r.study === study && r.site === site).map((r) => r.numerator!);
        expect(
          counts.every((n, i) => i === 0 || n >= counts[i - 1]!),
          `${study} ${site}`,
        ).toBe(true);
      }
    }
  });

  it("has one site initiation per site, within its study's first 12 months, some beyond the 90-day target", () => {
    const initiations = ROWS.filter((r) => r.kpi === INITIATION.id);
    expect(initiations).toHaveLength(30);
    for (const { study } of DEMO_KPI_STUDIES) {
      const months = initiations.filter((r) => r.study === study).map((r) => PERIODS.indexOf(r.period));
      expect(Math.max(...months) - Math.min(...months)).toBeLessThanOrEqual(11);
    }
    const late = initiations.filter((r) => r.value > INITIATION.target);
    expect(late.length).toBeGreaterThanOrEqual(3);
    expect(late.length).toBeLessThan(20);
    // Months without an initiation are months without data, not zero.
    expect(monthly(INITIATION, ROWS).values).toContain(null);
  });

  it("tells the query resolution story: green or amber for 22 months, red in September and October 2026, so a CAPA is prompted", () => {
    const { values, statuses } = monthly(QUERIES, ROWS);
    expect(statuses.slice(-2)).toEqual(["red", "red"]);
    expect(statuses.slice(0, -2).every((s) => s === "green" || s === "amber")).toBe(true);
    expect(statuses.filter((s) => s === "green").length).toBeGreaterThanOrEqual(18);
    expect(values.slice(-2).every((v) => v! > QUERIES.target + QUERIES.tolerance)).toBe(true);
    expect(needsCapa(statuses)).toBe(true);
    expect(needsCapa(statuses.slice(0, -1))).toBe(false);
  });

  it("tells the enrolment story: QRX-410 amber three months running, so red by the rule", () => {
    const { values, statuses } = monthly(ENROLMENT, ROWS, (r) => r.study === "QRX-410");
    const raw = values.slice(-3).map((v) => (v! >= 80 && v! < 90 ? "amber" : "not amber"));
    expect(raw).toEqual(["amber", "amber", "amber"]);
    expect(statuses.slice(-4)).toEqual(["green", "amber", "amber", "red"]);
    // The other studies stay on target lately.
    for (const study of ["QRX-301", "QRX-302"]) {
      expect(monthly(ENROLMENT, ROWS, (r) => r.study === study).statuses.slice(-6), study).toEqual(Array(6).fill("green"));
    }
  });

  it("keeps protocol adherence mostly green, but for a dip at one site of one study", () => {
    const { statuses } = monthly(ADHERENCE, ROWS);
    expect(statuses.filter((s) => s === "green").length).toBeGreaterThanOrEqual(20);
    expect(statuses).not.toContain("red");
    // Over any three months running with 40 visits or more: one month of a small site can be 2
    // deviations in 20 visits, which is noise, not a dip.
    const worstQuarter = new Map<string, number>();
    for (const { study, sites } of DEMO_KPI_STUDIES) {
      for (const site of sites) {
        const rows = ROWS.filter((r) => r.kpi === ADHERENCE.id && r.study === study && r.site === site);
        for (let i = 0; i + 3 <= rows.length; i++) {
          const quarter = rows.slice(i, i + 3);
          if (quarter.reduce((sum, r) => sum + r.denominator!, 0) < 40) continue;
          const rate = aggregate(ADHERENCE, quarter)!;
          worstQuarter.set(`${study} ${site}`, Math.min(worstQuarter.get(`${study} ${site}`) ?? 100, rate));
        }
      }
    }
    const dipping = [...worstQuarter].filter(([, rate]) => rate < 90).map(([key]) => key);
    expect(dipping).toEqual(["QRX-302 GB-04"]);
    expect(worstQuarter.get("QRX-302 GB-04")).toBeLessThan(88);
  });
});
