// A rendered document as the blocks a reader sees: headings, paragraphs, list items, table rows,
// definition terms and descriptions, and the parts Quire's components print on a line of their own
// (a step's title and its owner, a callout's title). The redline compares these blocks, never MDX
// syntax (docs/decisions/014-structural-redline.md).
import { decodeEntities } from "~/modules/content/html-entities";

export type BlockKind = "heading" | "paragraph" | "item" | "row" | "term" | "description" | "step-title" | "step-owner" | "callout-title" | "code" | "rule";

export interface Block {
  kind: BlockKind;
  /** The text a reader reads, whitespace collapsed (kept in code); a row's cells joined by " | ". */
  text: string;
  /** How deeply the block sits inside list items, descriptions and callouts (0 at the top). */
  depth: number;
  /** A heading's level, 1 to 6. */
  level?: number;
  /** A numbered list item's or a step's number, as the version printed it. */
  ordinal?: number;
  /** A list item of a numbered list. */
  ordered?: boolean;
  /** A table row's cells. */
  cells?: string[];
  /** A table row of header cells only. */
  header?: boolean;
}

/** Elements whose text is a block of its own. */
const LEAF = new Set(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "pre"]);
/** Elements that only hold blocks. */
const CONTAINER = new Set(["ul", "ol", "dl", "div", "aside", "blockquote", "table", "thead", "tbody", "tfoot", "section", "figure"]);
/** Elements whose content the redline indents under them. */
const INDENTING = new Set(["li", "dd", "aside", "blockquote"]);

/** A start tag (attributes may hold quoted `>`), an end tag, or text. React escapes `<` in text. */
const TOKEN = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|([^<]+)/g;

/**
 * Splits the renderer's HTML (React's static markup: regular, escaped, no comments) into blocks.
 * Inline markup (emphasis, links, code) is read as its text, as on the page: a link to another
 * document reads as the document's id.
 */
export function documentBlocks(html: string): Block[] {
  const reader = new BlockReader();
  for (const m of html.matchAll(TOKEN)) {
    const [, closing, name, attributes = "", text] = m;
    if (text !== undefined) reader.text(decodeEntities(text));
    else if (closing) reader.end((name ?? "").toLowerCase());
    else reader.start((name ?? "").toLowerCase(), attributes);
  }
  return reader.finish();
}

interface Frame {
  tag: string;
  className: string;
  /** For ol: the number its next item gets. */
  next: number;
  /** For li: its number in a numbered list. */
  ordinal?: number;
  /** For li and dd: whether their own text was emitted yet (their first <p> is that text). */
  emitted: boolean;
}

interface OpenBlock extends Omit<Block, "text"> {
  parts: string[];
  /** The li or dd whose own text this is. */
  owner: Frame | null;
}

interface OpenRow {
  cells: string[][];
  header: boolean;
  depth: number;
}

class BlockReader {
  private readonly blocks: Block[] = [];
  private readonly stack: Frame[] = [];
  private open: OpenBlock | null = null;
  private row: OpenRow | null = null;
  private inOwner = false;

  finish(): Block[] {
    this.flush();
    return this.blocks;
  }

  text(text: string): void {
    if (this.row) this.row.cells.at(-1)?.push(text);
    else if (this.open) this.open.parts.push(text);
    else if (text.trim() !== "") {
      // Text loose in a container (a component's inline children): a paragraph of its own.
      this.begin("paragraph").parts.push(text);
    }
  }

  start(tag: string, attributes: string): void {
    if (this.row) return this.startInRow(tag, attributes);
    const className = attribute(attributes, "class");
    switch (tag) {
      case "tr":
        this.flush();
        this.row = { cells: [], header: true, depth: this.depth() };
        return;
      case "span":
        if (hasClass(className, "step-owner")) {
          this.begin("step-owner").depth = this.depth() - 1;
          this.inOwner = true;
        }
        return;
      case "br":
        this.open?.parts.push(this.open.kind === "code" ? "\n" : " ");
        return;
      case "img":
      case "input":
        (this.open ?? this.begin("paragraph")).parts.push(inlineText(tag, attributes));
        return;
      case "hr":
        this.flush();
        this.blocks.push({ kind: "rule", text: "—", depth: this.depth() });
        return;
    }
    if (!LEAF.has(tag) && !CONTAINER.has(tag)) return;
    const parent = this.stack.at(-1);
    const frame: Frame = { tag, className, next: tag === "ol" ? startNumber(attributes) : 1, emitted: false };
    if (tag === "li" && parent?.tag === "ol") frame.ordinal = parent.next++;
    // A list item's or description's first paragraph is the item's own text (loose lists, MDX children).
    const absorbed = tag === "p" && !hasClass(className, "step-title") && this.open !== null && this.isEmptyTextOf(parent);
    if (!absorbed) this.flush();
    this.stack.push(frame);
    if (absorbed) return;
    if (/^h[1-6]$/.test(tag)) this.begin("heading").level = Number(tag[1]);
    else if (tag === "p" && hasClass(className, "step-title")) {
      const step = this.begin("step-title");
      step.depth -= 1;
      const li = this.stack.findLast((f) => f.tag === "li");
      if (li?.ordinal !== undefined) step.ordinal = li.ordinal;
    } else if (tag === "p" && hasClass(className, "callout-title")) this.begin("callout-title").depth -= 1;
    else if (tag === "p") this.begin("paragraph");
    else if (tag === "li") {
      const item = this.begin("item", frame);
      // The item's own text sits at its list's depth; what it holds, one deeper.
      item.depth -= 1;
      if (frame.ordinal !== undefined) Object.assign(item, { ordered: true, ordinal: frame.ordinal });
    } else if (tag === "dt") this.begin("term");
    else if (tag === "dd") this.begin("description", frame).depth -= 1;
    else if (tag === "pre") this.begin("code");
  }

  end(tag: string): void {
    if (this.row) {
      if (tag === "tr") this.endRow(this.row);
      return;
    }
    if (tag === "span" && this.inOwner) {
      this.flush();
      this.inOwner = false;
      return;
    }
    if (!LEAF.has(tag) && !CONTAINER.has(tag)) return;
    this.flush();
    const at = this.stack.findLastIndex((f) => f.tag === tag);
    if (at !== -1) this.stack.length = at;
  }

  private startInRow(tag: string, attributes: string): void {
    const row = this.row;
    if (!row) return;
    // Inside a table row everything is cell text, a Record's paragraphs included.
    if (tag === "td" || tag === "th") {
      row.cells.push([]);
      if (tag === "td") row.header = false;
    } else if (tag === "br" || tag === "p") row.cells.at(-1)?.push(" ");
    else if (tag === "img" || tag === "input") row.cells.at(-1)?.push(inlineText(tag, attributes));
  }

  private endRow(row: OpenRow): void {
    const cells = row.cells.map((c) => collapse(c.join("")));
    if (cells.some((c) => c !== "")) this.blocks.push({ kind: "row", text: cells.join(" | "), depth: row.depth, cells, header: row.header });
    this.row = null;
  }

  private isEmptyTextOf(frame: Frame | undefined): boolean {
    return frame !== undefined && this.open?.owner === frame && !frame.emitted && this.open.parts.join("").trim() === "";
  }

  private depth(): number {
    return this.stack.filter((f) => INDENTING.has(f.tag)).length;
  }

  private begin(kind: BlockKind, owner: Frame | null = null): OpenBlock {
    this.flush();
    const block: OpenBlock = { kind, depth: this.depth(), parts: [], owner };
    this.open = block;
    return block;
  }

  private flush(): void {
    const open = this.open;
    if (!open) return;
    this.open = null;
    const { parts, owner, ...rest } = open;
    const text = rest.kind === "code" ? parts.join("").replace(/^\n+|\s+$/g, "") : collapse(parts.join(""));
    if (text === "") return;
    if (owner) owner.emitted = true;
    this.blocks.push({ ...rest, depth: Math.max(0, rest.depth), text });
  }
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function hasClass(className: string, name: string): boolean {
  return className.split(/\s+/).includes(name);
}

function attribute(attributes: string, name: string): string | "" {
  const m = new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes);
  return m ? decodeEntities(m[1] ?? "") : "";
}

function startNumber(attributes: string): number {
  const start = Number(attribute(attributes, "start"));
  return Number.isInteger(start) && start > 0 ? start : 1;
}

/** What an image or a task list's checkbox reads as. */
function inlineText(tag: string, attributes: string): string {
  if (tag === "img") return `[Image: ${attribute(attributes, "alt")}]`;
  if (attribute(attributes, "type") !== "checkbox") return "";
  return /(?:^|\s)checked(?:=|\s|\/|$)/.test(attributes) ? "☑ " : "☐ ";
}
