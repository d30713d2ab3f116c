// The management review input report (SOP-KP-001, "Prepare management review inputs"): the inputs
// Quire holds, laid out as a PDF with the PDF engine (fonts, tables, page furniture) and the KPI
// charts' geometry: KPI results with charts and statuses, red KPIs with their analyses and CAPAs,
// actions and CAPAs, document control (open change requests, documents past periodic review),
// training, and the actions of previous management reviews. The inputs Quire does not hold are
// listed for the quality manager to add. Same data, period and print time give the same bytes.
import { pipeline } from "node:stream/promises";

import type { Database } from "~/db/db.server";
import { writeAtomically } from "~/files.server";
import { SHOWN_STATUS_LABELS } from "~/modules/actions/actions";
import { listActions } from "~/modules/actions/actions.server";
import { analysesForKpi } from "~/modules/actions/kpi-analysis.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { openChangeRequests } from "~/modules/change-control/open-requests.server";
import { listLibrary } from "~/modules/documents/library.server";
import { PDF_DRAWERS } from "~/modules/pdf/components";
import { BODY_SIZE, COLORS, ensureSpace, type DrawContext } from "~/modules/pdf/draw-context";
import { newA4Document } from "~/modules/pdf/layout";
import { pageLine, utcTime } from "~/modules/pdf/pdf";
import { drawTable } from "~/modules/pdf/table";
import type { Actor } from "~/modules/users/actor";
import type { Quire } from "~/quire";

import { chartGeometry, monthLabel } from "./chart-geometry";
import { drawKpiChart, drawKpiLegend } from "./chart-pdf";
import { kpiMonths } from "./dashboard.server";
import { kpiCatalogue } from "./definitions.server";
import { STATUS_LABELS, addMonths, formatKpiValue, formatTarget, isPeriod, trendDirection, type KpiDefinition, type Period } from "./kpi";

export class ReviewPackRequestError extends Error {}

export interface ReviewPackRequest {
  from: Period;
  to: Period;
  /** Who prints it and when (Quire's clock: QUIRE_NOW pins it). */
  printedBy: string;
  printedAt: Date;
}

/** The longest period a pack covers: two years, the dashboard's longest chart. */
const MAX_MONTHS = 24;

/** Checks the period: months, in order, complete (before today's month), at most 24 months. */
export function checkReviewPeriod(from: string, to: string, today: string): string | null {
  if (!isPeriod(from)) return `--from must be a month YYYY-MM, not ${JSON.stringify(String(from).slice(0, 20))}`;
  if (!isPeriod(to)) return `--to must be a month YYYY-MM, not ${JSON.stringify(String(to).slice(0, 20))}`;
  if (from > to) return `--from ${from} is after --to ${to}`;
  if (to >= today.slice(0, 7)) return `--to ${to} is not a complete month yet (today is ${today})`;
  if (addMonths(from, MAX_MONTHS - 1) < to) return `the period ${from} to ${to} is longer than ${MAX_MONTHS} months`;
  return null;
}

function monthsBetween(from: Period, to: Period): number {
  let n = 1;
  while (addMonths(from, n - 1) < to) n++;
  return n;
}

interface KpiResult {
  def: KpiDefinition;
  months: Awaited<ReturnType<typeof kpiMonths>>;
}

/** SOP-KP-001's inputs that live outside Quire: the report names them so the meeting does not forget them. */
const INPUTS_NOT_IN_QUIRE = [
  "Changes in external and internal issues, including new regulations and guidance",
  "Sponsor feedback, complaints and satisfaction results",
  "Results of internal audits, sponsor audits and regulatory inspections (beyond the findings' actions listed here)",
  "Performance of external providers and vendors",
  "Effectiveness of actions taken to address risks and opportunities",
  "Opportunities for improvement from SOP-CI-001",
];

async function gather(q: Pick<Quire, "db" | "repo">, request: ReviewPackRequest, today: string) {
  const count = monthsBetween(request.from, request.to);
  const catalogue = await kpiCatalogue(q, today);
  const results: KpiResult[] = [];
  for (const def of catalogue) {
    const months = await kpiMonths(q, def, request.to, count, today);
    if (months.some((m) => m.value !== null)) results.push({ def, months });
  }
  const red = results.filter((r) => r.months.some((m) => m.status === "red"));
  const analyses = (await Promise.all(red.map((r) => analysesForKpi(q.db, r.def.id)))).flat().filter((a) => a.period >= request.from && a.period <= request.to);
  const allActions = await listActions(q.db, { kind: null, status: null, source: null, owner: null }, today);
  const open = allActions.filter((a) => a.status === "open");
  const previousReview = allActions.filter((a) => a.source === "management-review");
  const changes = await openChangeRequests(q.db);
  const pastReview = (await listLibrary(q, today)).filter((e) => e.status === "effective" && e.nextReview !== null && e.nextReview < today);
  return { results, analyses, open, previousReview, changes, pastReview };
}

function newPackDocument(request: ReviewPackRequest, title: string): PDFKit.PDFDocument {
  // The file id is a hash of these fields: the print time fixes them, so the same pack gives the same bytes.
  return newA4Document({
    Title: title,
    Subject: `Management review inputs (SOP-KP-001) for ${request.from} to ${request.to}`,
    Keywords: ["management review", "KPI", request.from, request.to, "uncontrolled"].join(", "),
    Author: "Quire",
    Creator: "Quire",
    Producer: "Quire (pdfkit)",
    CreationDate: request.printedAt,
    ModDate: request.printedAt,
  });
}

function heading(ctx: DrawContext, text: string, level: 1 | 2 = 1): void {
  const { doc } = ctx;
  ensureSpace(ctx, level === 1 ? 80 : 50);
  doc.moveDown(level === 1 ? 0.8 : 0.4);
  doc.font("bold", level === 1 ? 14 : 11.5).fillColor(COLORS.text);
  doc.text(text, doc.page.margins.left, doc.y);
  if (level === 1) doc.outline.addItem(text);
  doc.moveDown(0.3);
  doc.font("regular", BODY_SIZE);
}

function paragraph(ctx: DrawContext, text: string): void {
  ctx.doc
    .font("regular", BODY_SIZE)
    .fillColor(COLORS.text)
    .text(text, ctx.doc.page.margins.left, ctx.doc.y, { width: ctx.doc.page.width - 112 });
  ctx.doc.moveDown(0.4);
}

/** Lays out the pack on `doc` and ends it; returns the number of pages. */
async function layOut(doc: PDFKit.PDFDocument, q: Pick<Quire, "db" | "repo">, request: ReviewPackRequest, today: string, title: string): Promise<number> {
  const data = await gather(q, request, today);
  const ctx: DrawContext = {
    doc,
    indent: 0,
    style: { font: "regular", size: BODY_SIZE, color: COLORS.text },
    components: PDF_DRAWERS,
    jobFunctionName: (id) => id,
    outline: { section: null },
  };
  const span = `${monthLabel(request.from, "long")} to ${monthLabel(request.to, "long")}`;
  doc.addPage();
  doc
    .font("bold", 20)
    .fillColor(COLORS.text)
    .text(title, { width: doc.page.width - 112 });
  doc.moveDown(0.5);
  paragraph(
    ctx,
    `Period: ${span}. Prepared from Quire's records at ${utcTime(request.printedAt)} by ${request.printedBy}, for the management review under SOP-KP-001.`,
  );
  paragraph(
    ctx,
    `It holds the inputs Quire records: KPI results against their targets (${data.results.length} KPIs with data), red KPIs with their cause analyses and CAPAs, open actions and CAPAs, document control and training status, and the actions of previous management reviews.`,
  );

  heading(ctx, "1. KPI results");
  paragraph(
    ctx,
    `Status at ${monthLabel(request.to, "long")}: green, target met; amber, missed within tolerance; red, outside tolerance or amber three months running.`,
  );
  drawTable(ctx, {
    header: ["KPI", "Defined in", "Target", monthLabel(request.to, "long"), "Status", "Trend"],
    rows: data.results.map(({ def, months }) => {
      const last = months[months.length - 1]!;
      const trend = trendDirection(
        def,
        months.map((m) => m.value),
      );
      return [
        def.name,
        def.docId,
        formatTarget(def),
        formatKpiValue(def.unit, last.value),
        last.status ? `${last.status} (${STATUS_LABELS[last.status].toLowerCase()})` : "no data",
        trend ?? "–",
      ];
    }),
    weights: [4, 2, 3, 2, 2, 1.5],
  });

  heading(ctx, "2. KPI charts");
  const chartWidth = doc.page.width - 112;
  for (const { def, months } of data.results) {
    const geometry = chartGeometry(
      months.map((m) => ({ period: m.period, value: m.value, status: m.status })),
      def,
      { width: chartWidth, height: 150 },
    );
    ensureSpace(ctx, 200);
    doc
      .font("bold", 10)
      .fillColor(COLORS.text)
      .text(`${def.name} (${def.docId}): target ${formatTarget(def)}`, doc.page.margins.left, doc.y);
    const top = doc.y + 4;
    doc.font("regular");
    drawKpiChart(doc, geometry, { x: doc.page.margins.left, y: top });
    drawKpiLegend(doc, geometry, { x: doc.page.margins.left, y: top + 154 });
    doc.x = doc.page.margins.left;
    doc.y = top + 172;
  }

  heading(ctx, "3. Red KPIs: cause analyses and CAPAs");
  if (data.analyses.length === 0) paragraph(ctx, "No cause analysis was recorded in the period.");
  else
    drawTable(ctx, {
      header: ["KPI", "Month", "Cause", "Recorded by", "On time"],
      rows: data.analyses.map((a) => [a.kpiName, a.period, a.cause, `${a.recordedByName}, ${a.recordedAt.slice(0, 10)}`, a.onTime ? "yes" : "no"]),
      weights: [3, 1.5, 6, 3, 1.5],
    });

  heading(ctx, "4. Open actions and CAPAs");
  if (data.open.length === 0) paragraph(ctx, "None open.");
  else
    drawTable(ctx, {
      header: ["Id", "Source", "Description", "Owner", "Due", "Status"],
      rows: data.open.map((a) => [
        a.id,
        a.kpiId ? `KPI ${a.kpiId} ${a.kpiPeriod ?? ""}` : a.source,
        a.description,
        a.ownerName,
        a.dueOn,
        SHOWN_STATUS_LABELS[a.shownStatus],
      ]),
      weights: [2.6, 3, 5.2, 2.2, 2.6, 1.8],
    });

  heading(ctx, "5. Document control");
  paragraph(
    ctx,
    `${data.changes.length} change request(s) open (draft or in review); ${data.pastReview.length} effective document(s) past their periodic review date on ${today}.`,
  );
  if (data.changes.length > 0)
    drawTable(ctx, {
      header: ["Change request", "Document", "Title", "State", "Proposed effective"],
      rows: data.changes.map((c) => [c.id, c.doc_id, c.title, c.state, c.proposed_effective_date]),
      weights: [2.5, 2, 5, 1.8, 2.2],
    });
  if (data.pastReview.length > 0)
    drawTable(ctx, {
      header: ["Document", "Title", "Version", "Review was due"],
      rows: data.pastReview.map((e) => [e.id, e.title, e.version ?? "", e.nextReview ?? ""]),
      weights: [2, 6, 1.5, 2.5],
    });

  heading(ctx, "6. Training");
  const training = data.results.filter((r) => r.def.id.startsWith("training-"));
  if (training.length === 0) paragraph(ctx, "No training KPI has data in the period.");
  for (const { def, months } of training) {
    const last = [...months].reverse().find((m) => m.value !== null);
    paragraph(
      ctx,
      `${def.name}: ${last ? `${formatKpiValue(def.unit, last.value)} in ${monthLabel(last.period, "long")}` : "no data"} (target ${formatTarget(def)}).`,
    );
  }

  heading(ctx, "7. Actions from previous management reviews");
  if (data.previousReview.length === 0) paragraph(ctx, "None recorded in Quire.");
  else
    drawTable(ctx, {
      header: ["Id", "Description", "Owner", "Due", "Status"],
      rows: data.previousReview.map((a) => [a.id, a.description, a.ownerName, a.dueOn, SHOWN_STATUS_LABELS[a.shownStatus]]),
      weights: [2.6, 6.5, 2.5, 2.6, 1.8],
    });

  heading(ctx, "8. Inputs the quality manager adds");
  paragraph(ctx, "SOP-KP-001 lists these inputs, which Quire does not hold; the quality manager adds them to the report before it is circulated:");
  for (const input of INPUTS_NOT_IN_QUIRE) paragraph(ctx, `• ${input}`);

  return furnish(doc, request, title);
}

/** Header and footer on every page, once the page count is known. */
function furnish(doc: PDFKit.PDFDocument, request: ReviewPackRequest, title: string): number {
  const { start, count } = doc.bufferedPageRange();
  for (let i = 0; i < count; i++) {
    doc.switchToPage(start + i);
    const margins = doc.page.margins;
    // Text in the margins must not start a new page.
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    const width = doc.page.width - 112;
    doc.font("bold", 8.5).fillColor(COLORS.text).text(`${title} · ${request.from} to ${request.to}`, 56, 30, { width, lineBreak: false, ellipsis: true });
    doc
      .lineWidth(0.5)
      .moveTo(56, 44)
      .lineTo(56 + width, 44)
      .stroke(COLORS.rule);
    const y = doc.page.height - 50;
    doc
      .lineWidth(0.5)
      .moveTo(56, y - 4)
      .lineTo(56 + width, y - 4)
      .stroke(COLORS.rule);
    const page = pageLine(i + 1, count);
    doc.font("bold", 8);
    const pageWidth = doc.widthOfString(page);
    doc.text(page, 56 + width - pageWidth, y, { lineBreak: false });
    doc
      .font("regular", 7.5)
      .fillColor(COLORS.muted)
      .text(
        `Uncontrolled copy: valid on ${request.printedAt.toISOString().slice(0, 10)} only · Printed by ${request.printedBy} at ${utcTime(request.printedAt)}`,
        56,
        y,
        {
          width: width - pageWidth - 12,
          lineBreak: false,
          ellipsis: true,
        },
      );
    doc.page.margins = margins;
  }
  doc.end();
  return count;
}

export const REVIEW_PACK_TITLE = "Management review input report";

/** The pack in memory (a browser download). */
export async function reviewPackBuffer(q: Pick<Quire, "db" | "repo">, request: ReviewPackRequest, today: string): Promise<{ buffer: Buffer; pages: number }> {
  const doc = newPackDocument(request, REVIEW_PACK_TITLE);
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  const pages = await layOut(doc, q, request, today, REVIEW_PACK_TITLE);
  await ended;
  return { buffer: Buffer.concat(chunks), pages };
}

/** Writes the pack to `out` atomically (a temporary file renamed into place). */
export async function writeReviewPack(
  q: Pick<Quire, "db" | "repo">,
  request: ReviewPackRequest,
  today: string,
  out: string,
): Promise<{ pages: number; sha256: string; bytes: number }> {
  return writeAtomically(out, async (sink) => {
    const doc = newPackDocument(request, REVIEW_PACK_TITLE);
    const piped = pipeline(doc, sink);
    const pages = await layOut(doc, q, request, today, REVIEW_PACK_TITLE);
    await piped;
    return { pages };
  });
}

/** Records that the report left the system (an uncontrolled copy): who, which period, and the file's SHA-256. */
export async function recordReviewPackExport(
  db: Database,
  actor: Actor,
  request: ReviewPackRequest,
  pack: { pages: number; sha256: string; bytes: number },
  at: Date,
): Promise<void> {
  await db.transaction((tx) =>
    recordAudit(
      tx,
      {
        ...actor,
        action: "kpi.review-pack",
        objectType: "kpi",
        objectId: null,
        newValues: { from: request.from, to: request.to, pages: pack.pages, sha256: pack.sha256, bytes: pack.bytes },
      },
      at,
    ),
  );
}
