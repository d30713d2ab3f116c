
import type { Root } from "mdast";
// stack.md pitfall 1: the directory import "mdx-bundler/client" fails under an ESM server build.
import { getMDXComponent, type MDXContentProps } from "mdx-bundler/client/index.js";
import { createElement, type Context } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import rehypeSlug from "rehype-slug";
import remarkGfm from "remark-gfm";

import type { Database } from "~/db/db.server";

import { decodeEntities } from "./html-entities";
import { POLICY_VERSION, checkMdxSafety, checkMdxTreeSafety } from "./mdx-policy";
import { formatProblem, type Problem } from "./problems";

/**
 * Names the compile options and the content policy version that compiled code was produced and
 * checked under. Cached code is used only under the current id: code compiled under older options,
 * or from source that an older, looser policy let through, is checked and compiled again.
 */
export const COMPILER_ID = `mdx-bundler@10.1.1+gfm+slug:1+policy:${POLICY_VERSION}`;

/**
 * MDX the renderer refused: it broke the safety part of the content policy, so it was neither
 * compiled nor run. `problems` say where (line:column) and why.
 */
export class UnsafeContentError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super(`the content policy refuses this MDX, so it was not compiled:\n${problems.map(formatProblem).join("\n")}`);
    this.name = "UnsafeContentError";
    this.problems = problems;
  }
}

export interface RenderedDocument {
  html: string;
  headings: Heading[];
}

export interface Heading {
  depth: 2 | 3;
  id: string;
  text: string;
}

export { sha256 } from "./hash";

/**
 * What the renderer needs from the React side to turn compiled MDX into HTML: the single map of
 * components a document may use, and the context those components read job function names from
 * (so `role="cra"` shows the function's title). The composition root hands Quire's set in
 * (app/mdx-renderer.server.ts): the content module imports no React components.
 */
export interface MdxComponentSet {
  components: NonNullable<MDXContentProps["components"]>;
  jobFunctionNames: Context<ReadonlyMap<string, string>>;
}

/**
 * Checks MDX against the content policy's safety rules, compiles it and renders it to static HTML.
 * Nothing is compiled or executed that the check refuses, wherever the source came from
 * (issue 9: a body that skipped validation must not run code in the server).
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
    private readonly components: MdxComponentSet,
    private readonly db: Database | null,
    private readonly jobFunctionNames: ReadonlyMap<string, string>,
  ) {}

  /**
   * The rendered document for a content hash. `loadSource` runs only on a cache miss; its source is
   * checked here whatever the caller checked. Rejects with UnsafeContentError if the policy refuses it.
   */
  render(contentHash: string, loadSource: () => Promise<string>): Promise<RenderedDocument> {
    // The policy version is part of the key, as in mdx_cache: a body is only served as checked by these rules.
    const key = `${COMPILER_ID} ${contentHash}`;
    let entry = this.rendered.get(key);
    if (!entry) {
      entry = this.compileCached(contentHash, loadSource).then((code) => this.toHtml(code));
      entry.catch((error: unknown) => {
        this.rendered.delete(key);
        if (error instanceof UnsafeContentError) {
          // One line for whoever runs the server: stored content was refused (not a crash).
          console.warn(`quire: refused to render content ${contentHash}: ${error.problems.map(formatProblem).join("; ")}`);
        }
      });
      this.rendered.set(key, entry);
    }
    return entry;
  }

  /**
   * Renders a draft the author is typing (live preview): checked, compiled in the same queue,
   * cached nowhere, so keystrokes do not fill the caches. Rejects with UnsafeContentError if the
   * policy refuses it.
   */
  async preview(source: string): Promise<RenderedDocument> {
    return this.toHtml(await this.enqueueCompile(source, "preview"));
  }

  private async compileCached(hash: string, loadSource: () => Promise<string>): Promise<string> {
    // Only code stored under the current policy version is trusted; older rows are never read.
    const row = await this.db?.get<{ code: string }>(
      "SELECT code FROM mdx_cache WHERE content_hash = ? AND compiler = ?",
      [hash, COMPILER_ID],
    );
    if (row) return row.code;
    const code = await this.enqueueCompile(await loadSource(), `sha256:${hash.slice(0, 12)}`);
    await this.db?.transaction((tx) =>
      tx.run(
        "INSERT OR IGNORE INTO mdx_cache (content_hash, compiler, code, compiled_at) VALUES (?, ?, ?, ?)",
        [hash, COMPILER_ID, code, new Date().toISOString()],
      ),
    );
    return code;
  }

  private enqueueCompile(source: string, path: string): Promise<string> {
    const next = this.compileQueue.then(() => compileMdx(source, path));
    this.compileQueue = next.catch(() => undefined);
    return next;
  }

  private toHtml(code: string): RenderedDocument {
    const Content = getMDXComponent(code);
    const { components, jobFunctionNames } = this.components;
    const html = renderToStaticMarkup(
      createElement(jobFunctionNames.Provider, { value: this.jobFunctionNames }, createElement(Content, { components })),
    );
    return { html, headings: extractHeadings(html) };
  }
}

/**
 * Checks MDX against the safety part of the content policy, then compiles it with mdx-bundler
 * (GFM tables, heading anchors, frontmatter stripped). Refused source is never compiled.
 * `path` names the source in the problems reported.
 */
export async function compileMdx(source: string, path = "document.mdx"): Promise<string> {
  const problems = checkMdxSafety(path, source);
  if (problems.length > 0) throw new UnsafeContentError(problems);
  return compileEnforcingPolicy(source, path);
}

/**
 * The compile itself, with two guards of its own so that a difference between the checker and the
 * compiler cannot let code through: the policy runs again on the very tree the compiler parsed,
 * before any of it is turned into code; and gray-matter, which mdx-bundler runs on the source for
 * frontmatter data Quire does not use, gets no parsers, because its `---js` parser evaluates the
 * frontmatter as JavaScript. Use compileMdx, which checks the source first and reports every problem.
 */
export async function compileEnforcingPolicy(source: string, path: string): Promise<string> {
  const refused: Problem[] = [];
  const enforcePolicy = () => (tree: Root) => {
    const problems = checkMdxTreeSafety(path, tree);
    if (problems.length > 0) {
      refused.push(...problems);
      throw new UnsafeContentError(problems);
    }
  };
  try {
    // Loaded at the first compile (most starts serve from the cache and never compile).
    const { bundleMDX } = await import("mdx-bundler");
    const { code } = await bundleMDX({
      source,
      grayMatterOptions: (options) => ({ ...options, engines: FRONTMATTER_ENGINES }),
      mdxOptions(options) {
        // First, so it sees the tree as parsed (remark-mdx-frontmatter later turns YAML into an export).
        options.remarkPlugins = [enforcePolicy, ...(options.remarkPlugins ?? []), remarkGfm];
        options.rehypePlugins = [...(options.rehypePlugins ?? []), rehypeSlug];
        return options;
      },
      esbuildOptions(options) {
        options.minify = true;
        // Failures are reported by the error thrown (UnsafeContentError or esbuild's), not on stderr.
        options.logLevel = "silent";
        return options;
      },
    });
    return code;
  } catch (error) {
    // esbuild wraps a plugin's error in its own; report the policy's problems instead.
    if (refused.length > 0) throw new UnsafeContentError(refused);
    throw error;
  }
}

/** Every parser gray-matter knows, replaced by one that reads nothing (the data is unused). */
function noFrontmatterData(): Record<string, never> {
  return {};
}
const FRONTMATTER_ENGINES = { yaml: noFrontmatterData, json: noFrontmatterData, javascript: noFrontmatterData };

/**
 * For loaders: runs a render and turns a body the renderer refused into a readable error page
 * (the shared ErrorBoundary shows a thrown Response's text) naming the problems, not a stack trace.
 * `what` names the body for a reader, e.g. "Version 2.0 of SOP-DC-001".
 */
export async function unlessContentRefused<T>(what: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof UnsafeContentError) throw contentRefusedResponse(what, error);
    throw error;
  }
}

/** A 500 naming the problems: the stored content is at fault, not the request. */
export function contentRefusedResponse(what: string, error: UnsafeContentError): Response {
  const where = error.problems.map((p) => `line ${p.line}, column ${p.column}: ${p.message} [${p.rule}]`).join("; ");
  return new Response(
    `${what} cannot be shown: its text breaks Quire's content policy, so it was neither compiled nor run. ${where}. Ask a quality manager to investigate how this content reached Quire.`,
    { status: 500, statusText: "Content Refused", headers: { "Content-Type": "text/plain; charset=utf-8" } },
  );
}

function extractHeadings(html: string): Heading[] {
  const headings: Heading[] = [];
  for (const m of html.matchAll(/<h([23]) id="([^"]+)">(.*?)<\/h\1>/g)) {
    const text = decodeEntities((m[3] ?? "").replace(/<[^>]+>/g, ""));
    headings.push({ depth: m[1] === "2" ? 2 : 3, id: m[2] ?? "", text });
  }
  return headings;
}

