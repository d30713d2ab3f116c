import type { Command } from "commander";

export function pdfCommand(program: Command): void {
  program
    .command("pdf")
    .description("Print a document version as an uncontrolled PDF copy (valid on the print day only).")
    .requiredOption("--doc <id>", "document id, e.g. SOP-DM-001")
    .option("--version <X.Y>", "the version to print (default: the version in force today)")
    .option("--on <date>", "print the version that was in force on this date, YYYY-MM-DD (UTC)")
    .requiredOption("--out <file>", "where to write the PDF (written to a temporary name, then renamed)")
    .option("--json", 'print {"doc","version","status","pages","sha256","out"}')
    .addHelpText(
      "after",
      "\nThe copy is printed by `cli:<OS user>` at Quire's clock (QUIRE_NOW pins it); the export is audited.\n" +
        "Exit 0 with the file written; 2 for an unknown document or version, a date before any version was in force,\n" +
        "--version with --on, or an output path that cannot be written (nothing is left behind).",
    )
    .action(async (raw: unknown) => (await import("./pdf.action")).pdf(raw));
}
