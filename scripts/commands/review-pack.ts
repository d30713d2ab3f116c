import type { Command } from "commander";

export function reviewPackCommand(program: Command): void {
  program
    .command("review-pack")
    .description(
      "The management review input report (SOP-KP-001) for a period, as a PDF: KPI results and charts, red KPIs' analyses and CAPAs, open actions, document control and training status, previous review actions.",
    )
    .requiredOption("--from <YYYY-MM>", "the first month")
    .requiredOption("--to <YYYY-MM>", "the last month (a complete month)")
    .requiredOption("--out <file.pdf>", "where to write the PDF")
    .option("--json", 'print {"out","pages","sha256","bytes","from","to"}')
    .addHelpText(
      "after",
      "\nThe same period and print time (QUIRE_NOW) give the same bytes.\nExit 0 written, 2 bad input (a bad or incomplete period, an unwritable path).",
    )
    .action(async (raw: unknown) => (await import("./review-pack.action")).reviewPack(raw));
}
