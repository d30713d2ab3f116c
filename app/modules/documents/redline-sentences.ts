// Inside a changed block: which sentences stayed, which were deleted and which inserted. A changed
// sentence reads as the whole old sentence struck through followed by the whole new one, never
// words of the two interleaved; only a sentence where one or two words changed shows the changed
// words in place, which is how a reviewer would mark it by hand.
import { diffArrays, diffWords } from "diff";

export interface Segment {
  kind: "same" | "added" | "removed";
  text: string;
}

/** At most this many words removed and this many inserted for a sentence to be marked word by word. */
const SMALL_EDIT_WORDS = 2;
/** ...and at least this many words of it unchanged, so the marks sit in a readable sentence. */
const SMALL_EDIT_CONTEXT = 3;
/**
 * Work allowed for aligning one block's sentences (old + new sentence count times edit length):
 * a pathological block (thousands of rewritten sentences) is shown as one deletion and one insertion.
 */
const SENTENCE_BUDGET = 200_000;
/** Sentences longer than this (characters) are never compared word by word. */
const WORD_COMPARE_MAX = 1_000;

/** Abbreviations whose full stop does not end a sentence. */
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|cf|approx|incl|vs|Dr|Mr|Mrs|Ms)\.$/i;

/** A block's text as sentences: split after `.`, `!` or `?` (and any closing quote or bracket) before a space. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  const end = /[.!?]["'’”)\]]*\s+/g;
  let from = 0;
  for (const m of text.matchAll(end)) {
    const stop = (m.index ?? 0) + m[0].trimEnd().length;
    if (ABBREVIATION.test(text.slice(from, stop))) continue;
    sentences.push(text.slice(from, stop));
    from = (m.index ?? 0) + m[0].length;
  }
  const rest = text.slice(from).trim();
  if (rest !== "") sentences.push(rest);
  return sentences;
}

/**
 * Two versions of a block's text as segments: unchanged sentences, then each run of changed
 * sentences as one deletion followed by one insertion. Sentences are aligned with jsdiff's
 * `diffArrays` (Myers), linear when the texts mostly match; a block is one paragraph, so its
 * sentence count is small.
 */
export function compareSentences(before: string, after: string): Segment[] {
  const segments: Segment[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flushChange = () => {
    if (removed.length === 0 && added.length === 0) return;
    if (segments.length > 0) appendSame(segments, " ");
    for (const s of changedRun(removed, added)) {
      if (s.kind === "same") appendSame(segments, s.text);
      else segments.push(s);
    }
    removed = [];
    added = [];
  };
  const a = splitSentences(before);
  const b = splitSentences(after);
  const changes = diffArrays(a, b, { maxEditLength: Math.max(50, Math.floor(SENTENCE_BUDGET / Math.max(1, a.length + b.length))) });
  if (!changes) return changedRun([before], [after]);
  for (const change of changes) {
    if (change.removed) removed.push(...change.value);
    else if (change.added) added.push(...change.value);
    else {
      flushChange();
      push(segments, "same", change.value.join(" "));
    }
  }
  flushChange();
  return segments;
}

/** Deleted sentences, then inserted ones; or the changed words in place for a one- or two-word edit. */
function changedRun(removed: readonly string[], added: readonly string[]): Segment[] {
  if (removed.length === 1 && added.length === 1) {
    const small = smallEdit(removed[0] ?? "", added[0] ?? "");
    if (small) return small;
  }
  const out: Segment[] = [];
  if (removed.length > 0) push(out, "removed", removed.join(" "));
  if (added.length > 0) push(out, "added", added.join(" "));
  return out;
}

/** Word-level marks for a sentence where at most two words were removed and two inserted; null otherwise. */
function smallEdit(before: string, after: string): Segment[] | null {
  if (before.length > WORD_COMPARE_MAX || after.length > WORD_COMPARE_MAX) return null;
  // maxEditLength keeps this linear: a sentence with more changes gives up at once.
  const changes = diffWords(before, after, { maxEditLength: SMALL_EDIT_WORDS * 4 });
  if (!changes) return null;
  const words = (kind: "added" | "removed" | "same") =>
    changes.filter((c) => (kind === "same" ? !c.added && !c.removed : c[kind])).reduce((n, c) => n + countWords(c.value), 0);
  if (words("removed") > SMALL_EDIT_WORDS || words("added") > SMALL_EDIT_WORDS || words("same") < SMALL_EDIT_CONTEXT) return null;
  const out: Segment[] = [];
  for (const c of changes) {
    const kind = c.added ? "added" : c.removed ? "removed" : "same";
    // Whitespace around a changed word belongs to the unchanged text, so the marks cover words only.
    const lead = /^\s*/.exec(c.value)?.[0] ?? "";
    const trail = kind === "same" ? "" : (/\s*$/.exec(c.value)?.[0] ?? "");
    const core = c.value.slice(lead.length, c.value.length - trail.length);
    if (kind !== "same" && lead) appendSame(out, lead);
    if (kind === "same") appendSame(out, c.value);
    else if (core) out.push({ kind, text: core });
    if (trail) appendSame(out, trail);
  }
  return out;
}

function appendSame(out: Segment[], text: string): void {
  const last = out.at(-1);
  if (last?.kind === "same") last.text += text;
  else out.push({ kind: "same", text });
}

/** Adds a sentence-level segment, with a space between it and the text before it. */
function push(out: Segment[], kind: Segment["kind"], text: string): void {
  if (out.length > 0) appendSame(out, " ");
  if (kind === "same") appendSame(out, text);
  else out.push({ kind, text });
}

export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}
