import type { KpiDefinition } from "~/modules/kpi/kpi";

/** A KPI definition as an SOP's <Kpi> component would give it, with what the CSV checks depend on. */
export function kpiDefinition(id: string, fields: Pick<KpiDefinition, "unit" | "aggregation" | "source">): KpiDefinition {
  return {
    id,
    name: id,
    direction: "higher",
    target: 1,
    tolerance: 1,
    frequency: "monthly",
    owner: "quality-manager",
    dataSource: "EDC",
    formula: "",
    definition: "",
    docId: "SOP-KP-001",
    ...fields,
  };
}

/** A small catalogue: one KPI of each kind the import checks treat differently. */
export const TEST_KPIS: ReadonlyMap<string, KpiDefinition> = new Map(
  [
    kpiDefinition("query-resolution-time", { unit: "days", aggregation: "median", source: "imported" }),
    kpiDefinition("sdv-completion", { unit: "%", aggregation: "ratio", source: "imported" }),
    kpiDefinition("visit-report-timeliness", { unit: "%", aggregation: "mean", source: "imported" }),
    kpiDefinition("protocol-deviations", { unit: "count", aggregation: "sum", source: "imported" }),
    kpiDefinition("training-on-time", { unit: "%", aggregation: "ratio", source: "computed" }),
  ].map((d) => [d.id, d]),
);
