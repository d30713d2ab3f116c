import os from "node:os";

import type { Command } from "commander";

import { now } from "~/clock.server";
import { readConfig } from "~/config.server";
import { DataFolderMissing, open, type Quire } from "~/context.server";
import { anchorAuditHead } from "~/modules/integrity/anchor.server";
import { verifyRecord } from "~/modules/integrity/verify.server";

import { EXIT, fail, printJson } from "../cli-support";

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
    .action(async (opts: { json?: boolean; anchor?: boolean }) => {
      let q: Quire;
      try {
        q = await open(readConfig(), { recover: false });
      } catch (error) {
        if (error instanceof DataFolderMissing) fail(error.message, EXIT.badInput);
        throw error;
      }
      try {
        const verdict = await verifyRecord(q.db, q.repo);
        // Anchoring a record that does not hold would bless the tampering: only a clean record is anchored.
        const anchored =
          opts.anchor && verdict.ok ? await anchorAuditHead(q.db, q.repo, now(q.config), { userId: null, username: `cli:${os.userInfo().username}` }) : null;
        if (opts.json) {
          printJson({ ...verdict, ...(opts.anchor ? { anchored: anchored ? { seq: anchored.seq, hash: anchored.hash, commit: anchored.commit } : null } : {}) });
        } else if (verdict.ok) {
          process.stdout.write(
            `Record verified: ${verdict.versions} versions, ${verdict.signatures} signatures, ${verdict.auditRows} audit rows, ${verdict.anchors} audit anchors in git.\n`,
          );
          if (anchored) process.stdout.write(`Anchored audit row ${anchored.seq} (${anchored.hash}) in git as commit ${anchored.commit}.\n`);
        } else {
          for (const p of verdict.problems) process.stdout.write(`${p.check}: ${p.message}\n`);
          process.stdout.write(`${verdict.problems.length} problem(s) found.${opts.anchor ? " Nothing was anchored." : ""}\n`);
        }
        process.exitCode = verdict.ok ? EXIT.ok : EXIT.problems;
      } finally {
        await q.db.close();
      }
    });
}
