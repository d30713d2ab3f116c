// KPI logic against hand-computed figures: status rules (SOP-KP-001), aggregation over studies and
// sites, months, and reading definitions from a document's <Kpi> components.
import { describe, expect, it } from "vitest";

import { checkContent } from "~/modules/content/content";
import { checkMdx, parseMdxTree } from "~/modules/content/mdx-policy";
import { kpiDefinitionsIn } from "~/modules/kpi/definitions";
import {
  addMonths,
  aggregate,
  formatKpiValue,
  formatTarget,
  formatTolerance,
  monthsEnding,
  needsCapa,
  rawStatus,
  statusSeries,
  trendDirection,
  type KpiDefinition,
} from "~/modules/kpi/kpi";

const higher = { direction: "higher", target: 95, tolerance: 3 } as const;
const lower = { direction: "lower", target: 15, tolerance: 5 } as const;

describe("status of one month", () => {
  it("is green at or beyond the target, amber within tolerance, red beyond it", () => {
    expect(rawStatus(higher, 95)).toBe("green");
    expect(rawStatus(higher, 99.5)).toBe("green");
    expect(rawStatus(higher, 94.9)).toBe("amber");
    expect(rawStatus(higher, 92)).toBe("amber");
    expect(rawStatus(higher, 91.9)).toBe("red");
    expect(rawStatus(lower, 15)).toBe("green");
    expect(rawStatus(lower, 20)).toBe("amber");
    expect(rawStatus(lower, 20.1)).toBe("red");
  });

  it("has no status without data", () => {
    expect(rawStatus(higher, null)).toBeNull();
  });
});

describe("status over months (SOP-KP-001)", () => {
  it("turns the third consecutive amber month red, and each further one", () => {
    expect(statusSeries(higher, [93, 94, 93, 94, 96])).toEqual(["amber", "amber", "red", "red", "green"]);
  });

  it("counts only consecutive reported months: a gap or a green month restarts the run", () => {
    expect(statusSeries(higher, [93, 94, null, 93, 94])).toEqual(["amber", "amber", null, "amber", "amber"]);
    expect(statusSeries(higher, [93, 96, 93, 94])).toEqual(["amber", "green", "amber", "amber"]);
  });

  it("prompts a CAPA when red two months running", () => {
    expect(needsCapa(statusSeries(lower, [14, 22, 23]))).toBe(true);
    expect(needsCapa(statusSeries(lower, [22, 14, 23]))).toBe(false);
    expect(needsCapa(["red"])).toBe(false);
  });
});

describe("aggregation over studies and sites", () => {
  const pct = { aggregation: "ratio", unit: "%" } as const;

  it("weights by volume where numerators and denominators are given", () => {
    // 9/10 and 190/200: (9 + 190) / (10 + 200) = 94.76%, not the mean of 90% and 95%.
    const value = aggregate(pct, [
      { value: 90, numerator: 9, denominator: 10 },
      { value: 95, numerator: 190, denominator: 200 },
    ]);
    expect(value).toBeCloseTo(94.7619, 3);
  });

  it("falls back to the definition's aggregation when a denominator is missing", () => {
    expect(aggregate(pct, [{ value: 90, numerator: 9, denominator: 10 }, { value: 96 }])).toBe(93);
    expect(aggregate({ aggregation: "median", unit: "days" }, [{ value: 30 }, { value: 10 }, { value: 12 }])).toBe(12);
    expect(aggregate({ aggregation: "median", unit: "days" }, [{ value: 10 }, { value: 12 }])).toBe(11);
    expect(aggregate({ aggregation: "sum", unit: "count" }, [{ value: 2 }, { value: 3 }])).toBe(5);
  });

  it("gives no data for an empty month, never zero", () => {
    expect(aggregate(pct, [])).toBeNull();
  });

  it("ignores a zero denominator's weight by falling back", () => {
    expect(
      aggregate(pct, [
        { value: 80, numerator: 0, denominator: 0 },
        { value: 90, numerator: 9, denominator: 10 },
      ]),
    ).toBe(85);
  });
});

describe("months and wording", () => {
  it("counts months across years", () => {
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2025-11", 14)).toBe("2027-01");
    expect(monthsEnding("2026-02", 3)).toEqual(["2025-12", "2026-01", "2026-02"]);
  });

  it("words values, targets and the amber band", () => {
    expect(formatKpiValue("%", 94.76)).toBe("94.8%");
    expect(formatKpiValue("days", 1)).toBe("1 day");
    expect(formatKpiValue("days", null)).toBe("no data");
    expect(formatTarget({ unit: "days", direction: "lower", target: 15 })).toBe("15 days or fewer");
    expect(formatTarget({ unit: "%", direction: "higher", target: 95 })).toBe("95% or more");
    expect(formatTarget({ unit: "count", direction: "lower", target: 0 })).toBe("0");
    expect(formatTarget({ unit: "%", direction: "higher", target: 100 })).toBe("100%");
    expect(formatTolerance({ unit: "%", direction: "higher", target: 95, tolerance: 3 })).toBe("amber down to 92%");
    expect(formatTolerance({ unit: "days", direction: "lower", target: 15, tolerance: 5 })).toBe("amber up to 20 days");
  });

  it("reads the trend by the KPI's direction", () => {
    expect(trendDirection({ direction: "lower" }, [20, null, 15])).toBe("better");
    expect(trendDirection({ direction: "higher" }, [96, 92])).toBe("worse");
    expect(trendDirection({ direction: "higher" }, [96])).toBeNull();
  });
});

const SOP = (kpis: string) => `---
id: SOP-XX-001
---

## Performance Indicators

<KpiTable>

${kpis}

</KpiTable>
`;

const QUERY_TIME = `<Kpi id="query-resolution-time" name="Data query resolution time" unit="days" direction="lower" target="15" tolerance="5" frequency="monthly" source="imported" aggregation="median" owner="data-manager" dataSource="EDC query audit trail" formula="Median calendar days from open to closed">

Time queries remain
open.

</Kpi>`;

describe("definitions from a document's <Kpi> components", () => {
  it("reads every attribute and the text as the definition", () => {
    const [def] = kpiDefinitionsIn(parseMdxTree(SOP(QUERY_TIME)), "SOP-XX-001");
    expect(def).toEqual({
      id: "query-resolution-time",
      name: "Data query resolution time",
      unit: "days",
      direction: "lower",
      target: 15,
      tolerance: 5,
      frequency: "monthly",
      source: "imported",
      aggregation: "median",
      owner: "data-manager",
      dataSource: "EDC query audit trail",
      formula: "Median calendar days from open to closed",
      definition: "Time queries remain open.",
      docId: "SOP-XX-001",
    } satisfies KpiDefinition);
  });

  const context = { jobFunctions: new Set(["data-manager"]), documentIds: new Set<string>() };

  it("refuses a target that is not a number, an unknown unit, a bad id and a Kpi outside a KpiTable", () => {
    const bad = QUERY_TIME.replace('target="15"', 'target="fifteen"')
      .replace('unit="days"', 'unit="hours"')
      .replace('id="query-resolution-time"', 'id="Query Time"');
    const messages = checkMdx("sops/SOP-XX-001.mdx", SOP(bad), context).map((p) => `${p.line}:${p.rule}: ${p.message}`);
    expect(messages).toEqual([
      '9:component-attribute: <Kpi> attribute `id` must be lower-case words joined by hyphens (e.g. query-resolution-time), not "Query Time"',
      '9:component-attribute: <Kpi> attribute `unit` must be one of %, days, count, not "hours"',
      '9:component-attribute: <Kpi> attribute `target` must be a number such as 95 or 2.5, not "fifteen"',
    ]);
    const outside = checkMdx("sops/SOP-XX-001.mdx", `---\nid: SOP-XX-001\n---\n\n${QUERY_TIME}\n`, context);
    expect(outside.map((p) => p.message)).toEqual(["<Kpi> must be placed directly inside <KpiTable>"]);
  });

  it("refuses an owner that is not a job function", () => {
    const problems = checkMdx("sops/SOP-XX-001.mdx", SOP(QUERY_TIME.replace('owner="data-manager"', 'owner="nobody"')), context);
    expect(problems.map((p) => p.message)).toEqual(['<Kpi> owner="nobody" is not a defined job function']);
  });

  it("refuses the same KPI id defined in two documents, naming where it was first", () => {
    const jobFunctions = { path: "job-functions.yaml", source: "- id: data-manager\n  name: Data manager\n  description: Manages data.\n" };
    const doc = (id: string) => ({
      path: `sops/${id}.mdx`,
      source: SOP(QUERY_TIME).replace(
        "id: SOP-XX-001",
        `id: ${id}\ntitle: A procedure\ntype: sop\nowner: data-manager\naudience: [data-manager]\ntraining: required\nreviewIntervalMonths: 24`,
      ),
    });
    const { problems } = checkContent([doc("SOP-XX-001"), doc("SOP-XX-002")], jobFunctions);
    expect(problems.map((p) => `${p.path}:${p.line}: ${p.message} [${p.rule}]`)).toEqual([
      'sops/SOP-XX-002.mdx:15: KPI id "query-resolution-time" is already defined in sops/SOP-XX-001.mdx at line 15; each KPI is defined once [kpi-id]',
    ]);
  });
});
