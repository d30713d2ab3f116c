// A KPI's months as inline SVG: the dashboard tile's sparkline and the KPI page's chart, both drawn
// from chart-geometry.ts (the management review pack draws the same geometry with pdfkit). Colours
// come from the stylesheet (.kpi-* in app.css); the status is also in each marker's shape (circle,
// triangle, diamond) so it never rests on colour alone (WCAG 2.1 SC 1.4.1), and the picture has a
// title and a one-sentence description for screen readers (SC 1.1.1).
import { useId } from "react";

import {
  CHART_MARKER_AREA,
  chartGeometry,
  markerPaths,
  sparklineGeometry,
  type ChartDatum,
  type ChartDefinition,
  type ChartGeometry,
  type ChartSize,
} from "~/modules/kpi/chart-geometry";
import { STATUS_LABELS, type KpiStatus } from "~/modules/kpi/kpi";

export interface KpiChartProps {
  /** The months to show, oldest first, with statusSeries' statuses. */
  series: readonly ChartDatum[];
  definition: ChartDefinition;
  size?: ChartSize;
}

/** A tile's 12 months: the line, the markers, the target and the bands; no axes. */
export function KpiSparkline({ series, definition, size }: KpiChartProps) {
  return <ChartSvg geometry={sparklineGeometry(series, definition, size)} className="kpi-sparkline" />;
}

/** The KPI page's 24 months, with axes and a key to the target line and the marker shapes. */
export function KpiChart({ series, definition, size }: KpiChartProps) {
  const geometry = chartGeometry(series, definition, size);
  return (
    <figure className="kpi-chart-figure">
      <ChartSvg geometry={geometry} className="kpi-chart" />
      <ChartLegend targetLabel={geometry.target.label} />
    </figure>
  );
}

function ChartSvg({ geometry: g, className }: { geometry: ChartGeometry; className: string }) {
  const id = useId();
  const axes = g.yTicks.length > 0 || g.xTicks.length > 0;
  const { plot } = g;
  const bottom = plot.y + plot.height;
  const right = plot.x + plot.width;
  return (
    <svg
      className={className}
      role="img"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-desc`}
      viewBox={`0 0 ${g.width} ${g.height}`}
      width={g.width}
      height={g.height}
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={`${id}-title`}>{g.title}</title>
      <desc id={`${id}-desc`}>{g.description}</desc>
      <rect className="kpi-zone-red" x={g.redZone.x} y={g.redZone.y} width={g.redZone.width} height={g.redZone.height} />
      <rect className="kpi-zone-amber" x={g.amberBand.x} y={g.amberBand.y} width={g.amberBand.width} height={g.amberBand.height} />
      {axes
        ? g.missing.map((m) => (
            <rect key={m.period} className="kpi-nodata" data-period={m.period} x={m.column.x} y={m.column.y} width={m.column.width} height={m.column.height} />
          ))
        : null}
      {axes ? (
        <g className="kpi-axis kpi-axis-y">
          {g.yTicks.map((t) => (
            <g key={t.value}>
              <line className="kpi-grid" x1={plot.x} x2={right} y1={t.y} y2={t.y} />
              <text x={plot.x - 6} y={t.y} textAnchor="end" dominantBaseline="middle">
                {t.label}
              </text>
            </g>
          ))}
          <line className="kpi-axis-line" x1={plot.x} x2={plot.x} y1={plot.y} y2={bottom} />
        </g>
      ) : null}
      {axes ? (
        <g className="kpi-axis kpi-axis-x">
          <line className="kpi-axis-line" x1={plot.x} x2={right} y1={bottom} y2={bottom} />
          {g.xTicks.map((t) => (
            <g key={t.period}>
              <line className="kpi-axis-line" x1={t.x} x2={t.x} y1={bottom} y2={bottom + 4} />
              <text x={t.x} y={bottom + 16} textAnchor="middle">
                {t.label}
              </text>
            </g>
          ))}
        </g>
      ) : null}
      <line className="kpi-target" x1={plot.x} x2={right} y1={g.target.y} y2={g.target.y} />
      {/* fill="none" is shape, not colour: without the stylesheet a filled line would hide the chart. */}
      <path className="kpi-line" d={g.linePath} fill="none" />
      {g.points.map((p) => (
        <path key={p.period} className={`kpi-point kpi-status-${p.status ?? "none"}`} d={g.markers[p.status ?? "none"]} transform={`translate(${p.x},${p.y})`}>
          {axes ? <title>{p.label}</title> : null}
        </path>
      ))}
    </svg>
  );
}

const LEGEND: KpiStatus[] = ["green", "amber", "red"];

/**
 * The target line and the marker shapes in words, so the chart reads the same in grey or to a
 * colour-blind reader. (The target is named here rather than on the chart, where its label would
 * cover the latest months' markers.)
 */
function ChartLegend({ targetLabel }: { targetLabel: string }) {
  const markers = markerPaths(CHART_MARKER_AREA);
  return (
    <figcaption>
      <ul className="kpi-legend">
        <li>
          <svg className="kpi-legend-mark" viewBox="0 0 16 12" width="16" height="12" aria-hidden="true">
            <line className="kpi-target" x1="0" x2="16" y1="6" y2="6" />
          </svg>{" "}
          {targetLabel}
        </li>
        {LEGEND.map((status) => (
          <li key={status}>
            <svg className="kpi-legend-mark" viewBox="-6 -6 12 12" width="12" height="12" aria-hidden="true">
              <path className={`kpi-point kpi-status-${status}`} d={markers[status]} />
            </svg>{" "}
            {STATUS_LABELS[status]} ({status})
          </li>
        ))}
        <li>
          <svg className="kpi-legend-mark" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true">
            <rect className="kpi-nodata" x="0" y="0" width="12" height="12" />
          </svg>{" "}
          No data: the line breaks
        </li>
      </ul>
    </figcaption>
  );
}
