/**
 * The inspection binder (issue 12 part 3): `quire binder --as-of <today> --out binder.pdf` over a data
 * folder of 300 generated SOPs (bench/long-sop.ts, a few pages each, different text per SOP) beside
 * the fixture's documents, in a child process as users run it, against the same command on the
 * fixture alone (3 documents):
 *   a. time — goal: under 30 s on this machine (BENCH_BINDER_DOCUMENTS changes the count);
 *   b. peak RSS (the child's process.resourceUsage().maxRSS) — goal: flat, under 2x the 3-document binder;
 *   c. the ZIP (`--zip`) of the same, time — goal: under 30 s.
 *
 * The data folders are made by a plain `initDataFolder` (every document v1.0, adopted), the path the
 * tests' templates take; the SOPs are written into the seed folder first.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { readConfig } from "~/config.server";
import { quireMdxComponents } from "~/mdx-renderer.server";
import { initDataFolder } from "~/modules/setup/init.server";

import { LONG_SOP_ID, generateLongSop } from "./long-sop";
import { resultRow, type ResultRow } from "./result-row";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORK = path.join(ROOT, "bench", ".work", "binder");
const FIXTURE = path.join(ROOT, "test", "fixtures", "content");
const DOCUMENTS = Math.max(1, Math.round(Number(process.env.BENCH_BINDER_DOCUMENTS ?? 300)));
const WORDS_PER_SOP = 1200;

export type BinderResultRow = ResultRow<"binder">;

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function row(fields: Omit<BinderResultRow, "group" | "ratio" | "met">): BinderResultRow {
  return resultRow("binder", fields);
}

/** A generated SOP under its own id and title, so each is a document of its own. */
function generatedSop(n: number): { file: string; source: string } {
  const id = `SOP-BN-${String(n).padStart(3, "0")}`;
  const source = generateLongSop({ targetWords: WORDS_PER_SOP, seed: 1000 + n })
    .replace(`id: ${LONG_SOP_ID}`, `id: ${id}`)
    .replace(/^title: .*$/m, `title: Generated procedure ${n} (binder benchmark)`);
  return { file: `sops/${id}.mdx`, source };
}

async function dataFolder(name: string, sops: number): Promise<string> {
  const seed = path.join(WORK, `${name}-seed`);
  const dataDir = path.join(WORK, `${name}-data`);
  fs.cpSync(FIXTURE, seed, { recursive: true });
  for (let n = 1; n <= sops; n++) {
    const { file, source } = generatedSop(n);
    fs.mkdirSync(path.dirname(path.join(seed, file)), { recursive: true });
    fs.writeFileSync(path.join(seed, file), source);
  }
  const started = performance.now();
  await initDataFolder({
    components: quireMdxComponents,
    config: readConfig({ QUIRE_DATA_DIR: dataDir, NODE_ENV: "production" }),
    seedDir: seed,
    demo: false,
    now: new Date(),
  });
  log(`binder: data folder ${name} (${sops} generated SOPs) made in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dataDir;
}

interface BinderRun {
  seconds: number;
  maxRssMB: number;
  answer: { documents: number; pages: number; bytes: number };
}

/** `quire binder` in a child process, reading its own peak RSS as it exits (as bench/audit-bench.ts does). */
function binder(dataDir: string, out: string, zip: boolean): Promise<BinderRun> {
  const hook = "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss-kb '+process.resourceUsage().maxRSS+'\\n'))";
  const env: NodeJS.ProcessEnv = { ...process.env, QUIRE_DATA_DIR: dataDir, NODE_ENV: "production" };
  delete env.QUIRE_NOW;
  const today = new Date().toISOString().slice(0, 10);
  const args = ["--import", hook, "scripts/quire.js", "binder", "--as-of", today, "--out", out, "--json", ...(zip ? ["--zip"] : [])];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      const seconds = (performance.now() - started) / 1000;
      // `quire binder` runs in a child with a heap limit (scripts/quire.js): both report; the peak is the larger.
      const rss = [...stderr.matchAll(/maxrss-kb (\d+)/g)].map((m) => Number(m[1]));
      if (code !== 0 || rss.length === 0) return reject(new Error(`quire binder on ${dataDir} exited ${code}:\n${stdout}${stderr}`));
      resolve({ seconds, maxRssMB: Math.max(...rss) / 1024, answer: JSON.parse(stdout) as BinderRun["answer"] });
    });
  });
}

export async function binderBenchmarks(): Promise<BinderResultRow[]> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const small = await dataFolder("fixture", 0);
  const large = await dataFolder("generated", DOCUMENTS);
  const baseline = await binder(small, path.join(WORK, "fixture.pdf"), false);
  log(
    `binder: fixture alone, ${baseline.answer.documents} documents, ${baseline.answer.pages} pages: ${baseline.seconds.toFixed(1)} s, peak RSS ${baseline.maxRssMB.toFixed(0)} MB`,
  );
  const pdf = await binder(large, path.join(WORK, "binder.pdf"), false);
  log(
    `binder: ${pdf.answer.documents} documents, ${pdf.answer.pages} pages, ${(pdf.answer.bytes / 1024 / 1024).toFixed(1)} MB: ${pdf.seconds.toFixed(1)} s, peak RSS ${pdf.maxRssMB.toFixed(0)} MB`,
  );
  const zip = await binder(large, path.join(WORK, "binder.zip"), true);
  log(
    `binder --zip: ${zip.answer.documents} PDFs, ${(zip.answer.bytes / 1024 / 1024).toFixed(1)} MB: ${zip.seconds.toFixed(1)} s, peak RSS ${zip.maxRssMB.toFixed(0)} MB`,
  );
  const fixture = `the same command on the fixture alone (${baseline.answer.documents} documents, ${baseline.answer.pages} pages)`;
  return [
    row({
      name: `quire binder, ${pdf.answer.documents} documents (${DOCUMENTS} generated SOPs), ${pdf.answer.pages} pages, one PDF`,
      value: Math.round(pdf.seconds * 10) / 10,
      unit: "s",
      baseline: fixture,
      baselineValue: Math.round(baseline.seconds * 10) / 10,
      goal: "under 30 s",
      goalOn: "value",
      goalThreshold: 30,
      goalComparison: "<",
    }),
    row({
      name: `quire binder, ${pdf.answer.documents} documents, peak RSS`,
      value: Math.round(pdf.maxRssMB),
      unit: "MB",
      baseline: fixture,
      baselineValue: Math.round(baseline.maxRssMB),
      goal: "memory flat: under 2x the 3-document binder",
      goalOn: "ratio",
      goalThreshold: 2,
      goalComparison: "<",
    }),
    row({
      name: `quire binder --zip, ${zip.answer.documents} PDFs and CSVs (peak RSS ${Math.round(zip.maxRssMB)} MB)`,
      value: Math.round(zip.seconds * 10) / 10,
      unit: "s",
      baseline: fixture,
      baselineValue: Math.round(baseline.seconds * 10) / 10,
      goal: "under 30 s",
      goalOn: "value",
      goalThreshold: 30,
      goalComparison: "<",
    }),
  ];
}
