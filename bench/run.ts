/**
 * Quire's benchmark (npm run bench): how fast a warm document page is for a long SOP, and how much
 * the render-once MDX cache saves. Every figure is a ratio against a baseline measured in the same
 * run, so results from different machines can be compared.
 *
 *   1. GET /documents/SOP-LG-001 (a generated ~20-page SOP), warm, with autocannon, against
 *      a. GET /about, a trivial Remix page of the same server (goal: ratio >= 1.0), and
 *      b. a bare Node `http` server in a child process returning the same page bytes from memory
 *         (goal: ratio >= 0.10); plus the SOP page's p99 latency (goal < 100 ms).
 *   2. In-process MDX: warm MdxRenderer.render (cached) against compile + render per call (goal >= 50x).
 *   3. The audit trail at 1,000,000 rows (bench/audit-bench.ts): `quire audit verify --json` in a child
 *      process, time (goal < 10 s) and peak RSS (goal < 200 MB) against the same command on a fresh
 *      data folder; the /audit page unfiltered and filtered, p95 latency (goal < 300 ms) against GET
 *      /about on the same server; and /about while the first /audit view verifies every row.
 *   4. Training at the scale of issue 11 (bench/training-bench.ts, bench/training-load.ts): one
 *      approval's assignments for 5,000 people against a raw INSERT of the same rows (goal < 3x); the
 *      training matrix and who is overdue at 5,000 people x 300 documents against a count(*) of the
 *      assignments (goal p95 < 300 ms); 200 simultaneous acknowledgements over HTTP, each recorded
 *      exactly once (goal), throughput and p95 against the same people's simultaneous sign-ins.
 *   5. The PDF engine (bench/pdf-bench.ts): a ~20-page SOP to PDF against bare pdfkit (goal < 2x) and
 *      against warm Chromium's page.pdf of the same body (goal: the engine >= 3x faster).
 *   6. The inspection binder (bench/binder-bench.ts): `quire binder` over 300 generated SOPs, time (goal
 *      < 30 s) and peak RSS (goal: flat, < 2x the fixture's 3-document binder), and its --zip.
 *   7. The redline (bench/redline-bench.ts): a 5,000-word SOP rewritten, structural redline (goal < 250 ms)
 *      against the old word-level one.
 *   8. The KPI CSV import (bench/kpi-import-bench.ts): 100,000 rows streamed, checked and stored (goal
 *      < 10 s) against a plain csv-parse read of the same file, peak RSS (goal < 2x the read's), and the
 *      dashboard's 24-month read of one KPI at 200,000 rows (goal p95 < 300 ms); and the whole KPI
 *      dashboard (bench/kpi-dashboard-bench.ts) at 5,000 people x 300 documents and 24 months of
 *      imported figures, each call after a write (goal p95 < 300 ms) against count(*)s.
 *
 * Writes bench/results.json and prints a markdown table. Exits 0 when goals are missed (it is a
 * report) and non-zero when something fails to run.
 *
 * Environment: BENCH_SECONDS (measured seconds per HTTP run, default 10), BENCH_WARMUP_SECONDS
 * (default 2, at most BENCH_SECONDS), BENCH_CONNECTIONS (default 50), BENCH_MDX_COMPILES
 * (default 20), BENCH_MDX_WARM_RENDERS (default 2000), BENCH_PROFILE=1 (run the app server with
 * --cpu-prof; the profile lands in bench/.work/profile/), BENCH_ONLY=page|audit|cli|training|pdf|binder|redline|kpi (run one
 * group; the other groups' figures in bench/results.json are kept), BENCH_AUDIT_ROWS (default 1000000),
 * BENCH_TRAINING_PEOPLE, BENCH_TRAINING_DOCUMENTS, BENCH_TRAINING_RUNS, BENCH_TRAINING_FANOUT_ROUNDS
 * (see bench/training-bench.ts), BENCH_TRAINING_LOAD_PEOPLE (default 200), BENCH_KPI_PARTS=import,dashboard
 * (default both), BENCH_KPI_ROWS, BENCH_KPI_READS, BENCH_KPI_DASHBOARD_RUNS, BENCH_KPI_DASHBOARD_KEEP.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import autocannon from "autocannon";
import { getMDXComponent } from "mdx-bundler/client/index.js";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";

import { JobFunctionNames, mdxComponents } from "~/components/mdx/mdx-components";
import { readConfig } from "~/config.server";
import { createMdxRenderer, quireMdxComponents } from "~/mdx-renderer.server";
import { compileMdx, sha256 } from "~/modules/content/render.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { ContentInvalid, initDataFolder } from "~/modules/setup/init.server";

import { auditBenchmarks, type AuditBenchResults } from "./audit-bench";
import { binderBenchmarks } from "./binder-bench";
import { cliBenchmarks } from "./cli";
import { kpiDashboardBenchmarks } from "./kpi-dashboard-bench";
import { kpiImportBenchmarks } from "./kpi-import-bench";
import { LONG_SOP_ID, LONG_SOP_PATH, countWords, generateLongSop } from "./long-sop";
import { pdfBenchmarks } from "./pdf-bench";
import { redlineBenchmarks } from "./redline-bench";
import { resultRow, type ResultRow as BenchRow } from "./result-row";
import { fanOutBenchmark, matrixBenchmark } from "./training-bench";
import { trainingLoad, trainingLoadTable } from "./training-load";

/** Something failed to run (as opposed to a goal not met): the run exits non-zero. */
class BenchFailure extends Error {}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BENCH_DIR = path.join(ROOT, "bench");
const WORK = path.join(BENCH_DIR, ".work");
const SEED_DIR = path.join(WORK, "seed");
const DATA_DIR = path.join(WORK, "data");
const PAGE_FILE = path.join(WORK, `${LONG_SOP_ID}.html`);
const PROFILE_DIR = path.join(WORK, "profile");
const FIXTURE = path.join(ROOT, "test", "fixtures", "content");
const RESULTS_FILE = path.join(BENCH_DIR, "results.json");

const SECONDS = envNumber("BENCH_SECONDS", 10);
const WARMUP_SECONDS = Math.min(envNumber("BENCH_WARMUP_SECONDS", 2), SECONDS);
const CONNECTIONS = Math.round(envNumber("BENCH_CONNECTIONS", 50));
const MDX_COMPILES = Math.max(1, Math.round(envNumber("BENCH_MDX_COMPILES", 20)));
const MDX_WARM_RENDERS = Math.max(1, Math.round(envNumber("BENCH_MDX_WARM_RENDERS", 2000)));
const PROFILE = process.env.BENCH_PROFILE === "1";
const AUDIT_ROWS = Math.round(envNumber("BENCH_AUDIT_ROWS", 1_000_000));
const TRAINING_LOAD_PEOPLE = Math.round(envNumber("BENCH_TRAINING_LOAD_PEOPLE", 200));
const GROUPS = ["page", "audit", "cli", "training", "pdf", "binder", "redline", "kpi"] as const;
type Group = (typeof GROUPS)[number];
const ONLY = process.env.BENCH_ONLY || undefined;
if (ONLY !== undefined && !(GROUPS as readonly string[]).includes(ONLY)) {
  process.stderr.write(`[bench] FAILED: BENCH_ONLY=${ONLY} is not one of ${GROUPS.join(", ")}\n`);
  process.exit(1);
}
const runs = (group: Group) => ONLY === undefined || ONLY === group;

const SOP_PATH = `/documents/${LONG_SOP_ID}`;
const ABOUT_PATH = "/about";
/** Requests look like a signed-in browser's: every page needs a session (set by signIn below). */
const REQUEST_HEADERS: Record<string, string> = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
  accept: "text/html,application/xhtml+xml",
};
const BENCH_USER = "qa";

/** Signs in as a demo user and adds the session cookie to every measured request. */
async function signIn(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: baseUrl },
    body: new URLSearchParams({ username: BENCH_USER, password: DEMO_PASSWORD }),
  });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (response.status !== 302 || !cookie) throw new BenchFailure(`sign-in as ${BENCH_USER} failed: ${response.status}`);
  REQUEST_HEADERS.cookie = cookie;
}

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new BenchFailure(`${name}=${raw} is not a positive number`);
  return value;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface Child {
  name: string;
  proc: ChildProcess;
  output: string[];
  exited: Promise<void>;
}

const children = new Set<Child>();

/** Starts a process and resolves with its URL once it prints `http://localhost:<port>`. */
function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ child: Child; url: string }> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const child: Child = { name, proc, output, exited };
  children.add(child);
  void exited.then(() => children.delete(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not report it was serving within ${timeoutMs / 1000} s`), timeoutMs);
    let ready = false;
    function fail(why: string) {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      reject(new BenchFailure(`${name} ${why}.\n--- its output ---\n${output.join("").trim() || "(none)"}`));
    }
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output.push(text);
      if (output.length > 200) output.splice(0, output.length - 200);
      const match = /http:\/\/localhost:(\d+)/.exec(output.join(""));
      if (match && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${match[1]}` });
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("error", (error) => fail(`could not be started: ${error.message}`));
    proc.once("exit", (code, signal) => fail(`exited before serving (code ${code}, signal ${signal})`));
  });
}

/** SIGTERM, wait up to 5 s, then SIGKILL. */
async function stopChild(child: Child): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const exitedInTime = await Promise.race([child.exited.then(() => true), sleep(5_000).then(() => false)]);
  if (!exitedInTime) {
    log(`${child.name} did not stop within 5 s of SIGTERM; sending SIGKILL`);
    proc.kill("SIGKILL");
    await child.exited;
  }
}

async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c)));
}

// Never leave a server behind, whatever happens.
process.on("exit", () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping servers`);
    void stopAll().finally(() => process.exit(130));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Data folder

interface DocumentStats {
  id: string;
  words: number;
  sourceBytes: number;
}

async function prepareData(): Promise<{ source: string; stats: DocumentStats }> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  fs.cpSync(FIXTURE, SEED_DIR, { recursive: true });
  const source = generateLongSop();
  const file = path.join(SEED_DIR, LONG_SOP_PATH);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, source);
  const stats = { id: LONG_SOP_ID, words: countWords(source), sourceBytes: Buffer.byteLength(source) };
  log(`generated ${LONG_SOP_PATH}: ${stats.words} words, ${(stats.sourceBytes / 1024).toFixed(1)} KB of MDX`);

  const validate = spawnSync(process.execPath, ["scripts/quire.js", "validate", SEED_DIR], { cwd: ROOT, encoding: "utf8" });
  if (validate.status !== 0) {
    throw new BenchFailure(`the seed content does not validate (exit ${validate.status}):\n${validate.stdout}${validate.stderr}`);
  }
  log(`seed validated: ${validate.stderr.trim()}`);

  try {
    const summary = await initDataFolder({
      components: quireMdxComponents,
      config: readConfig({ QUIRE_DATA_DIR: DATA_DIR, NODE_ENV: "production" }),
      seedDir: SEED_DIR,
      demo: true, // the demo users, so the benchmark can sign in
      now: new Date(),
    });
    log(`data folder ${path.relative(ROOT, summary.dataDir)}: ${summary.documents} documents, versions ${summary.versions.join(", ")}`);
  } catch (error) {
    if (error instanceof ContentInvalid) {
      const list = error.problems.map((p) => `  ${p.path}:${p.line}:${p.column}: ${p.message} [${p.rule}]`).join("\n");
      throw new BenchFailure(`${error.message}\n${list}`);
    }
    throw error;
  }
  return { source, stats };
}

// ---------------------------------------------------------------------------------------------
// HTTP

async function get(url: string): Promise<{ status: number; body: Buffer }> {
  const response = await fetch(url, { headers: REQUEST_HEADERS });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

async function getOk(url: string, mustContain: string[]): Promise<Buffer> {
  const { status, body } = await get(url);
  if (status !== 200) throw new BenchFailure(`GET ${url} answered ${status}: ${body.toString("utf8").slice(0, 500)}`);
  const text = body.toString("utf8");
  for (const needle of mustContain) {
    if (!text.includes(needle)) throw new BenchFailure(`GET ${url} answered 200 but the page lacks ${JSON.stringify(needle)}`);
  }
  return body;
}

interface HttpMeasurement {
  name: string;
  url: string;
  connections: number;
  durationSeconds: number;
  /** autocannon's Req/Sec average (mean of the one-second samples). */
  requestsPerSecond: number;
  /** Completed requests divided by the run's duration. */
  requestsPerSecondOverall: number;
  requestsTotal: number;
  requestsPerSecondStddev: number;
  latencyMs: { average: number; stddev: number; p50: number; p90: number; p97_5: number; p99: number; max: number };
  bytesPerResponse: number;
  throughputBytesPerSecond: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /**
   * CPU seconds the server process used during the measured run (Linux /proc; null elsewhere), and
   * per request: a figure that does not depend on whether the load generator was the bottleneck.
   */
  serverCpuSeconds: number | null;
  serverCpuMsPerRequest: number | null;
  /** CPU seconds of this process (autocannon) during the measured run; near 1 s/s means it was the bottleneck. */
  loadGeneratorCpuSeconds: number;
  warmup: { seconds: number; requestsPerSecond: number; non2xx: number; errors: number };
}

/**
 * With `everyUrlNew`, each request asks for the URL with a search parameter never asked before
 * (`?view=N`, which the page ignores), so no cache keyed by URL can answer: a first view.
 */
async function runAutocannon(url: string, seconds: number, title: string, everyUrlNew = false): Promise<autocannon.Result> {
  const options: autocannon.Options = { url, connections: CONNECTIONS, duration: seconds, headers: REQUEST_HEADERS, title };
  if (everyUrlNew) {
    const base = new URL(url);
    options.requests = [
      {
        setupRequest: (request) => ({ ...request, path: `${base.pathname}?view=${(firstViews += 1)}` }),
      },
    ];
  }
  return await autocannon(options);
}
let firstViews = 0;

/** CPU seconds (user + system) a process has used so far, from /proc; null where unavailable. */
function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of the line)
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

async function measure(name: string, url: string, server: Child, everyUrlNew = false): Promise<HttpMeasurement> {
  log(`${name}: warm-up ${WARMUP_SECONDS} s, then ${SECONDS} s with ${CONNECTIONS} connections (${url}${everyUrlNew ? "?view=N, N new each time" : ""})`);
  const warm = await runAutocannon(url, WARMUP_SECONDS, `${name} (warm-up)`, everyUrlNew);
  const serverCpu0 = processCpuSeconds(server.proc.pid);
  const ownCpu0 = process.cpuUsage();
  const r = await runAutocannon(url, SECONDS, name, everyUrlNew);
  const ownCpu = process.cpuUsage(ownCpu0);
  const serverCpu1 = processCpuSeconds(server.proc.pid);
  const serverCpuSeconds = serverCpu0 !== null && serverCpu1 !== null ? serverCpu1 - serverCpu0 : null;
  const m: HttpMeasurement = {
    name,
    url,
    connections: CONNECTIONS,
    durationSeconds: r.duration,
    requestsPerSecond: r.requests.average,
    requestsPerSecondOverall: r.duration > 0 ? r.requests.total / r.duration : 0,
    requestsTotal: r.requests.total,
    requestsPerSecondStddev: r.requests.stddev,
    latencyMs: {
      average: r.latency.average,
      stddev: r.latency.stddev,
      p50: r.latency.p50,
      p90: r.latency.p90,
      p97_5: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    bytesPerResponse: r.requests.total > 0 ? r.throughput.total / r.requests.total : 0,
    throughputBytesPerSecond: r.throughput.average,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    serverCpuSeconds,
    serverCpuMsPerRequest: serverCpuSeconds !== null && r.requests.total > 0 ? (serverCpuSeconds * 1000) / r.requests.total : null,
    loadGeneratorCpuSeconds: (ownCpu.user + ownCpu.system) / 1e6,
    warmup: { seconds: WARMUP_SECONDS, requestsPerSecond: warm.requests.average, non2xx: warm.non2xx, errors: warm.errors },
  };
  log(
    `${name}: ${m.requestsPerSecond.toFixed(1)} req/s, latency avg ${m.latencyMs.average.toFixed(1)} ms, p99 ${m.latencyMs.p99} ms, ` +
      `${m.requestsTotal} requests, non-2xx ${m.non2xx}, errors ${m.errors}; ` +
      `CPU: server ${m.serverCpuSeconds?.toFixed(2) ?? "?"} s, autocannon ${m.loadGeneratorCpuSeconds.toFixed(2)} s`,
  );
  const bad = m.non2xx + warm.non2xx;
  if (bad > 0) throw new BenchFailure(`${name}: ${bad} non-2xx responses from ${url} (status codes: ${JSON.stringify(r.statusCodeStats)})`);
  if (m.errors > 0) throw new BenchFailure(`${name}: ${m.errors} connection errors (${m.timeouts} timeouts) against ${url}`);
  if (m.requestsTotal === 0) throw new BenchFailure(`${name}: no request completed against ${url}`);
  return m;
}

interface HttpResults {
  sop: HttpMeasurement;
  /** The SOP page at a URL never asked before: what a reader's first view of it costs (no page cache answers). */
  sopFirstView: HttpMeasurement;
  about: HttpMeasurement;
  bareNode: HttpMeasurement;
  pageBytes: { sop: number; about: number };
  sopPageStable: boolean;
}

async function httpBenchmarks(): Promise<HttpResults> {
  if (!fs.existsSync(path.join(ROOT, "build", "index.js"))) {
    throw new BenchFailure("build/index.js is missing: run `npm run build` first (npm run bench does).");
  }
  const appPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, QUIRE_DATA_DIR: DATA_DIR, PORT: String(appPort), NODE_ENV: "production" };
  // The data folder decides everything; an outer QUIRE_CONTENT_REPO or fixed clock must not leak in.
  delete env.QUIRE_CONTENT_REPO;
  delete env.QUIRE_NOW;
  const args = PROFILE ? ["--cpu-prof", "--cpu-prof-dir", PROFILE_DIR, "server.js"] : ["server.js"];
  const { child: app, url: appUrl } = await startChild("the Quire server (node server.js)", args, env);
  log(`Quire is up at ${appUrl}${PROFILE ? ` (CPU profile to ${path.relative(ROOT, PROFILE_DIR)})` : ""}`);

  let sop: HttpMeasurement;
  let sopFirstView: HttpMeasurement;
  let about: HttpMeasurement;
  let sopPage: Buffer;
  let aboutPage: Buffer;
  let sopPageStable: boolean;
  try {
    await signIn(appUrl);
    // Smoke checks, then warm both pages (the first SOP request compiles and renders the MDX).
    sopPage = await getOk(appUrl + SOP_PATH, [`data-doc-id="${LONG_SOP_ID}"`, 'id="purpose"', 'class="steps"']);
    aboutPage = await getOk(appUrl + ABOUT_PATH, ["About Quire"]);
    for (let i = 0; i < 20; i++) {
      await getOk(appUrl + SOP_PATH, []);
      await getOk(appUrl + ABOUT_PATH, []);
    }
    const again = await getOk(appUrl + SOP_PATH, []);
    sopPageStable = again.equals(sopPage);
    if (!sopPageStable) log("note: two warm responses of the SOP page differ; the bare-Node baseline serves the first");
    log(`SOP page ${(sopPage.length / 1024).toFixed(1)} KB, /about ${(aboutPage.length / 1024).toFixed(1)} KB`);

    sop = await measure(`GET ${SOP_PATH}`, appUrl + SOP_PATH, app);
    sopFirstView = await measure(`GET ${SOP_PATH}?view=N, first view`, appUrl + SOP_PATH, app, true);
    about = await measure(`GET ${ABOUT_PATH}`, appUrl + ABOUT_PATH, app);
  } finally {
    await stopChild(app);
  }

  fs.writeFileSync(PAGE_FILE, sopPage);
  const staticPort = await freePort();
  const { child: bare, url: bareUrl } = await startChild(
    "the bare Node http server (bench/static-server.mjs)",
    [path.join(BENCH_DIR, "static-server.mjs"), PAGE_FILE, String(staticPort)],
    { PATH: process.env.PATH ?? "", NODE_ENV: "production" },
  );
  let bareNode: HttpMeasurement;
  try {
    const served = await getOk(bareUrl + SOP_PATH, []);
    if (!served.equals(sopPage)) throw new BenchFailure("the bare Node server does not serve the SOP page's bytes");
    bareNode = await measure("bare Node http, same bytes", bareUrl + SOP_PATH, bare);
  } finally {
    await stopChild(bare);
  }
  return { sop, sopFirstView, about, bareNode, pageBytes: { sop: sopPage.length, about: aboutPage.length }, sopPageStable };
}

// ---------------------------------------------------------------------------------------------
// MDX

interface MdxResults {
  compiles: number;
  warmRenders: number;
  /** Compile + render per call, as a page without the cache would do. */
  cold: { opsPerSecond: number; msPerOp: number; compileMsAvg: number; renderMsAvg: number; compileMsMin: number; compileMsMax: number };
  /** MdxRenderer.render on a warm cache. */
  warm: { opsPerSecond: number; usPerOp: number };
  bodyHtmlBytes: number;
  headings: number;
  coldHtmlMatchesRenderer: boolean;
}

const JOB_FUNCTION_NAMES: ReadonlyMap<string, string> = new Map();

/** Mirrors MdxRenderer's private toHtml: the compiled component rendered to static markup. */
function renderCompiled(code: string): string {
  const Content = getMDXComponent(code);
  return renderToStaticMarkup(createElement(JobFunctionNames.Provider, { value: JOB_FUNCTION_NAMES }, createElement(Content, { components: mdxComponents })));
}

async function mdxBenchmark(source: string): Promise<MdxResults> {
  const hash = sha256(source);
  const loadSource = async () => source;
  const renderer = createMdxRenderer(null, new Map());
  // The first call compiles and renders (and starts esbuild's service); it is not timed.
  const first = await renderer.render(hash, loadSource);
  if (!first.html.includes('id="purpose"')) throw new BenchFailure("MdxRenderer rendered the long SOP without its Purpose heading");

  log(`MDX: ${MDX_COMPILES} compile + render calls, then ${MDX_WARM_RENDERS} warm renders`);
  renderCompiled(await compileMdx(source)); // one more untimed round to warm the JIT
  const compileMs: number[] = [];
  const renderMs: number[] = [];
  let lastHtml = "";
  for (let i = 0; i < MDX_COMPILES; i++) {
    const t0 = performance.now();
    const code = await compileMdx(source);
    const t1 = performance.now();
    lastHtml = renderCompiled(code);
    const t2 = performance.now();
    compileMs.push(t1 - t0);
    renderMs.push(t2 - t1);
  }
  const coldTotalMs = sum(compileMs) + sum(renderMs);

  let bytes = 0;
  for (let i = 0; i < Math.min(200, MDX_WARM_RENDERS); i++) bytes += (await renderer.render(hash, loadSource)).html.length;
  const w0 = performance.now();
  for (let i = 0; i < MDX_WARM_RENDERS; i++) bytes += (await renderer.render(hash, loadSource)).html.length;
  const warmTotalMs = performance.now() - w0;
  if (bytes === 0) throw new BenchFailure("warm renders returned empty HTML");

  const coldMs = coldTotalMs / MDX_COMPILES;
  const warmMs = warmTotalMs / MDX_WARM_RENDERS;
  const result: MdxResults = {
    compiles: MDX_COMPILES,
    warmRenders: MDX_WARM_RENDERS,
    cold: {
      opsPerSecond: 1000 / coldMs,
      msPerOp: coldMs,
      compileMsAvg: sum(compileMs) / MDX_COMPILES,
      renderMsAvg: sum(renderMs) / MDX_COMPILES,
      compileMsMin: Math.min(...compileMs),
      compileMsMax: Math.max(...compileMs),
    },
    warm: { opsPerSecond: 1000 / warmMs, usPerOp: warmMs * 1000 },
    bodyHtmlBytes: Buffer.byteLength(first.html),
    headings: first.headings.length,
    coldHtmlMatchesRenderer: lastHtml === first.html,
  };
  if (!result.coldHtmlMatchesRenderer) log("note: compile + render HTML differs from MdxRenderer's; check renderCompiled against render.server.ts");
  log(
    `MDX: compile+render ${coldMs.toFixed(1)} ms/op (compile ${result.cold.compileMsAvg.toFixed(1)} ms, render ${result.cold.renderMsAvg.toFixed(1)} ms); ` +
      `warm ${result.warm.usPerOp.toFixed(2)} µs/op`,
  );
  return result;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

// ---------------------------------------------------------------------------------------------
// Report

type ResultRow = BenchRow<Group>;

function row(r: Omit<ResultRow, "ratio" | "met" | "group">, group: Group = "page"): ResultRow {
  return resultRow(group, r);
}

function fmt(n: number, unit: string): string {
  const digits = n >= 1000 || (n >= 100 && Number.isInteger(n)) ? 0 : n >= 100 ? 1 : n >= 10 ? 1 : 2;
  const s = n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit ? `${s} ${unit}` : s;
}

function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return "n/a";
  return r >= 100 ? `${Math.round(r).toLocaleString("en-US")}x` : `${r.toFixed(2)}x`;
}

function markdownTable(rows: ResultRow[]): string {
  const lines = ["| benchmark | value | baseline | ratio | goal | met |", "|---|---|---|---|---|---|"];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${fmt(r.value, r.unit)} | ${r.baseline}: ${fmt(r.baselineValue, r.unit)} | ${fmtRatio(r.ratio)} | ${r.goal} | ${r.goalOn === "none" ? "–" : r.met ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

/** The raw HTTP numbers behind the ratios, with CPU use to show which side was the bottleneck. */
function rawTable(ms: HttpMeasurement[]): string {
  const lines = ["| endpoint | req/s | latency avg | p50 | p99 | response | server CPU per request | autocannon CPU |", "|---|---|---|---|---|---|---|---|"];
  for (const m of ms) {
    const busy = m.durationSeconds > 0 ? `${Math.round((100 * m.loadGeneratorCpuSeconds) / m.durationSeconds)}% of a core` : "n/a";
    const cpu = m.serverCpuMsPerRequest === null ? "n/a" : `${m.serverCpuMsPerRequest.toFixed(3)} ms`;
    lines.push(
      `| ${m.name} | ${fmt(m.requestsPerSecond, "")} | ${m.latencyMs.average.toFixed(1)} ms | ${m.latencyMs.p50} ms | ${m.latencyMs.p99} ms | ` +
        `${(m.bytesPerResponse / 1024).toFixed(1)} KB | ${cpu} | ${busy} |`,
    );
  }
  return lines.join("\n");
}

interface GroupReport {
  results: ResultRow[];
  notes: string[];
  /** Sections of results.json this group owns. */
  sections: Record<string, unknown>;
  printed: string;
}

async function pageBenchmarks(): Promise<GroupReport> {
  log(`${SECONDS} s per HTTP measurement after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections`);
  const { source, stats } = await prepareData();
  const http = await httpBenchmarks();
  const mdx = await mdxBenchmark(source);

  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const sopLabel = `SOP page (${stats.words.toLocaleString("en-US")} words, ${kb(http.pageBytes.sop)} HTML)`;
  const results: ResultRow[] = [
    row({
      name: `${sopLabel} vs trivial Remix page`,
      value: http.sop.requestsPerSecond,
      unit: "req/s",
      baseline: "GET /about",
      baselineValue: http.about.requestsPerSecond,
      goal: "ratio >= 1.0",
      goalOn: "ratio",
      goalThreshold: 1.0,
      goalComparison: ">=",
    }),
    row({
      name: `${sopLabel} vs bare Node http, same bytes`,
      value: http.sop.requestsPerSecond,
      unit: "req/s",
      baseline: "bare Node http",
      baselineValue: http.bareNode.requestsPerSecond,
      goal: "ratio >= 0.10",
      goalOn: "ratio",
      goalThreshold: 0.1,
      goalComparison: ">=",
    }),
    row({
      name: `${sopLabel} p99 latency at ${CONNECTIONS} connections`,
      value: http.sop.latencyMs.p99,
      unit: "ms",
      baseline: "GET /about p99",
      baselineValue: http.about.latencyMs.p99,
      goal: "p99 < 100 ms",
      goalOn: "value",
      goalThreshold: 100,
      goalComparison: "<",
    }),
    row({
      name: `MDX warm render vs compile + render per call (${kb(mdx.bodyHtmlBytes)} body HTML)`,
      value: mdx.warm.opsPerSecond,
      unit: "ops/s",
      baseline: "compileMdx + render",
      baselineValue: mdx.cold.opsPerSecond,
      goal: "ratio >= 50",
      goalOn: "ratio",
      goalThreshold: 50,
      goalComparison: ">=",
    }),
  ];

  const notes: string[] = [];
  for (const m of [http.sop, http.sopFirstView, http.about, http.bareNode]) {
    const share = m.durationSeconds > 0 ? m.loadGeneratorCpuSeconds / m.durationSeconds : 0;
    if (share >= 0.85) {
      notes.push(
        `${m.name}: autocannon used ${Math.round(share * 100)}% of a core, so this rate is bounded by the load generator, not the server` +
          (m.serverCpuSeconds !== null && m.durationSeconds > 0
            ? ` (server CPU ${Math.round((100 * m.serverCpuSeconds) / m.durationSeconds)}% of a core).`
            : "."),
      );
    }
  }
  if (http.sop.serverCpuMsPerRequest !== null && http.about.serverCpuMsPerRequest !== null && http.bareNode.serverCpuMsPerRequest !== null) {
    notes.push(
      `Server CPU per request: SOP page ${http.sop.serverCpuMsPerRequest.toFixed(2)} ms, /about ${http.about.serverCpuMsPerRequest.toFixed(2)} ms, ` +
        `bare Node ${http.bareNode.serverCpuMsPerRequest.toFixed(3)} ms (SOP page costs ${(http.sop.serverCpuMsPerRequest / http.about.serverCpuMsPerRequest).toFixed(1)}x /about ` +
        `and ${Math.round(http.sop.serverCpuMsPerRequest / http.bareNode.serverCpuMsPerRequest)}x bare Node in server CPU).`,
    );
  }
  if (http.sopFirstView.serverCpuMsPerRequest !== null && http.about.serverCpuMsPerRequest !== null) {
    notes.push(
      `The SOP page rows measure one session reading the same URL again, which the page response cache answers while nothing ` +
        `it depends on has changed (app/web/page-responses.server.ts). A first view (a URL never asked before, rendered by Remix): ` +
        `${fmt(http.sopFirstView.requestsPerSecond, "req/s")}, p99 ${http.sopFirstView.latencyMs.p99} ms, ` +
        `${http.sopFirstView.serverCpuMsPerRequest.toFixed(2)} ms server CPU per request ` +
        `(${(http.sopFirstView.serverCpuMsPerRequest / http.about.serverCpuMsPerRequest).toFixed(1)}x /about).`,
    );
  }

  const sections = {
    config: {
      seconds: SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      connections: CONNECTIONS,
      mdxCompiles: MDX_COMPILES,
      mdxWarmRenders: MDX_WARM_RENDERS,
      profile: PROFILE,
    },
    document: {
      ...stats,
      bodyHtmlBytes: mdx.bodyHtmlBytes,
      headings: mdx.headings,
      pageHtmlBytes: http.pageBytes.sop,
      aboutHtmlBytes: http.pageBytes.about,
      pageBytesStableAcrossRequests: http.sopPageStable,
    },
    raw: { http: { sop: http.sop, sopFirstView: http.sopFirstView, about: http.about, bareNode: http.bareNode }, mdx },
  };
  const printed =
    `${rawTable([http.sop, http.sopFirstView, http.about, http.bareNode])}\n\n` +
    `_autocannon ${CONNECTIONS} connections, ${SECONDS} s per run after ${WARMUP_SECONDS} s warm-up; MDX: ${MDX_COMPILES} compiles, ${MDX_WARM_RENDERS} warm renders._`;
  return { results, notes, sections, printed };
}

// ---------------------------------------------------------------------------------------------
// Audit trail

async function startAppServer(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (!fs.existsSync(path.join(ROOT, "build", "index.js"))) {
    throw new BenchFailure("build/index.js is missing: run `npm run build` first (npm run bench does).");
  }
  const env: NodeJS.ProcessEnv = { ...process.env, QUIRE_DATA_DIR: dataDir, PORT: String(await freePort()), NODE_ENV: "production" };
  delete env.QUIRE_CONTENT_REPO;
  delete env.QUIRE_NOW;
  const { child, url } = await startChild("the Quire server (node server.js)", ["server.js"], env);
  return { url, stop: () => stopChild(child) };
}

async function auditGroup(): Promise<GroupReport> {
  const a: AuditBenchResults = await auditBenchmarks(
    {
      root: ROOT,
      work: WORK,
      fixture: FIXTURE,
      log,
      fail: (message) => new BenchFailure(message),
      startServer: startAppServer,
      signIn,
      getOk,
    },
    AUDIT_ROWS,
  );
  const n = a.verify.verdict.rows.toLocaleString("en-US");
  const fresh = `same command, fresh data folder (${a.verifyBaseline.dataRows} rows)`;
  const results: ResultRow[] = [
    row(
      {
        name: `quire audit verify, ${n} audit rows: time`,
        value: a.verify.seconds,
        unit: "s",
        baseline: fresh,
        baselineValue: a.verifyBaseline.seconds,
        goal: "< 10 s",
        goalOn: "value",
        goalThreshold: 10,
        goalComparison: "<",
      },
      "audit",
    ),
    row(
      {
        name: `quire audit verify, ${n} audit rows: peak RSS`,
        value: a.verify.maxRssMB,
        unit: "MB",
        baseline: fresh,
        baselineValue: a.verifyBaseline.maxRssMB,
        goal: "< 200 MB",
        goalOn: "value",
        goalThreshold: 200,
        goalComparison: "<",
      },
      "audit",
    ),
    row(
      {
        name: `quire verify (whole record), ${n} audit rows: time`,
        value: a.record.seconds,
        unit: "s",
        baseline: "same command, fresh data folder",
        baselineValue: a.recordBaseline.seconds,
        goal: "< 10 s",
        goalOn: "value",
        goalThreshold: 10,
        goalComparison: "<",
      },
      "audit",
    ),
    row(
      {
        name: `quire verify (whole record), ${n} audit rows: peak RSS`,
        value: a.record.maxRssMB,
        unit: "MB",
        baseline: "same command, fresh data folder",
        baselineValue: a.recordBaseline.maxRssMB,
        goal: "< 200 MB",
        goalOn: "value",
        goalThreshold: 200,
        goalComparison: "<",
      },
      "audit",
    ),
  ];
  for (const s of [a.page, a.filtered, a.prefix]) {
    results.push(
      row(
        {
          name: `GET ${s.path} at ${n} audit rows, p95 of ${s.requests}`,
          value: s.p95Ms,
          unit: "ms",
          baseline: "GET /about p95, same server",
          baselineValue: a.about.p95Ms,
          goal: "< 300 ms",
          goalOn: "value",
          goalThreshold: 300,
          goalComparison: "<",
        },
        "audit",
      ),
    );
  }
  results.push(
    row(
      {
        name: `GET /about, worst of ${a.firstView.aboutDuringMs.requests} while the first /audit view verifies all ${n} rows`,
        value: a.firstView.aboutDuringMs.maxMs,
        unit: "ms",
        baseline: "GET /about p95, idle",
        baselineValue: a.about.p95Ms,
        goal: "< 300 ms",
        goalOn: "value",
        goalThreshold: 300,
        goalComparison: "<",
      },
      "audit",
    ),
  );
  const notes = [
    `Audit: ${a.generated.rows.toLocaleString("en-US")} rows generated with correct hashes in ${(a.generated.milliseconds / 1000).toFixed(1)} s; ` +
      `the first /audit view (no checkpoint yet, so every row is verified in the server) took ${(a.firstView.ms / 1000).toFixed(2)} s; later views verify only the rows since the checkpoint it recorded.`,
  ];
  const printed = [
    "| audit page | median | p95 | max |",
    "|---|---|---|---|",
    ...[a.about, a.page, a.filtered, a.prefix, a.firstView.aboutDuringMs].map(
      (s) => `| ${s.path} | ${s.medianMs.toFixed(1)} ms | ${s.p95Ms.toFixed(1)} ms | ${s.maxMs.toFixed(1)} ms |`,
    ),
  ].join("\n");
  return { results, notes, sections: { audit: a }, printed };
}

// ---------------------------------------------------------------------------------------------
// Training (issue 11)

async function trainingGroup(): Promise<GroupReport> {
  const h = { work: WORK, log, fail: (message: string) => new BenchFailure(message) };
  const fanOut = await fanOutBenchmark(h);
  const matrix = await matrixBenchmark(h);
  log(`training load: ${TRAINING_LOAD_PEOPLE} people acknowledging at once over HTTP`);
  const load = await trainingLoad({ people: TRAINING_LOAD_PEOPLE, log: (m) => log(`training load: ${m}`) });
  if (load.problems.length > 0) {
    throw new BenchFailure(`training load: acknowledgements not recorded exactly once:\n${load.problems.map((p) => `  ${p}`).join("\n")}`);
  }
  const n = (x: number) => x.toLocaleString("en-US");
  const scale = `${n(matrix.data.people)} people x ${n(matrix.data.documents)} documents (${n(matrix.countRows)} assignments)`;
  const countBaseline = `SELECT count(*) FROM training_assignments, p95 of ${matrix.runs}`;
  const burst = `${n(load.people)} simultaneous acknowledgements over HTTP (+${load.duplicates} duplicate signatures)`;
  const results: ResultRow[] = [
    row(
      {
        name: `assignVersion for ${n(fanOut.people)} people in one transaction (${n(fanOut.superseded)} superseded, one audit row), median of ${fanOut.rounds}`,
        value: fanOut.assignVersion.medianMs,
        unit: "ms",
        baseline: "raw multi-row INSERT of the same rows, one transaction",
        baselineValue: fanOut.baseline.medianMs,
        goal: "ratio < 3.0",
        goalOn: "ratio",
        goalThreshold: 3,
        goalComparison: "<",
      },
      "training",
    ),
    row(
      {
        name: `trainingMatrix at ${scale}, p95 of ${matrix.runs}`,
        value: matrix.matrix.p95Ms,
        unit: "ms",
        baseline: countBaseline,
        baselineValue: matrix.count.p95Ms,
        goal: "< 300 ms",
        goalOn: "value",
        goalThreshold: 300,
        goalComparison: "<",
      },
      "training",
    ),
    row(
      {
        name: `trainingPeople (status overdue: ${n(matrix.overduePeople)} people) at ${scale}, p95 of ${matrix.runs}`,
        value: matrix.overdue.p95Ms,
        unit: "ms",
        baseline: countBaseline,
        baselineValue: matrix.count.p95Ms,
        goal: "< 300 ms",
        goalOn: "value",
        goalThreshold: 300,
        goalComparison: "<",
      },
      "training",
    ),
    row(
      {
        name: `${burst}: people recorded exactly once (signature, completed assignment, training.complete row; duplicates refused)`,
        value: load.recorded.peopleExactlyOnce,
        unit: "people",
        baseline: "people who signed",
        baselineValue: load.people,
        goal: "ratio >= 1.0",
        goalOn: "ratio",
        goalThreshold: 1,
        goalComparison: ">=",
      },
      "training",
    ),
    row(
      {
        name: `${burst}: throughput`,
        value: load.acknowledge.perSecond,
        unit: "req/s",
        baseline: `the same ${n(load.people)} people signing in at once`,
        baselineValue: load.signIn.perSecond,
        goal: "reported",
        goalOn: "none",
        goalThreshold: 0,
        goalComparison: ">=",
      },
      "training",
    ),
    row(
      {
        name: `${burst}: p95 latency`,
        value: load.acknowledge.p95Ms,
        unit: "ms",
        baseline: "p95 of the sign-ins at once",
        baselineValue: load.signIn.p95Ms,
        goal: "reported",
        goalOn: "none",
        goalThreshold: 0,
        goalComparison: ">=",
      },
      "training",
    ),
    row(
      {
        name: `GET /about by another signed-in person, half a second into the burst of ${burst.split(" (")[0]}`,
        value: load.aboutMs.duringBurst,
        unit: "ms",
        baseline: "GET /about, idle server",
        baselineValue: load.aboutMs.idle,
        goal: "reported",
        goalOn: "none",
        goalThreshold: 0,
        goalComparison: ">=",
      },
      "training",
    ),
  ];
  const byStatus = Object.entries(matrix.data.byStatus)
    .map(([status, count]) => `${status} ${n(count)}`)
    .join(", ");
  const notes = [
    `Training: the matrix data folder (the project demo plus ${scale}: ${byStatus}; ${matrix.data.versions} versions, ${matrix.data.retired} retired; ` +
      `${matrix.dbMB.toFixed(0)} MB) was generated in ${(matrix.data.milliseconds / 1000).toFixed(1)} s; ${matrix.matrixCells} matrix cells.`,
    `Training: ${n(load.people)} acknowledgements at once took ${load.acknowledge.seconds.toFixed(2)} s (statuses ${JSON.stringify(load.acknowledge.statuses)}); ` +
      `the audit chain verified intact over ${n(load.recorded.auditRows)} rows.`,
  ];
  const printed = [
    "| training, in-process | runs | median | p95 | min | max |",
    "|---|---|---|---|---|---|",
    ...(
      [
        [`raw INSERT of ${n(fanOut.people)} assignments (fan-out baseline)`, fanOut.baseline],
        [`assignVersion, ${n(fanOut.people)} people`, fanOut.assignVersion],
        ["SELECT count(*) FROM training_assignments (matrix baseline)", matrix.count],
        ["trainingMatrix", matrix.matrix],
        ['trainingPeople { status: "overdue" }', matrix.overdue],
      ] as const
    ).map(
      ([name, t]) => `| ${name} | ${t.runs} | ${t.medianMs.toFixed(1)} ms | ${t.p95Ms.toFixed(1)} ms | ${t.minMs.toFixed(1)} ms | ${t.maxMs.toFixed(1)} ms |`,
    ),
    "",
    trainingLoadTable(load),
  ].join("\n");
  return { results, notes, sections: { training: { fanOut, matrix, load } }, printed };
}

// ---------------------------------------------------------------------------------------------
// KPIs (issue 14)

/** BENCH_KPI_PARTS: which parts of the kpi group run (default both: import,dashboard). */
async function kpiGroup(): Promise<ResultRow[]> {
  const parts = (process.env.BENCH_KPI_PARTS || "import,dashboard").split(",").map((p) => p.trim());
  const unknown = parts.filter((p) => p !== "import" && p !== "dashboard");
  if (unknown.length > 0) throw new BenchFailure(`BENCH_KPI_PARTS: ${unknown.join(", ")} is not import or dashboard`);
  return [...(parts.includes("import") ? await kpiImportBenchmarks() : []), ...(parts.includes("dashboard") ? await kpiDashboardBenchmarks() : [])];
}

// ---------------------------------------------------------------------------------------------

/** Which group wrote a note: the audit and training groups begin theirs with their name. */
function noteGroup(note: string): Group {
  return note.startsWith("Audit:") ? "audit" : note.startsWith("Training:") ? "training" : "page";
}

/** The previous results.json, whose other group's figures a BENCH_ONLY run keeps. */
function previousReport(): { results?: ResultRow[]; notes?: string[]; [section: string]: unknown } {
  try {
    return JSON.parse(fs.readFileSync(RESULTS_FILE, "utf8")) as { results?: ResultRow[] };
  } catch {
    return {};
  }
}

async function main(): Promise<void> {
  const started = new Date();
  log(`Node ${process.version}, ${os.cpus().length} CPUs${ONLY ? `; only the ${ONLY} benchmarks` : ""}`);
  const page = runs("page") ? await pageBenchmarks() : null;
  const audit = runs("audit") ? await auditGroup() : null;
  const cli: ResultRow[] = runs("cli") ? await cliBenchmarks() : [];
  const training = runs("training") ? await trainingGroup() : null;
  const pdf: ResultRow[] = runs("pdf") ? await pdfBenchmarks() : [];
  const binder: ResultRow[] = runs("binder") ? await binderBenchmarks() : [];
  const redline: ResultRow[] = runs("redline") ? await redlineBenchmarks() : [];
  const kpi: ResultRow[] = runs("kpi") ? await kpiGroup() : [];

  const previous = ONLY ? previousReport() : {};
  // Rows written before groups existed belong to the page group.
  const kept = (previous.results ?? []).filter((r) => !runs(r.group ?? "page")).map((r) => ({ ...r, group: r.group ?? "page" }));
  const results = [...(page?.results ?? []), ...(audit?.results ?? []), ...cli, ...(training?.results ?? []), ...pdf, ...binder, ...redline, ...kpi, ...kept];
  const notes = [...(page?.notes ?? []), ...(audit?.notes ?? []), ...(training?.notes ?? [])];
  const report = {
    ...previous,
    date: started.toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    },
    ...(ONLY ? { only: ONLY } : {}),
    results,
    notes: ONLY ? [...notes, ...(previous.notes ?? []).filter((n) => noteGroup(n) !== ONLY)] : notes,
    ...(page?.sections ?? {}),
    ...(audit?.sections ?? {}),
    ...(training?.sections ?? {}),
  };
  if (!ONLY) delete (report as { only?: string }).only;
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, RESULTS_FILE)}`);

  const ran = results.filter((r) => runs(r.group));
  process.stdout.write(
    `\n${markdownTable(ran)}\n\n${[page?.printed, audit?.printed, training?.printed].filter(Boolean).join("\n\n")}\n\n` +
      `_${report.date.slice(0, 10)}, Node ${process.version}, ${report.machine.cpus} CPUs._\n`,
  );
  if (notes.length > 0) process.stdout.write(`\n${notes.map((n) => `- ${n}`).join("\n")}\n`);
  const missed = ran.filter((r) => !r.met).length;
  log(missed === 0 ? "all goals met" : `${missed} of ${ran.length} goals not met (a report, not a failure)`);
}

try {
  await main();
  await stopAll();
  process.exit(0);
} catch (error) {
  await stopAll();
  const message = error instanceof BenchFailure ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`[bench] FAILED: ${message}\n`);
  process.exit(1);
}
