import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";

import PDFDocument from "pdfkit";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { KpiChart, KpiSparkline } from "~/components/kpi/kpi-chart";
import { chartGeometry, describeChart, monthLabel, sparklineGeometry, yDomain, type ChartDatum, type ChartDefinition } from "~/modules/kpi/chart-geometry";
import { drawKpiChart, drawKpiLegend } from "~/modules/kpi/chart-pdf";
import { monthsEnding, statusSeries } from "~/modules/kpi/kpi";
import { registerFonts } from "~/modules/pdf/fonts";

import { tempDir } from "../helpers/data-folder";
import { STANDARD_14, fontsOf, pageTexts, tool } from "../helpers/pdf-tools";

const QUERY_TIME: ChartDefinition = { name: "Query resolution time", unit: "days", direction: "lower", target: 15, tolerance: 5 };
const ADHERENCE: ChartDefinition = { name: "Protocol adherence rate", unit: "%", direction: "higher", target: 95, tolerance: 3 };

/** Values for the months ending `last`, with statusSeries' statuses, as the KPI page builds them. */
function seriesOf(def: ChartDefinition, values: (number | null)[], last = "2026-10"): ChartDatum[] {
  const periods = monthsEnding(last, values.length);
  const statuses = statusSeries(def, values);
  return periods.map((period, i) => ({ period, value: values[i]!, status: statuses[i]! }));
}

/** The number of subpaths (runs of the line) in an SVG path. */
function moves(d: string): number {
  return (d.match(/M/g) ?? []).length;
}

const QUERY_VALUES = [12, 13, 11, 14, 15, 16, null, 14, 13, 12, 13, 14, 15, 17, 16, 18, 14, 13, 12, 16, 17, 19, 21, 22];

describe("chart geometry", () => {
  it("puts a value exactly at the target on the target line", () => {
    const g = chartGeometry(seriesOf(QUERY_TIME, [12, 15, 18]), QUERY_TIME);
    const atTarget = g.points.find((p) => p.value === 15)!;
    expect(atTarget.y).toBe(g.target.y);
    // Lower is better: 12 days sits below the target line (larger y), 18 above it.
    expect(g.points[0]!.y).toBeGreaterThan(g.target.y);
    expect(g.points[2]!.y).toBeLessThan(g.target.y);
  });

  it("breaks the line where a month has no data, and draws no marker there", () => {
    const g = chartGeometry(seriesOf(QUERY_TIME, [12, 13, null, 14, 15]), QUERY_TIME);
    expect(moves(g.linePath)).toBe(2);
    expect(g.points.map((p) => p.period)).toEqual(["2026-06", "2026-07", "2026-09", "2026-10"]);
    expect(g.missing.map((m) => m.period)).toEqual(["2026-08"]);
    const unbroken = chartGeometry(seriesOf(QUERY_TIME, [12, 13, 14, 14, 15]), QUERY_TIME);
    expect(moves(unbroken.linePath)).toBe(1);
    expect(unbroken.missing).toEqual([]);
  });

  it("puts the amber band above the target when lower is better, and the red zone above that", () => {
    const g = chartGeometry(seriesOf(QUERY_TIME, QUERY_VALUES), QUERY_TIME);
    // SVG y grows downwards: "above" is a smaller y.
    expect(g.amberBand.y + g.amberBand.height).toBeCloseTo(g.target.y, 6);
    expect(g.amberBand.height).toBeGreaterThan(0);
    expect(g.redZone.y).toBe(g.plot.y);
    expect(g.redZone.y + g.redZone.height).toBeCloseTo(g.amberBand.y, 6);
    // 20 days (target + tolerance) is the band's upper edge.
    const y20 = g.yTicks.find((t) => t.value === 20);
    if (y20) expect(y20.y).toBeCloseTo(g.amberBand.y, 6);
  });

  it("puts the amber band below the target when higher is better, and the red zone below that", () => {
    const g = chartGeometry(seriesOf(ADHERENCE, [97, 96, 94, 91, 98]), ADHERENCE);
    expect(g.amberBand.y).toBeCloseTo(g.target.y, 6);
    expect(g.amberBand.height).toBeGreaterThan(0);
    expect(g.redZone.y).toBeCloseTo(g.amberBand.y + g.amberBand.height, 6);
    expect(g.redZone.y + g.redZone.height).toBeCloseTo(g.plot.y + g.plot.height, 6);
  });

  it("always shows the target and the amber band's edge, however far the values are from them", () => {
    const g = chartGeometry(seriesOf(QUERY_TIME, [2, 3, 2, 3]), QUERY_TIME);
    expect(g.domain[0]).toBeLessThanOrEqual(2);
    expect(g.domain[1]).toBeGreaterThan(20);
    const far = chartGeometry(seriesOf(ADHERENCE, [40, 45, 50]), ADHERENCE);
    expect(far.domain[0]).toBeLessThan(40);
    expect(far.domain[1]).toBeGreaterThanOrEqual(95);
    // Every point and the target lie inside the plot.
    for (const y of [...far.points.map((p) => p.y), far.target.y]) {
      expect(y).toBeGreaterThanOrEqual(far.plot.y);
      expect(y).toBeLessThanOrEqual(far.plot.y + far.plot.height);
    }
  });

  it("keeps a percentage's axis within 0 to 100 unless the data goes beyond, and days above 0", () => {
    expect(yDomain(seriesOf(ADHERENCE, [99.5, 100, 98]), ADHERENCE, 5)[1]).toBe(100);
    const overPlan: ChartDefinition = { name: "Enrolment rate", unit: "%", direction: "higher", target: 90, tolerance: 10 };
    expect(yDomain(seriesOf(overPlan, [104, 112]), overPlan, 5)[1]).toBeGreaterThan(112);
    expect(yDomain(seriesOf(QUERY_TIME, [0.5, 1, 2]), QUERY_TIME, 5)[0]).toBe(0);
    expect(yDomain(seriesOf(ADHERENCE, [1, 3]), ADHERENCE, 5)[0]).toBe(0);
  });

  it("labels the value axis with the unit and the month axis every few months, always the latest", () => {
    const days = chartGeometry(seriesOf(QUERY_TIME, QUERY_VALUES), QUERY_TIME);
    expect(days.yTicks.length).toBeGreaterThanOrEqual(3);
    for (const t of days.yTicks) expect(t.label).toMatch(/^\d+(\.\d)? days?$/);
    const pct = chartGeometry(seriesOf(ADHERENCE, [97, 96, 94, 91, 98]), ADHERENCE);
    for (const t of pct.yTicks) expect(t.label).toMatch(/^\d+(\.\d)?%$/);
    expect(days.xTicks.at(-1)).toMatchObject({ period: "2026-10", label: "Oct 26" });
    expect(days.xTicks.length).toBeLessThan(24);
    expect(days.xTicks.length).toBeGreaterThanOrEqual(6);
    // Evenly spaced: every Nth month.
    const gaps = days.xTicks.slice(1).map((t, i) => t.x - days.xTicks[i]!.x);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThan(0.05);
  });

  it("gives a sparkline no axes and keeps it inside its box", () => {
    const series = seriesOf(QUERY_TIME, QUERY_VALUES.slice(-12));
    const g = sparklineGeometry(series, QUERY_TIME);
    expect(g.width).toBe(120);
    expect(g.height).toBe(32);
    expect(g.yTicks).toEqual([]);
    expect(g.xTicks).toEqual([]);
    for (const p of g.points) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(120);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(32);
    }
  });

  it("describes the chart in one sentence: span, latest value and status, target, trend", () => {
    const text = describeChart(seriesOf(QUERY_TIME, QUERY_VALUES), QUERY_TIME);
    expect(text).toBe("Query resolution time, Nov 2024 to Oct 2026: latest 22 days (red: act), target 15 days or fewer, trend worse, 1 month without data.");
    const lastMissing = describeChart(seriesOf(ADHERENCE, [96, 97, null]), ADHERENCE);
    expect(lastMissing).toContain("latest 97% in Sep 2026 (green: on target)");
    expect(monthLabel("2025-11")).toBe("Nov 25");
  });

  it("refuses a series with a month that is not YYYY-MM, or one month twice, saying which", () => {
    expect(() => chartGeometry([{ period: "2026-13", value: 1, status: null }], QUERY_TIME)).toThrow(/2026-13/);
    const twice: ChartDatum[] = [
      { period: "2026-01", value: 1, status: "green" },
      { period: "2026-01", value: 2, status: "green" },
    ];
    expect(() => chartGeometry(twice, QUERY_TIME)).toThrow(/2026-01 appears twice/);
  });
});

describe("the chart components", () => {
  const series = seriesOf(QUERY_TIME, QUERY_VALUES);

  function count(html: string, needle: string): number {
    return html.split(needle).length - 1;
  }

  it("renders the KPI page's chart as an image with a title and a description", () => {
    const html = renderToStaticMarkup(createElement(KpiChart, { series, definition: QUERY_TIME }));
    expect(html).toContain('role="img"');
    const title = /<title id="([^"]+)">Query resolution time<\/title>/.exec(html);
    const desc = /<desc id="([^"]+)">([^<]+)<\/desc>/.exec(html);
    expect(title).not.toBeNull();
    expect(desc?.[2]).toContain("Nov 2024 to Oct 2026: latest 22 days");
    expect(html).toContain(`aria-labelledby="${title![1]}"`);
    expect(html).toContain(`aria-describedby="${desc![1]}"`);
  });

  it("draws one marker per month with data, its status in its class and shape", () => {
    const html = renderToStaticMarkup(createElement(KpiChart, { series, definition: QUERY_TIME }));
    const svg = html.slice(0, html.indexOf("</svg>"));
    const statuses = series.filter((d) => d.value !== null).map((d) => d.status);
    expect(count(svg, 'class="kpi-point ')).toBe(23);
    for (const status of ["green", "amber", "red"] as const) {
      expect(count(svg, `class="kpi-point kpi-status-${status}"`)).toBe(statuses.filter((s) => s === status).length);
    }
    // Shapes differ by status, not only colours.
    const g = chartGeometry(series, QUERY_TIME);
    expect(new Set([g.markers.green, g.markers.amber, g.markers.red]).size).toBe(3);
    // The month without data is a marked gap, and the line has two runs.
    expect(count(svg, 'class="kpi-nodata"')).toBe(1);
    expect(svg).toContain('data-period="2025-05"');
    const d = /<path class="kpi-line" d="([^"]+)"/.exec(svg)![1]!;
    expect(moves(d)).toBe(2);
    // Tick labels carry the unit; the legend names each status in words.
    expect(svg).toMatch(/>\d+ days<\/text>/);
    expect(svg).toContain(">Oct 26</text>");
    const legend = html.slice(html.indexOf("</svg>"));
    expect(legend).toContain("Target 15 days or fewer");
    expect(legend).toContain("On target (green)");
    expect(legend).toContain("Watch (amber)");
    expect(legend).toContain("Act (red)");
  });

  it("renders a sparkline with its title and description and no axis labels", () => {
    const html = renderToStaticMarkup(createElement(KpiSparkline, { series: series.slice(-12), definition: QUERY_TIME }));
    expect(html).toContain('class="kpi-sparkline"');
    expect(html).toContain('role="img"');
    expect(html).toContain("<title");
    expect(html).toMatch(/<desc id="[^"]+">Query resolution time, Nov 2025 to Oct 2026/);
    expect(html).not.toContain("<text");
    expect(count(html, 'class="kpi-point ')).toBe(12);
  });
});

describe("the chart in a PDF", () => {
  it("draws the same geometry with pdfkit, its tick labels readable by pdftotext", async () => {
    const file = path.join(tempDir("quire-kpi-chart-"), "chart.pdf");
    const doc = new PDFDocument({ size: "A4", margin: 56, font: "", info: { CreationDate: new Date("2026-11-30T00:00:00Z") } });
    registerFonts(doc);
    const done = once(doc.pipe(fs.createWriteStream(file)), "finish");
    doc.font("regular", 12).text("Query resolution time", 56, 56);
    const g = chartGeometry(seriesOf(QUERY_TIME, QUERY_VALUES), QUERY_TIME, { width: 480, height: 200 });
    drawKpiChart(doc, g, { x: 56, y: 80 });
    expect(doc.y).toBe(280);
    drawKpiLegend(doc, g, { x: 56, y: doc.y + 6 });
    // Near the bottom margin: positioned text must not start a new page.
    const low = chartGeometry(seriesOf(ADHERENCE, [97, 96, 94, 91, 98]), ADHERENCE, { width: 480, height: 120 });
    drawKpiChart(doc, low, { x: 56, y: 841 - 56 - 120 });
    doc.end();
    await done;

    const check = tool("qpdf", ["--check", file]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const pages = pageTexts(file);
    expect(pages).toHaveLength(1);
    const text = pages[0]!;
    for (const t of g.yTicks) expect(text).toContain(t.label);
    for (const t of g.xTicks) expect(text).toContain(t.label);
    for (const t of low.yTicks) expect(text).toContain(t.label);
    expect(text).toContain("Target 15 days or fewer");
    expect(text).toContain("Act (red)");
    const fonts = fontsOf(file);
    expect(fonts.every((f) => f.embedded && !STANDARD_14.test(f.name))).toBe(true);
  });
});
