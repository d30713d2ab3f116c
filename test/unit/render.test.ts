import path from "node:path";

import { bundleMDX } from "mdx-bundler";
import { describe, expect, it, vi } from "vitest";

import { Database } from "~/db/db.server";
import { migrate } from "~/db/migrate.server";
import { createMdxRenderer } from "~/mdx-renderer.server";
import { COMPILER_ID, sha256 } from "~/modules/content/render.server";

import { tempDir } from "../helpers/data-folder";

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
    const renderer = createMdxRenderer(null, new Map([["cra", "Clinical Research Associate"]]));
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
    const renderer = createMdxRenderer(null, new Map());
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
  const source = "---\nid: SOP-AA-001\n---\n\n[safe](https://ich.org) and [unsafe](javascript:alert(1))\n";

  it("refuses a javascript: link before compiling (issue 9: the renderer validates every body)", async () => {
    const renderer = createMdxRenderer(null, new Map());
    await expect(renderer.preview(source)).rejects.toMatchObject({ name: "UnsafeContentError", problems: [{ line: 5, column: 29, rule: "unsafe-link" }] });
  });

  it("never renders a javascript: link, even from code that reached the cache without the validator", async () => {
    // The link component's own guard, behind the validator: trusted cached code is still rendered safely.
    const db = await Database.open(path.join(tempDir(), "quire.db"));
    try {
      await migrate(db);
      const { code } = await bundleMDX({ source });
      await db.transaction((tx) =>
        tx.run("INSERT INTO mdx_cache (content_hash, compiler, code, compiled_at) VALUES (?, ?, ?, ?)", [
          sha256(source),
          COMPILER_ID,
          code,
          "2026-01-01T00:00:00.000Z",
        ]),
      );
      const { html } = await createMdxRenderer(db, new Map()).render(sha256(source), async () => source);
      expect(html).toContain('href="https://ich.org"');
      expect(html).toContain(">unsafe</a>");
      expect(html).not.toContain("javascript:");
    } finally {
      await db.close();
    }
  });
});
