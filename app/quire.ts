// What a request, a CLI command or a test works with: the data folder's configuration, database,
// content repository and renderer. Only the type lives here, below the modules, so that modules name
// it without importing the composition root (app/context.server.ts), which imports them to build one.

import type { QuireConfig } from "./config.server";
import type { Database } from "./db/db.server";
import type { MdxRenderer } from "./modules/content/render.server";
import type { ContentRepository } from "./modules/content/repository.server";

/** Everything a request needs: configuration, the database, the content repository, the renderer. */
export interface Quire {
  config: QuireConfig;
  db: Database;
  repo: ContentRepository;
  renderer: MdxRenderer;
}
