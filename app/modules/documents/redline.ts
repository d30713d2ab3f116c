// The redline between two versions of a document, for people who review and approve it: blocks as
// the reader sees them (headings, paragraphs, list items, table rows, step titles and owners),
// aligned first, then compared sentence by sentence inside a changed block. Unchanged stretches are
// folded with a count and stay readable in full (docs/decisions/014-structural-redline.md).
import { diffArrays } from "diff";
import { LRUCache } from "lru-cache";

import { boundedCache } from "~/cache";

import { documentBlocks, type Block, type BlockKind } from "./redline-blocks";
import { compareSentences, countWords, type Segment } from "./redline-sentences";

export type { Block, BlockKind } from "./redline-blocks";
export type { Segment } from "./redline-sentences";

export type RedlineEntry =
  | { op: "same" | "added" | "removed"; block: Block }
  /** A block of the old version paired with its new wording: `segments` for text, `cells` for a table row. */
  | { op: "changed"; block: Block; before: Block; segments: Segment[]; cells?: Segment[][] }
  /** Unchanged blocks folded away, with what they are ("12 unchanged paragraphs"). */
  | { op: "unchanged"; blocks: Block[]; summary: string };

export interface RedlineStats {
  addedWords: number;
  removedWords: number;
  /** Separate places where the text changed. */
  places: number;
}

export interface Redline {
  entries: RedlineEntry[];
  stats: RedlineStats;
  /**
   * True when the versions differ too much to align block by block within the work allowed: the
   * differing stretch is shown as removed and then inserted as a whole.
   */
  replaced: boolean;
}

export interface RedlineOptions {
  /**
   * Work allowed for aligning blocks, in (old + new block count) x edit length. Myers' alignment
   * costs that much, so a document that mostly matches costs little and a pathological pair is cut
   * off instead of holding the server (issue 13: a quadratic word diff blocked other requests).
   */
  alignBudget?: number;
  /** Unchanged blocks kept visible next to a change (default 1). */
  context?: number;
}

const ALIGN_BUDGET = 4_000_000;
/** The edit length always allowed, whatever the document's size. */
const MIN_EDIT_LENGTH = 100;
/** A removed and an inserted block of the same shape are shown as one changed block when this similar. */
const MIN_SIMILARITY = 0.3;
/** Hunks up to this many (removed x inserted) pairs are matched by similarity; larger ones in order. */
const PAIRING_LIMIT = 2_500;
/** Fewer unchanged blocks than this are shown rather than folded. */
const MIN_FOLD = 3;

/** Compares two rendered documents (the renderer's HTML). */
export function compareDocuments(beforeHtml: string, afterHtml: string, options: RedlineOptions = {}): Redline {
  return compareBlocks(documentBlocks(beforeHtml), documentBlocks(afterHtml), options);
}

export function compareBlocks(before: readonly Block[], after: readonly Block[], options: RedlineOptions = {}): Redline {
  const { ops, replaced } = alignBlocks(before, after, options.alignBudget ?? ALIGN_BUDGET);
  return { entries: foldUnchanged(ops, options.context ?? 1), stats: statsOf(ops), replaced };
}

type Op = Exclude<RedlineEntry, { op: "unchanged" }>;

/** What must match for two blocks to be the same block: kind, place in the structure and text. */
function shapeKey(b: Block): string {
  return [b.kind, b.level ?? "", b.depth, b.header ? "h" : "", b.cells?.length ?? "", b.ordered ? "o" : ""].join("|");
}

function blockKey(b: Block): string {
  return `${shapeKey(b)}\u0000${b.cells ? b.cells.join("\u0001") : b.text}`;
}

function maxEditLength(budget: number, length: number): number {
  return Math.max(MIN_EDIT_LENGTH, Math.floor(budget / Math.max(1, length)));
}

/** Blocks aligned with jsdiff's diffArrays (Myers: O((N+M)·D), near-linear for versions that mostly match). */
function alignBlocks(before: readonly Block[], after: readonly Block[], budget: number): { ops: Op[]; replaced: boolean } {
  const changes = diffArrays(before.map(blockKey), after.map(blockKey), { maxEditLength: maxEditLength(budget, before.length + after.length) });
  if (!changes) return { ops: replaceMiddle(before, after), replaced: true };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  let removed: Block[] = [];
  let added: Block[] = [];
  for (const change of changes) {
    const n = change.count ?? change.value.length;
    if (change.removed) removed.push(...before.slice(i, (i += n)));
    else if (change.added) added.push(...after.slice(j, (j += n)));
    else {
      ops.push(...pairHunk(removed, added, budget));
      removed = [];
      added = [];
      for (const block of after.slice(j, j + n)) ops.push({ op: "same", block });
      i += n;
      j += n;
    }
  }
  ops.push(...pairHunk(removed, added, budget));
  return { ops, replaced: false };
}

/** The guard's answer: the common start and end kept, everything between removed and then inserted. */
function replaceMiddle(before: readonly Block[], after: readonly Block[]): Op[] {
  let start = 0;
  while (start < before.length && start < after.length && blockKey(before[start]!) === blockKey(after[start]!)) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && blockKey(before[before.length - 1 - end]!) === blockKey(after[after.length - 1 - end]!))
    end++;
  return [
    ...after.slice(0, start).map((block): Op => ({ op: "same", block })),
    ...before.slice(start, before.length - end).map((block): Op => ({ op: "removed", block })),
    ...after.slice(start, after.length - end).map((block): Op => ({ op: "added", block })),
    ...after.slice(after.length - end).map((block): Op => ({ op: "same", block })),
  ];
}

/**
 * A stretch where blocks were removed and inserted: a removed block and an inserted one of the same
 * shape and similar wording become one changed block compared by sentence; the rest stay removed
 * or inserted. Pairs keep the document's order.
 */
function pairHunk(removed: readonly Block[], added: readonly Block[], budget: number): Op[] {
  if (removed.length === 0) return added.map((block) => ({ op: "added", block }));
  if (added.length === 0) return removed.map((block) => ({ op: "removed", block }));
  const pairs = removed.length * added.length <= PAIRING_LIMIT ? pairsBySimilarity(removed, added) : pairsInOrder(removed, added, budget);
  const ops: Op[] = [];
  let r = 0;
  let a = 0;
  for (const [pr, pa] of [...pairs, [removed.length, added.length] as const]) {
    for (; r < pr; r++) ops.push({ op: "removed", block: removed[r]! });
    for (; a < pa; a++) ops.push({ op: "added", block: added[a]! });
    if (pr < removed.length && pa < added.length) ops.push(changedBlock(removed[pr]!, added[pa]!));
    r = pr + 1;
    a = pa + 1;
  }
  return ops;
}

/** The order-keeping pairing with the greatest total similarity (dynamic programming, small hunks only). */
function pairsBySimilarity(removed: readonly Block[], added: readonly Block[]): [number, number][] {
  const bags = { removed: removed.map(wordBag), added: added.map(wordBag) };
  const score = (r: number, a: number) => (shapeKey(removed[r]!) === shapeKey(added[a]!) ? similarity(bags.removed[r]!, bags.added[a]!) : 0);
  const cols = added.length + 1;
  const best = new Float64Array((removed.length + 1) * cols);
  for (let r = 1; r <= removed.length; r++) {
    for (let a = 1; a <= added.length; a++) {
      const s = score(r - 1, a - 1);
      const pair = s >= MIN_SIMILARITY ? best[(r - 1) * cols + a - 1]! + s : 0;
      best[r * cols + a] = Math.max(best[(r - 1) * cols + a]!, best[r * cols + a - 1]!, pair);
    }
  }
  const pairs: [number, number][] = [];
  for (let r = removed.length, a = added.length; r > 0 && a > 0;) {
    const here = best[r * cols + a]!;
    if (here === best[(r - 1) * cols + a]) r--;
    else if (here === best[r * cols + a - 1]) a--;
    else {
      pairs.push([r - 1, a - 1]);
      r--;
      a--;
    }
  }
  return pairs.reverse();
}

/** For large hunks: blocks of the same shape paired in order (Myers on shapes), if similar enough. */
function pairsInOrder(removed: readonly Block[], added: readonly Block[], budget: number): [number, number][] {
  const changes = diffArrays(removed.map(shapeKey), added.map(shapeKey), { maxEditLength: maxEditLength(budget, removed.length + added.length) });
  if (!changes) return [];
  const pairs: [number, number][] = [];
  let r = 0;
  let a = 0;
  for (const change of changes) {
    const n = change.count ?? change.value.length;
    if (change.removed) r += n;
    else if (change.added) a += n;
    else
      for (let k = 0; k < n; k++, r++, a++) {
        if (similarity(wordBag(removed[r]!), wordBag(added[a]!)) >= MIN_SIMILARITY) pairs.push([r, a]);
      }
  }
  return pairs;
}

function changedBlock(before: Block, after: Block): Op {
  if (after.cells && before.cells) {
    const cells = after.cells.map((cell, k) => compareSentences(before.cells?.[k] ?? "", cell));
    return { op: "changed", block: after, before, segments: cells.flat(), cells };
  }
  return { op: "changed", block: after, before, segments: compareSentences(before.text, after.text) };
}

function wordBag(block: Block): Map<string, number> {
  const bag = new Map<string, number>();
  for (const w of block.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) bag.set(w, (bag.get(w) ?? 0) + 1);
  return bag;
}

/** Dice's coefficient over the words of two blocks: 1 for the same words, 0 for none in common. */
function similarity(a: Map<string, number>, b: Map<string, number>): number {
  let total = 0;
  let common = 0;
  for (const n of a.values()) total += n;
  for (const [w, n] of b) {
    total += n;
    common += Math.min(n, a.get(w) ?? 0);
  }
  return total === 0 ? 1 : (2 * common) / total;
}

function statsOf(ops: readonly Op[]): RedlineStats {
  const stats: RedlineStats = { addedWords: 0, removedWords: 0, places: 0 };
  let inChange = false;
  for (const op of ops) {
    if (op.op === "same") {
      inChange = false;
      continue;
    }
    if (!inChange) stats.places++;
    inChange = true;
    if (op.op === "added") stats.addedWords += countWords(op.block.text);
    else if (op.op === "removed") stats.removedWords += countWords(op.block.text);
    else if (op.op === "changed")
      for (const s of op.segments) {
        if (s.kind === "added") stats.addedWords += countWords(s.text);
        else if (s.kind === "removed") stats.removedWords += countWords(s.text);
      }
  }
  return stats;
}

/**
 * Long unchanged stretches folded into one entry each, `context` blocks kept either side of a
 * change; the heading a change sits under stays visible too, so a reader knows where it is.
 */
function foldUnchanged(ops: readonly Op[], context: number): RedlineEntry[] {
  const entries: RedlineEntry[] = [];
  let k = 0;
  while (k < ops.length) {
    const op = ops[k]!;
    if (op.op !== "same") {
      entries.push(op);
      k++;
      continue;
    }
    let end = k;
    while (end < ops.length && ops[end]!.op === "same") end++;
    const run = ops.slice(k, end).map((o) => o.block);
    let keepStart = k > 0 ? Math.min(context, run.length) : 0;
    let keepEnd = end < ops.length ? Math.min(context, run.length - keepStart) : 0;
    // A step's title and its owner are read together: the edge of a fold never parts them.
    if (keepStart > 0 && run[keepStart - 1]?.kind === "step-title" && run[keepStart]?.kind === "step-owner") keepStart++;
    if (keepEnd > 0 && run[run.length - keepEnd]?.kind === "step-owner" && run[run.length - keepEnd - 1]?.kind === "step-title") keepEnd++;
    if (run.length - keepStart - keepEnd < MIN_FOLD) entries.push(...run.map((block): RedlineEntry => ({ op: "same", block })));
    else {
      entries.push(...run.slice(0, keepStart).map((block): RedlineEntry => ({ op: "same", block })));
      const middle = run.slice(keepStart, run.length - keepEnd);
      const shown = keepEnd > 0 ? landmarks(middle, run.slice(run.length - keepEnd)) : [];
      let from = 0;
      for (const at of shown) {
        entries.push(...fold(middle.slice(from, at)), { op: "same", block: middle[at]! });
        from = at + 1;
      }
      entries.push(...fold(middle.slice(from)));
      entries.push(...run.slice(run.length - keepEnd).map((block): RedlineEntry => ({ op: "same", block })));
    }
    k = end;
  }
  return entries;
}

/**
 * Where the next change sits, when the fold would hide it: the last heading before it, and the
 * title (and owner) of the step it is in. Indexes into `middle`, in order; none that the context
 * kept after the fold already shows.
 */
function landmarks(middle: readonly Block[], context: readonly Block[]): number[] {
  if (context.some((b) => b.kind === "heading")) return [];
  const heading = middle.findLastIndex((b) => b.kind === "heading");
  const shown = heading === -1 ? [] : [heading];
  if (context.some((b) => b.kind === "step-title" || b.kind === "step-owner")) return shown;
  const step = middle.findLastIndex((b) => b.kind === "step-title");
  if (step > heading) {
    shown.push(step);
    if (middle[step + 1]?.kind === "step-owner") shown.push(step + 1);
  }
  return shown;
}

function fold(blocks: readonly Block[]): RedlineEntry[] {
  if (blocks.length < MIN_FOLD) return blocks.map((block) => ({ op: "same", block }));
  return [{ op: "unchanged", blocks: [...blocks], summary: unchangedSummary(blocks) }];
}

const NOUNS: [string, string, readonly BlockKind[]][] = [
  ["paragraph", "paragraphs", ["paragraph", "description", "callout-title", "code", "rule"]],
  ["heading", "headings", ["heading"]],
  ["list item", "list items", ["item"]],
  ["table row", "table rows", ["row"]],
  ["step", "steps", ["step-title"]],
  ["term", "terms", ["term"]],
];

/** "12 unchanged paragraphs", or "9 unchanged paragraphs, 2 headings and 4 list items". Owners go with their steps. */
export function unchangedSummary(blocks: readonly Block[]): string {
  const parts = NOUNS.map(([one, many, kinds]) => {
    const n = blocks.filter((b) => kinds.includes(b.kind)).length;
    return n === 0 ? "" : `${n} ${n === 1 ? one : many}`;
  }).filter(Boolean);
  if (parts.length === 0) return `${blocks.length} unchanged lines`;
  const [first, ...rest] = parts;
  const head = (first ?? "").replace(" ", " unchanged ");
  if (rest.length === 0) return head;
  return `${[head, ...rest.slice(0, -1)].join(", ")} and ${rest.at(-1)}`;
}

// ---------------------------------------------------------------------------------------------
// Cache: a redline is worked out once per pair of versions, not on every view.

/** A bounded least-recently-used cache of redlines by version pair (app/cache.ts). */
export type RedlineCache = LRUCache<string, Redline>;

/** A private cache of `capacity` redlines (for tests and the benchmark; pages share the named one). */
export function redlineCache(capacity: number): RedlineCache {
  return new LRUCache<string, Redline>({ max: capacity });
}

/** Bump when the blocks or the comparison change, so no redline worked out the old way is served. */
const REDLINE_FORMAT = 1;
const redlines: RedlineCache = boundedCache<Redline>("redlines", 50);

export interface ComparedVersion {
  /** The content hash of the version's source: rendered HTML is a function of it (docs/decisions/002). */
  contentHash: string;
  html: string;
}

/** The redline of two rendered versions, from the cache when this pair was compared before. */
export function cachedRedline(before: ComparedVersion, after: ComparedVersion, cache: RedlineCache = redlines): Redline {
  const key = `${REDLINE_FORMAT}:${before.contentHash}:${after.contentHash}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const redline = compareDocuments(before.html, after.html);
  cache.set(key, redline);
  return redline;
}
