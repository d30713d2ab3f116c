import type { Command } from "commander";

export function trainedCommand(program: Command): void {
  program
    .command("trained")
    .description("Whether a person had acknowledged the version of a document in force on a date, before the end of that day (UTC).")
    .requiredOption("--user <username>", "the person's user name")
    .requiredOption("--doc <id>", "document id, e.g. SOP-DM-001")
    .requiredOption("--on <date>", "the date, YYYY-MM-DD (UTC)")
    .option("--json", 'print {"user","doc","on","version","trained","acknowledgedAt"}')
    .addHelpText(
      "after",
      "\nA minor revision that needed no retraining is covered by the acknowledgement of the version it revised." +
        "\nExit 0 with the answer (trained or not), 2 for an unknown user or document or a bad date.",
    )
    .action(async (raw: unknown) => (await import("./trained.action")).trained(raw));
}
