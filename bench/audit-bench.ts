/**
 * The audit trail at a million rows (issue 9): `quire audit verify` (time and peak memory of the
 * child process) and the /audit page's latency against the built server, each against a baseline
 * measured in the same run. Driven by bench/run.ts, which passes in its process helpers.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { readConfig } from "~/config.server";
import { quireMdxComponents } from "~/mdx-renderer.server";
import { initDataFolder } from "~/modules/setup/init.server";

import { appendAuditRows, type GeneratedTrail } from "./audit-rows";

export interface AuditBenchHelpers {
  root: string;
  work: string;
  fixture: string;
  log: (message: string) => void;
  fail: (message: string) => Error;
  /** Starts the built server on a data folder; resolves with its URL and a stop function. */
  startServer: (dataDir: string) => Promise<{ url: string; stop: () => Promise<void> }>;
  /** Signs in as the bench user; later `get` calls carry the session. */
  signIn: (baseUrl: string) => Promise<void>;
  /** GET with the session; throws unless 200 and every needle is in the body. */
  getOk: (url: string, mustContain: string[]) => Promise<Buffer>;
}

export interface CliRun {
  seconds: number;
  maxRssMB: number;
  verdict: { ok: boolean; rows: number; headSeq?: number };
}

/** `quire verify --json`: the whole record (git against the database, the audit trail, the anchors). */
export interface RecordRun {
  seconds: number;
  maxRssMB: number;
  verdict: { ok: boolean; auditRows: number; versions: number; problems: unknown[] };
}

export interface LatencySeries {
  path: string;
  requests: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
}

export interface AuditBenchResults {
  rows: number;
  generated: GeneratedTrail;
  verifyBaseline: CliRun & { dataRows: number };
  verify: CliRun;
  recordBaseline: RecordRun;
  record: RecordRun;
  /** The first /audit view on the million rows: no checkpoint yet, so the server walks every row. */
  firstView: { ms: number; aboutDuringMs: LatencySeries };
  about: LatencySeries;
  page: LatencySeries;
  filtered: LatencySeries;
  prefix: LatencySeries;
}

const SAMPLES = 30;

/** Runs `node scripts/quire.js audit verify --json` (or `verify --json`) and reads the child's own peak RSS at exit. */
function cliVerify(h: AuditBenchHelpers, dataDir: string): Promise<CliRun>;
function cliVerify(h: AuditBenchHelpers, dataDir: string, command: ["verify"]): Promise<RecordRun>;
function cliVerify(h: AuditBenchHelpers, dataDir: string, command: string[] = ["audit", "verify"]): Promise<CliRun | RecordRun> {
  // process.resourceUsage().maxRSS is the child's high-water mark in KB, printed as it exits.
  const hook = "data:text/javascript,process.on('exit',()=>process.stderr.write('\\nmaxrss-kb '+process.resourceUsage().maxRSS+'\\n'))";
  const env: NodeJS.ProcessEnv = { ...process.env, QUIRE_DATA_DIR: dataDir, NODE_ENV: "production" };
  delete env.QUIRE_CONTENT_REPO;
  delete env.QUIRE_NOW;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", hook, "scripts/quire.js", ...command, "--json"], {
      cwd: h.root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /maxrss-kb (\d+)/.exec(stderr);
      if (code !== 0 || !rss) return reject(h.fail(`quire ${command.join(" ")} on ${dataDir} exited ${code}:\n${stdout}${stderr}`));
      resolve({ seconds, maxRssMB: Number(rss[1]) / 1024, verdict: JSON.parse(stdout) as CliRun["verdict"] & RecordRun["verdict"] });
    });
  });
}

async function timedGet(h: AuditBenchHelpers, url: string, mustContain: string[] = []): Promise<number> {
  const t0 = performance.now();
  await h.getOk(url, mustContain);
  return performance.now() - t0;
}

function series(pathName: string, ms: number[]): LatencySeries {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { path: pathName, requests: ms.length, medianMs: at(0.5), p95Ms: at(0.95), maxMs: sorted.at(-1)! };
}

/** Sequential requests after three untimed ones, so the figure is a view's latency, not a queue's. */
async function latency(h: AuditBenchHelpers, baseUrl: string, pathName: string, mustContain: string[]): Promise<LatencySeries> {
  for (let i = 0; i < 3; i++) await timedGet(h, baseUrl + pathName, mustContain);
  const ms: number[] = [];
  for (let i = 0; i < SAMPLES; i++) ms.push(await timedGet(h, baseUrl + pathName));
  const s = series(pathName, ms);
  h.log(`GET ${pathName}: median ${s.medianMs.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms`);
  return s;
}

export async function auditBenchmarks(h: AuditBenchHelpers, rows: number): Promise<AuditBenchResults> {
  const dir = path.join(h.work, "audit");
  const baseDir = path.join(dir, "base");
  const bigDir = path.join(dir, "million");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // The trail begins a month ago, so the generated rows (one a second) end in the past.
  const begun = new Date(Date.now() - 30 * 86_400_000);
  await initDataFolder({
    components: quireMdxComponents,
    config: readConfig({ QUIRE_DATA_DIR: baseDir, NODE_ENV: "production" }),
    seedDir: h.fixture,
    demo: true,
    now: begun,
  });
  fs.cpSync(baseDir, bigDir, { recursive: true });

  const verifyBaseline = await cliVerify(h, baseDir);
  const recordBaseline = await cliVerify(h, baseDir, ["verify"]);
  h.log(`quire verify, fresh data folder: ${recordBaseline.seconds.toFixed(2)} s, max RSS ${recordBaseline.maxRssMB.toFixed(0)} MB`);
  h.log(
    `quire audit verify, fresh data folder (${verifyBaseline.verdict.rows} rows): ${verifyBaseline.seconds.toFixed(2)} s, max RSS ${verifyBaseline.maxRssMB.toFixed(0)} MB`,
  );

  h.log(`appending ${rows.toLocaleString("en-US")} audit rows with correct hashes...`);
  const generated = await appendAuditRows(path.join(bigDir, "quire.db"), rows, new Date(begun.getTime() + 3_600_000));
  h.log(`appended ${generated.rows.toLocaleString("en-US")} rows in ${(generated.milliseconds / 1000).toFixed(1)} s (head seq ${generated.headSeq})`);

  const server = await h.startServer(bigDir);
  let firstView: AuditBenchResults["firstView"];
  let about: LatencySeries;
  let page: LatencySeries;
  let filtered: LatencySeries;
  let prefix: LatencySeries;
  try {
    await h.signIn(server.url);
    await h.getOk(`${server.url}/about`, ["About Quire"]);
    // The first view finds no checkpoint and verifies every row; /about is asked meanwhile, to show
    // the walk does not hold other requests up.
    let done = false;
    const first = timedGet(h, `${server.url}/audit`, ["Chain intact"]).finally(() => (done = true));
    const during: number[] = [];
    while (!done) {
      during.push(await timedGet(h, `${server.url}/about`));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    firstView = { ms: await first, aboutDuringMs: series("/about during the first /audit view", during) };
    h.log(
      `first /audit view (verifies all rows): ${(firstView.ms / 1000).toFixed(2)} s; /about meanwhile: ${during.length} requests, max ${firstView.aboutDuringMs.maxMs.toFixed(0)} ms`,
    );

    about = await latency(h, server.url, "/about", ["About Quire"]);
    page = await latency(h, server.url, "/audit", ["Chain intact", "no rows since checkpoint"]);
    filtered = await latency(h, server.url, "/audit?user=cra1", ["Chain intact", 'data-seq="']);
    prefix = await latency(h, server.url, "/audit?action=training.", ["Chain intact", 'data-seq="']);
  } finally {
    await server.stop();
  }

  const verify = await cliVerify(h, bigDir);
  // The bench's own sign-in is audited too, so the head lies at or just past the generated rows.
  if (!verify.verdict.ok || (verify.verdict.headSeq ?? 0) < generated.headSeq) {
    throw h.fail(`quire audit verify did not find the generated trail intact: ${JSON.stringify(verify.verdict)}`);
  }
  h.log(`quire audit verify, ${verify.verdict.rows.toLocaleString("en-US")} rows: ${verify.seconds.toFixed(2)} s, max RSS ${verify.maxRssMB.toFixed(0)} MB`);
  // The whole-record check over the same trail (it walks the chain too, and compares git with the database).
  const record = await cliVerify(h, bigDir, ["verify"]);
  if (!record.verdict.ok) throw h.fail(`quire verify did not find the record sound: ${JSON.stringify(record.verdict.problems.slice(0, 5))}`);
  h.log(`quire verify, ${record.verdict.auditRows.toLocaleString("en-US")} rows: ${record.seconds.toFixed(2)} s, max RSS ${record.maxRssMB.toFixed(0)} MB`);
  return {
    rows,
    generated,
    verifyBaseline: { ...verifyBaseline, dataRows: verifyBaseline.verdict.rows },
    verify,
    recordBaseline,
    record,
    firstView,
    about,
    page,
    filtered,
    prefix,
  };
}
