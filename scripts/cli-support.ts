import { type CommanderError, type Command } from "commander";

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
