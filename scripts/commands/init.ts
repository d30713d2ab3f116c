import type { Command } from "commander";

export function initCommand(program: Command): void {
  program
    .command("init")
    .description("Create the data folder (QUIRE_DATA_DIR): quire.db and the content repository seeded from content/.")
    .option("--demo", "seed the demo QMS with version history")
    .option("--if-empty", "do nothing (exit 0) when the data folder already holds data")
    .option("--json", "print the summary as JSON")
    .addHelpText("after", "\nRefuses a data folder that already holds data. With QUIRE_CONTENT_REPO set, adopts that repository\ninstead of creating one.")
    .action(async (opts: { demo?: boolean; ifEmpty?: boolean; json?: boolean }) => (await import("./init.action")).init(opts));
}
