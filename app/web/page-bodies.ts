// How a document's rendered body reaches the page exactly once (docs/decisions/002-mdx-rendered-once-to-html.md),
// without a process-wide side channel: each request gets its own holder from server.js (Remix's load
// context), the document page's loader fills it, and entry.server.tsx hands it to React for that render.
// No server-only imports: the page component reads MarkupBodies in the browser bundle too.

import { createContext } from "react";

/**
 * Rendered bodies, by content hash, that one server render puts into its markup. A document request
 * has one; a data request (a client-side navigation, `?_data=`) has none, so its loader data carries
 * the HTML instead: the browser has no markup to read it from.
 */
export type MarkupBodies = Map<string, string>;

declare module "@remix-run/server-runtime" {
  interface AppLoadContext {
    /** Set by server.js for every request (pageLoadContext); absent when the app runs without it. */
    markupBodies?: MarkupBodies | null;
  }
}

/**
 * The load context of one request, built by server.js (getLoadContext) from the request's URL.
 * Remix v2 without single fetch marks a data request with the `_data` search parameter (and strips it
 * before loaders see the request, so they cannot tell for themselves).
 */
export function pageLoadContext(url: string): { markupBodies: MarkupBodies | null } {
  const query = url.indexOf("?");
  const dataRequest = query >= 0 && new URLSearchParams(url.slice(query + 1)).has("_data");
  return { markupBodies: dataRequest ? null : new Map() };
}

/**
 * For a loader: the body HTML to put in the loader data. On a document request the HTML goes to the
 * request's markup holder and the data says null (the page component takes it from MarkupBodyContext
 * while rendering on the server, and from the DOM while hydrating); otherwise the data carries it.
 */
export function bodyForLoaderData(markupBodies: MarkupBodies | null | undefined, hash: string, html: string): string | null {
  if (!markupBodies) return html;
  markupBodies.set(hash, html);
  return null;
}

/** The request's markup bodies during a server render (provided by entry.server.tsx); empty in the browser. */
export const MarkupBodyContext = createContext<ReadonlyMap<string, string>>(new Map());
