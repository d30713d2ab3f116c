// What `quire effective` does, loaded only when it runs (scripts/commands/effective.ts defines the command).
import { z } from "zod";

import { effectiveOn } from "~/modules/documents/documents";
import { retirementOf, versionRetired } from "~/modules/documents/retirement.server";
import { versionsOf } from "~/modules/documents/versions.server";

import { EXIT, fail, printJson } from "../cli-support";
import { openDataFolderOrExit } from "../data-folder";

const Options = z.object({
  doc: z.string().min(1),
  on: z.iso.date({ message: "--on must be a date YYYY-MM-DD" }),
  json: z.boolean().optional(),
});

export async function effective(raw: unknown): Promise<void> {
  const parsed = Options.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues[0]!.message);
  const { doc, on, json } = parsed.data;
  const q = await openDataFolderOrExit();
  try {
    const versions = await versionsOf(q.db, doc);
    if (versions.length === 0) fail(`unknown document ${doc}`);
    // A retirement ends the last version's period: from its date no version is in force.
    const retirement = await retirementOf(q.db, doc);
    const retiredFrom = retirement?.effectiveFrom ?? null;
    const state = effectiveOn(versions, on, retiredFrom);
    const answer = {
      doc,
      on,
      version: state?.version.version ?? null,
      commit: state?.version.commit ?? null,
      effectiveFrom: state?.version.effectiveFrom ?? null,
      effectiveTo: state?.effectiveTo ?? null,
    };
    if (json) printJson(answer);
    else if (state) {
      process.stdout.write(
        `${doc} on ${on}: version ${answer.version}, effective ${answer.effectiveFrom}` +
          `${answer.effectiveTo ? ` to ${answer.effectiveTo} (${answer.effectiveTo === retiredFrom ? "retired" : "superseded"} then)` : " (still in force)"}; commit ${answer.commit}\n`,
      );
    } else if (retiredFrom !== null && on >= retiredFrom) {
      const last = versionRetired(versions, retiredFrom);
      process.stdout.write(
        `${doc} on ${on}: no version was effective (the document was retired from ${retiredFrom}${last ? `; the last version in force was ${last.version}` : ""}).\n`,
      );
    } else {
      const first = [...versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom))[0]!;
      process.stdout.write(`${doc} on ${on}: no version was effective (the first, ${first.version}, took effect ${first.effectiveFrom}).\n`);
    }
    process.exitCode = EXIT.ok;
  } finally {
    await q.db.close();
  }
}
