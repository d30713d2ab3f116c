import { describe, expect, it, vi } from "vitest";

import { MdxRenderer, sha256 } from "~/modules/content/render.server";

const SOURCE = `---
id: SOP-AA-001
title: Rendering
type: sop
owner: cra
audience: [cra]
training: required
reviewIntervalMonths: 12
---

## Purpose & scope

Text with **bold**.

<Callout kind="warning">

Careful.

</Callout>

<Responsibilities>
<Responsibility role="cra">

Monitors.

</Responsibility>
</Responsibilities>

| A | B |
|---|---|
| 1 | 2 |

### Detail

See <DocRef id="SOP-BB-002" />.
`;

describe("MdxRenderer", () => {
  it("renders Quire's components, GFM tables and heading anchors to HTML", async () => {
    const renderer = new MdxRenderer(null, new Map([["cra", "Clinical Research Associate"]]));
    const { html, headings } = await renderer.render(sha256(SOURCE), async () => SOURCE);
    expect(html).toContain('<h2 id="purpose--scope">Purpose &amp; scope</h2>');
    expect(html).toContain('<aside class="callout callout-warning" role="note"><p class="callout-title">Warning</p>');
    expect(html).toContain("<dt>Clinical Research Associate</dt>");
    expect(html).toContain("<table><thead><tr><th>A</th><th>B</th></tr></thead>");
    expect(html).toContain('<a class="docref" href="/documents/SOP-BB-002">SOP-BB-002</a>');
    expect(html).not.toContain("reviewIntervalMonths"); // frontmatter is not rendered
    expect(headings).toEqual([
      { depth: 2, id: "purpose--scope", text: "Purpose & scope" },
      { depth: 3, id: "detail", text: "Detail" },
    ]);
  });

  it("compiles once per content hash: a warm render reads no source and compiles nothing", async () => {
    const renderer = new MdxRenderer(null, new Map());
    const load = vi.fn(async () => SOURCE);
    const hash = sha256(SOURCE);
    const [a, b] = await Promise.all([renderer.render(hash, load), renderer.render(hash, load)]);
    const c = await renderer.render(hash, load);
    expect(load).toHaveBeenCalledTimes(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });
});

describe("rendering links", () => {
  it("never renders a javascript: link, even from source that skipped the validator", async () => {
    const renderer = new MdxRenderer(null, new Map());
    const source = "---\nid: SOP-AA-001\n---\n\n[safe](https://ich.org) and [unsafe](javascript:alert(1))\n";
    const { html } = await renderer.preview(source);
    expect(html).toContain('href="https://ich.org"');
    expect(html).not.toContain("javascript:");
  });
});
