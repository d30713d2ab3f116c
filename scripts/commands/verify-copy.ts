import type { Command } from "commander";

export function verifyCopyCommand(program: Command): void {
  program
    .command("verify-copy")
    .description("Check whether a PDF in hand is a genuine, unaltered copy printed by Quire, and whether its version is still in force.")
    .argument("<file>", "the PDF to check")
    .option("--json", 'print {"file","genuine","copyId","doc","version","status","current","problems":[...], ...}')
    .addHelpText(
      "after",
      [
        "",
        "Reads the copy number from the PDF's metadata (QuireCopy), finds the copy in the controlled copy register",
        "and compares the file's SHA-256 with the one recorded when it was issued; any edit changes it. An",
        "uncontrolled printout (quire pdf, Download PDF) is recognised by its SHA-256 in the audit trail's export record.",
        "",
        "Exit 0: genuine, and its version is approved or in force (a controlled copy: not recalled).",
        "Exit 1: genuine, but its version is superseded or retired, or the controlled copy was recalled.",
        "Exit 2: not a Quire copy, altered (the problems say what failed), or bad input (no such file, no data folder).",
        "",
        "Example: npx quire verify-copy SOP-DM-001-2.0-C007.pdf --json",
      ].join("\n"),
    )
    .action(async (file: string, opts: { json?: boolean }) => (await import("./verify-copy.action")).verifyCopy(file, opts));
}
