// The binder as a ZIP: one PDF per version in force (exactly what `quire pdf --on <day>` prints at
// the binder's generation time: uncontrolled copies), CSVs of the signature manifest, the audit trail
// to the day and the training matrix and records as of it, and manifest.json with every file's
// SHA-256 and size. Each entry is produced when the ZIP reaches it, so nothing is held in memory.
import { createHash } from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

import { ZipFile } from "yazl";

import { AUDIT_CSV_COLUMNS, csvRecord } from "~/modules/audit/audit-csv";
import { documentHistory } from "~/modules/documents/library.server";
import { layoutPdf } from "~/modules/pdf/layout";
import { pdfFileName, utcDate } from "~/modules/pdf/pdf";
import { printableState } from "~/modules/pdf/pdf.server";

import { ZIP_NAMES, type ProgressListener, type ZipManifest, type Store } from "./binder";
import { copyRegisterAsOf } from "./binder-copies.server";
import { auditRowsUpTo } from "./binder-data.server";
import type { BinderPlan } from "./binder-pdf.server";

/** Regular file, rw-r--r--: fixed, like the time, so the same binder gives the same bytes. */
const FILE_MODE = 0o100644;

type Entry = { path: string; stream: () => Promise<{ stream: Readable; pages?: () => number }> };

export async function writeBinderZip(q: Store, plan: BinderPlan, sink: NodeJS.WritableStream, progress?: ProgressListener): Promise<{ pages: number }> {
  const { run, facts } = plan;
  const print = { printedAt: run.generatedAt, printedBy: run.generatedBy, copyId: null };
  const entries: Entry[] = [
    ...facts.inForce.map((v): Entry => ({
      path: `${ZIP_NAMES.documents}/${pdfFileName(v, print)}`,
      async stream() {
        // As `quire pdf --doc <id> --on <day>` prints it: the version in force that day, its status and
        // history as of the print day (a since-superseded version is watermarked so); its source read in its batch.
        const states = (await documentHistory(q, v.docId, utcDate(run.generatedAt)))?.versions ?? [];
        const state = states.find((s) => s.version.version === v.version);
        if (!state) throw new Error(`${v.docId} v${v.version} is missing from its history`);
        const input = await printableState(q, state, states, print, { source: await facts.sources(v) });
        const { doc, pages } = layoutPdf(input, { keepTree: false });
        return { stream: doc as unknown as Readable, pages: () => pages };
      },
    })),
    csvEntry(ZIP_NAMES.signatures, signaturesCsv(plan)),
    { path: ZIP_NAMES.copies, stream: async () => ({ stream: Readable.from(copiesCsv(q, run.asOf)) }) },
    { path: ZIP_NAMES.audit, stream: async () => ({ stream: Readable.from(auditCsv(q, run.asOf)) }) },
    csvEntry(ZIP_NAMES.matrix, matrixCsv(plan)),
    csvEntry(ZIP_NAMES.records, recordsCsv(plan)),
  ];
  const files: ZipManifest["files"] = [];
  let pages = 0;
  const zip = new ZipFile();
  const failed = new Promise<never>((_, reject) => zip.on("error", reject));
  const total = entries.length + 1;
  for (const entry of entries) {
    // A PDF's streams are compressed already: deflating it again costs time for a few per cent.
    const compress = !entry.path.endsWith(".pdf");
    zip.addReadStreamLazy(entry.path, { mtime: run.generatedAt, mode: FILE_MODE, compress }, (cb) => {
      entry.stream().then(
        ({ stream, pages: pagesOf }) => {
          const tap = new HashTap((sha256, bytes) => {
            files.push({ path: entry.path, sha256, bytes });
            pages += pagesOf?.() ?? 0;
            progress?.({ phase: "packing", done: files.length, total, label: entry.path });
          });
          stream.on("error", (error) => tap.destroy(error));
          cb(null, stream.pipe(tap));
        },
        (error: unknown) => cb(error, Readable.from([])),
      );
    });
  }
  // Last: by the time the ZIP reaches it, every other file has been hashed.
  zip.addReadStreamLazy(ZIP_NAMES.manifest, { mtime: run.generatedAt, mode: FILE_MODE }, (cb) => {
    const manifest: ZipManifest = { asOf: run.asOf, generatedAt: run.generatedAt.toISOString(), generatedBy: run.generatedBy, files };
    cb(null, Readable.from([Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]));
    progress?.({ phase: "packing", done: total, total, label: ZIP_NAMES.manifest });
  });
  zip.end();
  await Promise.race([pipeline(zip.outputStream, sink), failed]);
  return { pages };
}

function csvEntry(path: string, lines: Iterable<string>): Entry {
  return { path, stream: async () => ({ stream: Readable.from(lines) }) };
}

/** Passes bytes through unchanged, hashing them; reports the SHA-256 and size at the end. */
class HashTap extends Transform {
  private readonly hash = createHash("sha256");
  private bytes = 0;

  constructor(private readonly done: (sha256: string, bytes: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.done(this.hash.digest("hex"), this.bytes);
    callback();
  }
}

function* signaturesCsv(plan: BinderPlan): Generator<string> {
  yield csvRecord(["signature_id", "signed_at", "printed_name", "username", "meaning", "doc_id", "version", "cr_id", "content_hash"]);
  for (const s of plan.facts.signatures) yield csvRecord([s.id, s.signedAt, s.printedName, s.username, s.meaning, s.docId, s.version, s.crId, s.contentHash]);
}

/** The controlled copy register as of the day, one copy a line. */
async function* copiesCsv(q: Store, asOf: string): AsyncGenerator<string> {
  yield csvRecord([
    "as_of",
    "copy_id",
    "doc_id",
    "version",
    "copy_status",
    "recipient",
    "location",
    "issued_by",
    "issued_at",
    "sha256",
    "recall_outcome",
    "closed_on",
  ]);
  for (const c of await copyRegisterAsOf(q.db, asOf)) {
    yield csvRecord([
      asOf,
      c.copyId,
      c.docId,
      c.version,
      c.status,
      c.recipient,
      c.location,
      c.issuedBy,
      c.issuedAt,
      c.sha256,
      c.recall?.outcome ?? null,
      c.recall?.closedOn ?? null,
    ]);
  }
}

/** Every column as stored, as /audit.csv exports them, so the chain can be re-verified from the file. */
async function* auditCsv(q: Store, asOf: string): AsyncGenerator<string> {
  yield csvRecord(AUDIT_CSV_COLUMNS);
  for await (const batch of auditRowsUpTo(q.db, asOf)) {
    yield batch.map((row) => csvRecord(AUDIT_CSV_COLUMNS.map((c) => row[c]))).join("");
  }
}

function* matrixCsv(plan: BinderPlan): Generator<string> {
  yield csvRecord(["as_of", "doc_id", "version_in_force", "title", "assigned", "trained", "not_trained"]);
  for (const m of plan.facts.training.matrix) {
    yield csvRecord([plan.run.asOf, m.docId, m.version, m.title, m.assigned, m.trained, m.notTrained.join("; ")]);
  }
}

function* recordsCsv(plan: BinderPlan): Generator<string> {
  yield csvRecord(["as_of", "username", "display_name", "doc_id", "version_in_force", "trained", "signed_version", "signed_at"]);
  for (const p of plan.facts.training.people) {
    for (const l of p.lines) {
      yield csvRecord([plan.run.asOf, p.username, p.displayName, l.docId, l.version, l.trained ? "yes" : "no", l.signedVersion, l.signedAt]);
    }
  }
}
