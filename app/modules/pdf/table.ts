// Tables for GFM tables, RecordsTable and the revision history. pdfkit's doc.table() does not repeat
// the header row on a new page (stack.md), so rows are measured and placed here, and the header is
// drawn again at the top of every page the table continues on.
import { COLORS, contentWidth, decoration, grouped, left, pageBottom, setStyle, tagged, type DrawContext } from "./draw-context";

const PAD = 4;
const SIZE = 8.5;

export interface TableSpec {
  header: string[];
  rows: string[][];
  /** Relative column widths; by default from the length of each column's longest text. */
  weights?: number[];
}

/** In a tagged PDF: Table, TR, TH and TD; a header row repeated on a later page is an artifact (pagination). */
export function drawTable(ctx: DrawContext, table: TableSpec): void {
  grouped(ctx, "Table", (inner) => drawRows(inner, table));
}

function drawRows(ctx: DrawContext, table: TableSpec): void {
  const { doc } = ctx;
  const widths = columnWidths(table, contentWidth(ctx));
  const x = left(ctx);
  const headerHeight = rowHeight(ctx, table.header, widths, true);
  // Never leave a header alone at the foot of a page.
  const firstRow = table.rows[0];
  if (doc.y + headerHeight + (firstRow ? rowHeight(ctx, firstRow, widths, false) : 0) > pageBottom(doc)) doc.addPage();
  drawRow(ctx, x, table.header, widths, headerHeight, true);
  for (const row of table.rows) {
    const height = rowHeight(ctx, row, widths, false);
    if (doc.y + height > pageBottom(doc)) {
      doc.addPage();
      decoration(ctx, () => drawRow({ ...ctx, structure: undefined }, x, table.header, widths, headerHeight, true), "Pagination");
    }
    drawRow(ctx, x, row, widths, height, false);
  }
  doc.x = doc.page.margins.left;
  doc.y += 8;
}

function columnWidths(table: TableSpec, total: number): number[] {
  const count = table.header.length;
  const weights =
    table.weights ??
    table.header.map((h, i) => {
      const longest = Math.max(h.length, ...table.rows.map((r) => (r[i] ?? "").length));
      // Square root: long prose columns get more room without starving short ones.
      return Math.sqrt(Math.max(longest, 4));
    });
  const sum = weights.reduce((a, b) => a + b, 0) || count;
  return weights.map((w) => (w / sum) * total);
}

function rowHeight(ctx: DrawContext, cells: string[], widths: number[], header: boolean): number {
  setStyle(ctx, header ? "bold" : "regular", SIZE);
  const heights = widths.map((w, i) => ctx.doc.heightOfString(cells[i] ?? "", { width: w - 2 * PAD }));
  return Math.max(...heights, ctx.doc.currentLineHeight()) + 2 * PAD;
}

function drawRow(ctx: DrawContext, x: number, cells: string[], widths: number[], height: number, header: boolean): void {
  const { doc } = ctx;
  const y = doc.y;
  // The row's shading and borders in one artifact and one path, not one of each per cell: fewer
  // marks and operators for the same picture.
  decoration(ctx, () => {
    const width = widths.reduce((a, b) => a + b, 0);
    if (header) doc.rect(x, y, width, height).fill(COLORS.shade);
    let cx = x;
    for (const w of widths) {
      doc.rect(cx, y, w, height);
      cx += w;
    }
    doc.lineWidth(0.5).stroke(COLORS.rule);
  });
  setStyle(ctx, header ? "bold" : "regular", SIZE);
  grouped(ctx, "TR", (row) => {
    let cx = x;
    widths.forEach((w, i) => {
      const cellX = cx;
      tagged(row, header ? "TH" : "TD", () => doc.text(cells[i] ?? "", cellX + PAD, y + PAD, { width: w - 2 * PAD, lineGap: 0 }));
      cx += w;
    });
  });
  doc.y = y + height;
}
