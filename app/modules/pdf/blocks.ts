// Markdown blocks and inline text, from the MDX syntax tree (parseMdxTree) to pdfkit calls. Quire's
// components are drawn by their drawers (components.ts), reached through ctx.components.
import type { Blockquote, Code, Heading, List, ListItem, Nodes, Paragraph, PhrasingContent, RootContent, Table } from "mdast";
import { toString } from "mdast-util-to-string";

import { isComponentName } from "~/modules/content/components";

import {
  BODY_SIZE,
  COLORS,
  LINE_GAP,
  contentWidth,
  decoration,
  ensureSpace,
  grouped,
  indented,
  left,
  setStyle,
  tagged,
  type DrawContext,
  type JsxElement,
  type Run,
} from "./draw-context";
import type { FontName } from "./fonts";
import { drawTable } from "./table";

const HEADING_SIZES: Record<number, number> = { 1: 16, 2: 13.5, 3: 11.5, 4: 10.5, 5: 10, 6: 10 };
const LIST_INDENT = 16;

export function drawBlocks(nodes: readonly RootContent[], ctx: DrawContext): void {
  for (const node of nodes) drawBlock(node, ctx);
}

function drawBlock(node: RootContent, ctx: DrawContext): void {
  switch (node.type) {
    case "heading":
      return drawHeading(node, ctx);
    case "paragraph":
      return drawParagraph(node, ctx);
    case "list":
      return drawList(node, ctx);
    case "table":
      return drawGfmTable(node, ctx);
    case "code":
      return drawCode(node, ctx);
    case "blockquote":
      return drawQuote(node, ctx);
    case "thematicBreak":
      return drawRule(ctx);
    case "mdxJsxFlowElement":
      return drawComponent(node, ctx);
    // Frontmatter is printed as the metadata block, not as text; the rest never reaches an approved
    // version (the content policy refuses expressions and import/export) or prints nothing.
    default:
      return;
  }
}

function drawComponent(el: JsxElement, ctx: DrawContext): void {
  if (el.name && isComponentName(el.name)) ctx.components[el.name].block(el, ctx);
  else drawBlocks(el.children as RootContent[], ctx);
}

/**
 * Plain paragraphs of text from any runs: the building block of every drawer. `tag` is the structure
 * type they are in a tagged PDF: a paragraph unless a heading (H1 to H6) or a label says otherwise.
 */
export function drawRuns(ctx: DrawContext, runs: readonly Run[], size: number = BODY_SIZE, gapAfter = 5, tag = "P"): void {
  const { doc } = ctx;
  const pieces = runs.filter((r) => r.text.length > 0);
  if (pieces.length === 0) return;
  ensureSpace(ctx, size * 1.4);
  const x = left(ctx);
  const width = contentWidth(ctx);
  tagged(ctx, tag, () =>
    pieces.forEach((run, i) => {
      setStyle(ctx, run.font, size, run.link ? COLORS.link : COLORS.text);
      // pdfkit carries options from one continued call to the next: state the link (or its absence) each time.
      const options = { continued: i < pieces.length - 1, link: run.link ?? null, underline: Boolean(run.link), lineGap: LINE_GAP };
      if (i === 0) doc.text(run.text, x, doc.y, { ...options, width });
      else doc.text(run.text, options);
    }),
  );
  doc.x = doc.page.margins.left;
  doc.y += gapAfter;
}

export function drawParagraph(node: Paragraph, ctx: DrawContext): void {
  drawRuns(ctx, inlineRuns(node.children, ctx));
}

interface InlineStyle {
  bold: boolean;
  italic: boolean;
  mono: boolean;
}

const PLAIN: InlineStyle = { bold: false, italic: false, mono: false };

function fontOf(style: InlineStyle): FontName {
  if (style.mono) return "mono";
  if (style.bold) return style.italic ? "boldItalic" : "bold";
  return style.italic ? "italic" : "regular";
}

/** Inline content as styled runs: emphasis, strong, code, links (text, then the address), components. */
export function inlineRuns(nodes: readonly PhrasingContent[], ctx: DrawContext, style: InlineStyle = PLAIN): Run[] {
  return nodes.flatMap((node) => inlineRun(node, ctx, style));
}

function inlineRun(node: PhrasingContent, ctx: DrawContext, style: InlineStyle): Run[] {
  switch (node.type) {
    case "text":
      // A soft line break in the source is a space on paper.
      return [{ text: node.value.replace(/\s*\n\s*/g, " "), font: fontOf(style) }];
    case "emphasis":
      return inlineRuns(node.children, ctx, { ...style, italic: true });
    case "strong":
      return inlineRuns(node.children, ctx, { ...style, bold: true });
    case "delete":
      return inlineRuns(node.children, ctx, style);
    case "inlineCode":
      return [{ text: node.value, font: "mono" }];
    case "break":
      return [{ text: "\n", font: fontOf(style) }];
    case "link": {
      const text = toString(node);
      const runs: Run[] = inlineRuns(node.children, ctx, style).map((r) => ({ ...r, link: node.url }));
      // On paper a link must still say where it goes.
      return text === node.url ? runs : [...runs, { text: ` (${node.url})`, font: fontOf(style) }];
    }
    case "linkReference":
      return inlineRuns(node.children, ctx, style);
    case "image":
      return [{ text: `[Image: ${node.alt ?? ""}]`, font: "italic" }];
    case "mdxJsxTextElement":
      if (node.name && isComponentName(node.name)) return ctx.components[node.name].inline(node, ctx);
      return inlineRuns(node.children, ctx, style);
    default:
      return [];
  }
}

function drawHeading(node: Heading, ctx: DrawContext): void {
  const { doc } = ctx;
  const size = HEADING_SIZES[node.depth] ?? BODY_SIZE;
  const text = toString(node);
  // Keep a heading with at least two lines of what follows it.
  ensureSpace(ctx, size * 1.6 + BODY_SIZE * 3);
  doc.y += node.depth <= 2 ? 8 : 4;
  addOutlineEntry(ctx, node.depth, text);
  drawRuns(
    ctx,
    inlineRuns(node.children, ctx, { ...PLAIN, bold: true }).map((r) => ({ ...r, font: r.font === "mono" ? "mono" : "bold" })),
    size,
    4,
    `H${Math.min(Math.max(node.depth, 1), 6)}`,
  );
}

/** Bookmarks: level-2 headings at the top, level-3 headings under the section before them. */
export function addOutlineEntry(ctx: DrawContext, depth: number, text: string): void {
  const root = ctx.outline.root ?? ctx.doc.outline;
  if (depth <= 2) ctx.outline.section = root.addItem(text);
  else if (depth === 3) (ctx.outline.section ?? root).addItem(text);
}

function drawList(node: List, ctx: DrawContext): void {
  const start = node.start ?? 1;
  grouped(ctx, "L", (list) => node.children.forEach((item, i) => drawListItem(item, node.ordered ? `${start + i}.` : "•", list)));
  ctx.doc.y += 2;
}

/** An item as its marker (Lbl) beside its content (LBody), the structure of a list item in ISO 32000-1 §14.8.4.3.3. */
function drawListItem(item: ListItem, marker: string, ctx: DrawContext): void {
  const { doc } = ctx;
  ensureSpace(ctx, BODY_SIZE * 2.8);
  grouped(ctx, "LI", (li) => {
    const y = doc.y;
    setStyle(li, "regular");
    tagged(li, "Lbl", () => doc.text(marker, left(li), y, { width: LIST_INDENT - 2, lineBreak: false }));
    doc.y = y;
    grouped(li, "LBody", (body) => {
      const inner = indented(body, LIST_INDENT);
      // Tight list items' paragraphs sit close together.
      for (const child of item.children) {
        if (child.type === "paragraph") drawRuns(inner, inlineRuns(child.children, inner), BODY_SIZE, item.spread ? 5 : 2);
        else drawBlock(child, inner);
      }
    });
  });
}

function drawGfmTable(node: Table, ctx: DrawContext): void {
  const [head, ...body] = node.children.map((row) => row.children.map((cell) => toString(cell)));
  ensureSpace(ctx, 40);
  drawTable(ctx, { header: head ?? [], rows: body });
}

function drawCode(node: Code, ctx: DrawContext): void {
  const { doc } = ctx;
  const size = 8.5;
  const pad = 5;
  const x = left(ctx);
  const width = contentWidth(ctx);
  setStyle(ctx, "mono", size);
  const height = doc.heightOfString(node.value, { width: width - 2 * pad, lineGap: 1 }) + 2 * pad;
  ensureSpace(ctx, Math.min(height, 120));
  const y = doc.y;
  // A block that fits is shaded; a longer one flows across pages unshaded rather than being cut.
  if (y + height <= doc.page.height - doc.page.margins.bottom) decoration(ctx, () => doc.rect(x, y, width, height).fill(COLORS.shade));
  setStyle(ctx, "mono", size);
  tagged(ctx, "Code", () => doc.text(node.value, x + pad, y + pad, { width: width - 2 * pad, lineGap: 1 }));
  doc.x = doc.page.margins.left;
  doc.y += pad + 5;
}

function drawQuote(node: Blockquote, ctx: DrawContext): void {
  grouped(ctx, "BlockQuote", (quote) => drawBarred(quote, COLORS.rule, (inner) => drawBlocks(node.children, inner)));
}

/**
 * Draws content indented beside a vertical bar (block quotes, callouts). The bar runs beside the
 * part on the last page when the content crosses a page break.
 */
export function drawBarred(ctx: DrawContext, color: string, draw: (inner: DrawContext) => void): void {
  const { doc } = ctx;
  ensureSpace(ctx, BODY_SIZE * 3);
  const startPage = doc.bufferedPageRange().count;
  const startY = doc.y;
  draw(indented(ctx, 12));
  const top = doc.bufferedPageRange().count === startPage ? startY : doc.page.margins.top;
  const bottom = doc.y - 3;
  if (bottom > top) {
    decoration(ctx, () =>
      doc
        .lineWidth(2.5)
        .moveTo(left(ctx) + 2, top)
        .lineTo(left(ctx) + 2, bottom)
        .stroke(color),
    );
  }
  doc.y += 3;
}

function drawRule(ctx: DrawContext): void {
  const { doc } = ctx;
  ensureSpace(ctx, 16);
  const y = doc.y + 6;
  decoration(ctx, () =>
    doc
      .lineWidth(0.75)
      .moveTo(left(ctx), y)
      .lineTo(left(ctx) + contentWidth(ctx), y)
      .stroke(COLORS.rule),
  );
  doc.y = y + 10;
}

/** The text of any node, for table cells and inline fallbacks. */
export function plainText(node: Nodes): string {
  return toString(node).replace(/\s*\n\s*/g, " ");
}
