/**
 * The training scale goals of issue 11, measured in-process against real SQLite files (driven by
 * bench/run.ts as the `training` group; bench/training-load.ts measures the HTTP part):
 *
 *   1. Fan-out: one approval's assignments for 5,000 people, `assignVersion` inside one transaction,
 *      against a raw multi-row INSERT of the same 5,000 rows into the same table in one transaction
 *      (no lookups, no superseding, no audit row), on copies of the same database file. Goal: < 3x.
 *   2. The training matrix and "who is overdue" at 5,000 people x 300 documents (~1M assignment
 *      rows): `trainingMatrix` and `trainingPeople(..., { status: "overdue" })`, median and p95 of
 *      repeated calls, against `SELECT count(*) FROM training_assignments` on the same database.
 *      Goal: p95 < 300 ms each.
 *
 * Environment: BENCH_TRAINING_PEOPLE (default 5000), BENCH_TRAINING_DOCUMENTS (default 300),
 * BENCH_TRAINING_RUNS (timed calls of each query, default 10), BENCH_TRAINING_FANOUT_ROUNDS (default 5).
 */
import fs from "node:fs";
import path from "node:path";

import { readConfig } from "~/config.server";
import type { Quire } from "~/context.server";
import { openDataFolder } from "~/data-folder.server";
import { Database } from "~/db/db.server";
import { createMdxRenderer } from "~/mdx-renderer.server";
import { assignVersion } from "~/modules/training/assignments.server";
import { trainingMatrix, trainingPeople } from "~/modules/training/reports.server";
import { hashPassword } from "~/modules/users/password-hash.server";

import { ensureTemplate } from "../test/helpers/data-folder";
import { random } from "./audit-rows";
import { BENCH_PASSWORD, addBenchPeople, addMatrixData, insertRows, randomFunctions, type MatrixData } from "./training-data";

/** The project demo's day (its template data folder is made on 2026-11-25). */
export const BENCH_TODAY = "2026-11-25";
const BENCH_AT = new Date(`${BENCH_TODAY}T10:00:00Z`);

export interface Timing {
  runs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
}

export function timing(ms: readonly number[]): Timing {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { runs: ms.length, medianMs: median, p95Ms: at(0.95), minMs: sorted[0]!, maxMs: sorted.at(-1)! };
}

export interface FanOutResults {
  people: number;
  rounds: number;
  docId: string;
  version: string;
  /** Open assignments on the earlier version that assignVersion closed as superseded. */
  superseded: number;
  baseline: Timing;
  assignVersion: Timing;
}

export interface MatrixResults {
  data: MatrixData;
  dbMB: number;
  runs: number;
  count: Timing;
  countRows: number;
  matrix: Timing;
  overdue: Timing;
  overduePeople: number;
  matrixCells: number;
}

export interface TrainingBenchHelpers {
  work: string;
  log: (message: string) => void;
  fail: (message: string) => Error;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of at least 1, not ${raw}`);
  return n;
}

/** A copy of the project demo's template data folder (built by a real `quire init --demo` once, as the tests' are). */
async function demoCopy(dir: string): Promise<string> {
  const template = await ensureTemplate("project-demo");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// 1. Fan-out

const FANOUT_DOC = "SOP-DC-001";
const FANOUT_EARLIER = "1.0";
const FANOUT_VERSION = "2.0";

export async function fanOutBenchmark(h: TrainingBenchHelpers, people = envInt("BENCH_TRAINING_PEOPLE", 5000)): Promise<FanOutResults> {
  const rounds = envInt("BENCH_TRAINING_FANOUT_ROUNDS", 5);
  const dir = path.join(h.work, "training-fanout");
  const dataDir = await demoCopy(path.join(dir, "data"));
  const prepared = path.join(dataDir, "quire.db");
  // The database both measurements start from: the demo plus 5,000 people who completed SOP-DC-001
  // v1.0 (one in ten still has it open, so the new version supersedes those), as before an approval.
  const db = await Database.open(prepared);
  const next = random(5);
  const persons = await addBenchPeople(db, {
    count: people,
    prefix: "fan",
    passwordHash: await hashPassword(BENCH_PASSWORD),
    at: BENCH_AT,
    functionsOf: () => randomFunctions(next),
  });
  await db.transaction((tx) =>
    insertRows(
      tx,
      "training_assignments",
      ["user_id", "doc_id", "version", "cause", "assigned_at", "due_on", "status", "closed_at"],
      persons.map((p, i) =>
        i % 10 === 0
          ? [p.id, FANOUT_DOC, FANOUT_EARLIER, "induction", "2025-01-20T09:00:00.000Z", "2025-02-03", "open", null]
          : [p.id, FANOUT_DOC, FANOUT_EARLIER, "induction", "2025-01-20T09:00:00.000Z", "2025-02-03", "completed", "2025-01-30T10:00:00.000Z"],
      ),
    ),
  );
  await db.close();
  const assignees = persons.map((p) => ({ id: p.id, username: p.username }));
  const stamp = BENCH_AT.toISOString();
  const dueOn = "2026-12-07";

  const baselineMs: number[] = [];
  const targetMs: number[] = [];
  let superseded = 0;
  h.log(`fan-out: ${rounds} rounds of assignVersion for ${people} people against a raw INSERT of the same rows, each on a fresh copy of the same database`);
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so a slow moment of a shared machine falls on both.
    const order = round % 2 === 0 ? (["baseline", "target"] as const) : (["target", "baseline"] as const);
    for (const which of order) {
      const file = path.join(dir, `${which}-${round}.db`);
      fs.copyFileSync(prepared, file);
      const copy = await Database.open(file);
      try {
        const t0 = performance.now();
        if (which === "baseline") {
          // The floor: the same rows, the same table and indexes, the same batches of 400 rows, one
          // transaction; no lookup of live assignments, no superseding UPDATE, no audit row.
          await copy.transaction((tx) =>
            insertRows(
              tx,
              "training_assignments",
              ["user_id", "doc_id", "version", "cause", "cause_ref", "assigned_at", "due_on"],
              assignees.map((p) => [p.id, FANOUT_DOC, FANOUT_VERSION, "approval", "CR-BENCH", stamp, dueOn]),
            ),
          );
          baselineMs.push(performance.now() - t0);
        } else {
          const result = await copy.transaction((tx) =>
            assignVersion(tx, {
              docId: FANOUT_DOC,
              version: FANOUT_VERSION,
              dueOn,
              cause: "approval",
              causeRef: "CR-BENCH",
              people: assignees,
              actor: { userId: null, username: "system", clientAddress: null },
              at: BENCH_AT,
            }),
          );
          targetMs.push(performance.now() - t0);
          if (result.assigned.length !== people) throw h.fail(`assignVersion assigned ${result.assigned.length} of ${people} people`);
          superseded = result.superseded;
        }
        const n = await copy.get<{ n: number }>("SELECT count(*) AS n FROM training_assignments WHERE doc_id = ? AND version = ? AND cause_ref = 'CR-BENCH'", [
          FANOUT_DOC,
          FANOUT_VERSION,
        ]);
        if (n?.n !== people) throw h.fail(`${which}: ${n?.n} rows written, not ${people}`);
      } finally {
        await copy.close();
        for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const result = { people, rounds, docId: FANOUT_DOC, version: FANOUT_VERSION, superseded, baseline: timing(baselineMs), assignVersion: timing(targetMs) };
  h.log(
    `fan-out: assignVersion median ${result.assignVersion.medianMs.toFixed(1)} ms (superseded ${superseded}), raw INSERT median ${result.baseline.medianMs.toFixed(1)} ms`,
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// 2. Matrix and who is overdue

/** Builds (or, with keep, reuses) the data folder at the scale of issue 11. */
export async function matrixDataFolder(
  h: TrainingBenchHelpers,
  o: { people: number; documents: number; keep?: boolean },
): Promise<{ dataDir: string; data: MatrixData }> {
  const dataDir = path.join(h.work, "training-matrix", "data");
  const summary = path.join(h.work, "training-matrix", "summary.json");
  if (o.keep && fs.existsSync(summary)) {
    const data = JSON.parse(fs.readFileSync(summary, "utf8")) as MatrixData;
    if (data.people === o.people && data.documents === o.documents) return { dataDir, data };
  }
  await demoCopy(dataDir);
  const db = await Database.open(path.join(dataDir, "quire.db"));
  let data: MatrixData;
  try {
    h.log(`matrix: generating ${o.people} people, ${o.documents} documents and their training assignments...`);
    data = await addMatrixData(db, {
      people: o.people,
      documents: o.documents,
      today: BENCH_TODAY,
      at: BENCH_AT,
      passwordHash: await hashPassword(BENCH_PASSWORD),
    });
  } finally {
    await db.close();
  }
  fs.writeFileSync(summary, JSON.stringify(data));
  h.log(
    `matrix: ${data.assignments.toLocaleString("en-US")} assignments (${Object.entries(data.byStatus)
      .map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`)
      .join(", ")}), ${data.versions} versions, ${data.retired} retired, in ${(data.milliseconds / 1000).toFixed(1)} s`,
  );
  return { dataDir, data };
}

export async function matrixBenchmark(h: TrainingBenchHelpers, o: { keep?: boolean } = {}): Promise<MatrixResults> {
  const people = envInt("BENCH_TRAINING_PEOPLE", 5000);
  const documents = envInt("BENCH_TRAINING_DOCUMENTS", 300);
  const runs = envInt("BENCH_TRAINING_RUNS", 10);
  const { dataDir, data } = await matrixDataFolder(h, { people, documents, keep: o.keep });
  const folder = await openDataFolder(readConfig({ QUIRE_DATA_DIR: dataDir, NODE_ENV: "production" }));
  const q: Quire = { ...folder, renderer: createMdxRenderer(null, new Map()) };
  try {
    let countRows = 0;
    let overduePeople = 0;
    let matrixCells = 0;
    const calls = {
      count: async () => {
        countRows = (await q.db.get<{ n: number }>("SELECT count(*) AS n FROM training_assignments"))!.n;
      },
      matrix: async () => {
        const m = await trainingMatrix(q, BENCH_TODAY);
        matrixCells = Object.values(m.cells).reduce((n, row) => n + Object.keys(row).length, 0);
      },
      overdue: async () => {
        overduePeople = (await trainingPeople(q, BENCH_TODAY, { status: "overdue" })).total;
      },
    };
    const ms = { count: [] as number[], matrix: [] as number[], overdue: [] as number[] };
    // Two untimed rounds warm SQLite's page cache and the JIT; then the three take turns.
    for (let round = -2; round < runs; round++) {
      for (const name of ["count", "matrix", "overdue"] as const) {
        const t0 = performance.now();
        await calls[name]();
        if (round >= 0) ms[name].push(performance.now() - t0);
      }
    }
    const result: MatrixResults = {
      data,
      dbMB: fs.statSync(path.join(dataDir, "quire.db")).size / 1024 ** 2,
      runs,
      count: timing(ms.count),
      countRows,
      matrix: timing(ms.matrix),
      overdue: timing(ms.overdue),
      overduePeople,
      matrixCells,
    };
    if (countRows < data.assignments || overduePeople === 0 || matrixCells === 0) {
      throw h.fail(`matrix: implausible answers (rows ${countRows}, overdue people ${overduePeople}, cells ${matrixCells})`);
    }
    for (const name of ["count", "matrix", "overdue"] as const) {
      const t = result[name];
      h.log(`matrix: ${name} median ${t.medianMs.toFixed(1)} ms, p95 ${t.p95Ms.toFixed(1)} ms, max ${t.maxMs.toFixed(1)} ms`);
    }
    return result;
  } finally {
    await q.db.close();
    // Some 400 MB: rebuilt in well under a minute, not worth keeping unless asked.
    if (!o.keep) fs.rmSync(path.join(h.work, "training-matrix"), { recursive: true, force: true });
  }
}
