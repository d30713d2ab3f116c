import path from "node:path";

import { Database } from "~/db/db.server";

/** Reads a data folder's database the way an inspector's SQL would: opened, queried, closed. */
export async function queryDataFolder<T>(dataDir: string, sql: string, params: (string | number)[] = []): Promise<T[]> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}
