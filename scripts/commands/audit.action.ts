// What `quire audit verify` does, loaded only when it runs (scripts/commands/audit.ts defines the command).
import { now } from "~/clock.server";
import { verifyAndCheckpoint } from "~/modules/audit/audit.server";

import { EXIT, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

export async function auditVerify(opts: { json?: boolean }): Promise<void> {
  const q = await openDataFolderOrExit();
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
}
