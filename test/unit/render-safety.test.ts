import fs from "node:fs";
import path from "node:path";

import { bundleMDX } from "mdx-bundler";
import { getMDXComponent } from "mdx-bundler/client/index.js";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";

import { Database } from "~/db/db.server";
import { migrate } from "~/db/migrate.server";
import { createMdxRenderer } from "~/mdx-renderer.server";
import { readContentFolder } from "~/modules/content/folder.server";
import { POLICY_VERSION, checkMdxSafety } from "~/modules/content/mdx-policy";
import { COMPILER_ID, UnsafeContentError, compileEnforcingPolicy, contentRefusedResponse, sha256 } from "~/modules/content/render.server";

import { FIXTURE_CONTENT, PROJECT_CONTENT, tempDir } from "../helpers/data-folder";

// Issue 9: "Nothing executes that was not validated." The renderer checks every body itself.

const FRONTMATTER = "---\nid: SOP-AA-001\ntitle: Forged\n---\n\n";

/** The expression from the incident, writing to a file the test owns instead of /tmp/pwned. */
function payloadWriting(target: string): string {
  return `{globalThis.process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(target)},'x')}`;
}

function target(): string {
  return path.join(tempDir("quire-pwned-"), "pwned");
}

/** What the renderer refused, or a failure if it did not refuse. */
async function refusal(work: Promise<unknown>): Promise<UnsafeContentError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnsafeContentError);
  return error as UnsafeContentError;
}

let db: Database | null = null;
afterEach(async () => {
  await db?.close();
  db = null;
});

async function cacheDatabase(): Promise<Database> {
  db = await Database.open(path.join(tempDir(), "quire.db"));
  await migrate(db);
  return db;
}

/** A row as an older Quire would have written it to mdx_cache. */
async function cacheRow(database: Database, hash: string, compiler: string, code: string): Promise<void> {
  await database.transaction((tx) =>
    tx.run("INSERT INTO mdx_cache (content_hash, compiler, code, compiled_at) VALUES (?, ?, ?, ?)", [hash, compiler, code, "2026-01-01T00:00:00.000Z"]),
  );
}

/** Compiles and runs MDX the way the renderer did before issue 9: no policy, defaults of mdx-bundler. */
async function compileAndRunUnchecked(source: string): Promise<string> {
  const { code } = await bundleMDX({ source });
  renderToStaticMarkup(createElement(getMDXComponent(code)));
  return code;
}

describe("the incident's payload", () => {
  it("really runs code when MDX is compiled and run without the policy (so the tests below can fail)", async () => {
    const file = target();
    const code = await compileAndRunUnchecked(`${FRONTMATTER}# Title\n\n${payloadWriting(file)}\n`);
    expect(code).toContain("writeFileSync");
    expect(fs.existsSync(file)).toBe(true);
  });

  it("is refused by render(): nothing compiled, nothing run, nothing cached", async () => {
    const file = target();
    const source = `${FRONTMATTER}# Title\n\nText ${payloadWriting(file)}\n`;
    const database = await cacheDatabase();
    const renderer = createMdxRenderer(database, new Map());
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const error = await refusal(renderer.render(sha256(source), async () => source));
    expect(error.problems).toEqual([
      {
        path: `sha256:${sha256(source).slice(0, 12)}`,
        line: 8,
        column: 6,
        rule: "no-expression",
        message: "JavaScript expressions `{...}` are not allowed; write plain text",
      },
    ]);
    expect(fs.existsSync(file)).toBe(false);
    expect(await database.all("SELECT content_hash FROM mdx_cache")).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("refused to render content"));
    // A refusal is not remembered as a result: asked again, the renderer checks again and refuses again.
    await refusal(renderer.render(sha256(source), async () => source));
  });

  it("is refused by preview()", async () => {
    const file = target();
    const error = await refusal(createMdxRenderer(null, new Map()).preview(`${FRONTMATTER}${payloadWriting(file)}\n`));
    expect(error.problems.map((p) => `${p.path}:${p.line}:${p.column} ${p.rule}`)).toEqual(["preview:6:1 no-expression"]);
    expect(error.message).toContain("preview:6:1: JavaScript expressions");
    expect(fs.existsSync(file)).toBe(false);
  });

  it("is refused exactly as written in the incident report", async () => {
    const source = `${FRONTMATTER}{globalThis.process.getBuiltinModule('fs').writeFileSync('/tmp/pwned','x')}\n`;
    const renderer = createMdxRenderer(null, new Map());
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await refusal(renderer.preview(source));
    await refusal(renderer.render(sha256(source), async () => source));
  });

  it("is refused in an attribute, a spread or an export too", async () => {
    const file = target();
    const renderer = createMdxRenderer(null, new Map());
    const rules = async (body: string) => (await refusal(renderer.preview(`${FRONTMATTER}${body}\n`))).problems.map((p) => p.rule);
    expect(await rules(`<Callout kind="note" title={${payloadWriting(file).slice(1, -1)}}>\n\nx\n\n</Callout>`)).toEqual(["no-expression"]);
    expect(await rules(`<Callout kind="note" {...{a: ${payloadWriting(file).slice(1, -1)}}}>\n\nx\n\n</Callout>`)).toEqual(["no-expression"]);
    expect(await rules(`export const x = ${payloadWriting(file).slice(1, -1)}`)).toEqual(["no-import-export"]);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe("frontmatter mdx-bundler would run as code", () => {
  const jsFrontmatter = (file: string) => `---js\nglobalThis.process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(file)},'x')\n---\n\nBody\n`;

  it("really runs code in mdx-bundler's frontmatter reader (gray-matter) when nothing stops it", async () => {
    const file = target();
    await bundleMDX({ source: jsFrontmatter(file) });
    expect(fs.existsSync(file)).toBe(true);
  });

  it("is refused by the renderer's check", async () => {
    const file = target();
    const error = await refusal(createMdxRenderer(null, new Map()).preview(jsFrontmatter(file)));
    expect(error.problems.map((p) => [p.line, p.column, p.rule])).toEqual([[1, 1, "frontmatter"]]);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("is not evaluated by the compile itself either (gray-matter gets no parsers)", async () => {
    // The source-level check is bypassed here: this is the second guard, inside the compile.
    const file = target();
    await compileEnforcingPolicy(jsFrontmatter(file), "forged.mdx");
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe("the compile enforces the policy on its own parse tree", () => {
  it("refuses an expression even when called without the source check", async () => {
    const file = target();
    const error = await refusal(compileEnforcingPolicy(`${FRONTMATTER}${payloadWriting(file)}\n`, "forged.mdx"));
    expect(error.problems.map((p) => `${p.path}:${p.line}:${p.column} ${p.rule}`)).toEqual(["forged.mdx:6:1 no-expression"]);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("still lets frontmatter through (it is read as data, not as an export)", async () => {
    const code = await compileEnforcingPolicy(`${FRONTMATTER}Plain text.\n`, "ok.mdx");
    expect(code).toContain("Plain text.");
  });
});

describe("the compiled-code cache and the policy version", () => {
  it("names the policy version in the compiler id the cache is keyed by", () => {
    expect(COMPILER_ID).toContain(`policy:${POLICY_VERSION}`);
  });

  it("does not serve code cached under an older policy; the source is checked again and refused", async () => {
    const file = target();
    // Content an older, looser validator let through (here: any code), compiled and cached then.
    const source = `${FRONTMATTER}# Title\n\n${payloadWriting(file)}\n`;
    const { code } = await bundleMDX({ source });
    const database = await cacheDatabase();
    const hash = sha256(source);
    for (const olderId of ["mdx-bundler@10.1.1+gfm+slug:1", `mdx-bundler@10.1.1+gfm+slug:1+policy:${POLICY_VERSION - 1}`]) {
      await cacheRow(database, hash, olderId, code);
    }
    const load = vi.fn(async () => source);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await refusal(createMdxRenderer(database, new Map()).render(hash, load));
    expect(load).toHaveBeenCalledTimes(1);
    expect(fs.existsSync(file)).toBe(false);
    const rows = await database.all<{ compiler: string }>("SELECT compiler FROM mdx_cache WHERE content_hash = ?", [hash]);
    expect(rows.map((r) => r.compiler)).not.toContain(COMPILER_ID);
  });

  it("refuses, on a fresh check, cached content the tightened policy now refuses", async () => {
    // `constructor` passed policy 1 as an attribute name (it was found on Object.prototype).
    const source = `${FRONTMATTER}<Definition term="t" constructor="x">\n\nMeaning.\n\n</Definition>\n`;
    const database = await cacheDatabase();
    const hash = sha256(source);
    const { code } = await bundleMDX({ source });
    await cacheRow(database, hash, "mdx-bundler@10.1.1+gfm+slug:1", code);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const error = await refusal(createMdxRenderer(database, new Map()).render(hash, async () => source));
    expect(error.problems.map((p) => [p.line, p.rule])).toEqual([[6, "component-attribute"]]);
  });

  it("serves valid content from the cache under the current policy without reading the source again", async () => {
    const source = `${FRONTMATTER}## Scope\n\nPlain **text**.\n`;
    const database = await cacheDatabase();
    const hash = sha256(source);
    const first = await createMdxRenderer(database, new Map()).render(hash, async () => source);
    expect(first.html).toContain("<strong>text</strong>");
    const rows = await database.all<{ compiler: string }>("SELECT compiler FROM mdx_cache WHERE content_hash = ?", [hash]);
    expect(rows).toEqual([{ compiler: COMPILER_ID }]);
    const load = vi.fn(async () => source);
    const again = await createMdxRenderer(database, new Map()).render(hash, load);
    expect(load).not.toHaveBeenCalled();
    expect(again.html).toBe(first.html);
  });
});

describe("what else the renderer refuses", () => {
  const renderer = createMdxRenderer(null, new Map());
  const rulesOf = async (body: string) => (await refusal(renderer.preview(`${FRONTMATTER}${body}\n`))).problems.map((p) => p.rule);

  it("refuses imports and exports", async () => {
    expect(await rulesOf(`import fs from "node:fs"\n\nText`)).toEqual(["no-import-export"]);
    expect(await rulesOf(`export const meta = 1\n\nText`)).toEqual(["no-import-export"]);
  });

  it("refuses javascript: links, written plainly or disguised", async () => {
    expect(await rulesOf("[click](javascript:alert(1))")).toEqual(["unsafe-link"]);
    expect(await rulesOf("[click](java&#115;cript:alert(1))")).toEqual(["unsafe-link"]);
    expect(await rulesOf("[click][x]\n\n[x]: javascript:alert(1)")).toEqual(["unsafe-link"]);
  });

  it("refuses HTML elements, unknown components and Object.prototype names", async () => {
    expect(await rulesOf('<img src="x" />')).toEqual(["unknown-component"]);
    expect(await rulesOf('<script>{"x"}</script>')).toEqual(["unknown-component", "no-expression"]);
    expect(await rulesOf("<constructor />")).toEqual(["unknown-component"]);
    expect(await rulesOf('<Callout kind="note" toString="x">\n\nx\n\n</Callout>')).toEqual(["component-attribute"]);
    expect(await rulesOf('<Callout kind="note" dangerouslySetInnerHTML="x">\n\nx\n\n</Callout>')).toEqual(["component-attribute"]);
  });

  it("checks safety only: unknown job functions and documents are for the content check, not the renderer", async () => {
    const { html } = await renderer.preview(`${FRONTMATTER}See <DocRef id="SOP-ZZ-999" /> and [it](/documents/SOP-ZZ-998).\n`);
    expect(html).toContain('href="/documents/SOP-ZZ-999"');
    expect(html).toContain('href="/documents/SOP-ZZ-998"');
  });

  it("lets every sample and fixture document through (a policy bump must not refuse approved content)", () => {
    for (const folder of [PROJECT_CONTENT, FIXTURE_CONTENT]) {
      const { documents } = readContentFolder(folder);
      expect(documents.length).toBeGreaterThan(0);
      for (const d of documents) expect(checkMdxSafety(d.path, d.source), d.path).toEqual([]);
    }
  });

  it("still renders valid content", async () => {
    const { html, headings } = await renderer.preview(`${FRONTMATTER}## Purpose\n\n<Callout kind="note">\n\nRead [ICH](https://ich.org).\n\n</Callout>\n`);
    expect(html).toContain('<a href="https://ich.org">ICH</a>');
    expect(headings).toEqual([{ depth: 2, id: "purpose", text: "Purpose" }]);
  });
});

describe("a refused body for people", () => {
  it("becomes a 500 naming the problems by line and column", async () => {
    const error = new UnsafeContentError([
      { path: "x", line: 8, column: 6, rule: "no-expression", message: "JavaScript expressions `{...}` are not allowed; write plain text" },
    ]);
    const response = contentRefusedResponse("Version 9.0 of SOP-AA-001", error);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain(
      "Version 9.0 of SOP-AA-001 cannot be shown: its text breaks Quire's content policy, so it was neither compiled nor run. line 8, column 6: JavaScript expressions",
    );
  });
});
