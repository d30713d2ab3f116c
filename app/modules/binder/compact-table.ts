// A compact table for long listings (the audit trail, the signature manifest): every cell one line,
// cut with an ellipsis if it is too long, so every row has the same height and rows can be drawn as
// they are read, however many there are. The header is repeated on each page; pages are written as
// they fill (PartContext.breakPage), so memory stays flat.
import { COLORS, contentWidth, left, pageBottom, setStyle } from "~/modules/pdf/draw-context";
import type { FontName } from "~/modules/pdf/fonts";

import type { PartContext } from "./binder-layout.server";

export interface CompactColumn {
  header: string;
  /** Relative width. */
  weight: number;
  font?: FontName;
}

const SIZE = 7;
const PAD = 2.5;
const LINE = SIZE * 1.3;

export class CompactTable {
  private readonly widths: number[];
  private readonly x: number;
  private readonly rowHeight: number;
  private started = false;

  constructor(
    private readonly ctx: PartContext,
    private readonly columns: readonly CompactColumn[],
    /** A second line under each row, across the whole width (e.g. a content hash). */
    private readonly secondLine: { font: FontName } | null = null,
  ) {
    const total = contentWidth(ctx.draw);
    const sum = columns.reduce((a, c) => a + c.weight, 0);
    this.widths = columns.map((c) => (c.weight / sum) * total);
    this.x = left(ctx.draw);
    this.rowHeight = (secondLine ? 2 : 1) * LINE + 2 * PAD;
  }

  row(cells: readonly string[], second?: string): void {
    const { doc } = this.ctx.draw;
    if (!this.started || doc.y + this.rowHeight > pageBottom(doc)) {
      if (this.started) this.ctx.breakPage();
      this.header();
      this.started = true;
    }
    const y = doc.y;
    let cx = this.x;
    this.columns.forEach((c, i) => {
      setStyle(this.ctx.draw, c.font ?? "regular", SIZE);
      fit(doc, cells[i] ?? "", cx + PAD, y + PAD, this.widths[i]! - 2 * PAD);
      cx += this.widths[i]!;
    });
    if (this.secondLine && second !== undefined) {
      setStyle(this.ctx.draw, this.secondLine.font, SIZE, COLORS.muted);
      fit(doc, second, this.x + PAD, y + PAD + LINE, cx - this.x - 2 * PAD);
    }
    doc
      .lineWidth(0.3)
      .moveTo(this.x, y + this.rowHeight)
      .lineTo(cx, y + this.rowHeight)
      .stroke(COLORS.rule);
    doc.x = doc.page.margins.left;
    doc.y = y + this.rowHeight;
  }

  /** After the last row: leave a little space below the table. */
  end(): void {
    this.ctx.draw.doc.y += 8;
  }

  private header(): void {
    const { doc } = this.ctx.draw;
    const y = doc.y;
    const height = LINE + 2 * PAD;
    const width = this.widths.reduce((a, b) => a + b, 0);
    doc.rect(this.x, y, width, height).fill(COLORS.shade);
    let cx = this.x;
    this.columns.forEach((c, i) => {
      setStyle(this.ctx.draw, "bold", SIZE);
      fit(doc, c.header, cx + PAD, y + PAD, this.widths[i]! - 2 * PAD);
      cx += this.widths[i]!;
    });
    doc.y = y + height;
  }
}

/** One line of text cut to `width` with an ellipsis (no line wrapper: fast, and never a page break). */
function fit(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number): void {
  const oneLine = text.replace(/\s+/g, " ");
  doc.text(cut(doc, oneLine, width), x, y, { lineBreak: false });
}

export function cut(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (doc.widthOfString(`${text.slice(0, mid)}…`) <= width) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low)}…`;
}
