import path from "node:path";

import { Database, type Queryable } from "~/db/db.server";

/** Reads a data folder's database the way an inspector's SQL would: opened, queried, closed. */
export async function queryDataFolder<T>(dataDir: string, sql: string, params: (string | number)[] = []): Promise<T[]> {
  const db = await Database.open(path.join(dataDir, "quire.db"));
  try {
    return await db.all<T>(sql, params);
  } finally {
    await db.close();
  }
}

/**
 * The training standings and matrix counts the triggers keep (migration 017), and the same
 * recomputed from the assignments themselves: a test compares the two after changing things.
 */
export async function trainingCountsBothWays(
  db: Queryable,
): Promise<{ kept: unknown[]; recomputed: unknown[]; keptStandings: unknown[]; standings: unknown[] }> {
  const latest = `WITH latest AS (
    SELECT user_id, doc_id, status, due_on, row_number() OVER (PARTITION BY user_id, doc_id ORDER BY id DESC) AS rn
      FROM training_assignments WHERE status IN ('open', 'completed'))`;
  const [kept, recomputed, keptStandings, standings] = await Promise.all([
    db.all("SELECT job_function, doc_id, status, due_on, n FROM training_cells WHERE n <> 0 ORDER BY 1, 2, 3, 4"),
    db.all(
      `${latest} SELECT j.job_function_id AS job_function, l.doc_id, l.status, CASE l.status WHEN 'open' THEN l.due_on ELSE '' END AS due_on, count(*) AS n
         FROM latest l JOIN user_job_functions j ON j.user_id = l.user_id JOIN users u ON u.id = l.user_id AND u.active = 1
        WHERE l.rn = 1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    ),
    db.all("SELECT user_id, doc_id, status, due_on FROM training_standings ORDER BY 1, 2"),
    db.all(`${latest} SELECT user_id, doc_id, status, due_on FROM latest WHERE rn = 1 ORDER BY 1, 2`),
  ]);
  return { kept, recomputed, keptStandings, standings };
}
