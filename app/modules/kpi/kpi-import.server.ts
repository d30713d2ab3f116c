// Imported KPI values (SOP-KP-001, "Collect and check the data"; issue 14): a CSV file from a trial
// system (CTMS, EDC) checked row by row and stored all or nothing, with its provenance (the file's
// SHA-256, who imported it and when, each value's line), and the reads the dashboard makes. The kpi
// module owns kpi_imports and kpi_values (migration 025). Row checks are kpi-csv.ts.
//
// The file is streamed twice with flat memory: the first pass checks every row and computes the
// SHA-256 outside any transaction; only a file without problems is read again, inside one
// transaction, into a temporary staging table by multi-row INSERTs, from which set-based statements
// find each row's current value and write the new and changed ones. The second pass hashes the file
// again: a file changed between the passes is refused, so the stored SHA-256 is of what was stored.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { parse, CsvError } from "csv-parse";

import type { Database, Queryable, SqlParam, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import type { Actor } from "~/modules/users/actor";
import { permissionsOf } from "~/modules/users/permissions";
import { getUser } from "~/modules/users/users.server";

import { isPeriod, type KpiDefinition, type Period } from "./kpi";
import {
  MAX_KPI_CSV_PROBLEMS,
  duplicateKeyCheck,
  kpiCsvHeaderProblem,
  malformedCsvProblem,
  noRowsProblem,
  parseKpiCsvRow,
  type KpiCsvProblem,
} from "./kpi-csv";

/** The import was not allowed (permission, inactive account) or the file changed while it was read: nothing was written. */
export class KpiImportRefused extends Error {}

/** One import: the file, who imported it, and what its rows did. */
export interface KpiImport {
  id: number;
  sha256: string;
  fileName: string;
  /** null: the `quire` CLI, run by the account holding the data folder. */
  importedBy: string | null;
  importedByUsername: string;
  importedAt: string;
  rows: number;
  /** Keys that had no value before. */
  new: number;
  /** Keys whose current value this import superseded with another figure. */
  changed: number;
  /** Rows whose figure was already the current one: nothing written for them. */
  unchanged: number;
}

export type KpiImportOutcome =
  | { status: "imported"; import: KpiImport }
  /** The file's problems (at most MAX_KPI_CSV_PROBLEMS; `truncated` when reading stopped there): nothing was imported. */
  | { status: "rejected"; fileName: string; problems: KpiCsvProblem[]; truncated: boolean };

export interface KpiImportOptions {
  /** The KPI catalogue by id (the SOPs' <Kpi> components). */
  definitions: ReadonlyMap<string, KpiDefinition>;
  actor: Actor;
  /** When the import happens: months after this one are in the future. */
  now: Date;
  /** The name to record (an upload's original name); defaults to the file's base name. */
  fileName?: string;
}

/** Rows per INSERT into the staging table. */
const STAGE_BATCH_ROWS = 2000;
const STAGE = "temp.kpi_import_stage";
/**
 * The writer's page cache during an import, in KiB (SQLite's default is 2 MB): the import's index
 * lookups and inserts then stay in memory instead of spilling pages to the WAL mid-transaction. A
 * fixed bound whatever the file's size; the previous size is restored after.
 */
const IMPORT_CACHE_KIB = 64 * 1024;

/**
 * Who may import: a user with kpi.import whose account is active and whose temporary password was
 * changed; the CLI (no Quire account: userId null) is the account that holds the data folder, as for
 * `quire notify` and `quire remind`. The pages check the permission through the session too.
 */
export async function assertMayImportKpis(db: Queryable, actor: Actor): Promise<void> {
  if (actor.userId === null) return;
  const user = await getUser(db, actor.userId);
  if (!user || !user.active) throw new KpiImportRefused("This account is not active, so it cannot import KPI values.");
  if (!permissionsOf(user.roles).has("kpi.import"))
    throw new KpiImportRefused(`${user.username} does not have the permission kpi.import needed to import KPI values.`);
  if (user.mustChangePassword) throw new KpiImportRefused(`${user.username} must first change the temporary password an administrator set (sign in to Quire).`);
}

/** A record as the reader hands it on: its cells and the file line it ends on. */
interface CsvRecord {
  cells: string[];
  line: number;
}

/**
 * Streams a CSV file's records to `onRecord`, hashing the bytes as they are read; `onRecord` returns
 * false to stop, or a promise to wait for (a batch written) before the next record.
 */
async function streamCsv(file: string, hash: ReturnType<typeof createHash>, onRecord: (record: CsvRecord) => boolean | Promise<boolean>): Promise<void> {
  const input = fs.createReadStream(file);
  input.on("data", (chunk) => hash.update(chunk));
  const parser = parse({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
    // The line from the parser's own count, without the copy of its state that `info: true` makes per record.
    on_record: (cells, context) => Object.assign(cells, { line: context.lines }),
  });
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const cells of parser as AsyncIterable<string[] & { line: number }>) {
      const more = onRecord({ cells, line: cells.line });
      if (!(more instanceof Promise ? await more : more)) break;
    }
  } finally {
    input.destroy();
  }
}

/** The first pass: every row checked, the SHA-256 of the bytes, the problems (at most MAX_KPI_CSV_PROBLEMS). */
async function checkKpiCsv(file: string, options: KpiImportOptions): Promise<{ sha256: string; rows: number; problems: KpiCsvProblem[]; truncated: boolean }> {
  const hash = createHash("sha256");
  const problems: KpiCsvProblem[] = [];
  const repeated = duplicateKeyCheck();
  let columns: number | null = null;
  let rows = 0;
  let truncated = false;
  const add = (p: KpiCsvProblem) => {
    if (problems.length < MAX_KPI_CSV_PROBLEMS) problems.push(p);
    else truncated = true;
  };
  try {
    await streamCsv(file, hash, ({ cells, line }) => {
      if (columns === null) {
        const headerProblem = kpiCsvHeaderProblem(cells);
        if (headerProblem) add(headerProblem);
        columns = cells.length;
        return headerProblem === null;
      }
      rows++;
      const result = parseKpiCsvRow(cells, line, { definitions: options.definitions, now: options.now, columns });
      if (!result.ok) result.problems.forEach(add);
      else {
        const twice = repeated(result.row);
        if (twice) add(twice);
      }
      return !truncated;
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    add(malformedCsvProblem((error as CsvError & { lines?: number }).lines ?? 1, error.message));
  }
  if (problems.length === 0 && columns === null) add(kpiCsvHeaderProblem(null)!);
  else if (problems.length === 0 && rows === 0) add(noRowsProblem());
  return { sha256: hash.digest("hex"), rows, problems, truncated };
}

/** A checked file's cell as stored: a number, or null for an empty (or absent) numerator or denominator. */
function storedNumber(cell: string | undefined): number | null {
  return cell === undefined || cell === "" ? null : Number(cell);
}

/**
 * The second pass, inside the transaction: the rows into the staging table, STAGE_BATCH_ROWS at a
 * time as one JSON parameter (one bound value per batch instead of eight per row). The rows are not
 * checked again: the caller compares this pass's SHA-256 with the first's before anything is kept.
 */
async function stageKpiCsv(tx: Tx, file: string): Promise<{ sha256: string; rows: number }> {
  const hash = createHash("sha256");
  let batch: (string | number | null)[][] = [];
  let rows = 0;
  let header = true;
  const flush = async () => {
    if (batch.length === 0) return;
    const json = JSON.stringify(batch);
    batch = [];
    await tx.run(
      `INSERT INTO ${STAGE} (line, kpi, period, study, site, value, numerator, denominator)
       SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?)`,
      [json],
    );
  };
  await streamCsv(file, hash, ({ cells, line }) => {
    if (header) {
      header = false;
      return true;
    }
    rows++;
    batch.push([line, cells[0]!, cells[1]!, cells[2]!, cells[3]!, Number(cells[4]), storedNumber(cells[5]), storedNumber(cells[6])]);
    return batch.length < STAGE_BATCH_ROWS ? true : flush().then(() => true);
  });
  await flush();
  return { sha256: hash.digest("hex"), rows };
}

/**
 * Imports a KPI CSV file (header `kpi,period,study,site,value[,numerator,denominator]`), all or
 * nothing: a file with any problem imports no row and returns its problems. Otherwise one
 * transaction stores the new and changed values (a changed one supersedes the old, which is kept),
 * the kpi_imports row and the audit row (kpi.import). Rows equal to the current value add nothing.
 */
export async function importKpiCsv(db: Database, file: string, options: KpiImportOptions): Promise<KpiImportOutcome> {
  const fileName = options.fileName ?? path.basename(file);
  await assertMayImportKpis(db, options.actor);
  try {
    await fs.promises.access(file, fs.constants.R_OK);
  } catch {
    throw new KpiImportRefused(`${fileName} cannot be read: there is no such file, or it may not be read.`);
  }
  const check = await checkKpiCsv(file, options);
  if (check.problems.length > 0) return { status: "rejected", fileName, problems: check.problems, truncated: check.truncated };

  const stored = await db.transaction(async (tx) => {
    await assertMayImportKpis(tx, options.actor);
    await tx.run(`DROP TABLE IF EXISTS ${STAGE}`);
    await tx.run(
      `CREATE TABLE ${STAGE} (line INTEGER PRIMARY KEY, kpi TEXT NOT NULL, period TEXT NOT NULL, study TEXT NOT NULL, site TEXT NOT NULL,
         value REAL NOT NULL, numerator REAL, denominator REAL, current_id INTEGER, same INTEGER NOT NULL DEFAULT 0)`,
    );
    const cacheSize = (await tx.get<{ cache_size: number }>("PRAGMA cache_size"))!.cache_size;
    await tx.run(`PRAGMA cache_size = -${IMPORT_CACHE_KIB}`);
    try {
      const again = await stageKpiCsv(tx, file);
      // Part 11 §11.10(a)/(e): the SHA-256 recorded must be of the bytes checked and stored.
      if (again.sha256 !== check.sha256 || again.rows !== check.rows)
        throw new KpiImportRefused(`${fileName} changed while it was being imported: nothing was imported. Import it again.`);
      const imported = await storeStaged(tx, { sha256: check.sha256, fileName, actor: options.actor, at: options.now });
      await tx.run(`DROP TABLE ${STAGE}`);
      return imported;
    } finally {
      await tx.run(`PRAGMA cache_size = ${cacheSize}`);
    }
  });
  return { status: "imported", import: stored };
}

/** From the staging table: each row's current value, the counts, the import row, supersessions, new values, the audit row. */
async function storeStaged(tx: Tx, source: { sha256: string; fileName: string; actor: Actor; at: Date }): Promise<KpiImport> {
  await tx.run(
    `UPDATE ${STAGE} AS s SET current_id = c.id,
            same = (c.value = s.value AND c.numerator IS s.numerator AND c.denominator IS s.denominator)
       FROM kpi_values AS c
      WHERE c.kpi = s.kpi AND c.period = s.period AND c.study = s.study AND c.site = s.site AND c.superseded_by IS NULL`,
  );
  const counts = (await tx.get<{ rows: number; new: number; changed: number }>(
    `SELECT count(*) AS rows, count(*) FILTER (WHERE current_id IS NULL) AS new, count(*) FILTER (WHERE current_id IS NOT NULL AND same = 0) AS changed FROM ${STAGE}`,
  ))!;
  const unchanged = counts.rows - counts.new - counts.changed;
  const importedAt = source.at.toISOString();
  const username = source.actor.username ?? "system";
  const { lastID: importId } = await tx.run(
    `INSERT INTO kpi_imports (sha256, file_name, imported_by, imported_by_username, imported_at, rows_total, rows_new, rows_changed, rows_unchanged)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [source.sha256, source.fileName, source.actor.userId, username, importedAt, counts.rows, counts.new, counts.changed, unchanged],
  );
  // Supersede first: the partial unique index allows one current value per key.
  await tx.run(`UPDATE kpi_values SET superseded_by = ? WHERE id IN (SELECT current_id FROM ${STAGE} WHERE current_id IS NOT NULL AND same = 0)`, [importId]);
  await tx.run(
    `INSERT INTO kpi_values (import_id, line, kpi, period, study, site, value, numerator, denominator)
     SELECT ?, line, kpi, period, study, site, value, numerator, denominator FROM ${STAGE} WHERE current_id IS NULL OR same = 0
      ORDER BY kpi, period, study, site`, // in index order: 5x faster than file order at 100,000 rows
    [importId],
  );
  const kpis = (await tx.all<{ kpi: string }>(`SELECT DISTINCT kpi FROM ${STAGE} ORDER BY kpi`)).map((r) => r.kpi);
  const periods = (await tx.get<{ first: string; last: string }>(`SELECT min(period) AS first, max(period) AS last FROM ${STAGE}`))!;
  await recordAudit(
    tx,
    {
      userId: source.actor.userId,
      username: source.actor.username,
      action: "kpi.import",
      objectType: "kpi-import",
      objectId: String(importId),
      newValues: {
        sha256: source.sha256,
        fileName: source.fileName,
        rows: counts.rows,
        new: counts.new,
        changed: counts.changed,
        unchanged,
        kpis,
        periods: `${periods.first}..${periods.last}`,
      },
      clientAddress: source.actor.clientAddress,
    },
    source.at,
  );
  return {
    id: importId,
    sha256: source.sha256,
    fileName: source.fileName,
    importedBy: source.actor.userId,
    importedByUsername: username,
    importedAt,
    rows: counts.rows,
    new: counts.new,
    changed: counts.changed,
    unchanged,
  };
}

// ---------------------------------------------------------------------------------------------
// Reads for the dashboard and the import register.

/** A current value, with the import it came from. */
export interface KpiValueRow {
  period: Period;
  study: string;
  site: string;
  value: number;
  numerator: number | null;
  denominator: number | null;
  importId: number;
}

export interface KpiObservationQuery {
  /** First month, inclusive. */
  from: Period;
  /** Last month, inclusive. */
  to: Period;
  study?: string;
  site?: string;
}

/**
 * The current values of one KPI over a range of months, by period, study and site: a range search
 * of the index kpi_values_current (migration 025), whatever the table's size.
 */
export async function kpiObservations(db: Queryable, kpiId: string, query: KpiObservationQuery): Promise<KpiValueRow[]> {
  if (!isPeriod(query.from) || !isPeriod(query.to)) throw new Error(`Not a range of months (YYYY-MM): ${query.from}..${query.to}`);
  const where = ["kpi = $kpi", "period BETWEEN $from AND $to", "superseded_by IS NULL"];
  const params: Record<string, SqlParam> = { kpi: kpiId, from: query.from, to: query.to };
  if (query.study !== undefined) {
    where.push("study = $study");
    params.study = query.study;
  }
  if (query.site !== undefined) {
    where.push("site = $site");
    params.site = query.site;
  }
  return db.all<KpiValueRow>(
    `SELECT period, study, site, value, numerator, denominator, import_id AS importId FROM kpi_values
      WHERE ${where.join(" AND ")} ORDER BY period, study, site`,
    params,
  );
}

/** The studies and sites with a current value for a KPI, for the dashboard's filters. */
export async function kpiStudies(db: Queryable, kpiId: string): Promise<{ study: string; site: string }[]> {
  return db.all<{ study: string; site: string }>("SELECT DISTINCT study, site FROM kpi_values WHERE kpi = ? AND superseded_by IS NULL ORDER BY study, site", [
    kpiId,
  ]);
}

const IMPORT_COLUMNS = `id, sha256, file_name AS fileName, imported_by AS importedBy, imported_by_username AS importedByUsername,
  imported_at AS importedAt, rows_total AS rows, rows_new AS new, rows_changed AS changed, rows_unchanged AS unchanged`;

/** One import, or null when there is none with this id. */
export async function kpiImport(db: Queryable, importId: number): Promise<KpiImport | null> {
  return (await db.get<KpiImport>(`SELECT ${IMPORT_COLUMNS} FROM kpi_imports WHERE id = ?`, [importId])) ?? null;
}

/** Every import, newest first. */
export async function kpiImports(db: Queryable): Promise<KpiImport[]> {
  return db.all<KpiImport>(`SELECT ${IMPORT_COLUMNS} FROM kpi_imports ORDER BY id DESC`);
}

/** One figure as an import gave it: the history of a key. */
export interface KpiValueVersion {
  importId: number;
  line: number;
  value: number;
  numerator: number | null;
  denominator: number | null;
  /** The import whose figure replaced this one; null: the current value. */
  supersededBy: number | null;
  sha256: string;
  fileName: string;
  importedByUsername: string;
  importedAt: string;
}

/** Every figure imports gave for one KPI, month, study and site, oldest first (question 20: where the numbers come from). */
export async function kpiValueHistory(db: Queryable, key: { kpi: string; period: Period; study: string; site: string }): Promise<KpiValueVersion[]> {
  return db.all<KpiValueVersion>(
    `SELECT v.import_id AS importId, v.line, v.value, v.numerator, v.denominator, v.superseded_by AS supersededBy,
            i.sha256, i.file_name AS fileName, i.imported_by_username AS importedByUsername, i.imported_at AS importedAt
       FROM kpi_values v JOIN kpi_imports i ON i.id = v.import_id
      WHERE v.kpi = ? AND v.period = ? AND v.study = ? AND v.site = ?
      ORDER BY v.import_id`,
    [key.kpi, key.period, key.study, key.site],
  );
}
