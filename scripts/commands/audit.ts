import type { Command } from "commander";

export function auditCommand(program: Command): void {
  const audit = program
    .command("audit")
    .description("Work with the audit trail of the data folder (QUIRE_DATA_DIR).")
    .addHelpText("after", "\nExample: npx quire audit verify --json");

  audit
    .command("verify")
    .description("Re-compute the audit trail's hash chain and report the first row that was changed, removed, inserted or appended after the recorded head.")
    .option("--json", "print the verdict as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Walks every row in sequence order, a batch at a time, checking that each row's content still matches its hash",
        "and that it links to the previous row's hash, and that the trail ends exactly at the last recorded head",
        "(Part 11 §11.10(e)). An intact trail gets a checkpoint at its head, so the /audit page need only verify the",
        "rows recorded since; this command always re-verifies every row.",
        "Exit 0 when the trail is intact, 1 when it is not, 2 when there is no data folder.",
        "",
        'JSON: {"ok": true, "rows": N, "head": "<sha256>", "headSeq": N} or',
        '      {"ok": false, "rows": N, "seq": S, "problem": "changed|removed|inserted|appended", "message": "..."}',
      ].join("\n"),
    )
    .action(async (opts: { json?: boolean }) => (await import("./audit.action")).auditVerify(opts));
}
