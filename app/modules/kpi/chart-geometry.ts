// The geometry of a KPI chart, computed once and drawn twice: as inline SVG on the dashboard and KPI
// page (components/kpi/kpi-chart.tsx) and with pdfkit in the management review pack (chart-pdf.ts).
// d3-shape's path strings are SVG path data, which pdfkit's `doc.path()` also reads, so both pictures
// come from the same numbers. Pure: no DOM, no React, no pdfkit.
//
// What a chart shows follows SOP-KP-001 ("Publish the KPI dashboard"): each month's value against the
// target, the amber band (target missed within tolerance) and the red zone beyond it, each month's
// status, and the trend. A month without data is a gap, never zero.
import { scaleLinear, scalePoint } from "d3-scale";
import { line, symbol, symbolCircle, symbolDiamond, symbolTriangle, type SymbolType } from "d3-shape";

import { formatKpiValue, formatTarget, isPeriod, STATUS_LABELS, trendDirection, type KpiDefinition, type KpiStatus, type Period } from "./kpi";

/** One month of a KPI's series, oldest first, as statusSeries gives the statuses. */
export interface ChartDatum {
  period: Period;
  value: number | null;
  status: KpiStatus | null;
}

/** What of the definition a chart needs. */
export type ChartDefinition = Pick<KpiDefinition, "name" | "unit" | "direction" | "target" | "tolerance">;

export interface ChartSize {
  width: number;
  height: number;
}

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartPointGeometry {
  period: Period;
  value: number;
  status: KpiStatus | null;
  x: number;
  y: number;
  /** "Oct 2026: 18 days (Act)", for a tooltip or a list. */
  label: string;
}

export interface YTick {
  value: number;
  y: number;
  label: string;
}

export interface XTick {
  period: Period;
  x: number;
  label: string;
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** The plotting area inside the margins; the axes sit on its left and bottom edges. */
  plot: Rect;
  /** The value range the plot covers, low to high. */
  domain: [number, number];
  /** The line through the months with data; a month without data breaks it (one "M" per run). */
  linePath: string;
  /** One per month with a value, oldest first. */
  points: ChartPointGeometry[];
  /** Months without data, where the chart shows a gap: the month's x and its column in the plot. */
  missing: { period: Period; x: number; column: Rect }[];
  target: { y: number; label: string };
  /** Target missed within tolerance: between the target and target ∓ tolerance, on the worse side. */
  amberBand: Rect;
  /** Beyond tolerance, from the amber band's edge to the end of the plot on the worse side. */
  redZone: Rect;
  /** Axis ticks; empty for a sparkline. */
  yTicks: YTick[];
  xTicks: XTick[];
  /** Marker shapes, centred on (0, 0): the status is shown by shape as well as colour (WCAG 1.4.1). */
  markers: Record<KpiStatus | "none", string>;
  /** The KPI's name. */
  title: string;
  /** One sentence for people who cannot see the picture: period, latest value, target, trend. */
  description: string;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Nov 25" (short, for axis ticks) or "Nov 2025" (long, for sentences). */
export function monthLabel(period: Period, style: "short" | "long" = "short"): string {
  if (!isPeriod(period)) throw new Error(`Not a period (YYYY-MM): ${period}`);
  const month = MONTHS[Number(period.slice(5, 7)) - 1]!;
  return style === "short" ? `${month} ${period.slice(2, 4)}` : `${month} ${period.slice(0, 4)}`;
}

/** The edge of the amber band away from the target: target − tolerance when higher is better, + when lower is. */
export function amberEdge(def: Pick<ChartDefinition, "direction" | "target" | "tolerance">): number {
  return def.direction === "higher" ? def.target - def.tolerance : def.target + def.tolerance;
}

/**
 * The value range to plot: every value, the target and the amber band's edge, padded by a tenth of
 * the span, then rounded outward to tick steps. Padding never takes a percentage below 0 or above
 * 100, nor days or counts below 0, unless the data itself goes there (enrolment can exceed 100% of plan).
 */
export function yDomain(series: readonly ChartDatum[], def: ChartDefinition, tickCount: number): [number, number] {
  const values = series.map((d) => d.value).filter((v): v is number => v !== null);
  const known = [...values, def.target, amberEdge(def)];
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const pad = Math.max((hi - lo) * 0.1, Math.abs(hi) * 0.02, 1);
  let min = lo - pad;
  let max = hi + pad;
  if (lo >= 0) min = Math.max(min, 0);
  if (def.unit === "%" && hi <= 100) max = Math.min(max, 100);
  const [niceMin, niceMax] = scaleLinear().domain([min, max]).nice(tickCount).domain() as [number, number];
  // Rounding outward to a tick step must not undo the clamp (100 and 0 are on every step d3 picks).
  return [lo >= 0 ? Math.max(niceMin, 0) : niceMin, def.unit === "%" && hi <= 100 ? Math.min(niceMax, 100) : niceMax];
}

/** The KPI page's marker size (the legend uses it too). */
export const CHART_MARKER_AREA = 40;

const MARKER_SHAPES: Record<KpiStatus | "none", SymbolType> = {
  green: symbolCircle,
  amber: symbolTriangle,
  red: symbolDiamond,
  none: symbolCircle,
};

/** The marker of each status as a path centred on (0, 0), `area` square units large. */
export function markerPaths(area: number): Record<KpiStatus | "none", string> {
  const path = (type: SymbolType) => symbol(type, area)() ?? "";
  return { green: path(MARKER_SHAPES.green), amber: path(MARKER_SHAPES.amber), red: path(MARKER_SHAPES.red), none: path(MARKER_SHAPES.none) };
}

/** The sentence a screen reader reads for the chart. */
export function describeChart(series: readonly ChartDatum[], def: ChartDefinition): string {
  if (series.length === 0) return `${def.name}: no months to show; target ${formatTarget(def)}.`;
  const span = `${monthLabel(series[0]!.period, "long")} to ${monthLabel(series.at(-1)!.period, "long")}`;
  const latest = [...series].reverse().find((d) => d.value !== null);
  const missing = series.filter((d) => d.value === null).length;
  const parts: string[] = [];
  if (!latest) parts.push("no data");
  else {
    const when = latest === series.at(-1) ? "" : ` in ${monthLabel(latest.period, "long")}`;
    const status = latest.status ? ` (${latest.status}: ${STATUS_LABELS[latest.status].toLowerCase()})` : "";
    parts.push(`latest ${formatKpiValue(def.unit, latest.value)}${when}${status}`);
  }
  parts.push(`target ${formatTarget(def)}`);
  const trend = trendDirection(
    def,
    series.map((d) => d.value),
  );
  if (trend) parts.push(trend === "flat" ? "trend flat" : `trend ${trend}`);
  if (missing > 0 && latest) parts.push(`${missing} ${missing === 1 ? "month" : "months"} without data`);
  return `${def.name}, ${span}: ${parts.join(", ")}.`;
}

interface Layout {
  size: ChartSize;
  margins: Margins;
  axes: boolean;
  yTickCount: number;
  /** Least horizontal room per x tick label, in the same units as the size. */
  xLabelRoom: number;
  markerArea: number;
}

/** Two decimals: enough for a screen or a page, and short SVG attributes. */
function r2(n: number): number {
  return Math.round(n * 100) / 100;
}

function periodsOf(series: readonly ChartDatum[]): Period[] {
  const seen = new Set<Period>();
  for (const d of series) {
    if (!isPeriod(d.period)) throw new Error(`Chart series: "${d.period}" is not a month (YYYY-MM).`);
    if (seen.has(d.period)) throw new Error(`Chart series: the month ${d.period} appears twice.`);
    seen.add(d.period);
  }
  return [...seen];
}

function geometry(series: readonly ChartDatum[], def: ChartDefinition, layout: Layout): ChartGeometry {
  const { size, margins } = layout;
  const periods = periodsOf(series);
  const plot: Rect = {
    x: margins.left,
    y: margins.top,
    width: Math.max(size.width - margins.left - margins.right, 1),
    height: Math.max(size.height - margins.top - margins.bottom, 1),
  };
  const domain = yDomain(series, def, layout.yTickCount);
  const y = scaleLinear()
    .domain(domain)
    .range([plot.y + plot.height, plot.y]);
  // With axes, half a month's step either side so the first and last markers sit clear of them.
  const x = scalePoint<Period>()
    .domain(periods)
    .range([plot.x, plot.x + plot.width])
    .padding(layout.axes ? 0.5 : 0);
  const xOf = (period: Period) => x(period) ?? plot.x + plot.width / 2;
  const halfStep = periods.length > 1 ? x.step() / 2 : plot.width / 2;

  const linePath =
    line<ChartDatum>()
      .digits(2)
      .defined((d) => d.value !== null)
      .x((d) => xOf(d.period))
      .y((d) => y(d.value!))(series) ?? "";

  const points = series
    .filter((d): d is ChartDatum & { value: number } => d.value !== null)
    .map((d) => ({
      period: d.period,
      value: d.value,
      status: d.status,
      x: r2(xOf(d.period)),
      y: r2(y(d.value)),
      label: `${monthLabel(d.period, "long")}: ${formatKpiValue(def.unit, d.value)}${d.status ? ` (${STATUS_LABELS[d.status]})` : ""}`,
    }));

  const targetY = r2(y(def.target));
  const edgeY = r2(y(amberEdge(def)));
  const top = plot.y;
  const bottom = plot.y + plot.height;
  // Worse is down when higher is better, up when lower is better.
  const worseIsDown = def.direction === "higher";
  const band = (from: number, to: number): Rect => {
    const a = Math.min(Math.max(from, top), bottom);
    const b = Math.min(Math.max(to, top), bottom);
    return { x: r2(plot.x), y: r2(Math.min(a, b)), width: r2(plot.width), height: r2(Math.abs(b - a)) };
  };
  const amberBand = band(targetY, edgeY);
  const missing = series
    .filter((d) => d.value === null)
    .map((d) => {
      const left = Math.max(xOf(d.period) - halfStep, plot.x);
      const right = Math.min(xOf(d.period) + halfStep, plot.x + plot.width);
      return { period: d.period, x: r2(xOf(d.period)), column: { x: r2(left), y: r2(top), width: r2(right - left), height: r2(bottom - top) } };
    });
  const redZone = worseIsDown ? band(edgeY, bottom) : band(top, edgeY);

  const yTicks = layout.axes ? y.ticks(layout.yTickCount).map((value) => ({ value, y: r2(y(value)), label: formatKpiValue(def.unit, value) })) : [];
  const xTicks = layout.axes ? xTicksOf(periods, xOf, plot.width, layout.xLabelRoom) : [];

  return {
    width: size.width,
    height: size.height,
    plot,
    domain,
    linePath,
    points,
    missing,
    target: { y: targetY, label: `Target ${formatTarget(def)}` },
    amberBand,
    redZone,
    yTicks,
    xTicks,
    markers: markerPaths(layout.markerArea),
    title: def.name,
    description: describeChart(series, def),
  };
}

/** Every Nth month labelled, counted back from the latest so the current month always has its label. */
function xTicksOf(periods: Period[], xOf: (p: Period) => number, width: number, room: number): XTick[] {
  const fit = Math.max(Math.floor(width / room), 1);
  const every = Math.max(Math.ceil(periods.length / fit), 1);
  const last = periods.length - 1;
  return periods.filter((_, i) => (last - i) % every === 0).map((period) => ({ period, x: r2(xOf(period)), label: monthLabel(period) }));
}

function checkSize(size: ChartSize): void {
  if (!(size.width > 0 && size.height > 0)) throw new Error(`Chart size must be positive, got ${size.width} × ${size.height}.`);
}

/** A tile's sparkline: no axes, the plot filling the box but for room for the markers. */
export function sparklineGeometry(series: readonly ChartDatum[], def: ChartDefinition, size: ChartSize = { width: 120, height: 32 }): ChartGeometry {
  checkSize(size);
  const inset = 3;
  return geometry(series, def, {
    size,
    margins: { top: inset, right: inset, bottom: inset, left: inset },
    axes: false,
    yTickCount: 3,
    xLabelRoom: Infinity,
    markerArea: 14,
  });
}

/** The KPI page's chart (and the management review pack's): axes with value and month labels. */
export function chartGeometry(series: readonly ChartDatum[], def: ChartDefinition, size: ChartSize = { width: 720, height: 280 }): ChartGeometry {
  checkSize(size);
  return geometry(series, def, {
    size,
    // Left margin: room for "100.5 days"; bottom: the month labels.
    margins: { top: 12, right: 16, bottom: 28, left: 64 },
    axes: true,
    yTickCount: 5,
    xLabelRoom: 56,
    markerArea: CHART_MARKER_AREA,
  });
}
