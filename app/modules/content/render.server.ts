import crypto from "node:crypto";

import { bundleMDX } from "mdx-bundler";
// stack.md pitfall 1: the directory import "mdx-bundler/client" fails under an ESM server build.
import { getMDXComponent } from "mdx-bundler/client/index.js";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import rehypeSlug from "rehype-slug";
import remarkGfm from "remark-gfm";

import { JobFunctionNames, mdxComponents } from "~/components/mdx/mdx-components";
import type { Database } from "~/db/db.server";

import { decodeEntities } from "./html-entities";
import { renderedBodies } from "./rendered-bodies";

/** Changes whenever the compile options change, so cached code from older options is not reused. */
export const COMPILER_ID = "mdx-bundler@10.1.1+gfm+slug:1";

export interface RenderedDocument {
  html: string;
  headings: Heading[];
}

export interface Heading {
  depth: 2 | 3;
  id: string;
  text: string;
}

export function sha256(text: string): string {
  return crypto.createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * Compiles validated MDX and renders it to static HTML.
 *
 * Documents are static (no state, no events), so the server renders each one to HTML once and
 * caches it by content hash: a warm page render does no compile and no React render of the body
 * (docs/decisions/002-mdx-rendered-once-to-html.md). Compiles run one at a time because esbuild is
 * memory-hungry; compiled code is also kept in SQLite so a restart does not recompile.
 */
export class MdxRenderer {
  private readonly rendered = new Map<string, Promise<RenderedDocument>>();
  private compileQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database | null,
    private readonly jobFunctionNames: ReadonlyMap<string, string>,
  ) {}

  /**
   * The rendered document for a content hash. `loadSource` runs only on a cache miss; the source
   * it returns must already have passed the content policy (checkMdx).
   */
  render(contentHash: string, loadSource: () => Promise<string>): Promise<RenderedDocument> {
    let entry = this.rendered.get(contentHash);
    if (!entry) {
      entry = this.compileCached(contentHash, loadSource).then((code) => {
        const rendered = this.toHtml(code);
        renderedBodies.set(contentHash, rendered.html);
        return rendered;
      });
      entry.catch(() => this.rendered.delete(contentHash));
      this.rendered.set(contentHash, entry);
    }
    return entry;
  }

  /**
   * Renders a draft the author is typing (live preview): compiled in the same queue, cached
   * nowhere, so keystrokes do not fill the caches. The source must have passed checkMdx.
   */
  async preview(source: string): Promise<RenderedDocument> {
    return this.toHtml(await this.enqueueCompile(source));
  }

  private async compileCached(hash: string, loadSource: () => Promise<string>): Promise<string> {
    const row = await this.db?.get<{ code: string }>(
      "SELECT code FROM mdx_cache WHERE content_hash = ? AND compiler = ?",
      [hash, COMPILER_ID],
    );
    if (row) return row.code;
    const code = await this.enqueueCompile(await loadSource());
    await this.db?.transaction((tx) =>
      tx.run(
        "INSERT OR IGNORE INTO mdx_cache (content_hash, compiler, code, compiled_at) VALUES (?, ?, ?, ?)",
        [hash, COMPILER_ID, code, new Date().toISOString()],
      ),
    );
    return code;
  }

  private enqueueCompile(source: string): Promise<string> {
    const next = this.compileQueue.then(() => compileMdx(source));
    this.compileQueue = next.catch(() => undefined);
    return next;
  }

  private toHtml(code: string): RenderedDocument {
    const Content = getMDXComponent(code);
    const html = renderToStaticMarkup(
      createElement(JobFunctionNames.Provider, { value: this.jobFunctionNames }, createElement(Content, { components: mdxComponents })),
    );
    return { html, headings: extractHeadings(html) };
  }
}

/** Compiles MDX with mdx-bundler: GFM tables and heading anchors; frontmatter is stripped. */
export async function compileMdx(source: string): Promise<string> {
  const { code } = await bundleMDX({
    source,
    mdxOptions(options) {
      options.remarkPlugins = [...(options.remarkPlugins ?? []), remarkGfm];
      options.rehypePlugins = [...(options.rehypePlugins ?? []), rehypeSlug];
      return options;
    },
    // Documents may not import anything (the policy refuses it); make esbuild agree.
    esbuildOptions(options) {
      options.minify = true;
      return options;
    },
  });
  return code;
}

function extractHeadings(html: string): Heading[] {
  const headings: Heading[] = [];
  for (const m of html.matchAll(/<h([23]) id="([^"]+)">(.*?)<\/h\1>/g)) {
    const text = decodeEntities((m[3] ?? "").replace(/<[^>]+>/g, ""));
    headings.push({ depth: m[1] === "2" ? 2 : 3, id: m[2] ?? "", text });
  }
  return headings;
}

