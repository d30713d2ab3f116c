import { diffWordsWithSpace } from "diff";

import { decodeEntities } from "~/modules/content/html-entities";

export interface RedlinePart {
  kind: "same" | "added" | "removed";
  text: string;
}

const BLOCK_END = /<\/(p|li|h[1-6]|tr|dt|dd|table|thead|tbody|aside|ol|ul|dl|div)>/g;

/**
 * The readable text of a rendered document: one line per paragraph, list item, heading or table
 * row, table cells separated by " | ". The redline compares what a reader reads, components'
 * labels included, not MDX syntax.
 */
export function documentText(html: string): string {
  const text = html
    .replace(/<h([1-6])[^>]*>/g, (_m, level: string) => `\n${"#".repeat(Number(level))} `)
    .replace(/<li[^>]*>/g, "• ")
    .replace(/<\/(td|th)>/g, " | ")
    .replace(/<br\s*\/?>/g, "\n")
    .replace(BLOCK_END, "\n")
    .replace(/<[^>]+>/g, "");
  return decodeEntities(text)
    .replace(/ \| \n/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A word-level comparison of two texts: what stayed, what was inserted, what was deleted. */
export function redline(before: string, after: string): RedlinePart[] {
  return diffWordsWithSpace(before, after).map((c) => ({
    kind: c.added ? "added" : c.removed ? "removed" : "same",
    text: c.value,
  }));
}

export function redlineStats(parts: readonly RedlinePart[]): { addedWords: number; removedWords: number } {
  const words = (kind: RedlinePart["kind"]) => parts.filter((p) => p.kind === kind).reduce((n, p) => n + (p.text.match(/\S+/g)?.length ?? 0), 0);
  return { addedWords: words("added"), removedWords: words("removed") };
}

export type CondensedPart = RedlinePart | { kind: "skipped"; words: number };

/**
 * A redline for reading the changes only: long unchanged stretches are cut to `context` characters
 * either side of a change (at word boundaries) and replaced by how many words were left out.
 */
export function condenseRedline(parts: readonly RedlinePart[], context = 240): CondensedPart[] {
  const out: CondensedPart[] = [];
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  parts.forEach((p, i) => {
    if (p.kind !== "same" || p.text.length <= context * 2 + 80) {
      out.push(p);
      return;
    }
    const keepStart = i > 0 ? cutAfter(p.text, context) : "";
    const keepEnd = i < parts.length - 1 ? cutBefore(p.text, context) : "";
    const skipped = words(p.text) - words(keepStart) - words(keepEnd);
    if (keepStart) out.push({ kind: "same", text: keepStart });
    if (skipped > 0) out.push({ kind: "skipped", words: skipped });
    if (keepEnd) out.push({ kind: "same", text: keepEnd });
  });
  return out;
}

function cutAfter(text: string, length: number): string {
  const end = text.indexOf(" ", length);
  return end === -1 ? text : text.slice(0, end);
}

function cutBefore(text: string, length: number): string {
  const start = text.lastIndexOf(" ", text.length - length);
  return start === -1 ? text : text.slice(start + 1);
}
