// Part of the composition root: the one place that hands Quire's React components for documents to
// the content module's renderer, so that app/modules imports no React components (issue 10).

import { JobFunctionNames, mdxComponents } from "./components/mdx/mdx-components";
import type { Database } from "./db/db.server";
import { MdxRenderer, type MdxComponentSet } from "./modules/content/render.server";

/** The components a controlled document may use, as the renderer and `initDataFolder` take them. */
export const quireMdxComponents: MdxComponentSet = { components: mdxComponents, jobFunctionNames: JobFunctionNames };

/**
 * A renderer with Quire's components. `db` keeps compiled code across restarts (null: memory only);
 * `jobFunctionNames` maps job function ids to the titles readers see.
 */
export function createMdxRenderer(db: Database | null, jobFunctionNames: ReadonlyMap<string, string>): MdxRenderer {
  return new MdxRenderer(quireMdxComponents, db, jobFunctionNames);
}
