import fs from "node:fs";

import type { QuireConfig } from "./config.server";
import { DataFolderMissing, noContentRepository, noDataFolder } from "./data-folder-query.server";
import { Database } from "./db/db.server";
import { migrate } from "./db/migrate.server";
import { ContentRepository } from "./modules/content/repository.server";

export { DataFolderMissing };

/** A data folder's two stores, without the renderer or start-up recovery: what read-only commands need. */
export interface DataFolder {
  config: QuireConfig;
  db: Database;
  repo: ContentRepository;
}

/**
 * Opens the database (migrated) and the content repository of a data folder. Loads no MDX
 * toolchain, so `quire effective` and the other read-only commands start quickly; the server's
 * context (app/context.server.ts) builds on it.
 */
export async function openDataFolder(config: QuireConfig): Promise<DataFolder> {
  if (!fs.existsSync(config.dbFile)) {
    throw noDataFolder(config);
  }
  const db = await Database.open(config.dbFile);
  await migrate(db);
  const repo = new ContentRepository(config.contentRepo);
  if (!(await repo.isRepository())) {
    await db.close();
    throw noContentRepository(config);
  }
  return { config, db, repo };
}
