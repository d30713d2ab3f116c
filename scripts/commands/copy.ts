import type { Command } from "commander";

export function copyCommand(program: Command): void {
  const copy = program
    .command("copy")
    .description("Work with controlled copies (SOP-DC-001) from the command line.")
    .addHelpText(
      "after",
      '\nExample: printf \'%s\\n\' "$PW" | npx quire copy issue --doc SOP-DM-001 --recipient "Dr Jane Site" --location "Site 12" --reason "No system access" --as qa --out copies/',
    );

  copy
    .command("issue")
    .description("Issue numbered controlled copies of a document version, signed by you, as the Issue controlled copy form does.")
    .requiredOption("--doc <id>", "document id, e.g. SOP-DM-001")
    .option("--version <X.Y>", "the version to copy (default: the version in force today, else the next one approved)")
    .requiredOption("--recipient <name>", "who receives the copies")
    .requiredOption("--location <text>", "the location or site the copies go to")
    .requiredOption("--reason <text>", "why controlled paper copies are needed")
    .option("--copies <n>", "how many copies, 1-50", "1")
    .requiredOption("--as <username>", "your Quire user name: you sign the issue and need the permission copies.issue")
    .requiredOption("--out <folder>", "an existing folder: each copy is written there as <copy number>.pdf")
    .option("--json", 'print {"copies":[{"copyId","version","sha256","file"}]}')
    .addHelpText(
      "after",
      [
        "",
        'The issue is an electronic signature ("Controlled copy issued"), so your password is entered again (21 CFR',
        "Part 11 §11.200(a)). It is read from standard input, never from an argument or an environment variable (those",
        "end up in shell history and process lists): on a terminal you are asked for it and it is not shown; otherwise",
        "the first line of the input is the password:",
        "",
        "  printf '%s\\n' \"$PW\" | npx quire copy issue --doc SOP-DM-001 --recipient ... --as qa --out copies/",
        "",
        "Each copy gets the next number of its version (e.g. SOP-DM-001-2.0-C007, printed in its footer) and a row in the",
        "copy register with its SHA-256; its PDF is the file the register holds (the same bytes /copies/<number>/pdf",
        "serves), written under a temporary name and renamed once the issue is recorded. A wrong password is recorded",
        "in the audit trail and counts toward locking the account, as on the form.",
        "",
        "Exit 0 with the copies issued and written; 2 for bad input, nothing issued and no file left: an unknown",
        "document or version, a version that is not approved or in force, --copies outside 1-50, an --out that is not",
        "a writable folder, an unknown user, a user without copies.issue, or a wrong or missing password.",
      ].join("\n"),
    )
    .action(async (raw: unknown) => (await import("./copy.action")).copyIssue(raw));
}
