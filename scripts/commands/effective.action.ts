// What `quire effective` does, loaded only when it runs (scripts/commands/effective.ts defines the command).
// Issue 10 times it against `node -e 0`, so it reads the database alone (versions and retirement
// dates), and loads neither zod nor git nor the content modules: the answer is in SQLite.
import { compareIsoDates, effectiveOn, versionRetired } from "~/modules/documents/documents";
import { retiredFromOf } from "~/modules/documents/retirement-dates.server";
import { versionPeriodsOf } from "~/modules/documents/version-periods.server";

import { EXIT, fail, printJson } from "../cli-support";
import { openQueryFolderOrExit } from "../query-folder";

interface Options {
  doc: string;
  on: string;
  json: boolean;
}

/** A calendar date YYYY-MM-DD that exists (no 2026-02-30): the form SQLite's dates are compared in. */
function isIsoDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
}

/** Commander's options, checked by hand: this command's start-up budget has no room for zod. */
function parseOptions(raw: unknown): Options {
  const options = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const { doc, on, json } = options;
  if (typeof doc !== "string" || doc === "") fail("--doc must name a document, e.g. SOP-DM-001");
  if (typeof on !== "string" || !isIsoDate(on)) fail("--on must be a date YYYY-MM-DD");
  return { doc, on, json: json === true };
}

export async function effective(raw: unknown): Promise<void> {
  const { doc, on, json } = parseOptions(raw);
  const db = await openQueryFolderOrExit();
  try {
    const versions = await versionPeriodsOf(db, doc);
    if (versions.length === 0) fail(`unknown document ${doc}`);
    // A retirement ends the last version's period: from its date no version is in force.
    const retiredFrom = await retiredFromOf(db, doc);
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
      const first = [...versions].sort((a, b) => compareIsoDates(a.effectiveFrom, b.effectiveFrom))[0]!;
      process.stdout.write(`${doc} on ${on}: no version was effective (the first, ${first.version}, took effect ${first.effectiveFrom}).\n`);
    }
    process.exitCode = EXIT.ok;
  } finally {
    await db.close();
  }
}
