/**
 * The redline (issue 13): two versions of a generated 5,000-word SOP (bench/long-sop.ts), rendered
 * by Quire's MdxRenderer, compared
 *   a. the structural way (app/modules/documents/redline.ts: blocks aligned, changed blocks compared
 *      by sentence) and rendered to HTML by the redline component, uncached — goal: well under a
 *      second (< 250 ms);
 *   b. against the word-level redline Quire used before (jsdiff diffWordsWithSpace over the whole
 *      text, a copy kept below as the baseline): 7.7-9.5 s per view for a rewrite in issue 13.
 * Two pairs: every sentence of one section rewritten, and every sentence of the document rewritten.
 * A third row is a repeated view, served from the redline cache.
 *
 * Environment: BENCH_REDLINE_RUNS (measured runs of the new redline, default 20),
 * BENCH_REDLINE_BASELINE_RUNS (of the old one, default 1: a run takes seconds).
 */
import { diffWordsWithSpace } from "diff";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";

import { RedlineView } from "~/components/redline";
import { createMdxRenderer } from "~/mdx-renderer.server";
import { decodeEntities } from "~/modules/content/html-entities";
import { sha256 } from "~/modules/content/render.server";
import { cachedRedline, redlineCache, compareDocuments, type Redline } from "~/modules/documents/redline";

import { countWords, generateLongSop } from "./long-sop";
import { resultRow, type ResultRow } from "./result-row";

const RUNS = Math.max(3, Number(process.env.BENCH_REDLINE_RUNS ?? 20));
const BASELINE_RUNS = Math.max(1, Number(process.env.BENCH_REDLINE_BASELINE_RUNS ?? 1));
const WORDS = 5_000;
const GOAL_MS = 250;
const JOB_FUNCTIONS = new Map([
  ["quality-manager", "Quality Manager"],
  ["cra", "Clinical Research Associate"],
]);

export type RedlineResultRow = ResultRow<"redline">;

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// The baseline: Quire's redline before issue 13, copied here unchanged (and only here).

const BLOCK_END = /<\/(p|li|h[1-6]|tr|dt|dd|table|thead|tbody|aside|ol|ul|dl|div)>/g;

function documentText(html: string): string {
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

function oldRedline(before: string, after: string): { kind: string; text: string }[] {
  return diffWordsWithSpace(before, after).map((c) => ({ kind: c.added ? "added" : c.removed ? "removed" : "same", text: c.value }));
}

// ---------------------------------------------------------------------------------------------
// Rewriting a generated SOP: every sentence of the chosen lines gets other words.

/** Words a rewrite uses instead (a reviser's vocabulary, not the generator's). */
const REPLACEMENTS = [
  "assesses",
  "examines",
  "compares",
  "investigators",
  "documentation",
  "promptly",
  "thoroughly",
  "registers",
  "evidence",
  "oversight",
  "deadline",
  "completion",
  "participants",
  "archive",
  "sponsor",
  "approval",
  "checklist",
  "schedule",
  "finding",
  "tracker",
];

function rewriteWords(text: string): string {
  // Link targets, component tags and emphasis markers stay; words of four letters or more change.
  return text
    .split(/(<[^>]*>|\]\([^)]*\)|\*\*)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(/\b[A-Za-z]{4,}\b/g, (w) => REPLACEMENTS[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % REPLACEMENTS.length]!),
    )
    .join("");
}

/** A prose, list or table line rewritten; headings, component tags and table rules kept. */
function rewriteLine(line: string): string {
  if (line.startsWith("#") || line.startsWith("<") || line.startsWith("---") || /^\|[-| ]+\|$/.test(line) || line.trim() === "") return line;
  if (line.startsWith("- ")) return `- ${rewriteWords(line.slice(2))}`;
  return rewriteWords(line);
}

/** The SOP with every sentence rewritten: of the section whose `## ` heading matches `section`, or of the whole body (null). */
function rewrite(source: string, section: RegExp | null): string {
  const end = source.indexOf("\n---\n", 4) + 5;
  const lines = source.slice(end).split("\n");
  let inside = section === null;
  const out = lines.map((line) => {
    if (section !== null && line.startsWith("## ")) inside = section.test(line);
    return inside ? rewriteLine(line) : line;
  });
  return source.slice(0, end) + out.join("\n");
}

// ---------------------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(runs: number, work: () => unknown, warmups = 2): number {
  for (let i = 0; i < warmups; i++) work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

function renderView(redline: Redline): string {
  return renderToStaticMarkup(createElement(RedlineView, { redline }));
}

interface Pair {
  name: string;
  before: string;
  after: string;
}

async function renderPairs(): Promise<{ words: number; pairs: Pair[] }> {
  const renderer = createMdxRenderer(null, JOB_FUNCTIONS);
  const html = async (source: string) => (await renderer.render(sha256(source), async () => source)).html;
  const source = generateLongSop({ targetWords: WORDS });
  const words = countWords(source);
  const section = rewrite(source, /^## 3\. /);
  const full = rewrite(source, null);
  const base = await html(source);
  return {
    words,
    pairs: [
      { name: "every sentence of one section rewritten", before: base, after: await html(section) },
      { name: "every sentence rewritten", before: base, after: await html(full) },
    ],
  };
}

export async function redlineBenchmarks(): Promise<RedlineResultRow[]> {
  const { words, pairs } = await renderPairs();
  const n = words.toLocaleString("en-US");
  const rows: RedlineResultRow[] = [];
  for (const pair of pairs) {
    const redline = compareDocuments(pair.before, pair.after);
    log(
      `redline, ${n}-word SOP, ${pair.name}: ${redline.stats.places} places, +${redline.stats.addedWords}/-${redline.stats.removedWords} words, ` +
        `${redline.entries.length} entries${redline.replaced ? " (guard: replaced whole)" : ""}`,
    );
    const compareMs = time(RUNS, () => compareDocuments(pair.before, pair.after));
    const structuralMs = time(RUNS, () => renderView(compareDocuments(pair.before, pair.after)));
    log(`redline, ${pair.name}: structural compare ${compareMs.toFixed(1)} ms, with rendering to HTML ${structuralMs.toFixed(1)} ms (median of ${RUNS})`);
    const oldMs = time(BASELINE_RUNS, () => oldRedline(documentText(pair.before), documentText(pair.after)), 0);
    log(`redline, ${pair.name}: old word-level diff ${oldMs.toFixed(0)} ms (median of ${BASELINE_RUNS})`);
    rows.push(
      resultRow("redline", {
        name: `redline of a ${n}-word SOP, ${pair.name}: structural compare + render to HTML, uncached, median of ${RUNS}`,
        value: structuralMs,
        unit: "ms",
        baseline: `old word-level diffWordsWithSpace over the whole text (compare only), median of ${BASELINE_RUNS}`,
        baselineValue: oldMs,
        goal: `< ${GOAL_MS} ms`,
        goalOn: "value",
        goalThreshold: GOAL_MS,
        goalComparison: "<",
      }),
    );
  }
  const [first] = pairs;
  if (first) {
    const cache = redlineCache(50);
    const versions = [
      { contentHash: "before", html: first.before },
      { contentHash: "after", html: first.after },
    ] as const;
    const uncachedMs = time(RUNS, () => renderView(compareDocuments(first.before, first.after)));
    const cachedMs = time(RUNS, () => renderView(cachedRedline(versions[0], versions[1], cache)));
    rows.push(
      resultRow("redline", {
        name: `redline of a ${n}-word SOP, ${first.name}: a repeated view (redline cache hit) + render to HTML, median of ${RUNS}`,
        value: cachedMs,
        unit: "ms",
        baseline: "the same view uncached",
        baselineValue: uncachedMs,
        goal: "reported",
        goalOn: "none",
        goalThreshold: 0,
        goalComparison: "<",
      }),
    );
  }
  return rows;
}
