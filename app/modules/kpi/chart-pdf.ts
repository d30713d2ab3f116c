// A KPI chart in a PDF (the management review pack, SOP-KP-001 "Prepare management review inputs"),
// drawn from the same geometry as the web page's SVG: d3-shape's path strings go to `doc.path()`.
// Solid colours only: transparency is not allowed in PDF/A-1 (stack.md pitfall 6), so the bands are
// light tints rather than translucent fills. Text uses whatever font the caller has set (the PDF
// engine's embedded DejaVu), never a standard font.
import { COLORS } from "~/modules/pdf/draw-context";

import { CHART_MARKER_AREA, markerPaths, type ChartGeometry } from "./chart-geometry";
import { STATUS_LABELS, type KpiStatus } from "./kpi";

/** The web page's status colours (app.css --ok, --warn, --bad) and light, opaque tints for the bands. */
export const CHART_COLORS = {
  green: "#1d6b3a",
  amber: "#8a5a00",
  red: "#a3261b",
  none: COLORS.muted,
  amberBand: "#fbf1dc",
  redZone: "#f8e3e0",
  noData: COLORS.shade,
  grid: "#e1e4e8",
  axis: COLORS.rule,
  line: COLORS.text,
  target: COLORS.text,
  label: COLORS.muted,
} as const;

export interface ChartPlacement {
  /** Top-left corner of the chart's box on the page, in points. */
  x: number;
  y: number;
  /** Size of the tick labels; 7 unless given. */
  fontSize?: number;
}

function statusColor(status: KpiStatus | null): string {
  return CHART_COLORS[status ?? "none"];
}

/**
 * Draws the chart with its top-left corner at (x, y), the geometry's units taken as points (so build
 * it with chartGeometry(series, def, { width, height }) in points). Leaves the fill colour and font
 * size changed (as any text does) and the text position below the chart, at its left edge.
 */
export function drawKpiChart(doc: PDFKit.PDFDocument, g: ChartGeometry, at: ChartPlacement): void {
  const { plot } = g;
  const right = plot.x + plot.width;
  const bottom = plot.y + plot.height;

  doc.save();
  doc.translate(at.x, at.y);
  if (g.redZone.height > 0) doc.rect(g.redZone.x, g.redZone.y, g.redZone.width, g.redZone.height).fill(CHART_COLORS.redZone);
  if (g.amberBand.height > 0) doc.rect(g.amberBand.x, g.amberBand.y, g.amberBand.width, g.amberBand.height).fill(CHART_COLORS.amberBand);
  for (const { column: c } of g.missing) if (c.width > 0) doc.rect(c.x, c.y, c.width, c.height).fill(CHART_COLORS.noData);
  doc.lineWidth(0.5);
  for (const t of g.yTicks) doc.moveTo(plot.x, t.y).lineTo(right, t.y).stroke(CHART_COLORS.grid);
  if (g.yTicks.length > 0 || g.xTicks.length > 0) {
    doc.moveTo(plot.x, plot.y).lineTo(plot.x, bottom).lineTo(right, bottom).stroke(CHART_COLORS.axis);
    for (const t of g.xTicks)
      doc
        .moveTo(t.x, bottom)
        .lineTo(t.x, bottom + 3)
        .stroke(CHART_COLORS.axis);
  }
  doc.lineWidth(0.75).dash(4, { space: 3 }).moveTo(plot.x, g.target.y).lineTo(right, g.target.y).stroke(CHART_COLORS.target);
  doc.undash();
  if (g.linePath) doc.path(g.linePath).lineWidth(1.25).lineJoin("round").lineCap("round").stroke(CHART_COLORS.line);
  for (const p of g.points) {
    doc.save();
    doc.translate(p.x, p.y);
    doc.path(g.markers[p.status ?? "none"]).fill(statusColor(p.status));
    doc.restore();
  }
  doc.restore();

  drawLabels(doc, g, at);
  doc.x = at.x;
  doc.y = at.y + g.height;
}

/**
 * Tick labels, at page coordinates and without a width: pdfkit's line wrapper
 * (used whenever a width is given) starts a new page when text comes near the bottom margin.
 */
function drawLabels(doc: PDFKit.PDFDocument, g: ChartGeometry, at: ChartPlacement): void {
  const size = at.fontSize ?? 7;
  doc.fontSize(size).fillColor(CHART_COLORS.label);
  const half = doc.currentLineHeight() / 2;
  const bottom = g.plot.y + g.plot.height;
  for (const t of g.yTicks) {
    doc.text(t.label, at.x + g.plot.x - 4 - doc.widthOfString(t.label), at.y + t.y - half, { lineBreak: false });
  }
  for (const t of g.xTicks) {
    doc.text(t.label, at.x + t.x - doc.widthOfString(t.label) / 2, at.y + bottom + 5, { lineBreak: false });
  }
}

/**
 * The chart's key on one line from (x, y): the target line and the marker shapes in words, so the
 * status does not rest on colour alone. (The target is named here rather than on the chart, where
 * its label would cover the latest months' markers.)
 */
export function drawKpiLegend(doc: PDFKit.PDFDocument, g: ChartGeometry, at: ChartPlacement): void {
  const size = at.fontSize ?? 7;
  const markers = markerPaths(CHART_MARKER_AREA);
  doc.fontSize(size);
  const lineHeight = doc.currentLineHeight();
  let x = at.x;
  const middle = at.y + lineHeight / 2;
  doc.save();
  doc
    .lineWidth(0.75)
    .dash(3, { space: 2 })
    .moveTo(x, middle)
    .lineTo(x + 14, middle)
    .stroke(CHART_COLORS.target);
  doc.restore();
  doc.fillColor(COLORS.text).text(g.target.label, x + 18, at.y, { lineBreak: false });
  x += 18 + doc.widthOfString(g.target.label) + 12;
  for (const status of ["green", "amber", "red"] as const) {
    doc.save();
    doc.translate(x + 4, at.y + lineHeight / 2);
    doc.path(markers[status]).fill(statusColor(status));
    doc.restore();
    const label = `${STATUS_LABELS[status]} (${status})`;
    doc.fillColor(COLORS.text).text(label, x + 11, at.y, { lineBreak: false });
    x += 11 + doc.widthOfString(label) + 12;
  }
  doc.rect(x, at.y + lineHeight / 2 - 4, 8, 8).fill(CHART_COLORS.noData);
  doc.fillColor(COLORS.text).text("No data: the line breaks", x + 11, at.y, { lineBreak: false });
  doc.x = at.x;
  doc.y = at.y + lineHeight;
}
