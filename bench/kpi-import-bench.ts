/**
 * The KPI CSV import (issue 14, app/modules/kpi/kpi-import.server.ts) at 100,000 rows: 4 KPIs x 25
 * months x 1,000 study/site pairs, generated. Each run is a child process (bench/kpi-import-child.ts)
 * that loads the same modules and opens the same database whatever it does, reporting the work's
 * time and its own peak RSS:
 *   a. the import into empty tables against a plain csv-parse read of the same file (the baseline:
 *      no checks, no storage) — goal: under 10 s;
 *   b. its peak RSS against the baseline's — goal: memory flat, under 2x (the file is streamed; the
 *      duplicate-key check's map of keys is the only state that grows with rows);
 *   c. the same file again (every row unchanged: nothing written) and a file with every value
 *      changed (100,000 values superseded, 200,000 rows in kpi_values), against the first import;
 *   d. the dashboard's read of one KPI over 24 months (kpiObservations) at 200,000 rows, p95,
 *      against a count(*) of the same KPI's current values — goal: under 300 ms.
 *
 * Environment: BENCH_KPI_ROWS (default 100000, a multiple of 100), BENCH_KPI_READS (default 20).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { readConfig } from "~/config.server";
import { Database } from "~/db/db.server";
import { quireMdxComponents } from "~/mdx-renderer.server";
import type { KpiDefinition } from "~/modules/kpi/kpi";
import { kpiObservations } from "~/modules/kpi/kpi-import.server";
import { initDataFolder } from "~/modules/setup/init.server";

import { resultRow, type ResultRow } from "./result-row";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORK = path.join(ROOT, "bench", ".work", "kpi");
const FIXTURE = path.join(ROOT, "test", "fixtures", "content");
const ROWS = Math.max(100, Math.round(Number(process.env.BENCH_KPI_ROWS ?? 100_000) / 100) * 100);
const READS = Math.max(5, Math.round(Number(process.env.BENCH_KPI_READS ?? 20)));
const MONTHS = 25;
/** The month the benchmark imports on: every generated month is before it. */
export const BENCH_KPI_NOW = new Date("2026-12-15T12:00:00Z");

export type KpiResultRow = ResultRow<"kpi">;

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function row(fields: Omit<KpiResultRow, "group" | "ratio" | "met">): KpiResultRow {
  return resultRow("kpi", fields);
}

function kpi(id: string, fields: Pick<KpiDefinition, "unit" | "aggregation">): KpiDefinition {
  const base = { name: id, direction: "higher", target: 1, tolerance: 1, frequency: "monthly", source: "imported" } as const;
  return { id, ...base, ...fields, owner: "quality-manager", dataSource: "EDC", formula: "", definition: "", docId: "SOP-KP-001" };
}

/** The generated file's catalogue: one KPI of each kind the checks treat differently. */
export function benchKpiDefinitions(): ReadonlyMap<string, KpiDefinition> {
  return new Map(
    [
      kpi("sdv-completion", { unit: "%", aggregation: "ratio" }),
      kpi("query-resolution-time", { unit: "days", aggregation: "median" }),
      kpi("visit-report-timeliness", { unit: "%", aggregation: "mean" }),
      kpi("protocol-deviations", { unit: "count", aggregation: "sum" }),
    ].map((d) => [d.id, d]),
  );
}

function period(i: number): string {
  const index = 2024 * 12 + 10 + i; // from 2024-11
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

/** `rows` rows over 4 KPIs and 25 months; `shift` changes every figure (a later, corrected extract). */
function writeCsv(file: string, rows: number, shift: number): string {
  const pairs = rows / (4 * MONTHS);
  const fd = fs.openSync(file, "w");
  try {
    fs.writeSync(fd, "kpi,period,study,site,value,numerator,denominator\n");
    for (let p = 0; p < pairs; p++) {
      const study = `STUDY-${String((p % 10) + 1).padStart(3, "0")}`;
      const site = `S-${String(p).padStart(4, "0")}`;
      const lines: string[] = [];
      for (let m = 0; m < MONTHS; m++) {
        const n = 50 + ((p * 7 + m * 13 + shift) % 150);
        const done = n - ((p + m + shift) % 10);
        lines.push(
          `sdv-completion,${period(m)},${study},${site},${((100 * done) / n).toFixed(2)},${done},${n}`,
          `query-resolution-time,${period(m)},${study},${site},${(3 + ((p + m * 3 + shift) % 40) / 2).toFixed(1)},,`,
          `visit-report-timeliness,${period(m)},${study},${site},${(60 + ((p * 3 + m + shift) % 40)).toFixed(1)},,`,
          `protocol-deviations,${period(m)},${study},${site},${(p + m + shift) % 6},,`,
        );
      }
      fs.writeSync(fd, `${lines.join("\n")}\n`);
    }
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

interface ChildRun {
  seconds: number;
  maxRssMB: number;
  answer: { rows: number; status?: string; new?: number; changed?: number; unchanged?: number };
}

/** bench/kpi-import-child.ts in a child process (through tsx, like `npm run bench`), reading its peak RSS as it exits. */
function child(mode: "read" | "import", file: string, dataDir: string): Promise<ChildRun> {
  const hook = "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss-kb '+process.resourceUsage().maxRSS+'\\n'))";
  const args = ["--import", "tsx", "--import", hook, "bench/kpi-import-child.ts", mode, file, dataDir];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.once("error", reject);
    proc.once("exit", (code) => {
      const rss = /maxrss-kb (\d+)/.exec(stderr);
      if (code !== 0 || !rss) return reject(new Error(`bench/kpi-import-child.ts ${mode} ${file} exited ${code}:\n${stdout}${stderr}`));
      const { seconds, ...answer } = JSON.parse(stdout) as ChildRun["answer"] & { seconds: number };
      resolve({ seconds, maxRssMB: Number(rss[1]) / 1024, answer });
    });
  });
}

function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

async function timedReads(work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return p95(times);
}

export async function kpiImportBenchmarks(): Promise<KpiResultRow[]> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const dataDir = path.join(WORK, "data");
  await initDataFolder({
    components: quireMdxComponents,
    config: readConfig({ QUIRE_DATA_DIR: dataDir, NODE_ENV: "production" }),
    seedDir: FIXTURE,
    demo: false,
    now: new Date(),
  });
  const file = writeCsv(path.join(WORK, "kpi-values.csv"), ROWS, 0);
  const changedFile = writeCsv(path.join(WORK, "kpi-values-corrected.csv"), ROWS, 1);
  const n = ROWS.toLocaleString("en-US");
  log(`kpi: ${n}-row files written (${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB each)`);

  const read = await child("read", file, dataDir);
  log(`kpi: plain csv-parse read, ${read.answer.rows} records: ${read.seconds.toFixed(2)} s, peak RSS ${read.maxRssMB.toFixed(0)} MB`);
  const first = await child("import", file, dataDir);
  log(`kpi: import into empty tables: ${JSON.stringify(first.answer)} in ${first.seconds.toFixed(2)} s, peak RSS ${first.maxRssMB.toFixed(0)} MB`);
  const again = await child("import", file, dataDir);
  log(`kpi: the same file again: ${JSON.stringify(again.answer)} in ${again.seconds.toFixed(2)} s, peak RSS ${again.maxRssMB.toFixed(0)} MB`);
  const changed = await child("import", changedFile, dataDir);
  log(`kpi: every value changed: ${JSON.stringify(changed.answer)} in ${changed.seconds.toFixed(2)} s, peak RSS ${changed.maxRssMB.toFixed(0)} MB`);
  if (first.answer.new !== ROWS || again.answer.unchanged !== ROWS || changed.answer.changed !== ROWS)
    throw new Error(
      `kpi: unexpected counts: first ${JSON.stringify(first.answer)}, again ${JSON.stringify(again.answer)}, changed ${JSON.stringify(changed.answer)}`,
    );

  const db = await Database.open(path.join(dataDir, "quire.db"));
  let readMs: number;
  let countMs: number;
  let returned: number;
  let total: number;
  try {
    total = (await db.get<{ n: number }>("SELECT count(*) AS n FROM kpi_values"))!.n;
    const range = { from: period(MONTHS - 24), to: period(MONTHS - 1) };
    returned = (await kpiObservations(db, "sdv-completion", range)).length;
    readMs = await timedReads(() => kpiObservations(db, "sdv-completion", range));
    countMs = await timedReads(() => db.get("SELECT count(*) FROM kpi_values WHERE kpi = 'sdv-completion' AND superseded_by IS NULL"));
  } finally {
    await db.close();
  }
  log(`kpi: kpiObservations over 24 months: ${returned} values of ${total} rows, p95 ${readMs.toFixed(1)} ms (count(*) ${countMs.toFixed(1)} ms)`);

  const baseline = `plain csv-parse read of the same file, same modules loaded (${read.seconds.toFixed(2)} s)`;
  const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
  return [
    row({
      name: `KPI CSV import, ${n} rows into empty tables (checked, hashed twice, stored in one transaction, audited): time`,
      value: round(first.seconds),
      unit: "s",
      baseline,
      baselineValue: round(read.seconds),
      goal: "< 10 s",
      goalOn: "value",
      goalThreshold: 10,
      goalComparison: "<",
    }),
    row({
      name: `KPI CSV import, ${n} rows: peak RSS`,
      value: Math.round(first.maxRssMB),
      unit: "MB",
      baseline: "peak RSS of the plain csv-parse read",
      baselineValue: Math.round(read.maxRssMB),
      goal: "memory flat: ratio < 2.0",
      goalOn: "ratio",
      goalThreshold: 2,
      goalComparison: "<",
    }),
    row({
      name: `KPI CSV import, the same ${n} rows again (all unchanged, nothing written; peak RSS ${Math.round(again.maxRssMB)} MB)`,
      value: round(again.seconds),
      unit: "s",
      baseline,
      baselineValue: round(read.seconds),
      goal: "< 10 s",
      goalOn: "value",
      goalThreshold: 10,
      goalComparison: "<",
    }),
    row({
      name: `KPI CSV import, ${n} rows all changed (${n} values superseded; peak RSS ${Math.round(changed.maxRssMB)} MB)`,
      value: round(changed.seconds),
      unit: "s",
      baseline,
      baselineValue: round(read.seconds),
      goal: "< 10 s",
      goalOn: "value",
      goalThreshold: 10,
      goalComparison: "<",
    }),
    row({
      name: `kpiObservations, one KPI over 24 months (${returned.toLocaleString("en-US")} values) at ${total.toLocaleString("en-US")} rows, p95 of ${READS}`,
      value: round(readMs, 1),
      unit: "ms",
      baseline: `count(*) of the KPI's current values, p95 of ${READS}`,
      baselineValue: round(countMs, 1),
      goal: "< 300 ms",
      goalOn: "value",
      goalThreshold: 300,
      goalComparison: "<",
    }),
  ];
}
