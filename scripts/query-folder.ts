// The data folder (QUIRE_DATA_DIR) as a read-only query opens it: its database alone, found and
// opened without zod, git or the content modules (scripts/data-folder.ts opens both stores for the
// other commands). A missing folder or content repository is bad input (exit 2), as there.
import { DataFolderMissing, openDataFolderForQuery } from "~/data-folder-query.server";
import type { QueryConnection } from "~/db/db.server";
import { dataFolderPaths } from "~/locations.server";

import { fail } from "./cli-support";

export async function openQueryFolderOrExit(): Promise<QueryConnection> {
  try {
    return await openDataFolderForQuery(dataFolderPaths());
  } catch (error) {
    if (error instanceof DataFolderMissing) fail(error.message);
    throw error;
  }
}
