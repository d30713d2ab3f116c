/**
 * How fast the `quire` CLI answers (issue 10): median wall time of `quire --help` and of a
 * point-in-time query (`quire effective --json`), each against `node -e 0` measured in the same run,
 * interleaved so all three see the same machine load. Goal: each within 3x `node -e 0`.
 *
 * Runs the bin script (scripts/quire.js) as a user would, so it measures the compiled CLI in
 * build/cli/ (`npm run build`). The query runs against a data folder made with `quire init --demo`
 * in a temporary folder.
 *
 * Environment: BENCH_CLI_RUNS (runs of each command, default 10).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { resultRow, type ResultRow } from "./result-row";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "scripts", "quire.js");
const COMPILED = path.join(ROOT, "build", "cli", "quire.js");
const GOAL_RATIO = 3;
const QUERY = ["effective", "--doc", "SOP-DM-001", "--on", "2026-06-01", "--json"];

export type CliResultRow = ResultRow<"cli">;

interface Command {
  label: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Throws when the output is not the expected answer: a fast wrong answer must not count. */
  check: (stdout: string) => void;
}

function log(message: string): void {
  process.stderr.write(`[bench:cli] ${message}\n`);
}

function runsFromEnv(): number {
  const raw = process.env.BENCH_CLI_RUNS;
  const n = raw === undefined ? 10 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_CLI_RUNS must be a whole number of at least 1, not ${raw}`);
  return n;
}

/** A user's shell: PATH and HOME, no QUIRE_* or NODE_ENV from the outer process. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key !== "PATH" && key !== "HOME" && !(key in extra)) delete env[key];
  return env;
}

function timeOnce(command: Command): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, command.args, { cwd: ROOT, env: command.env, encoding: "utf8", timeout: 60_000 });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${command.label} exited ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().split("\n")[0]}`);
  }
  command.check(result.stdout);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function makeDemoFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quire-bench-cli-"));
  const dataDir = path.join(dir, "data");
  const init = spawnSync(process.execPath, [BIN, "init", "--demo"], { cwd: ROOT, env: userEnv({ QUIRE_DATA_DIR: dataDir }), encoding: "utf8" });
  if (init.status !== 0) throw new Error(`quire init --demo failed: ${init.stderr.trim()}`);
  return dir;
}

function ratioRow(name: string, valueMs: number, baselineMs: number): CliResultRow {
  return resultRow("cli", {
    name,
    value: valueMs,
    unit: "ms",
    baseline: "node -e 0",
    baselineValue: baselineMs,
    goal: `ratio < ${GOAL_RATIO.toFixed(1)}`,
    goalOn: "ratio",
    goalThreshold: GOAL_RATIO,
    goalComparison: "<",
  });
}

/** Measures the CLI's start-up figures; returns rows for bench/run.ts's results table. */
export async function cliBenchmarks(): Promise<CliResultRow[]> {
  if (!fs.existsSync(COMPILED)) throw new Error("build/cli/quire.js is missing: run `npm run build` first (npm run bench does).");
  const runs = runsFromEnv();
  const demo = makeDemoFolder();
  try {
    const baseline: Command = { label: "node -e 0", args: ["-e", "0"], env: userEnv(), check: () => undefined };
    const help: Command = {
      label: "quire --help",
      args: [BIN, "--help"],
      env: userEnv(),
      check: (out) => {
        if (!out.startsWith("Usage: quire")) throw new Error("quire --help printed no usage");
      },
    };
    const query: Command = {
      label: `quire ${QUERY.join(" ")}`,
      args: [BIN, ...QUERY],
      env: userEnv({ QUIRE_DATA_DIR: path.join(demo, "data") }),
      check: (out) => {
        const answer = JSON.parse(out) as { doc?: string; version?: string | null };
        if (answer.doc !== "SOP-DM-001" || typeof answer.version !== "string") throw new Error(`quire effective answered ${out.trim()}`);
      },
    };
    const commands = [baseline, help, query];
    // One untimed round warms the file-system cache; then the three take turns, so load spikes hit all.
    for (const c of commands) timeOnce(c);
    const times = commands.map(() => [] as number[]);
    log(`${runs} runs each of: ${commands.map((c) => c.label).join("; ")}`);
    for (let i = 0; i < runs; i++) commands.forEach((c, j) => times[j]!.push(timeOnce(c)));
    const [node, helpMs, queryMs] = times.map(median) as [number, number, number];
    // Two shared cores: other work on the machine slows all three, not always alike. Say how busy it was.
    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ");
    log(`medians: node -e 0 ${node.toFixed(0)} ms, --help ${helpMs.toFixed(0)} ms, effective --json ${queryMs.toFixed(0)} ms (load average ${load})`);
    return [
      ratioRow("quire --help (compiled CLI) vs node -e 0", helpMs, node),
      ratioRow("quire effective --doc SOP-DM-001 --on 2026-06-01 --json (demo data) vs node -e 0", queryMs, node),
    ];
  } finally {
    fs.rmSync(demo, { recursive: true, force: true });
  }
}
