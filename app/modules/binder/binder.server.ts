// Builds the inspection binder to a file (one PDF, or a ZIP of one PDF per version with CSVs and a
// manifest), written to a temporary name and renamed, and records the export in the audit trail.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";

import type { Database } from "~/db/db.server";
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

/**
 * Streams into a temporary file in the target's folder, hashing on the way, then renames it: a reader
 * never sees half a binder, and a failure removes the temporary file.
 */
async function writeAtomically<T>(target: string, write: (sink: NodeJS.WritableStream) => Promise<T>): Promise<T & { sha256: string; bytes: number }> {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new PassThrough();
  tap.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const file = fs.createWriteStream(temporary, { flags: "wx" });
  const closed = new Promise<void>((resolve, reject) => {
    file.on("close", resolve);
    file.on("error", reject);
  });
  tap.pipe(file);
  try {
    const result = await write(tap);
    await closed;
    fs.renameSync(temporary, target);
    return { ...result, sha256: hash.digest("hex"), bytes };
  } catch (error) {
    tap.destroy();
    file.destroy();
    await closed.catch(() => undefined);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
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
