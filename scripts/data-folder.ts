// The data folder (QUIRE_DATA_DIR) as every data command opens it: a missing one is bad input (exit 2).
import { readConfig } from "~/config.server";
import { DataFolderMissing, openDataFolder, type DataFolder } from "~/data-folder.server";

import { fail } from "./cli-support";

export async function openDataFolderOrExit(): Promise<DataFolder> {
  try {
    return await openDataFolder(readConfig());
  } catch (error) {
    if (error instanceof DataFolderMissing) fail(error.message);
    throw error;
  }
}
