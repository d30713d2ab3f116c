// Full-text search of document bodies: the plain text a version is searched by, and the FTS5 query a
// person's words become. Pure; search.server.ts keeps the index.
import type { Root, RootContent } from "mdast";
import { toString } from "mdast-util-to-string";

import { parseMdxTree } from "~/modules/content/mdx-policy";

/**
 * The words of a version as a reader sees them: the text of every block, plus the attribute values of
 * components (a Step's title and owner, a Record's name), without frontmatter.
 */
export function searchableText(source: string): string {
  const tree = parseMdxTree(source);
  const parts: string[] = [];
  const walk = (node: Root | RootContent) => {
    if (node.type === "yaml") return;
    if (node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement") {
      for (const a of node.attributes) if (a.type === "mdxJsxAttribute" && typeof a.value === "string") parts.push(a.value);
    }
    if ("children" in node) {
      for (const child of node.children as (Root | RootContent)[]) walk(child);
      return;
    }
    const text = toString(node);
    if (text) parts.push(text);
  };
  walk(tree);
  return parts.join(" ").replace(/\s+/g, " ").trim();
}

/** True for what reads as a document id or its start ("SOP-DM", "sop-dm-001"): found by id, not in bodies. */
export function looksLikeDocumentId(text: string): boolean {
  return /^[a-z]{2,4}-([a-z]{0,3}|[0-9]{0,3})(-[0-9]{0,3})?$/i.test(text.trim());
}

/**
 * A person's words as an FTS5 query: each word quoted (so no word is read as an operator), all of them
 * required, the last one also as a prefix (search as you type). Null when there is no word.
 */
export function ftsQuery(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return null;
  return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(" ");
}
