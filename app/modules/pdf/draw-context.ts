// The state the layout carries while it draws: the pdfkit document, the indent, and the current text
// style (kept here so a page break in the middle of a paragraph can restore it after the watermark).
import type { MdxJsxFlowElement, MdxJsxTextElement } from "mdast-util-mdx-jsx";

import type { ComponentName } from "~/modules/content/components";

import type { FontName } from "./fonts";

export type JsxElement = MdxJsxFlowElement | MdxJsxTextElement;

/** A piece of inline text in one style, optionally a link. */
export interface Run {
  text: string;
  font: FontName;
  link?: string;
}

export interface TextStyle {
  font: FontName;
  size: number;
  color: string;
}

/** How one Quire component is drawn: as a block, and when it sits inside a line of text. */
export interface ComponentDrawer {
  block(el: JsxElement, ctx: DrawContext): void;
  inline(el: JsxElement, ctx: DrawContext): Run[];
}

/** One drawer per component: a component without one fails to compile. */
export type ComponentDrawers = { readonly [K in ComponentName]: ComponentDrawer };

export interface DrawContext {
  doc: PDFKit.PDFDocument;
  /** Points from the left margin where blocks start (lists, callouts and steps indent their content). */
  indent: number;
  /** Shared by every derived context: the style last set, whatever the indent. */
  style: TextStyle;
  components: ComponentDrawers;
  jobFunctionName(id: string): string;
  /** The outline entry of the current level-2 heading, under which level-3 headings are filed. */
  outline: {
    section: PDFKit.PDFOutline | null;
    /** Where level-1 and level-2 entries go: the document's outline unless given (a version inside a binder). */
    root?: PDFKit.PDFOutline;
  };
  /**
   * The structure element what is drawn now belongs to, in a tagged PDF (ISO 32000-1 §14.8, so a
   * screen reader can follow headings, paragraphs, lists and tables). Absent: nothing is tagged (an
   * inspection binder, whose document is not tagged).
   */
  structure?: PDFKit.PDFStructureElement;
}

export const COLORS = {
  text: "#1f2328",
  muted: "#57606a",
  rule: "#8c959f",
  shade: "#f0f2f4",
  link: "#0b57a4",
  watermark: "#e3e3e3",
  note: "#0b57a4",
  warning: "#9a6700",
  regulatory: "#8250df",
} as const;

export const BODY_SIZE = 10;
export const LINE_GAP = 2;

export function setStyle(ctx: DrawContext, font: FontName, size: number = BODY_SIZE, color: string = COLORS.text): void {
  ctx.style.font = font;
  ctx.style.size = size;
  ctx.style.color = color;
  ctx.doc.font(font, size).fillColor(color);
}

export function indented(ctx: DrawContext, by: number): DrawContext {
  return { ...ctx, indent: ctx.indent + by };
}

export function left(ctx: DrawContext): number {
  return ctx.doc.page.margins.left + ctx.indent;
}

export function contentWidth(ctx: DrawContext): number {
  const { doc } = ctx;
  return doc.page.width - doc.page.margins.left - doc.page.margins.right - ctx.indent;
}

export function pageBottom(doc: PDFKit.PDFDocument): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Starts a new page unless `height` points still fit below the current position. */
export function ensureSpace(ctx: DrawContext, height: number): void {
  if (ctx.doc.y + height > pageBottom(ctx.doc)) ctx.doc.addPage();
}

/** A string attribute of a component (the content policy allows only quoted strings). */
export function attribute(el: JsxElement, name: string): string | undefined {
  for (const a of el.attributes) {
    if (a.type === "mdxJsxAttribute" && a.name === name && typeof a.value === "string") return a.value;
  }
  return undefined;
}

/**
 * Content of one structure element (a paragraph, a heading, a table cell): drawn inside its marked
 * content. Only call it where no page is started by hand inside `draw` (ensureSpace before it):
 * pdfkit carries marked content across the page breaks text wrapping makes, not across addPage().
 */
export function tagged(ctx: DrawContext, type: string, draw: () => void): void {
  const parent = ctx.structure;
  if (!parent) return draw();
  const { doc } = ctx;
  // Marked by hand rather than through a closure child (doc.struct(type, {}, draw)): the same marks and
  // objects, without pdfkit's closure bookkeeping on every paragraph and cell. The content is added
  // after drawing, when it knows every page the text wrapped onto.
  const element = doc.struct(type);
  parent.add(element);
  const content = doc.markStructureContent(type);
  draw();
  doc.endMarkedContent();
  element.add(content);
  element.end();
}

/** A structure element that groups others (a list, a list item, a table row): `draw` adds to it. */
export function grouped(ctx: DrawContext, type: string, draw: (inner: DrawContext) => void): void {
  if (!ctx.structure) return draw(ctx);
  const element = ctx.doc.struct(type);
  ctx.structure.add(element);
  draw({ ...ctx, structure: element });
  element.end();
}

/** Decoration that is not content (rules, bars, cell borders and shading): an artifact, not read aloud. */
export function decoration(ctx: DrawContext, draw: () => void, type: "Layout" | "Pagination" = "Layout"): void {
  if (!ctx.structure) return draw();
  ctx.doc.markContent("Artifact", { type });
  draw();
  ctx.doc.endMarkedContent();
}
