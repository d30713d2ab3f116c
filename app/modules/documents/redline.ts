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
  const words = (kind: RedlinePart["kind"]) =>
    parts.filter((p) => p.kind === kind).reduce((n, p) => n + (p.text.match(/\S+/g)?.length ?? 0), 0);
  return { addedWords: words("added"), removedWords: words("removed") };
}
