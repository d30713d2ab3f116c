// The KPI dashboard's figures (SOP-KP-001, "Publish the KPI dashboard"): for each KPI of the
// catalogue, each month's value over studies and sites, its status (amber three months running is
// red), the trend, and what the month asks for (a cause analysis when red, a CAPA when red two
// months running).
import { actionsForKpi } from "~/modules/actions/actions.server";
import { analysesForKpi } from "~/modules/actions/kpi-analysis.server";
import type { Quire } from "~/quire";

import { computedObservations } from "./computed.server";
import { kpiCatalogue } from "./definitions.server";
import {
  AMBER_MONTHS_TO_RED,
  addMonths,
  aggregate,
  monthsEnding,
  needsCapa,
  trendDirection,
  statusSeries,
  type KpiDefinition,
  type KpiObservation,
  type KpiStatus,
  type Period,
} from "./kpi";
import { kpiObservations } from "./kpi-import.server";

type Reader = Pick<Quire, "db" | "repo">;

/** The month a dashboard reports on a day: the last complete month (SOP-KP-001: results of the previous month). */
export function reportingPeriod(today: string): Period {
  return addMonths(today.slice(0, 7), -1);
}

export interface KpiMonth {
  period: Period;
  value: number | null;
  status: KpiStatus | null;
  /** How many figures (studies and sites, or one for a computed KPI) the value aggregates. */
  figures: number;
}

export interface KpiFilter {
  study?: string;
  site?: string;
}

/** Each month's observations of a KPI: Quire's formula, or the imported figures' current values. */
async function observationsByMonth(
  q: Reader,
  def: KpiDefinition,
  months: readonly Period[],
  today: string,
  filter: KpiFilter,
): Promise<Map<Period, KpiObservation[]>> {
  const byMonth = new Map<Period, KpiObservation[]>();
  if (def.source === "computed") {
    // Quire's own records are company-wide: a study or site filter leaves nothing to show.
    if (filter.study !== undefined || filter.site !== undefined) return byMonth;
    for (const [period, o] of await computedObservations(q, def, months, today)) byMonth.set(period, [o]);
    return byMonth;
  }
  const rows = await kpiObservations(q.db, def.id, { from: months[0]!, to: months[months.length - 1]!, ...filter });
  for (const r of rows) {
    const list = byMonth.get(r.period) ?? [];
    list.push(r);
    byMonth.set(r.period, list);
  }
  return byMonth;
}

/**
 * A KPI's months ending with `last`, oldest first. Statuses are judged over two more months than
 * shown, so the first month shown already knows whether it is the third amber month running.
 */
export async function kpiMonths(q: Reader, def: KpiDefinition, last: Period, count: number, today: string, filter: KpiFilter = {}): Promise<KpiMonth[]> {
  const lookBack = AMBER_MONTHS_TO_RED - 1;
  const months = monthsEnding(last, count + lookBack);
  const byMonth = await observationsByMonth(q, def, months, today, filter);
  const values = months.map((m) => aggregate(def, byMonth.get(m) ?? []));
  const statuses = statusSeries(def, values);
  return months
    .map((period, i) => ({ period, value: values[i] ?? null, status: statuses[i] ?? null, figures: byMonth.get(period)?.length ?? 0 }))
    .slice(lookBack);
}

export interface KpiTile {
  definition: KpiDefinition;
  /** Twelve months ending with the reporting month. */
  months: KpiMonth[];
  latest: KpiMonth;
  trend: "better" | "worse" | "flat" | null;
  /** Red in the reporting month and no cause analysis recorded for it (SOP-KP-001). */
  analysisNeeded: boolean;
  /** Red two months running and no open CAPA for the KPI. */
  capaNeeded: boolean;
}

/** What a month's figures ask the KPI's owner and the quality manager for. */
export async function kpiFollowUp(
  q: Reader,
  def: KpiDefinition,
  months: readonly KpiMonth[],
  today: string,
): Promise<{ analysisNeeded: boolean; capaNeeded: boolean }> {
  const latest = months[months.length - 1];
  if (!latest || latest.status !== "red") return { analysisNeeded: false, capaNeeded: false };
  const [analyses, items] = await Promise.all([analysesForKpi(q.db, def.id), actionsForKpi(q.db, def.id, today)]);
  return {
    analysisNeeded: !analyses.some((a) => a.period === latest.period),
    capaNeeded: needsCapa(months.map((m) => m.status)) && !items.some((i) => i.kind === "capa" && i.status === "open"),
  };
}

/** The dashboard: a tile per KPI of the catalogue in force today. */
export async function kpiDashboard(q: Reader, today: string): Promise<{ period: Period; tiles: KpiTile[] }> {
  const period = reportingPeriod(today);
  const catalogue = await kpiCatalogue(q, today);
  const tiles = await Promise.all(
    catalogue.map(async (definition): Promise<KpiTile> => {
      const months = await kpiMonths(q, definition, period, 12, today);
      const latest = months[months.length - 1]!;
      return {
        definition,
        months,
        latest,
        trend: trendDirection(
          definition,
          months.map((m) => m.value),
        ),
        ...(await kpiFollowUp(q, definition, months, today)),
      };
    }),
  );
  return { period, tiles };
}
