// Where Quire's files are: its own folder, and a data folder's two stores. Apart from
// config.server.ts (which validates every variable with zod) so that the CLI's read-only queries
// (`quire effective`) can find the data folder without loading zod: issue 10's start-up budget.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export class ConfigError extends Error {}

/** A data folder's stores, as the environment names them. */
export interface DataFolderPaths {
  dataDir: string;
  dbFile: string;
  contentRepo: string;
  /** True when QUIRE_CONTENT_REPO points at a repository Quire did not create. */
  externalContentRepo: boolean;
}

/** An empty value is refused, as readConfig's schema refuses it: it would silently mean the working folder. */
function nonEmpty(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  if (value === "") throw new ConfigError(`Invalid environment variable ${name}: must not be empty`);
  return value;
}

/** QUIRE_DATA_DIR (default ./data) and QUIRE_CONTENT_REPO (default <data>/content), made absolute. */
export function dataFolderPaths(env: Record<string, string | undefined> = process.env): DataFolderPaths {
  const dataDir = path.resolve(nonEmpty(env, "QUIRE_DATA_DIR") ?? "./data");
  const contentRepo = nonEmpty(env, "QUIRE_CONTENT_REPO");
  return {
    dataDir,
    dbFile: path.join(dataDir, "quire.db"),
    contentRepo: contentRepo === undefined ? path.join(dataDir, "content") : path.resolve(contentRepo),
    externalContentRepo: contentRepo !== undefined,
  };
}

let root: string | null = null;

/**
 * The folder holding Quire's package.json, found from this module's location so that it works
 * from the TypeScript sources (CLI under tsx) and from the server bundle in build/ alike.
 */
export function appRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, "utf8")).name === "quire") {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("Cannot find Quire's package.json above " + import.meta.url);
    dir = parent;
  }
}
