import { describe, expect, it } from "vitest";

import {
  KPI_CSV_HEADERS,
  MAX_KPI_NAME_LENGTH,
  duplicateKeyCheck,
  kpiCsvHeaderProblem,
  latestReportablePeriod,
  parseKpiCsvRow,
  type KpiCsvContext,
  type KpiCsvRow,
} from "~/modules/kpi/kpi-csv";

import { TEST_KPIS } from "../helpers/kpi-definitions";

// The row checks of a KPI CSV import (SOP-KP-001, "Collect and check the data"), each bad row with
// the exact message a KPI owner reads.

const NOW = new Date("2026-11-30T12:00:00Z");
const seven: KpiCsvContext = { definitions: TEST_KPIS, now: NOW, columns: 7 };
const five: KpiCsvContext = { ...seven, columns: 5 };

function messages(cells: string[], context: KpiCsvContext = seven, line = 14): string[] {
  const result = parseKpiCsvRow(cells, line, context);
  return result.ok ? [] : result.problems.map((p) => p.message);
}

function good(cells: string[], context: KpiCsvContext = seven, line = 2): KpiCsvRow {
  const result = parseKpiCsvRow(cells, line, context);
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("\n"));
  return result.row;
}

describe("the header", () => {
  it("is exactly one of the two forms", () => {
    expect(kpiCsvHeaderProblem(["kpi", "period", "study", "site", "value"])).toBeNull();
    expect(kpiCsvHeaderProblem(["kpi", "period", "study", "site", "value", "numerator", "denominator"])).toBeNull();
    expect(KPI_CSV_HEADERS).toEqual(["kpi,period,study,site,value", "kpi,period,study,site,value,numerator,denominator"]);
  });

  it("names what was found otherwise: other order, other names, a lone numerator, nothing", () => {
    expect(kpiCsvHeaderProblem(["period", "kpi", "study", "site", "value"])?.message).toBe(
      'line 1: the header must be exactly kpi,period,study,site,value or kpi,period,study,site,value,numerator,denominator, not "period,kpi,study,site,value"',
    );
    expect(kpiCsvHeaderProblem(["KPI", "period", "study", "site", "value"])?.message).toContain('not "KPI,period,study,site,value"');
    expect(kpiCsvHeaderProblem(["kpi", "period", "study", "site", "value", "numerator"])?.message).toContain('not "kpi,period,study,site,value,numerator"');
    expect(kpiCsvHeaderProblem(null)?.message).toBe(
      "line 1: the file is empty: it must start with the header kpi,period,study,site,value (optionally ,numerator,denominator)",
    );
  });
});

describe("good rows", () => {
  it("become typed rows, with or without numerator and denominator", () => {
    expect(good(["query-resolution-time", "2026-10", "STUDY-001", "FR-012", "12.5", "", ""])).toEqual({
      line: 2,
      kpi: "query-resolution-time",
      period: "2026-10",
      study: "STUDY-001",
      site: "FR-012",
      value: 12.5,
      numerator: null,
      denominator: null,
    });
    expect(good(["sdv-completion", "2026-11", "STUDY-001", "Site 12 / Lyon", "95", "190", "200"], seven, 3)).toMatchObject({
      line: 3,
      value: 95,
      numerator: 190,
      denominator: 200,
    });
    expect(good(["protocol-deviations", "2020-01", "S1", "001", "0"], five)).toMatchObject({ value: 0, numerator: null, denominator: null });
    expect(good(["visit-report-timeliness", "2026-11", "S1", "001", "100", "4", "4"]).value).toBe(100);
    expect(good(["visit-report-timeliness", "2026-11", "S1", "001", "1e2", "", ""]).value).toBe(100);
    expect(good(["query-resolution-time", "2026-11", "Étude-7", "DE#3", "-0", "", ""]).study).toBe("Étude-7");
  });

  it("accept the current month (UTC) and nothing later", () => {
    expect(latestReportablePeriod(new Date("2026-11-30T23:59:59Z"))).toBe("2026-11");
    expect(latestReportablePeriod(new Date("2026-12-01T00:00:00Z"))).toBe("2026-12");
  });
});

describe("bad rows name the line, the column and the value", () => {
  it("a value that is not a number", () => {
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "12,5", "", ""])).toEqual(['line 14, column value: "12,5" is not a number']);
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "", "", ""])).toEqual(['line 14, column value: "" is empty: a number is needed']);
    for (const bad of ["0x10", "1 000", "12 days", "NaN", "Infinity", "."])
      expect(messages(["query-resolution-time", "2026-10", "S1", "001", bad, "", ""]), bad).toEqual([`line 14, column value: "${bad}" is not a number`]);
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "1e999", "", ""])).toEqual(['line 14, column value: "1e999" is not a finite number']);
  });

  it("an unknown KPI, and a computed one", () => {
    expect(messages(["query-time", "2026-10", "S1", "001", "3", "", ""])).toEqual([
      'line 14, column kpi: "query-time" is not the id of a KPI in the catalogue',
    ]);
    expect(messages(["", "2026-10", "S1", "001", "3", "", ""])).toEqual(['line 14, column kpi: "" is empty: every row names its KPI by id']);
    expect(messages(["training-on-time", "2026-10", "S1", "001", "90", "9", "10"])).toEqual([
      'line 14, column kpi: "training-on-time" is computed by Quire from its own records, so it cannot be imported (defined in SOP-KP-001)',
    ]);
  });

  it("a period that is not YYYY-MM, or is in the future", () => {
    for (const bad of ["2026-13", "2026-1", "2026/10", "10-2026", "2026-10-01", ""])
      expect(messages(["query-resolution-time", bad, "S1", "001", "3", "", ""]), bad).toEqual([
        `line 14, column period: "${bad}" is not a month written YYYY-MM (e.g. 2026-03)`,
      ]);
    expect(messages(["query-resolution-time", "2026-12", "S1", "001", "3", "", ""])).toEqual([
      'line 14, column period: "2026-12" is in the future: the latest month that can be reported is 2026-11',
    ]);
  });

  it("a study or site empty, too long, or with other characters", () => {
    expect(messages(["query-resolution-time", "2026-10", "", "001", "3", "", ""])).toEqual(['line 14, column study: "" is empty: every row names its study']);
    expect(messages(["query-resolution-time", "2026-10", "S1", "", "3", "", ""])).toEqual(['line 14, column site: "" is empty: every row names its site']);
    const long = "S".repeat(MAX_KPI_NAME_LENGTH + 1);
    expect(messages(["query-resolution-time", "2026-10", long, "001", "3", "", ""])).toEqual([
      `line 14, column study: "${"S".repeat(40)}…" is longer than 64 characters`,
    ]);
    expect(messages(["query-resolution-time", "2026-10", "S".repeat(MAX_KPI_NAME_LENGTH), "001", "3", "", ""])).toEqual([]);
    for (const bad of ["S1;DROP", "'S1'", "-S1", "S1\nS2", "<b>"])
      expect(messages(["query-resolution-time", "2026-10", "S1", bad, "3", "", ""]), bad).toEqual([
        `line 14, column site: ${JSON.stringify(bad)} has characters other than letters, digits, spaces and . _ - / # (or does not start with a letter or digit)`,
      ]);
  });

  it("a percentage outside 0..100, a negative number of days or count", () => {
    expect(messages(["visit-report-timeliness", "2026-10", "S1", "001", "100.5", "", ""])).toEqual([
      'line 14, column value: "100.5" is out of range: visit-report-timeliness is a percentage, between 0 and 100',
    ]);
    expect(messages(["visit-report-timeliness", "2026-10", "S1", "001", "-1", "", ""])).toEqual([
      'line 14, column value: "-1" is out of range: visit-report-timeliness is a percentage, between 0 and 100',
    ]);
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "-2", "", ""])).toEqual([
      'line 14, column value: "-2" is negative: query-resolution-time is a number of days, which cannot be negative',
    ]);
    expect(messages(["protocol-deviations", "2026-10", "S1", "001", "-1", "", ""])).toEqual([
      'line 14, column value: "-1" is negative: protocol-deviations is a count, which cannot be negative',
    ]);
  });

  it("a numerator without a denominator, or the other way round", () => {
    expect(messages(["visit-report-timeliness", "2026-10", "S1", "001", "90", "9", ""])).toEqual([
      'line 14, column denominator: "" is empty but the numerator is given: give both or neither',
    ]);
    expect(messages(["visit-report-timeliness", "2026-10", "S1", "001", "90", "", "10"])).toEqual([
      'line 14, column numerator: "" is empty but the denominator is given: give both or neither',
    ]);
  });

  it("a numerator or denominator that is not a number, negative, zero, or a numerator above a percentage's denominator", () => {
    expect(messages(["visit-report-timeliness", "2026-10", "S1", "001", "90", "nine", "10"])).toEqual(['line 14, column numerator: "nine" is not a number']);
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "3", "-3", "1"])).toEqual([
      'line 14, column numerator: "-3" is negative: a numerator cannot be negative',
    ]);
    expect(messages(["visit-report-timeliness", "2026-10", "S1", "001", "0", "0", "0"])).toEqual(['line 14, column denominator: "0" must be greater than 0']);
    expect(messages(["visit-report-timeliness", "2026-10", "S1", "001", "100", "12", "10"])).toEqual([
      'line 14, column numerator: "12" is greater than the denominator 10: visit-report-timeliness is a percentage',
    ]);
    // Days are not a percentage: a numerator (days summed) above the denominator (queries) is fine.
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "4", "40", "10"])).toEqual([]);
  });

  it("a ratio KPI without numerator and denominator", () => {
    expect(messages(["sdv-completion", "2026-10", "S1", "001", "90", "", ""])).toEqual([
      'line 14, column numerator: "" is empty: sdv-completion is aggregated as a ratio, so numerator and denominator are required',
    ]);
    expect(messages(["sdv-completion", "2026-10", "S1", "001", "90"], five)).toEqual([
      "line 14, column numerator: sdv-completion is aggregated as a ratio, so numerator and denominator are required: the file has no numerator and denominator columns",
    ]);
  });

  it("the wrong number of cells", () => {
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "3", ""])).toEqual(["line 14: 6 cells where the header has 7"]);
    expect(messages(["query-resolution-time", "2026-10", "S1", "001", "3", "", ""], five)).toEqual(["line 14: 7 cells where the header has 5"]);
    expect(messages(["query-resolution-time"], five)).toEqual(["line 14: 1 cell where the header has 5"]);
  });

  it("every problem of a row at once", () => {
    expect(messages(["sdv-completion", "2026-99", "", "001", "12,5", "", ""], seven, 7)).toEqual([
      'line 7, column period: "2026-99" is not a month written YYYY-MM (e.g. 2026-03)',
      'line 7, column study: "" is empty: every row names its study',
      'line 7, column value: "12,5" is not a number',
      'line 7, column numerator: "" is empty: sdv-completion is aggregated as a ratio, so numerator and denominator are required',
    ]);
  });
});

describe("the same key twice in one file", () => {
  it("is named with both lines", () => {
    const repeated = duplicateKeyCheck();
    const a = good(["query-resolution-time", "2026-10", "S1", "001", "3", "", ""], seven, 4);
    const b = good(["query-resolution-time", "2026-10", "S1", "002", "3", "", ""], seven, 5);
    const c = good(["query-resolution-time", "2026-10", "S1", "001", "4", "", ""], seven, 9);
    expect(repeated(a)).toBeNull();
    expect(repeated(b)).toBeNull();
    expect(repeated(c)?.message).toBe(
      "line 9: repeats line 4: the same kpi, period, study and site (query-resolution-time, 2026-10, S1, 001) twice in one file",
    );
  });
});
