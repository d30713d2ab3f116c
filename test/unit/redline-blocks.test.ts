import { beforeAll, describe, expect, it } from "vitest";

import { createMdxRenderer } from "~/mdx-renderer.server";
import { sha256 } from "~/modules/content/render.server";
import { documentBlocks, type Block } from "~/modules/documents/redline-blocks";

/** Every Quire component and every Markdown block, rendered by the real renderer. */
const SOURCE = `## Purpose

Queries are closed within **30** days. See <DocRef id="SOP-DM-001" /> and [the form](/documents/FRM-TS-001).

### Detail

- first item
- second item
  - nested item

1. one
2. two

<Callout kind="warning" title="Mind the gap">

Callout body text.

</Callout>

<Callout kind="note">

Default titled note.

</Callout>

<Steps>
<Step title="Write the monitoring plan" owner="project-manager">

The manager writes it.

</Step>
<Step title="Send the letter">

Within 21 working days.

</Step>
</Steps>

<Responsibilities>
<Responsibility role="cra">

Monitors sites.

</Responsibility>
</Responsibilities>

<Definition term="Source data">

Original records.

</Definition>

<RecordsTable>
<Record name="Visit report" retention="25 years" location="eTMF">

Signed by the CRA.

</Record>
</RecordsTable>

| KRI | Threshold |
|---|---|
| Queries | More than 10 |

> A quoted line.

---

\`\`\`
code  line
\`\`\`
`;

let blocks: Block[];

beforeAll(async () => {
  const renderer = createMdxRenderer(
    null,
    new Map([
      ["project-manager", "Clinical Project Manager"],
      ["cra", "Clinical Research Associate"],
    ]),
  );
  const { html } = await renderer.render(sha256(SOURCE), async () => SOURCE);
  blocks = documentBlocks(html);
}, 60_000);

const shown = (b: Block) => [b.kind, b.text, b.depth, b.level ?? b.ordinal ?? null];

describe("splitting a rendered document into blocks", () => {
  it("reads headings with their level and paragraphs as text, links and document references included", () => {
    expect(blocks.slice(0, 3).map(shown)).toEqual([
      ["heading", "Purpose", 0, 2],
      ["paragraph", "Queries are closed within 30 days. See SOP-DM-001 and the form.", 0, null],
      ["heading", "Detail", 0, 3],
    ]);
  });

  it("reads list items as items, nested ones deeper, numbered ones with their number", () => {
    expect(blocks.filter((b) => b.kind === "item").map((b) => [b.text, b.depth, b.ordered ?? false, b.ordinal ?? null])).toEqual([
      ["first item", 0, false, null],
      ["second item", 0, false, null],
      ["nested item", 1, false, null],
      ["one", 0, true, 1],
      ["two", 0, true, 2],
    ]);
  });

  it("reads a callout's title apart from its body, the default title included", () => {
    const at = blocks.findIndex((b) => b.kind === "callout-title");
    expect(blocks.slice(at, at + 4).map(shown)).toEqual([
      ["callout-title", "Mind the gap", 0, null],
      ["paragraph", "Callout body text.", 1, null],
      ["callout-title", "Note", 0, null],
      ["paragraph", "Default titled note.", 1, null],
    ]);
  });

  it("reads a step's title and its owner as separate blocks, the owner by job function name", () => {
    const at = blocks.findIndex((b) => b.kind === "step-title");
    expect(blocks.slice(at, at + 5).map(shown)).toEqual([
      ["step-title", "Write the monitoring plan", 0, 1],
      ["step-owner", "Clinical Project Manager", 0, null],
      ["paragraph", "The manager writes it.", 1, null],
      ["step-title", "Send the letter", 0, 2],
      ["paragraph", "Within 21 working days.", 1, null],
    ]);
  });

  it("reads responsibilities and definitions as terms and descriptions", () => {
    expect(blocks.filter((b) => b.kind === "term" || b.kind === "description").map(shown)).toEqual([
      ["term", "Clinical Research Associate", 0, null],
      ["description", "Monitors sites.", 0, null],
      ["term", "Source data", 0, null],
      ["description", "Original records.", 0, null],
    ]);
  });

  it("reads table rows (records tables and Markdown tables) as rows of cells", () => {
    expect(blocks.filter((b) => b.kind === "row").map((b) => [b.cells, b.header])).toEqual([
      [["Record", "Retention", "Location", "Notes"], true],
      [["Visit report", "25 years", "eTMF", "Signed by the CRA."], false],
      [["KRI", "Threshold"], true],
      [["Queries", "More than 10"], false],
    ]);
  });

  it("reads quotes, rules and code, and never shows Markdown or HTML syntax", () => {
    expect(blocks.slice(-3).map(shown)).toEqual([
      ["paragraph", "A quoted line.", 1, null],
      ["rule", "—", 0, null],
      ["code", "code  line", 0, null],
    ]);
    for (const b of blocks) expect(b.text).not.toMatch(/<|>|\*\*|^#|\]\(/);
  });

  it("reads text loose in a component and images as paragraphs", () => {
    expect(
      documentBlocks('<aside class="callout"><p class="callout-title">Note</p>Loose text <img src="/x.png" alt="Flow chart"/></aside>').map(shown),
    ).toEqual([
      ["callout-title", "Note", 0, null],
      ["paragraph", "Loose text [Image: Flow chart]", 1, null],
    ]);
  });
});
