/**
 * Rendered document bodies by content hash, for the document page's server render.
 *
 * The document page does not put the body HTML in its loader data on a full page load: Remix would
 * send it twice (markup plus hydration data), and for a 20-page SOP that doubles the bytes and the
 * serialisation work (docs/decisions/002-mdx-rendered-once-to-html.md). The server renderer fills this
 * map; the page component reads it while rendering on the server, and reads the DOM it produced while
 * hydrating in the browser. Client-side navigations get the HTML in their loader data instead.
 * In the browser bundle this map stays empty.
 */
export const renderedBodies = new Map<string, string>();
