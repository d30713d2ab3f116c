// KPIs as SOP-KP-001 defines them: each has a target and a tolerance (the amber band), a direction,
// and a status per month: green when the target is met, amber when it is missed within tolerance,
// red when outside tolerance or amber for 3 consecutive months (SOP-KP-001, "Publish the KPI
// dashboard"). Pure logic: definitions come from the SOPs' <Kpi> components (definitions.server.ts),
// values from Quire's records (computed) or trial systems' CSV files (imported).

export const KPI_DIRECTIONS = ["higher", "lower"] as const;
export const KPI_SOURCES = ["computed", "imported"] as const;
export const KPI_AGGREGATIONS = ["ratio", "median", "mean", "sum"] as const;
export const KPI_FREQUENCIES = ["monthly", "quarterly", "half-yearly"] as const;
export const KPI_UNITS = ["%", "days", "count"] as const;

export type KpiDirection = (typeof KPI_DIRECTIONS)[number];
export type KpiSource = (typeof KPI_SOURCES)[number];
export type KpiAggregation = (typeof KPI_AGGREGATIONS)[number];
export type KpiFrequency = (typeof KPI_FREQUENCIES)[number];
export type KpiUnit = (typeof KPI_UNITS)[number];
export type KpiStatus = "green" | "amber" | "red";

/** One KPI of the catalogue, as its SOP's <Kpi> component defines it. */
export interface KpiDefinition {
  /** Stable id, e.g. `query-resolution-time`; lower-case words joined by hyphens. */
  id: string;
  name: string;
  unit: KpiUnit;
  direction: KpiDirection;
  target: number;
  /** Width of the amber band beyond the target, in the KPI's unit. */
  tolerance: number;
  frequency: KpiFrequency;
  source: KpiSource;
  aggregation: KpiAggregation;
  /** Owner job function id. */
  owner: string;
  /** Where the figures come from (e.g. "EDC query audit trail"). */
  dataSource: string;
  formula: string;
  /** The prose definition (the component's text). */
  definition: string;
  /** The document that defines it, e.g. SOP-DM-001. */
  docId: string;
}

/** A month as YYYY-MM. */
export type Period = string;

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(value: string): value is Period {
  return PERIOD.test(value);
}

/** The month `n` months after `period` (before it when n is negative). */
export function addMonths(period: Period, n: number): Period {
  const m = PERIOD.exec(period);
  if (!m) throw new Error(`Not a period (YYYY-MM): ${period}`);
  const index = Number(m[1]) * 12 + (Number(m[2]) - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** The `count` months ending with `last`, oldest first. */
export function monthsEnding(last: Period, count: number): Period[] {
  return Array.from({ length: count }, (_, i) => addMonths(last, i - count + 1));
}

/** The month an ISO date or timestamp falls in. */
export function periodOf(isoDate: string): Period {
  return isoDate.slice(0, 7);
}

/** True when the value meets the target in the KPI's direction. */
export function meetsTarget(def: Pick<KpiDefinition, "direction" | "target">, value: number): boolean {
  return def.direction === "higher" ? value >= def.target : value <= def.target;
}

/** The status of one month's value taken alone: no memory of earlier months. */
export function rawStatus(def: Pick<KpiDefinition, "direction" | "target" | "tolerance">, value: number | null): KpiStatus | null {
  if (value === null) return null;
  if (meetsTarget(def, value)) return "green";
  const gap = def.direction === "higher" ? def.target - value : value - def.target;
  return gap <= def.tolerance ? "amber" : "red";
}

/** Consecutive amber months that turn a KPI red (SOP-KP-001). */
export const AMBER_MONTHS_TO_RED = 3;

/**
 * Each month's status over a series of consecutive months, oldest first: the raw status, except
 * that the third consecutive amber month (and each further one) is red. A month without data
 * breaks the run: "consecutive" means reported amber each month.
 */
export function statusSeries(def: Pick<KpiDefinition, "direction" | "target" | "tolerance">, values: readonly (number | null)[]): (KpiStatus | null)[] {
  let amberRun = 0;
  return values.map((value) => {
    const status = rawStatus(def, value);
    amberRun = status === "amber" ? amberRun + 1 : 0;
    return status === "amber" && amberRun >= AMBER_MONTHS_TO_RED ? "red" : status;
  });
}

/** Consecutive red months that prompt a CAPA (SOP-KP-001, "Act on red KPIs"). */
export const RED_MONTHS_TO_CAPA = 2;

/** True when the last `RED_MONTHS_TO_CAPA` statuses of a series are all red. */
export function needsCapa(statuses: readonly (KpiStatus | null)[]): boolean {
  if (statuses.length < RED_MONTHS_TO_CAPA) return false;
  return statuses.slice(-RED_MONTHS_TO_CAPA).every((s) => s === "red");
}

/** One figure for one KPI, month, study and site, as imported or computed. */
export interface KpiObservation {
  value: number;
  numerator?: number | null;
  denominator?: number | null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * One value from many (studies, sites). Where every observation gives a numerator and a positive
 * denominator, the aggregate is their sums' ratio (weighted by volume, so a site with 2 patients
 * does not count as much as one with 200), times 100 for a percentage; otherwise the definition's
 * aggregation over the values, a "ratio" KPI with a missing denominator falling back to the mean.
 * No observations: null ("no data", never zero).
 */
export function aggregate(def: Pick<KpiDefinition, "aggregation" | "unit">, observations: readonly KpiObservation[]): number | null {
  if (observations.length === 0) return null;
  const weighted = observations.every((o) => o.numerator != null && o.denominator != null && o.denominator > 0);
  if (weighted) {
    const num = observations.reduce((sum, o) => sum + o.numerator!, 0);
    const den = observations.reduce((sum, o) => sum + o.denominator!, 0);
    return (num / den) * (def.unit === "%" ? 100 : 1);
  }
  const values = observations.map((o) => o.value);
  switch (def.aggregation) {
    case "median":
      return median(values);
    case "sum":
      return values.reduce((a, b) => a + b, 0);
    case "ratio":
    case "mean":
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** Which way the trend goes over the last months: better, worse or flat, by the KPI's direction. */
export function trendDirection(def: Pick<KpiDefinition, "direction">, values: readonly (number | null)[]): "better" | "worse" | "flat" | null {
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return null;
  const first = known[0]!;
  const last = known[known.length - 1]!;
  const scale = Math.max(Math.abs(first), Math.abs(last), 1);
  if (Math.abs(last - first) / scale < 0.01) return "flat";
  const up = last > first;
  return up === (def.direction === "higher") ? "better" : "worse";
}

/** A value as people read it: one decimal at most, with its unit. */
export function formatKpiValue(unit: KpiUnit, value: number | null): string {
  if (value === null) return "no data";
  const rounded = Math.round(value * 10) / 10;
  const text = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
  if (unit === "%") return `${text}%`;
  if (unit === "days") return `${text} ${rounded === 1 ? "day" : "days"}`;
  return text;
}

/** The target as a sentence fragment: "95% or more", "15 days or fewer". */
export function formatTarget(def: Pick<KpiDefinition, "unit" | "direction" | "target">): string {
  const target = formatKpiValue(def.unit, def.target);
  // Nothing is below zero or above 100%: "0 or fewer" and "100% or more" would read oddly.
  if (def.direction === "lower" && def.target === 0) return target;
  if (def.direction === "higher" && def.unit === "%" && def.target === 100) return target;
  if (def.direction === "higher") return `${target} or more`;
  return `${target} or ${def.unit === "%" ? "less" : "fewer"}`;
}

export const STATUS_LABELS: Record<KpiStatus, string> = { green: "On target", amber: "Watch", red: "Act" };

/** The amber band as a sentence fragment: "amber down to 92%", "amber up to 20 days". */
export function formatTolerance(def: Pick<KpiDefinition, "unit" | "direction" | "target" | "tolerance">): string {
  if (def.tolerance === 0) return "no amber band";
  const edge = def.direction === "higher" ? def.target - def.tolerance : def.target + def.tolerance;
  return `amber ${def.direction === "higher" ? "down" : "up"} to ${formatKpiValue(def.unit, edge)}`;
}

export const SOURCE_LABELS: Record<KpiSource, string> = { computed: "Computed by Quire", imported: "Imported" };
