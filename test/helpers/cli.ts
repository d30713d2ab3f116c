import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { PROJECT_ROOT } from "./data-folder";
import { childEnv } from "./env";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The compiled CLI that scripts/quire.js runs when it exists (scripts/build-cli.mjs). */
export const COMPILED_CLI_DIR = path.join(PROJECT_ROOT, "build", "cli");

let checked = false;

/**
 * The CLI tests test the compiled CLI, as users run it. A missing or stale build would test the
 * TypeScript sources through tsx, or yesterday's code: refuse both, naming the command that fixes it.
 */
export function assertCompiledCliCurrent(): void {
  if (checked) return;
  const bundle = path.join(COMPILED_CLI_DIR, "quire.js");
  const inputsFile = path.join(COMPILED_CLI_DIR, "inputs.json");
  const fix = "run `npm run build` (or just `node scripts/build-cli.mjs`) before the CLI tests";
  if (!fs.existsSync(bundle) || !fs.existsSync(inputsFile)) throw new Error(`The compiled CLI (build/cli/) is missing: ${fix}.`);
  const builtAt = fs.statSync(bundle).mtimeMs;
  const inputs = JSON.parse(fs.readFileSync(inputsFile, "utf8")) as string[];
  for (const input of inputs) {
    const file = path.join(PROJECT_ROOT, input);
    if (!fs.existsSync(file) || fs.statSync(file).mtimeMs > builtAt) throw new Error(`The compiled CLI is older than ${input}: ${fix}.`);
  }
  checked = true;
}

/** Runs `quire <args>` as a user would (the bin script, running the compiled CLI), with its own environment. */
export function runQuire(args: string[], env: Record<string, string> = {}, cwd: string = PROJECT_ROOT): CliResult {
  assertCompiledCliCurrent();
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "quire.js"), ...args], {
    cwd,
    env: { ...childEnv(), NODE_ENV: "test", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
