// What `quire verify` does, loaded only when it runs (scripts/commands/verify.ts defines the command).
import os from "node:os";

import { now } from "~/clock.server";
import { anchorAuditHead } from "~/modules/integrity/anchor.server";
import { verifyRecord } from "~/modules/integrity/verify.server";

import { EXIT, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

export async function verify(opts: { json?: boolean; anchor?: boolean }): Promise<void> {
  const q = await openDataFolderOrExit();
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
}
