import os from "node:os";

import { type CommanderError, type Command } from "commander";

import type { Actor } from "~/modules/users/actor";

/** Exit codes shared by every command: 0 ok, 1 a check found problems, 2 bad input. */
export const EXIT = { ok: 0, problems: 1, badInput: 2 } as const;

export class UsageError extends Error {}

export function fail(message: string, code: number = EXIT.badInput): never {
  process.stderr.write(`quire: ${message}\n`);
  process.exit(code);
}

/** Commander exits 1 on bad usage; the contract says bad input exits 2. */
export function withUsageExitCodes(program: Command): Command {
  program.exitOverride((err: CommanderError) => {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version") {
      process.exit(EXIT.ok);
    }
    process.exit(EXIT.badInput);
  });
  for (const sub of program.commands) withUsageExitCodes(sub);
  return program;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The operating-system account running the command: the person the audit trail names. */
function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to what the shell says.
    return process.env.USER ?? process.env.LOGNAME ?? "unknown";
  }
}

/** Who acts from the command line: no Quire account signed in, so the OS user, marked as such. */
export function cliActor(): Actor {
  return { userId: null, username: `cli:${osUser()}`, clientAddress: null };
}
