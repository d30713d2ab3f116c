import type { Command } from "commander";

export function effectiveCommand(program: Command): void {
  program
    .command("effective")
    .description("Which version of a document was effective on a date (point in time).")
    .requiredOption("--doc <id>", "document id, e.g. SOP-DM-001")
    .requiredOption("--on <date>", "the date, YYYY-MM-DD (UTC)")
    .option("--json", 'print {"doc","on","version","commit","effectiveFrom","effectiveTo"}')
    .addHelpText("after", "\nExit 0 with the answer (also when no version was effective then), 2 for an unknown document or a bad date.")
    .action(async (raw: unknown) => (await import("./effective.action")).effective(raw));
}
