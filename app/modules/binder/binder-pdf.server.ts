// The inspection binder as one PDF: cover, index (with page numbers and links), then the sections of
// BINDER_SECTIONS. Laid out twice (binder-layout.server.ts): once to count pages, once to write.
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

import { addOutlineEntry, drawRuns } from "~/modules/pdf/blocks";
import { BODY_SIZE, COLORS, contentWidth, left, pageBottom, setStyle } from "~/modules/pdf/draw-context";
import { utcDate, utcTime } from "~/modules/pdf/pdf";
import { drawTable } from "~/modules/pdf/table";

import { BINDER_TITLE, generatedLine, type BinderCounts, type BinderRun, type ProgressListener, type Store } from "./binder";
import {
  drawPartFurniture,
  layOutParts,
  newBinderDocument,
  passProgress,
  placeParts,
  type BinderPart,
  type BinderSection,
  type PlacedPart,
} from "./binder-layout.server";
import { BINDER_SECTIONS, gatherFacts, type BinderFacts } from "./binder-sections.server";
import { cut } from "./compact-table";

export interface BinderPlan {
  run: BinderRun;
  /** The QMS as the cover names it: the QMS manual in force that day. */
  qms: string;
  facts: BinderFacts;
  placed: PlacedPart[];
  counts: BinderCounts;
  /** Each part's pages, once counted: the cover gives the total, the index each part's first page. */
  holder: PageHolder;
}

interface PageHolder {
  pages: number[] | null;
}

/** Reads the record as of the day and decides what the binder holds (refuses a day with nothing in force). */
export async function planBinder(q: Store, run: BinderRun): Promise<BinderPlan> {
  const facts = await gatherFacts(q, run);
  const manual = facts.inForce.find((v) => v.state.version.frontmatter.type === "manual");
  const qms = manual ? `${manual.title} (${manual.docId} v${manual.version})` : "Quality management system";
  const sections: BinderSection[] = [];
  for (const build of BINDER_SECTIONS) sections.push(await build({ q, run, facts }));
  const holder: PageHolder = { pages: null };
  const placed = placeParts([coverPart(run, qms, sections, holder), indexPart(run, sections, holder)], sections);
  return {
    run,
    qms,
    facts,
    placed,
    holder,
    counts: {
      documents: facts.inForce.length,
      signatures: facts.signatures.length,
      auditEvents: facts.auditEvents,
      trainingDocuments: facts.training.matrix.length,
      people: facts.training.people.length,
    },
  };
}

/**
 * Writes the binder to `sink`: every part's pages are counted on a document whose bytes are thrown
 * away, then the binder is laid out for real, its pages written as each part finishes.
 */
export async function writeBinderPdf(plan: BinderPlan, sink: NodeJS.WritableStream, progress?: ProgressListener): Promise<{ pages: number }> {
  const { run, qms, placed, holder } = plan;
  holder.pages = null;
  const pages = await countPages(plan, progress);
  holder.pages = pages;
  const doc = newBinderDocument(run, qms, { counting: false });
  const written = pipeline(doc, sink);
  try {
    await layOutParts(doc, placed, pages, passProgress(progress, "writing", placed.length));
    doc.end();
  } catch (error) {
    doc.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
  await written;
  return { pages: pages.reduce((a, b) => a + b, 0) };
}

/** The first pass: each part's pages, on a document whose bytes are thrown away (and which is let go before the second). */
async function countPages(plan: BinderPlan, progress?: ProgressListener): Promise<number[]> {
  const counting = newBinderDocument(plan.run, plan.qms, { counting: true });
  counting.pipe(new Writable({ write: (_chunk, _encoding, done) => done() }));
  return layOutParts(counting, plan.placed, null, passProgress(progress, "counting pages", plan.placed.length));
}

/** The first binder page of each placed part (the cover is page 1). */
function firstPages(pages: readonly number[]): number[] {
  const starts: number[] = [];
  let next = 1;
  for (const n of pages) {
    starts.push(next);
    next += n;
  }
  return starts;
}

// ---------------------------------------------------------------------------------------------
// The cover and the index.

function coverPart(run: BinderRun, qms: string, sections: readonly BinderSection[], holder: PageHolder): BinderPart {
  return {
    id: "cover",
    title: "Cover",
    async open() {
      return {
        furniture: (doc, n) =>
          drawPartFurniture(doc, run, "Cover", n, { copy: `Uncontrolled copy: valid on ${utcDate(run.generatedAt)} only`, generated: generatedLine(run) }),
        async draw(ctx) {
          const d = ctx.draw;
          addOutlineEntry(d, 1, "Cover");
          d.doc.y += 60;
          drawRuns(d, [{ text: BINDER_TITLE, font: "bold" }], 28, 10);
          drawRuns(d, [{ text: qms, font: "bold" }], 16, 14);
          drawRuns(d, [{ text: `The quality management system as it stood on ${run.asOf}, to the end of that day (UTC).`, font: "regular" }], 12, 20);
          const total = holder.pages ? String(holder.pages.reduce((a, b) => a + b, 0)) : "0";
          drawTable(d, {
            header: ["", ""],
            rows: [
              ["As of", `${run.asOf} (end of day, UTC)`],
              ["Generated at", utcTime(run.generatedAt)],
              ["Generated by", run.generatedBy],
              ...sections.flatMap((s) => s.cover),
              ["Binder pages", total],
            ],
            weights: [2, 3],
          });
          d.doc.y += 10;
          drawRuns(
            d,
            [
              {
                text: `Every page carries "Binder page X of Y", the numbers of the index. Each document version is laid out as on its own printed copy, with its own header and "Page N of M", its signature page and its revision history as of ${run.asOf}: nothing approved, signed or recorded after that day is shown. This binder is an uncontrolled copy, valid on ${utcDate(run.generatedAt)} only; the record itself stays in Quire.`,
                font: "regular",
              },
            ],
            9,
          );
        },
      };
    },
  };
}

const INDEX_ROW = 14;

function indexPart(run: BinderRun, sections: readonly BinderSection[], holder: PageHolder): BinderPart {
  return {
    id: "index",
    title: "Index",
    async open() {
      return {
        furniture: (doc, n) =>
          drawPartFurniture(doc, run, "Index", n, {
            copy: `Index · Uncontrolled copy: valid on ${utcDate(run.generatedAt)} only`,
            generated: generatedLine(run),
          }),
        async draw(ctx) {
          const d = ctx.draw;
          const { doc } = d;
          addOutlineEntry(d, 1, "Index");
          drawRuns(d, [{ text: "Index", font: "bold" }], 15, 8);
          const starts = holder.pages ? firstPages(holder.pages) : null;
          // Parts are numbered in placement order: the cover and the index first.
          let placedIndex = 2;
          const x = left(d);
          const width = contentWidth(d);
          const line = (text: string, page: number | null, target: string, bold: boolean, indent: number) => {
            if (doc.y + INDEX_ROW > pageBottom(doc)) doc.addPage();
            const y = doc.y;
            const number = page === null ? "" : String(page);
            setStyle(d, bold ? "bold" : "regular", 9, COLORS.text);
            const numberWidth = 40;
            // One line each, whatever the numbers: the index takes the same pages in both passes.
            doc.text(cut(doc, text, width - indent - numberWidth - 6), x + indent, y, { lineBreak: false, goTo: target });
            if (number) doc.text(number, x + width - doc.widthOfString(number), y, { lineBreak: false, goTo: target });
            doc.y = y + INDEX_ROW;
          };
          for (const section of sections) {
            if (doc.y + INDEX_ROW * 3 > pageBottom(doc)) doc.addPage();
            doc.y += 4;
            const first = section.parts[0];
            line(section.title, starts ? starts[placedIndex]! : null, first?.id ?? "index", true, 0);
            if (section.parts.length > 1) {
              for (const part of section.parts) {
                line(part.title, starts ? starts[placedIndex]! : null, part.id, false, 14);
                placedIndex++;
              }
            } else placedIndex += section.parts.length;
          }
          doc.x = doc.page.margins.left;
          setStyle(d, "regular", BODY_SIZE);
        },
      };
    },
  };
}
