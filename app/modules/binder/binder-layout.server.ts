// Lays out the inspection binder as one PDF with pdfkit, reusing the PDF engine's drawers. Sections
// are lists of parts (a document version, the audit trail, ...); each part starts on a new page and
// numbers its own pages ("Page N of M", as on a printed copy), and every page also carries the
// binder's page ("Binder page X of Y"), the number the index gives. Two passes: the first lays
// everything out on a document whose bytes are thrown away, to count each part's pages; the second
// writes it with the numbers known. Pages are written as each part finishes (flat memory).
import { PDF_DRAWERS } from "~/modules/pdf/components";
import { BODY_SIZE, COLORS, type DrawContext, type TextStyle } from "~/modules/pdf/draw-context";
import { newA4Document } from "~/modules/pdf/layout";

import { BINDER_TITLE, binderPageLine, type BinderRun, type ProgressListener } from "./binder";

/** The page numbers of one page: within its part, and within the binder. */
export interface PageNumbers {
  page: number;
  pages: number;
  binderPage: number;
  binderPages: number;
}

/** What a part draws with: the engine's drawing state, and a page break that writes the pages so far. */
export interface PartContext {
  draw: DrawContext;
  /**
   * Finishes the pages drawn so far (their header and footer, then written out) and starts a new
   * one. Long parts (the audit trail) break their pages with it, so they never hold more than one.
   */
  breakPage(): void;
  /** The first pass only counts pages: a part may skip what only matters on paper. */
  counting: boolean;
}

export interface OpenPart {
  /** The header and footer of one page, drawn once the part's pages are known (margins zeroed). */
  furniture(doc: PDFKit.PDFDocument, numbers: PageNumbers): void;
  draw(ctx: PartContext): Promise<void>;
}

/** Something that starts on a new page and numbers its pages: a version, the audit trail, ... */
export interface BinderPart {
  /** The named destination the index links to. */
  id: string;
  /** Its line in the index. */
  title: string;
  /** Loads what it draws (called once per pass, just before its first page). */
  open(): Promise<OpenPart>;
}

export interface BinderSection {
  /** The top-level bookmark and index heading. */
  title: string;
  parts: BinderPart[];
  /** What the cover says this section holds, e.g. ["Documents in force", "23"]. */
  cover: [string, string][];
}

/** The margins of every binder page: the PDF engine's (layout.ts), so a version lays out as on its own copy. */
const MARGINS = { top: 64, bottom: 64, left: 56, right: 56 };
const NO_MARGINS = { top: 0, bottom: 0, left: 0, right: 0 };

export function newBinderDocument(run: BinderRun, qms: string, options: { counting: boolean }): PDFKit.PDFDocument {
  // The counting pass throws its bytes away: no need to compress them. The file id is a hash of the
  // info's fields: the generation time fixes them, so the same run gives the same bytes.
  return newA4Document(
    {
      Title: `${BINDER_TITLE}: ${qms} as of ${run.asOf}`,
      Subject: `The quality management system as it stood at the end of ${run.asOf} (UTC): documents in force, signatures, audit trail, training.`,
      Keywords: ["inspection binder", run.asOf, "uncontrolled"].join(", "),
      Author: "Quire",
      Creator: "Quire",
      Producer: "Quire (pdfkit)",
      CreationDate: run.generatedAt,
      ModDate: run.generatedAt,
    },
    { compress: !options.counting },
  );
}

/** A flat list of what the binder lays out, in order: the front matter, then each section's parts. */
export interface PlacedPart {
  part: BinderPart;
  /** The section it belongs to, null for the cover and the index. */
  section: BinderSection | null;
  /** The first part of its section (the section's bookmark is made on its first page). */
  first: boolean;
}

export function placeParts(front: BinderPart[], sections: readonly BinderSection[]): PlacedPart[] {
  return [
    ...front.map((part) => ({ part, section: null, first: true })),
    ...sections.flatMap((section) => section.parts.map((part, i) => ({ part, section, first: i === 0 }))),
  ];
}

/**
 * Lays out every part on `doc`. Without `pages` (the first pass) it returns each part's page count;
 * with them (the second) it also draws every page's furniture and the index's links.
 */
export async function layOutParts(
  doc: PDFKit.PDFDocument,
  placed: readonly PlacedPart[],
  pages: readonly number[] | null,
  progress: (done: number, label: string) => void,
): Promise<number[]> {
  const counts: number[] = [];
  const binderPages = pages ? pages.reduce((a, b) => a + b, 0) : 0;
  let binderPage = 0;
  const style: TextStyle = { font: "regular", size: BODY_SIZE, color: COLORS.text };
  let sectionItem: PDFKit.PDFOutline | null = null;
  for (const [i, { part, section, first }] of placed.entries()) {
    const open = await part.open();
    let partPage = 0;
    const finishPages = () => {
      const { start, count } = doc.bufferedPageRange();
      for (let k = 0; k < count; k++) {
        partPage++;
        binderPage++;
        if (!pages) continue;
        doc.switchToPage(start + k);
        // Text in the margins must not start a new page (stack.md pitfall 6).
        const margins = doc.page.margins;
        doc.page.margins = NO_MARGINS;
        open.furniture(doc, { page: partPage, pages: pages[i]!, binderPage, binderPages });
        doc.page.margins = margins;
      }
      doc.flushPages();
    };
    doc.addPage();
    doc.addNamedDestination(part.id);
    if (section === null) sectionItem = null;
    else if (first) sectionItem = doc.outline.addItem(section.title);
    const draw: DrawContext = {
      doc,
      indent: 0,
      style,
      components: PDF_DRAWERS,
      jobFunctionName: (id) => id,
      outline: { section: null, root: sectionItem ?? doc.outline },
    };
    await open.draw({
      draw,
      counting: pages === null,
      breakPage: () => {
        finishPages();
        doc.addPage();
      },
    });
    finishPages();
    if (pages && partPage !== pages[i])
      throw new Error(`${part.title}: ${partPage} pages on paper but ${pages[i]} counted (the layout must not depend on page numbers)`);
    counts.push(partPage);
    progress(i + 1, part.title);
  }
  return counts;
}

/** Reports progress of both passes as one count of parts laid out. */
export function passProgress(listener: ProgressListener | undefined, phase: "counting pages" | "writing", total: number) {
  return (done: number, label: string) => listener?.({ phase, done, total, label });
}

// ---------------------------------------------------------------------------------------------
// Page furniture shared by the binder's own parts (a version keeps its own header and footer).

const FOOTER_Y_FROM_BOTTOM = MARGINS.bottom - 14;

function contentBox(doc: PDFKit.PDFDocument): { x: number; width: number } {
  return { x: MARGINS.left, width: doc.page.width - MARGINS.left - MARGINS.right };
}

/** The third footer line under a version's own footer, or the last line of any binder page. */
export function drawBinderLine(doc: PDFKit.PDFDocument, run: BinderRun, numbers: PageNumbers): void {
  const { x } = contentBox(doc);
  const y = doc.page.height - FOOTER_Y_FROM_BOTTOM + 22;
  doc.font("bold", 7.5).fillColor(COLORS.text);
  doc.text(binderPageLine(run, numbers.binderPage, numbers.binderPages), x, y, { lineBreak: false });
}

/** Header and footer of a binder page that is not a document version: what it is, whose, which page. */
export function drawPartFurniture(
  doc: PDFKit.PDFDocument,
  run: BinderRun,
  title: string,
  numbers: PageNumbers,
  lines: { copy: string; generated: string },
): void {
  const { x, width } = contentBox(doc);
  const top = 30;
  doc.font("bold", 8.5).fillColor(COLORS.text);
  const right = title;
  const rightWidth = Math.min(doc.widthOfString(right), width / 2);
  doc.text(`${BINDER_TITLE} as of ${run.asOf}`, x, top, { lineBreak: false });
  doc.text(right, x + width - rightWidth, top, { lineBreak: false, width: rightWidth, ellipsis: true });
  doc
    .lineWidth(0.5)
    .moveTo(x, top + 14)
    .lineTo(x + width, top + 14)
    .stroke(COLORS.rule);
  const y = doc.page.height - FOOTER_Y_FROM_BOTTOM;
  doc
    .lineWidth(0.5)
    .moveTo(x, y - 4)
    .lineTo(x + width, y - 4)
    .stroke(COLORS.rule);
  const pageText = `Page ${numbers.page} of ${numbers.pages}`;
  doc.font("bold", 8).fillColor(COLORS.text);
  const pageWidth = doc.widthOfString(pageText);
  doc.text(pageText, x + width - pageWidth, y, { lineBreak: false });
  doc.font("regular", 7.5).fillColor(COLORS.text);
  doc.text(lines.copy, x, y, { lineBreak: false });
  doc.fillColor(COLORS.muted);
  doc.text(lines.generated, x, y + 11, { lineBreak: false });
  drawBinderLine(doc, run, numbers);
}
