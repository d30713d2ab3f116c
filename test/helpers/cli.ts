import { spawnSync } from "node:child_process";
import path from "node:path";

import { PROJECT_ROOT } from "./data-folder";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `quire <args>` as a user would (the bin script), with its own environment. */
export function runQuire(args: string[], env: Record<string, string> = {}, cwd: string = PROJECT_ROOT): CliResult {
  const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "scripts", "quire.js"), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "test", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
