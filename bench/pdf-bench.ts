/**
 * The PDF engine (issue 12): one generated ~20-page SOP (bench/long-sop.ts) to PDF, median of warm
 * runs, against
 *   a. bare pdfkit laying out the same words with the same embedded fonts and no structure (one
 *      paragraph per block, no header, footer, tables or components) — goal: within 2x;
 *   b. warm Chromium (playwright-core, Debian's chromium) printing the same body with the app's
 *      stylesheet via page.pdf — goal: the engine at least 3x faster. The body is rendered by Quire's
 *      MdxRenderer and loaded once with page.setContent, so only printing is timed (no server, no
 *      sign-in: the document page's chrome is hidden in print anyway).
 *
 * The engine keeps each body's syntax tree (by the source's hash), so the first figure is a version
 * printed again; a third row reports a first print, MDX parsing included.
 *
 * Environment: BENCH_PDF_RUNS (measured runs of each, default 15), QUIRE_CHROMIUM (default /usr/bin/chromium).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { toString } from "mdast-util-to-string";
import PDFDocument from "pdfkit";

import { createMdxRenderer } from "~/mdx-renderer.server";
import { sha256 } from "~/modules/content/hash";
import { parseMdxTree } from "~/modules/content/mdx-policy";
import { registerFonts, fontPath } from "~/modules/pdf/fonts";
import type { PdfInput } from "~/modules/pdf/pdf";
import { renderPdfBuffer } from "~/modules/pdf/pdf.server";

import { CHROMIUM, launchChromium } from "../test/helpers/browser";
import { LONG_SOP_ID, generateLongSop } from "./long-sop";
import { resultRow, type ResultRow } from "./result-row";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Math.max(3, Number(process.env.BENCH_PDF_RUNS ?? 15));
const JOB_FUNCTIONS = new Map([
  ["quality-manager", "Quality Manager"],
  ["cra", "Clinical Research Associate"],
]);

export type PdfResultRow = ResultRow<"pdf">;

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median milliseconds of `RUNS` calls after two warm-up calls. */
async function timed(run: () => Promise<unknown>): Promise<number> {
  await run();
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

function inputFor(source: string): PdfInput {
  return {
    version: {
      docId: LONG_SOP_ID,
      title: "Long Generated Procedure",
      type: "sop",
      version: "1.0",
      status: "effective",
      effectiveFrom: "2025-02-03",
      effectiveTo: null,
      owner: "Quality Manager",
      audience: ["Clinical Research Associate"],
      training: "required",
      summary: null,
      changeReason: "Benchmark.",
      crId: null,
      contentHash: sha256(source),
      source,
    },
    signatures: [],
    history: [{ version: "1.0", crId: null, reason: "Benchmark.", effectiveFrom: "2025-02-03", effectiveTo: null, status: "effective" }],
    jobFunctions: JOB_FUNCTIONS,
    print: { printedAt: new Date("2026-11-30T12:00:00Z"), printedBy: "bench", copyId: null },
  };
}

/** The same words as plain paragraphs, one per top-level block: pdfkit with no structure. */
async function barePdfkit(blocks: string[]): Promise<number> {
  const doc = new PDFDocument({ size: "A4", margins: { top: 64, bottom: 64, left: 56, right: 56 }, font: fontPath("regular") });
  registerFonts(doc);
  doc.font("regular", 10);
  for (const text of blocks) doc.text(text, { lineGap: 2, paragraphGap: 5 });
  doc.end();
  let bytes = 0;
  for await (const chunk of doc) bytes += (chunk as Buffer).length;
  return bytes;
}

async function chromiumPrint(html: string): Promise<{ ms: number; pages: number } | null> {
  if (!fs.existsSync(CHROMIUM)) {
    log(`pdf: no Chromium at ${CHROMIUM}; skipping the Chromium comparison`);
    return null;
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const css = fs.readFileSync(path.join(ROOT, "app", "styles", "app.css"), "utf8");
    await page.setContent(
      `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body><main><article class="document"><div class="document-body">${html}</div></article></main></body></html>`,
    );
    let last: Buffer = Buffer.alloc(0);
    const ms = await timed(async () => {
      last = await page.pdf({
        format: "A4",
        printBackground: true,
        displayHeaderFooter: true,
        margin: { top: "2cm", bottom: "2cm", left: "2cm", right: "2cm" },
      });
    });
    const pages = (last.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    return { ms, pages };
  } finally {
    await browser.close();
  }
}

function row(fields: Omit<PdfResultRow, "group" | "ratio" | "met">): PdfResultRow {
  return resultRow("pdf", fields);
}

export async function pdfBenchmarks(): Promise<PdfResultRow[]> {
  const source = generateLongSop();
  const input = inputFor(source);
  const { pages } = await renderPdfBuffer(input);
  const blocks = parseMdxTree(source)
    .children.filter((n) => n.type !== "yaml")
    .map((n) => toString(n))
    .filter((t) => t.trim().length > 0);
  log(`pdf: ${LONG_SOP_ID}, ${pages} pages through the engine; ${RUNS} measured runs each`);
  const engine = await timed(() => renderPdfBuffer(input));
  const bare = await timed(() => barePdfkit(blocks));
  // The engine keeps a version's syntax tree (layout.ts); a version printed for the first time parses it too.
  const parse = await timed(async () => parseMdxTree(source));
  log(`pdf: engine ${engine.toFixed(1)} ms (+ ${parse.toFixed(1)} ms to parse the MDX the first time), bare pdfkit ${bare.toFixed(1)} ms`);
  const rows = [
    row({
      name: `${pages}-page SOP to PDF (engine) vs bare pdfkit, same text`,
      value: Math.round(engine * 10) / 10,
      unit: "ms (median)",
      baseline: "bare pdfkit, same words and fonts, no structure",
      baselineValue: Math.round(bare * 10) / 10,
      goal: "within 2x of bare pdfkit",
      goalOn: "ratio",
      goalThreshold: 2,
      goalComparison: "<",
    }),
    row({
      name: `the same, first print of the version (MDX parsed: +${Math.round(parse)} ms) vs bare pdfkit`,
      value: Math.round((engine + parse) * 10) / 10,
      unit: "ms (median)",
      baseline: "bare pdfkit, same words and fonts, no structure",
      baselineValue: Math.round(bare * 10) / 10,
      goal: "reported only",
      goalOn: "none",
      goalThreshold: 0,
      goalComparison: "<",
    }),
  ];
  const html = (await createMdxRenderer(null, JOB_FUNCTIONS).render(input.version.contentHash, async () => source)).html;
  const browser = await chromiumPrint(html);
  if (browser) {
    log(`pdf: warm Chromium page.pdf ${browser.ms.toFixed(1)} ms (${browser.pages} pages)`);
    rows.push(
      row({
        name: `warm Chromium page.pdf of the same body (${browser.pages} pages) vs the engine`,
        value: Math.round(browser.ms * 10) / 10,
        unit: "ms (median)",
        baseline: "the engine (above)",
        baselineValue: Math.round(engine * 10) / 10,
        goal: "engine at least 3x faster",
        goalOn: "ratio",
        goalThreshold: 3,
        goalComparison: ">=",
      }),
    );
  }
  return rows;
}
