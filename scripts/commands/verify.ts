import type { Command } from "commander";

export function verifyCommand(program: Command): void {
  program
    .command("verify")
    .description("Check the whole record: git and the database agree on every version, signature and ref, and the audit trail is whole.")
    .option("--json", "print the verdict as JSON")
    .option("--anchor", "when the record holds, also write the audit trail's current head into git (refs/quire/audit-anchors)")
    .addHelpText(
      "after",
      [
        "",
        "Checks (Part 11 §11.10(a), (c), (e); EU Annex 11 §7, §9):",
        "  - every version has its tag, the tag points at the approved commit, the committed file's SHA-256",
        "    equals the version's content hash and every signature's;",
        "  - every signature trailer in git has its signature record and the reverse, and every signature",
        "    record matches the audit row written when it was signed;",
        "  - no version tag or commit on main that Quire did not write, and main still holds every version (no rewind);",
        "  - the audit chain is intact and every audit head anchored in git (approval commits, anchors) still matches.",
        "Exit 0 when the record holds, 1 with one line per problem, 2 when there is no data folder.",
        "",
        'JSON: {"ok": true|false, "versions": N, "signatures": N, "auditRows": N, "anchors": N,',
        '       "problems": [{"check": "version|signature|ref|audit|anchor|repository", "subject": "...", "message": "..."}],',
        '       "anchored": {"seq": N, "hash": "...", "commit": "..."} (with --anchor)}',
        "",
        "Example: npx quire verify --json",
      ].join("\n"),
    )
    .action(async (opts: { json?: boolean; anchor?: boolean }) => (await import("./verify.action")).verify(opts));
}
