/**
 * One measured run of bench/kpi-import-bench.ts, in its own process so its peak RSS is its own:
 *   read <file> <dataDir>    the baseline: a plain csv-parse read of the file (records counted)
 *   import <file> <dataDir>  importKpiCsv into the data folder's database, as the CLI would
 * Both load the same modules and open the database first, so the difference is the work. Prints
 * {seconds, rows, ...counts} as JSON; the work's time only, not the start-up's.
 */
import fs from "node:fs";
import path from "node:path";

import { parse } from "csv-parse";

import { Database } from "~/db/db.server";
import { importKpiCsv } from "~/modules/kpi/kpi-import.server";

import { BENCH_KPI_NOW, benchKpiDefinitions } from "./kpi-import-bench";

async function plainRead(file: string): Promise<number> {
  let records = 0;
  for await (const _ of fs.createReadStream(file).pipe(parse({ bom: true }))) records++;
  return records - 1;
}

const [mode, file, dataDir] = process.argv.slice(2);
if ((mode !== "read" && mode !== "import") || !file || !dataDir) {
  process.stderr.write("usage: kpi-import-child.ts read|import <file.csv> <dataDir>\n");
  process.exit(2);
}
const db = await Database.open(path.join(dataDir, "quire.db"));
const started = performance.now();
let answer: Record<string, unknown>;
if (mode === "read") {
  answer = { rows: await plainRead(file) };
} else {
  const outcome = await importKpiCsv(db, file, {
    definitions: benchKpiDefinitions(),
    actor: { userId: null, username: "cli:bench", clientAddress: null },
    now: BENCH_KPI_NOW,
  });
  if (outcome.status === "rejected") throw new Error(outcome.problems.map((p) => p.message).join("\n"));
  answer = { status: outcome.status, rows: outcome.import.rows, new: outcome.import.new, changed: outcome.import.changed, unchanged: outcome.import.unchanged };
}
const seconds = (performance.now() - started) / 1000;
await db.close();
process.stdout.write(`${JSON.stringify({ seconds, ...answer })}\n`);
