import type { Command } from "commander";

import { readConfig } from "~/config.server";
import { DataFolderMissing, open, type Quire } from "~/context.server";
import { now } from "~/clock.server";
import { verifyAndCheckpoint } from "~/modules/audit/audit.server";

import { EXIT, fail, printJson } from "../cli-support";

export function auditCommand(program: Command): void {
  const audit = program
    .command("audit")
    .description("Work with the audit trail of the data folder (QUIRE_DATA_DIR).")
    .addHelpText("after", "\nExample: npx quire audit verify --json");

  audit
    .command("verify")
    .description(
      "Re-compute the audit trail's hash chain and report the first row that was changed, removed, inserted or appended after the recorded head.",
    )
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
    .action(async (opts: { json?: boolean }) => {
      let q: Quire;
      try {
        q = await open(readConfig(), { recover: false });
      } catch (error) {
        if (error instanceof DataFolderMissing) fail(error.message, EXIT.badInput);
        throw error;
      }
      let verdict;
      try {
        verdict = await verifyAndCheckpoint(q.db, now(q.config));
      } finally {
        await q.db.close();
      }
      if (opts.json) {
        printJson(
          verdict.ok
            ? { ok: true, rows: verdict.count, head: verdict.head, headSeq: verdict.headSeq }
            : { ok: false, rows: verdict.count, seq: verdict.seq, problem: verdict.problem, message: verdict.message },
        );
      } else if (verdict.ok) {
        const checkpoint = verdict.headSeq > 0 ? `; checkpoint recorded at row ${verdict.headSeq}` : "";
        process.stdout.write(`Audit trail intact: ${verdict.count} rows; head ${verdict.head}${checkpoint}\n`);
      } else {
        process.stdout.write(`Audit trail broken at row ${verdict.seq} (${verdict.problem}): ${verdict.message}. ${verdict.count} rows read.\n`);
      }
      process.exitCode = verdict.ok ? EXIT.ok : EXIT.problems;
    });
}
