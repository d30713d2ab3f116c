// Builds the inspection binder to a file (one PDF, or a ZIP of one PDF per version with CSVs and a
// manifest), written to a temporary name and renamed, and records the export in the audit trail.
import path from "node:path";

import type { Database } from "~/db/db.server";
import { writeAtomically } from "~/files.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { checkWritable } from "~/modules/pdf/pdf.server";
import type { Actor } from "~/modules/users/actor";

import { checkAsOf, type BinderCounts, type BinderRun, type ProgressListener, type Store } from "./binder";
import { planBinder, writeBinderPdf } from "./binder-pdf.server";
import { writeBinderZip } from "./binder-zip.server";

export interface WrittenBinder {
  asOf: string;
  out: string;
  format: "pdf" | "zip";
  /** Pages of the binder PDF, or of all the ZIP's PDFs together. */
  pages: number;
  sha256: string;
  bytes: number;
  counts: BinderCounts;
}

/** Builds the binder as of `run.asOf` into `out`; nothing is left at `out` (or beside it) if it fails. */
export async function buildBinder(q: Store, run: BinderRun, out: string, options: { zip?: boolean; progress?: ProgressListener } = {}): Promise<WrittenBinder> {
  checkAsOf(run.asOf, run.generatedAt);
  const target = path.resolve(out);
  checkWritable(target);
  const plan = await planBinder(q, run);
  const written = await writeAtomically(target, (sink) =>
    options.zip ? writeBinderZip(q, plan, sink, options.progress) : writeBinderPdf(plan, sink, options.progress),
  );
  return {
    asOf: run.asOf,
    out: target,
    format: options.zip ? "zip" : "pdf",
    pages: written.pages,
    sha256: written.sha256,
    bytes: written.bytes,
    counts: plan.counts,
  };
}

/** Records that the binder left the system: as of which day, its SHA-256 and what it holds (an export, as audit.csv records its own). */
export async function recordBinderExport(db: Database, actor: Actor, run: BinderRun, binder: WrittenBinder): Promise<void> {
  await db.transaction((tx) =>
    recordAudit(
      tx,
      {
        ...actor,
        action: "binder.export",
        objectType: "binder",
        objectId: run.asOf,
        newValues: {
          asOf: run.asOf,
          format: binder.format,
          generatedAt: run.generatedAt.toISOString(),
          generatedBy: run.generatedBy,
          pages: binder.pages,
          sha256: binder.sha256,
          bytes: binder.bytes,
          ...binder.counts,
        },
      },
      run.generatedAt,
    ),
  );
}
