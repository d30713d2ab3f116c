// A data folder opened for one read-only query (`quire effective`): its database only, through one
// connection, without zod, the content toolchain or a git process. Issue 10 counts its start-up.
import fs from "node:fs";
import path from "node:path";

import { Database, openQueryConnection, type QueryConnection } from "./db/db.server";
import { migrate, pendingMigrations } from "./db/migrate.server";
import type { DataFolderPaths } from "./locations.server";

export class DataFolderMissing extends Error {}

export function noDataFolder(paths: DataFolderPaths): DataFolderMissing {
  return new DataFolderMissing(`No Quire data folder at ${paths.dataDir} (no quire.db). Create one with \`npx quire init\` or \`npx quire init --demo\`.`);
}

export function noContentRepository(paths: DataFolderPaths): DataFolderMissing {
  return new DataFolderMissing(`The content repository ${paths.contentRepo} is missing or not a git repository.`);
}

/** git's own test for a repository folder (setup.c, is_git_directory): HEAD, objects/ and refs/. */
function isGitDir(dir: string): boolean {
  return (
    fs.statSync(path.join(dir, "HEAD"), { throwIfNoEntry: false })?.isFile() === true &&
    ["objects", "refs"].every((d) => fs.statSync(path.join(dir, d), { throwIfNoEntry: false })?.isDirectory() === true)
  );
}

/**
 * The content repository is there: bare, as Quire creates it, or a working copy's .git folder.
 * Checked on disk rather than by asking git (ContentRepository.isRepository), as a query that
 * reads only the database must not pay for a git process; a folder that is not a repository is
 * still refused, as openDataFolder refuses it.
 */
export function contentRepositoryPresent(dir: string): boolean {
  return isGitDir(dir) || isGitDir(path.join(dir, ".git"));
}

/**
 * The database of a data folder, for reading. A folder whose database still lacks migrations is
 * migrated first, exactly as openDataFolder does it (the reading connection never writes).
 */
export async function openDataFolderForQuery(paths: DataFolderPaths): Promise<QueryConnection> {
  if (!fs.existsSync(paths.dbFile)) throw noDataFolder(paths);
  if (!contentRepositoryPresent(paths.contentRepo)) throw noContentRepository(paths);
  const reader = await openQueryConnection(paths.dbFile);
  if ((await pendingMigrations(reader)).length === 0) return reader;
  await reader.close();
  const db = await Database.open(paths.dbFile);
  await migrate(db);
  return db;
}
