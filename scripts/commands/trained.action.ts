// What `quire trained` does (inspection question 9), loaded only when it runs.
import { z } from "zod";

import { getSignature } from "~/modules/signatures/signatures.server";
import { trainedOn } from "~/modules/training/point-in-time.server";
import { getUserByUsername } from "~/modules/users/users.server";

import { EXIT, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

const Options = z.object({
  user: z.string().min(1),
  doc: z.string().min(1),
  on: z.iso.date({ message: "--on must be a date YYYY-MM-DD" }),
  json: z.boolean().optional(),
});

export async function trained(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { user: username, doc, on, json } = parsed.data;
  const q = await openDataFolderOrExit();
  try {
    const user = await getUserByUsername(q.db, username);
    if (!user) fail(`unknown user ${username}`);
    if (!(await q.db.get("SELECT 1 FROM documents WHERE id = ?", [doc]))) fail(`unknown document ${doc}`);
    const answer = await trainedOn(q.db, user.id, doc, on);
    if (json) {
      printJson({ user: user.username, doc, on, version: answer.version, trained: answer.trained, acknowledgedAt: answer.acknowledgedAt });
    } else if (answer.version === null) {
      process.stdout.write(`${doc} on ${on}: no version was in force, so there was nothing to be trained on.\n`);
    } else if (answer.trained) {
      const s = await getSignature(q.db, answer.signatureId!);
      const covered = answer.trainedOn !== answer.version ? ` (v${answer.version} is a minor revision needing no retraining; v${answer.trainedOn} counts)` : "";
      process.stdout.write(
        `${user.username} was trained on ${doc} v${answer.version} on ${on}${covered}: signed "Read and understood" by ${s?.printedName ?? user.displayName} at ${answer.acknowledgedAt} (signature ${answer.signatureId}, content ${s?.contentHash.slice(0, 12) ?? "?"}…).\n`,
      );
    } else {
      process.stdout.write(
        `${user.username} was NOT trained on ${doc} v${answer.version}, the version in force on ${on}: no acknowledgement by the end of that day.\n`,
      );
    }
    process.exitCode = EXIT.ok;
  } finally {
    await q.db.close();
  }
}
