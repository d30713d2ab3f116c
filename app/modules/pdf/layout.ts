// Lays out a version as a PDF with pdfkit: title block and metadata, the body from the MDX syntax
// tree, the signature page and the revision history; then, over every page, the header, the footer
// and (underneath the text) the watermark. No I/O: the caller pipes the returned document.
import { createRequire } from "node:module";

import type { Root } from "mdast";
import type PDFDocumentClass from "pdfkit";

import { boundedCache } from "~/cache";
import { TYPE_LABELS } from "~/modules/content/document-types";
import { sha256 } from "~/modules/content/hash";
import { parseMdxTree } from "~/modules/content/mdx-policy";

import { addOutlineEntry, drawBlocks, drawRuns } from "./blocks";
import { PDF_DRAWERS } from "./components";
import { BODY_SIZE, COLORS, contentWidth, decoration, ensureSpace, grouped, left, setStyle, tagged, type DrawContext } from "./draw-context";
import { registerFonts } from "./fonts";
import { COPY_INFO_KEY, STATUS_LABELS, copyInfoValue, copyLine, pageLine, shortHash, utcDate, utcTime, watermarkText, type PdfInput } from "./pdf";
import { drawTable } from "./table";

const MARGINS = { top: 64, bottom: 64, left: 56, right: 56 };

export interface LaidOutPdf {
  /** Ended: pipe it to a file or a response; it emits the bytes once. */
  doc: PDFKit.PDFDocument;
  pages: number;
}

/** How a version's body is read: `keepTree: false` for a one-off print of many versions (a binder). */
export interface BodyOptions {
  /**
   * Keep the parsed body for the next print of the same content (the default: a copy is often printed
   * again). A binder prints hundreds of versions once each: keeping them would only hold the last
   * 64 trees alive (and V8 lets the heap grow to a multiple of what is alive before it collects).
   */
  keepTree?: boolean;
}

/** The whole copy. Same input (version, copy id, print time and printer) ⇒ the same bytes. */
export function layoutPdf(input: PdfInput, options: BodyOptions = {}): LaidOutPdf {
  const doc = newDocument(input);
  // A tagged PDF (ISO 32000-1 §14.8): the content hangs under one Document element, in reading order.
  const structure = doc.struct("Document");
  doc.addStructure(structure);
  const ctx: DrawContext = { ...newDrawContext(doc, input), structure };
  const watermark = watermarkText(input.version.status);
  // Drawn first on each page, so the text lies on top of it (a solid colour: no opacity, PDF/A-1).
  if (watermark) doc.on("pageAdded", () => drawWatermark(ctx, watermark));
  doc.addPage();
  drawVersion(ctx, input, options);
  structure.end();
  const pages = drawPageFurniture(doc, input);
  doc.end();
  return { doc, pages };
}

/** The drawing state for one version in a document (a copy of its own, or a part of an inspection binder). */
export function newDrawContext(doc: PDFKit.PDFDocument, input: PdfInput): DrawContext {
  return {
    doc,
    indent: 0,
    style: { font: "regular", size: BODY_SIZE, color: COLORS.text },
    components: PDF_DRAWERS,
    jobFunctionName: (id) => input.jobFunctions.get(id) ?? id,
    outline: { section: null },
  };
}

/**
 * A version from the current page on: title block and metadata, body, signature page and revision
 * history. The page furniture is the caller's: drawHeader and drawFooter once the pages are known.
 */
export function drawVersion(ctx: DrawContext, input: PdfInput, options: BodyOptions = {}): void {
  drawTitleBlock(ctx, input);
  const source = input.version.source;
  drawBlocks((options.keepTree === false ? parseMdxTree(source) : syntaxTree(source)).children, ctx);
  drawSignaturePage(ctx, input);
  drawRevisionHistory(ctx, input);
}

const trees = boundedCache<Root>("pdf-syntax-trees", 64);

/**
 * The MDX syntax tree of a body, kept for the next print of the same content (keyed by the source's
 * own hash): parsing a 20-page SOP takes longer than laying it out. The layout only reads the tree.
 */
function syntaxTree(source: string): Root {
  const key = sha256(source);
  const known = trees.get(key);
  if (known) return known;
  const tree = parseMdxTree(source);
  trees.set(key, tree);
  return tree;
}

/** How many parsed bodies are kept (for the tests: a binder's prints must keep none). */
export function keptSyntaxTrees(): number {
  return trees.size;
}

function newDocument(input: PdfInput): PDFKit.PDFDocument {
  const v = input.version;
  const printedAt = input.print.printedAt;
  // The file id is a hash of these fields: fixed dates make the same copy byte-identical.
  const info: PDFKit.DocumentInfo & Record<typeof COPY_INFO_KEY, string> = {
    Title: `${v.docId} v${v.version}: ${v.title}`,
    Subject: `${TYPE_LABELS[v.type]} ${v.docId} version ${v.version} (${STATUS_LABELS[v.status]}). ${copyLine(input.print)}.`,
    Keywords: [v.docId, `v${v.version}`, v.type, v.status, input.print.copyId ?? "uncontrolled", shortHash(v.contentHash)].join(", "),
    Author: "Quire",
    Creator: "Quire",
    Producer: "Quire (pdfkit)",
    CreationDate: printedAt,
    ModDate: printedAt,
    // What `quire verify-copy` reads to find the copy in the register (or the export in the audit trail).
    [COPY_INFO_KEY]: copyInfoValue(input.print),
  };
  return newA4Document(info, { tagged: true });
}

/**
 * An A4 document as every Quire PDF starts (a copy, a binder, the management review pack): the
 * engine's margins, pages buffered for the furniture drawn once the count is known, DejaVu fonts
 * registered, and the given info, whose fixed dates make the same input byte-identical. `tagged` only
 * where the caller builds the structure tree (a copy): a binder or a review pack that says "Tagged"
 * with no structure behind it would claim an accessibility it does not have.
 */
const require = createRequire(import.meta.url);
let pdfkit: typeof PDFDocumentClass | null = null;

/**
 * pdfkit, loaded at the first PDF rather than at every server and CLI start (with fontkit it was the
 * largest import there, about a quarter of a second on this machine). Its CommonJS build, which
 * `require` loads synchronously, so that laying out stays synchronous.
 */
function loadPdfkit(): typeof PDFDocumentClass {
  pdfkit ??= require("pdfkit") as typeof PDFDocumentClass;
  return pdfkit;
}

export function newA4Document(info: PDFKit.DocumentInfo, options: { compress?: boolean; tagged?: boolean } = {}): PDFKit.PDFDocument {
  const PDFDocument = loadPdfkit();
  const doc = new PDFDocument({
    size: "A4",
    margins: MARGINS,
    bufferPages: true,
    autoFirstPage: false,
    compress: options.compress ?? true,
    // No default font: pdfkit would load Helvetica (one of the 14 it never embeds). Every text call
    // sets a registered DejaVu font first (setStyle, or explicitly in the page furniture).
    font: "",
    pdfVersion: "1.7",
    displayTitle: true,
    lang: "en",
    tagged: options.tagged ?? false,
    info,
  });
  registerFonts(doc);
  return doc;
}

function drawWatermark(ctx: DrawContext, text: string): void {
  const { doc } = ctx;
  const { x, y } = doc;
  const cx = doc.page.width / 2;
  const cy = doc.page.height / 2;
  const angle = (Math.atan2(doc.page.height, doc.page.width) * 180) / Math.PI;
  doc.font("bold", 10);
  const size = Math.min(90, (0.8 * Math.hypot(doc.page.width, doc.page.height) * 10) / doc.widthOfString(text));
  // An artifact, so a screen reader does not read it into the text. Written as raw operators: the page
  // may have begun in the middle of a paragraph, and pdfkit's endMarkedContent() would drop the link
  // and underline of the run being wrapped onto this page.
  if (ctx.structure) doc.addContent("/Artifact <</Type /Pagination /Subtype /Watermark>> BDC");
  doc.save();
  doc.rotate(-angle, { origin: [cx, cy] });
  doc.font("bold", size).fillColor(COLORS.watermark);
  doc.text(text, cx - doc.widthOfString(text) / 2, cy - size / 2, { lineBreak: false });
  doc.restore();
  if (ctx.structure) doc.addContent("EMC");
  // The page may have been added in the middle of a paragraph: go on in the style it was drawn in.
  doc.font(ctx.style.font, ctx.style.size).fillColor(ctx.style.color);
  doc.x = x;
  doc.y = y;
}

function drawTitleBlock(ctx: DrawContext, input: PdfInput): void {
  const { doc } = ctx;
  const v = input.version;
  setStyle(ctx, "bold", 9, COLORS.muted);
  tagged(ctx, "P", () => doc.text(`${TYPE_LABELS[v.type]} · ${v.docId} · Version ${v.version}`, left(ctx), doc.y, { width: contentWidth(ctx) }));
  doc.y += 2;
  addOutlineEntry(ctx, 1, `${v.docId} ${v.title}`);
  // Inside a larger outline (a binder), the version's own bookmarks go under its title; alone, beside it.
  if (ctx.outline.root) ctx.outline.root = ctx.outline.section ?? ctx.outline.root;
  drawRuns(ctx, [{ text: v.title, font: "bold" }], 18, 4, "H1");
  ctx.outline.section = null;
  if (v.summary) drawRuns(ctx, [{ text: v.summary, font: "italic" }], BODY_SIZE, 8);
  drawMetadata(ctx, metadataRows(input));
  doc.y += 6;
}

function metadataRows(input: PdfInput): [string, string][] {
  const v = input.version;
  return [
    ["Document ID", v.docId],
    ["Title", v.title],
    ["Type", TYPE_LABELS[v.type]],
    ["Version", v.version],
    ["Status", `${STATUS_LABELS[v.status]} on ${input.statusOn ?? utcDate(input.print.printedAt)}`],
    ["Effective date", v.effectiveFrom ? `${v.effectiveFrom}${v.effectiveTo ? ` to ${v.effectiveTo}` : ""}` : "–"],
    ["Owner", v.owner],
    ["Audience", v.audience.join(", ")],
    ["Training", v.training === "required" ? "Read and understood, signed" : "Read only"],
    ["Change request", v.crId ?? "– (adopted at initialisation)"],
    ["Reason for this version", v.changeReason || "–"],
    ["Content SHA-256", v.contentHash],
  ];
}

/** Labels beside their values, in a ruled box: a table of row headers (TH) and values (TD) when tagged. */
function drawMetadata(ctx: DrawContext, rows: [string, string][]): void {
  grouped(ctx, "Table", (table) => drawMetadataRows(table, rows));
}

function drawMetadataRows(ctx: DrawContext, rows: [string, string][]): void {
  const { doc } = ctx;
  const x = left(ctx);
  const width = contentWidth(ctx);
  const labelWidth = 120;
  const top = doc.y;
  doc.y += 5;
  for (const [label, value] of rows) {
    const y = doc.y;
    let labelEnd = y;
    grouped(ctx, "TR", (row) => {
      setStyle(row, "bold", 8.5, COLORS.muted);
      tagged(row, "TH", () => doc.text(label, x + 6, y, { width: labelWidth - 8 }));
      labelEnd = doc.y;
      setStyle(row, label === "Content SHA-256" ? "mono" : "regular", 8.5);
      tagged(row, "TD", () => doc.text(value, x + labelWidth, y, { width: width - labelWidth - 6 }));
    });
    doc.y = Math.max(doc.y, labelEnd) + 2;
  }
  decoration(ctx, () =>
    doc
      .lineWidth(0.5)
      .rect(x, top, width, doc.y - top + 3)
      .stroke(COLORS.rule),
  );
  doc.x = doc.page.margins.left;
  doc.y += 8;
}

function sectionHeading(ctx: DrawContext, text: string): void {
  addOutlineEntry(ctx, 2, text);
  drawRuns(ctx, [{ text, font: "bold" }], 13.5, 6, "H2");
}

/** Signature manifestation (Part 11 §11.50): printed name, meaning, statement, UTC time and the content signed. */
function drawSignaturePage(ctx: DrawContext, input: PdfInput): void {
  const { doc } = ctx;
  doc.addPage();
  sectionHeading(ctx, "Signatures");
  if (input.signatures.length === 0) {
    drawRuns(ctx, [{ text: "Adopted at initialisation: approved before Quire, no electronic signatures.", font: "italic" }]);
    return;
  }
  for (const s of input.signatures) {
    ensureSpace(ctx, 80);
    drawRuns(ctx, [{ text: `${s.meaning}: ${s.printedName}`, font: "bold" }], 11, 2);
    drawRuns(ctx, [{ text: s.statement, font: "italic" }], BODY_SIZE, 2);
    drawRuns(ctx, [{ text: `Signed ${utcTime(s.signedAt)}`, font: "regular" }], BODY_SIZE, 2);
    const same = s.contentHash === input.version.contentHash;
    drawRuns(
      ctx,
      [
        { text: "Content SHA-256 ", font: "regular" },
        { text: s.contentHash, font: "mono" },
        { text: same ? " (this version's content)" : " (NOT this version's content)", font: same ? "regular" : "bold" },
      ],
      8.5,
      10,
    );
  }
}

function drawRevisionHistory(ctx: DrawContext, input: PdfInput): void {
  ensureSpace(ctx, 120);
  ctx.doc.y += 8;
  sectionHeading(ctx, "Revision history");
  drawTable(ctx, {
    header: ["Version", "Change request", "Reason for the version", "Effective", "Status"],
    rows: input.history.map((h) => [
      h.version,
      h.crId ?? "–",
      h.reason || "–",
      h.effectiveTo ? `${h.effectiveFrom} to ${h.effectiveTo}` : `from ${h.effectiveFrom}`,
      STATUS_LABELS[h.status],
    ]),
    weights: [1.7, 2.3, 6, 2.8, 2],
  });
}

/**
 * Header and footer on every page, drawn once the page count is known (bufferPages). The margins are
 * zeroed while drawing so text in them cannot start a new page (stack.md pitfall 6).
 */
function drawPageFurniture(doc: PDFKit.PDFDocument, input: PdfInput): number {
  const { start, count } = doc.bufferedPageRange();
  for (let i = 0; i < count; i++) {
    doc.switchToPage(start + i);
    const margins = doc.page.margins;
    doc.page.margins = { top: 0, bottom: 0, left: 0, right: 0 };
    // Running header and footer: pagination artifacts, outside the document's structure.
    doc.markContent("Artifact", { type: "Pagination" });
    drawHeader(doc, input);
    drawFooter(doc, input, i + 1, count);
    doc.endMarkedContent();
    doc.page.margins = margins;
  }
  return count;
}

export function drawHeader(doc: PDFKit.PDFDocument, input: PdfInput): void {
  const v = input.version;
  const x = MARGINS.left;
  const width = doc.page.width - MARGINS.left - MARGINS.right;
  const y = 30;
  const right = `Version ${v.version} · ${STATUS_LABELS[v.status]}`;
  doc.font("bold", 8.5).fillColor(COLORS.text);
  const rightWidth = doc.widthOfString(right);
  doc.text(`${v.docId} · ${v.title}`, x, y, { width: width - rightWidth - 12, lineBreak: false, ellipsis: true });
  doc.text(right, x + width - rightWidth, y, { lineBreak: false });
  doc
    .lineWidth(0.5)
    .moveTo(x, y + 14)
    .lineTo(x + width, y + 14)
    .stroke(COLORS.rule);
}

export function drawFooter(doc: PDFKit.PDFDocument, input: PdfInput, page: number, pages: number): void {
  const v = input.version;
  const p = input.print;
  const x = MARGINS.left;
  const width = doc.page.width - MARGINS.left - MARGINS.right;
  const y = doc.page.height - MARGINS.bottom + 14;
  doc
    .lineWidth(0.5)
    .moveTo(x, y - 4)
    .lineTo(x + width, y - 4)
    .stroke(COLORS.rule);
  const pageText = pageLine(page, pages);
  doc.font("bold", 8).fillColor(COLORS.text);
  const pageWidth = doc.widthOfString(pageText);
  doc.text(pageText, x + width - pageWidth, y, { lineBreak: false });
  doc.font("regular", 7.5).fillColor(COLORS.text);
  doc.text(`Effective date: ${v.effectiveFrom ?? "–"} · ${copyLine(p)}`, x, y, { width: width - pageWidth - 12, lineBreak: false, ellipsis: true });
  doc.fillColor(COLORS.muted);
  doc.text(`Printed by ${p.printedBy} at ${utcTime(p.printedAt)} · Content ${shortHash(v.contentHash)}`, x, y + 11, {
    width,
    lineBreak: false,
    ellipsis: true,
  });
}
