import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { RedlineView } from "~/components/redline";
import {
  redlineCache,
  cachedRedline,
  compareBlocks,
  compareDocuments,
  unchangedSummary,
  type Block,
  type Redline,
  type RedlineEntry,
} from "~/modules/documents/redline";
import { compareSentences, splitSentences } from "~/modules/documents/redline-sentences";

const p = (text: string): Block => ({ kind: "paragraph", text, depth: 0 });
const h = (text: string, level = 2): Block => ({ kind: "heading", text, depth: 0, level });
const paragraphs = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => p(`${prefix} paragraph number ${i + 1} stays as it was.`));

/** The entries as short strings: "= text", "+ text", "- text", "~ segments", "[summary]". */
function outline(entries: readonly RedlineEntry[]): string[] {
  return entries.map((e) => {
    switch (e.op) {
      case "same":
        return `= ${e.block.text}`;
      case "added":
        return `+ ${e.block.text}`;
      case "removed":
        return `- ${e.block.text}`;
      case "changed":
        return `~ ${e.segments.map((s) => (s.kind === "same" ? s.text : s.kind === "added" ? `{+${s.text}}` : `{-${s.text}}`)).join("")}`;
      case "unchanged":
        return `[${e.summary}]`;
    }
  });
}

describe("aligning blocks", () => {
  it("keeps matching blocks, and shows an inserted and a removed block whole", () => {
    const before = [h("Purpose"), p("Alpha stays."), p("Beta goes away entirely."), p("Gamma stays.")];
    const after = [h("Purpose"), p("Alpha stays."), p("Gamma stays."), p("Delta is completely new text here.")];
    const r = compareBlocks(before, after, { context: 10 });
    expect(outline(r.entries)).toEqual(["= Purpose", "= Alpha stays.", "- Beta goes away entirely.", "= Gamma stays.", "+ Delta is completely new text here."]);
    expect(r.stats).toEqual({ addedWords: 6, removedWords: 4, places: 2 });
    expect(r.replaced).toBe(false);
  });

  it("pairs an edited block with the old one even when a new block is inserted before it", () => {
    const before = [p("The CRA files the report within ten days. The manager signs it.")];
    const after = [
      p("A completely unrelated new paragraph appears here first."),
      p("The CRA files the report within ten days. The manager approves and signs it."),
    ];
    expect(outline(compareBlocks(before, after).entries)).toEqual([
      "+ A completely unrelated new paragraph appears here first.",
      "~ The CRA files the report within ten days. The manager {+approves and} signs it.",
    ]);
  });

  it("never pairs blocks of different kinds or heading levels", () => {
    const r = compareBlocks([h("Records", 2)], [h("Records", 3)]);
    expect(outline(r.entries)).toEqual(["- Records", "+ Records"]);
  });
});

describe("comparing a changed block by sentence", () => {
  it("shows a rewritten sentence as one whole deletion followed by one whole insertion, never interleaved words", () => {
    const segments = compareSentences(
      "Visits are planned every four weeks. Reports are written within ten days. The CRA files them.",
      "Visits are planned every four weeks. Each report is finalised and sent to the sponsor before the next visit. The CRA files them.",
    );
    expect(segments).toEqual([
      { kind: "same", text: "Visits are planned every four weeks. " },
      { kind: "removed", text: "Reports are written within ten days." },
      { kind: "same", text: " " },
      { kind: "added", text: "Each report is finalised and sent to the sponsor before the next visit." },
      { kind: "same", text: " The CRA files them." },
    ]);
  });

  it("marks the words of a sentence where only one or two words changed", () => {
    // Issue 13's example, as the old word-level redline marked it: 30 removed, "15 working" inserted.
    const r = compareDocuments(
      '<h2 id="a">Purpose</h2>\n<p>Queries are closed within <strong>30</strong> days.</p><table><tr><td>A</td><td>B</td></tr></table>',
      '<h2 id="a">Purpose</h2>\n<p>Queries are closed within 15 working days.</p><table><tr><td>A</td><td>B</td></tr></table>',
    );
    expect(outline(r.entries)).toEqual(["= Purpose", "~ Queries are closed within {-30}{+15 working} days.", "= A | B"]);
    expect(r.stats).toEqual({ addedWords: 2, removedWords: 1, places: 1 });
  });

  it("shows three or more changed words in a sentence as the whole sentence replaced", () => {
    expect(compareSentences("Queries are closed within 30 calendar days.", "Queries are closed within 15 working days each.")).toEqual([
      { kind: "removed", text: "Queries are closed within 30 calendar days." },
      { kind: "same", text: " " },
      { kind: "added", text: "Queries are closed within 15 working days each." },
    ]);
  });

  it("compares table rows cell by cell", () => {
    const row = (cells: string[]): Block => ({ kind: "row", text: cells.join(" | "), cells, depth: 0, header: false });
    const r = compareBlocks([row(["Monitoring plan", "25 years", "eTMF"])], [row(["Monitoring plan", "15 years", "eTMF"])]);
    const entry = r.entries[0];
    expect(entry?.op).toBe("changed");
    expect(entry?.op === "changed" ? entry.cells : null).toEqual([
      [{ kind: "same", text: "Monitoring plan" }],
      [
        { kind: "removed", text: "25 years" },
        { kind: "same", text: " " },
        { kind: "added", text: "15 years" },
      ],
      [{ kind: "same", text: "eTMF" }],
    ]);
  });

  it("splits sentences after full stops, not after abbreviations", () => {
    expect(splitSentences("Use the log, e.g. the CTMS one. Then sign! Done? Yes.")).toEqual(["Use the log, e.g. the CTMS one.", "Then sign!", "Done?", "Yes."]);
  });
});

describe("folding unchanged stretches", () => {
  it("folds long unchanged stretches with a count, keeping a block of context and the heading of the change", () => {
    const before = [
      h("Scope"),
      ...paragraphs(6, "Early"),
      h("Procedure"),
      ...paragraphs(5, "Late"),
      p("Old wording of the last paragraph that we will replace."),
      ...paragraphs(4, "Tail"),
    ];
    const after = before.map((b) => (b.text.startsWith("Old wording") ? p("New wording, entirely different from before.") : b));
    const r = compareBlocks(before, after);
    expect(outline(r.entries)).toEqual([
      "[6 unchanged paragraphs and 1 heading]",
      "= Procedure",
      "[4 unchanged paragraphs]",
      "= Late paragraph number 5 stays as it was.",
      "- Old wording of the last paragraph that we will replace.",
      "+ New wording, entirely different from before.",
      "= Tail paragraph number 1 stays as it was.",
      "[3 unchanged paragraphs]",
    ]);
    // Nothing is lost: every block of the new version is shown or folded, in order.
    const reachable = r.entries.flatMap((e) => (e.op === "unchanged" ? e.blocks : e.op === "removed" ? [] : [e.block]));
    expect(reachable).toEqual(after);
  });

  it("keeps the step a change sits in visible with its owner, and no second heading when the context is one", () => {
    const step = (text: string, ordinal: number): Block => ({ kind: "step-title", text, depth: 0, ordinal });
    const owner: Block = { kind: "step-owner", text: "Clinical Research Associate", depth: 0 };
    const body = (text: string): Block => ({ ...p(text), depth: 1 });
    const before = [
      h("Procedure"),
      step("Prepare", 1),
      owner,
      body("Prepare body one."),
      body("Prepare body two."),
      step("Report", 2),
      owner,
      body("Report body one."),
      body("Report body two."),
      body("Old report wording to replace."),
    ];
    const after = before.map((b) => (b.text.startsWith("Old report") ? body("Entirely new closing sentence.") : b));
    expect(outline(compareBlocks(before, after).entries)).toEqual([
      "= Procedure",
      "[2 unchanged paragraphs and 1 step]",
      "= Report",
      "= Clinical Research Associate",
      "= Report body one.",
      "= Report body two.",
      "- Old report wording to replace.",
      "+ Entirely new closing sentence.",
    ]);
    const sections = [h("First"), ...paragraphs(4, "A"), h("Next"), p("Old x y z.")];
    expect(outline(compareBlocks(sections, [...sections.slice(0, -1), p("Quite other words.")]).entries)).toEqual([
      "[4 unchanged paragraphs and 1 heading]",
      "= Next",
      "- Old x y z.",
      "+ Quite other words.",
    ]);
  });

  it("leaves short stretches unfolded and folds the whole of an unchanged document", () => {
    const few = [p("One stays here."), p("Two stays here."), p("Three is old.")];
    expect(outline(compareBlocks(few, [...few.slice(0, 2), p("A wholly different closing line.")]).entries)).toEqual([
      "= One stays here.",
      "= Two stays here.",
      "- Three is old.",
      "+ A wholly different closing line.",
    ]);
    const same = compareBlocks(paragraphs(5, "Same"), paragraphs(5, "Same"));
    expect(outline(same.entries)).toEqual(["[5 unchanged paragraphs]"]);
    expect(same.stats).toEqual({ addedWords: 0, removedWords: 0, places: 0 });
  });

  it("names what a fold holds", () => {
    const step: Block = { kind: "step-title", text: "Prepare", depth: 0, ordinal: 1 };
    const owner: Block = { kind: "step-owner", text: "Clinical Research Associate", depth: 0 };
    const item: Block = { kind: "item", text: "a", depth: 0 };
    expect(unchangedSummary([p("a"), p("b")])).toBe("2 unchanged paragraphs");
    expect(unchangedSummary([h("a"), p("b"), item, item, step, owner])).toBe("1 unchanged paragraph, 1 heading, 2 list items and 1 step");
  });

  it("renders folds as <details> (no JavaScript needed) holding the full text, headings as headings", () => {
    const before = [h("Scope"), ...paragraphs(6, "Early"), p("Old last sentence here.")];
    const after = [h("Scope"), ...paragraphs(6, "Early"), p("Completely different closing words.")];
    const html = renderToStaticMarkup(createElement(RedlineView, { redline: compareBlocks(before, after) })).replace(/<!-- -->/g, "");
    // The heading of the change stays out of the fold; the fold holds the five paragraphs before the context.
    expect(html).toContain(
      '<h2 class="redline-heading redline-depth-0">Scope</h2><details class="redline-unchanged"><summary>5 unchanged paragraphs</summary>',
    );
    const fold = /<details[\s\S]*?<\/details>/.exec(html)?.[0] ?? "";
    for (const b of after.slice(1, 6)) expect(fold).toContain(b.text);
    expect(html).toContain("<del>Old last sentence here.</del>");
    expect(html).toContain("<ins>Completely different closing words.</ins>");
  });
});

describe("the guard against pathological input", () => {
  it("falls back to removing and inserting the differing stretch whole when alignment would cost too much", () => {
    // 300 blocks replaced by 300 others: an edit length of 600, beyond what a budget of 1 allows (the floor of 100).
    const before = [p("Kept at the start."), ...paragraphs(300, "Old"), p("Kept at the end.")];
    const after = [p("Kept at the start."), ...paragraphs(300, "New"), p("Kept at the end.")];
    const aligned = compareBlocks(before, after, { context: 100 });
    expect(aligned.replaced).toBe(false);
    const guarded = compareBlocks(before, after, { alignBudget: 1, context: 100 });
    expect(guarded.replaced).toBe(true);
    expect(outline(guarded.entries)).toEqual([
      "= Kept at the start.",
      ...before.slice(1, 301).map((b) => `- ${b.text}`),
      ...after.slice(1, 301).map((b) => `+ ${b.text}`),
      "= Kept at the end.",
    ]);
    // The reader is told.
    expect(renderToStaticMarkup(createElement(RedlineView, { redline: guarded }))).toContain("differ too much to compare paragraph by paragraph");
  });

  it("stays near-linear: a 20,000-block document with one change compares in well under a second", () => {
    const before = paragraphs(20_000, "Long");
    const after = before.map((b, i) => (i === 10_000 ? p("One paragraph rewritten in the middle of it all.") : b));
    const started = performance.now();
    const r = compareBlocks(before, after);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(r.stats.places).toBe(1);
  });
});

describe("the redline cache", () => {
  const html = (text: string) => `<p>${text}</p>`;

  it("works a pair of versions out once, keyed by their content hashes", () => {
    const cache = redlineCache(50);
    const first = cachedRedline({ contentHash: "a", html: html("One.") }, { contentHash: "b", html: html("Two.") }, cache);
    const again = cachedRedline({ contentHash: "a", html: html("ignored") }, { contentHash: "b", html: html("ignored") }, cache);
    expect(again).toBe(first);
    const reversed = cachedRedline({ contentHash: "b", html: html("Two.") }, { contentHash: "a", html: html("One.") }, cache);
    expect(reversed).not.toBe(first);
    expect(cache.size).toBe(2);
  });

  it("keeps at most its capacity, evicting the least recently used pair", () => {
    const cache = redlineCache(3);
    const compare = (n: number): Redline =>
      cachedRedline({ contentHash: `x${n}`, html: html("Same.") }, { contentHash: `y${n}`, html: html(`Version ${n}.`) }, cache);
    const one = compare(1);
    compare(2);
    compare(3);
    expect(compare(1)).toBe(one); // 1 is now the most recently used
    compare(4); // evicts 2, the least recently used
    expect(cache.size).toBe(3);
    expect(compare(1)).toBe(one);
    expect(cache.has("1:x2:y2")).toBe(false);
    expect(cache.has("1:x3:y3")).toBe(true);
  });
});
