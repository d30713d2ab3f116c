import type { Command } from "commander";

export function auditCommand(program: Command): void {
  const audit = program
    .command("audit")
    .description("Work with the audit trail of the data folder (QUIRE_DATA_DIR).")
    .addHelpText("after", "\nExample: npx quire audit verify --json");

  audit
    .command("verify")
    .description("Re-compute the audit trail's hash chain and report the first row that was changed, removed or inserted.")
    .option("--json", "print the verdict as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Walks every row in sequence order, checking that each row's content still matches its hash and that it links",
        "to the previous row's hash, and that the trail still reaches the last recorded head (Part 11 §11.10(e)).",
        "Exit 0 when the trail is intact, 1 when it is not, 2 when there is no data folder.",
        "",
        'JSON: {"ok": true, "rows": N, "head": "<sha256>"} or',
        '      {"ok": false, "rows": N, "seq": S, "problem": "changed|removed|inserted", "message": "..."}',
      ].join("\n"),
    )
    .action(async (opts: { json?: boolean }) => (await import("./audit.action")).auditVerify(opts));
}
