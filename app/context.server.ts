import { now } from "./clock.server";
import { readConfig, type QuireConfig } from "./config.server";
import { openDataFolder } from "./data-folder.server";
import { createMdxRenderer } from "./mdx-renderer.server";
import { reconcileApprovals } from "./modules/change-control/change-control.server";
import { loadJobFunctions } from "./modules/documents/library.server";
import { adoptWritesOfOlderDataFolder } from "./modules/integrity/content-writes.server";
import { reportForeignRefs } from "./modules/integrity/foreign-refs.server";
import type { Quire } from "./quire";

export type { Quire };

export { DataFolderMissing } from "./data-folder.server";

let context: Promise<Quire> | null = null;

/** Opens the data folder once per process; later calls share it. */
export function quire(): Promise<Quire> {
  context ??= open(readConfig()).catch((error) => {
    context = null;
    throw error;
  });
  return context;
}

/**
 * Opens a data folder. The server (`recover`, the default) also finishes or discards approvals cut
 * short and reports refs and commits in the content repository that Quire did not write; read-only commands (`quire effective`,
 * `quire audit verify`) leave that to the server, which may be running alongside them, so they
 * never race it for an approval in progress.
 */
export async function open(config: QuireConfig, options: { recover?: boolean } = {}): Promise<Quire> {
  const { db, repo } = await openDataFolder(config);
  const partial = { config, db, repo, renderer: createMdxRenderer(null, new Map()) };
  // Reconcile git and the database: finish or discard approvals cut short (docs/decisions/005),
  // then report whatever is in the repository that Quire did not write: it never becomes a version
  // (docs/decisions/008).
  if (options.recover ?? true) {
    await reconcileApprovals(partial, now(config));
    await adoptWritesOfOlderDataFolder(db, repo, now(config));
    await reportForeignRefs(db, repo, now(config), (line) => console.warn(`quire: ${line}`));
  }
  const jobFunctions = await loadJobFunctions(db);
  const renderer = createMdxRenderer(db, new Map(jobFunctions.map((j) => [j.id, j.name])));
  return { config, db, repo, renderer };
}
