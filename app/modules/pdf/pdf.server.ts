// Gathers what a printed copy needs (the version, its source, signatures, revision history) through the
// readers the document page uses, renders it, and writes or returns the bytes. The layout is layout.ts.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";

import type { Database } from "~/db/db.server";
import { writeAtomically } from "~/files.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { sha256 } from "~/modules/content/hash";
import { versionStates, type DocumentVersion, type VersionState } from "~/modules/documents/documents";
import { documentHistory } from "~/modules/documents/library.server";
import type { Retirement } from "~/modules/documents/retirement.server";
import { SIGNATURE_STATEMENTS } from "~/modules/signatures/signatures";
import { signaturesOfVersion } from "~/modules/signatures/signatures.server";
import { loadJobFunctions } from "~/modules/training/job-functions.server";
import type { Actor } from "~/modules/users/actor";
import type { Quire } from "~/quire";

import { layoutPdf } from "./layout";
import { utcDate, type PdfInput, type PrintRun, type PrintableVersion } from "./pdf";

/** A request that names something that does not exist or cannot be done: the message says what, for a person. */
export class PdfRequestError extends Error {}

export interface PdfSelector {
  docId: string;
  /** A version number (X.Y); or */
  version?: string;
  /** the version in force on this day; neither: the version in force on the print day. */
  on?: string;
}

type Source = Pick<Quire, "db" | "repo">;

/** Everything the layout needs for one version, as of the print time (which decides its status). */
export async function printableVersion(q: Source, selector: PdfSelector, print: PrintRun): Promise<PdfInput> {
  const { docId } = selector;
  const printDay = utcDate(print.printedAt);
  const known = await documentHistory(q, docId, printDay);
  if (!known) throw new PdfRequestError(`There is no controlled document ${docId}.`);
  const record = recordAsPrinted(known, print.printedAt);
  if (record.versions.length === 0) throw new PdfRequestError(`${docId} had no approved version at ${print.printedAt.toISOString()}.`);
  const history = { versions: versionStates(record.versions, printDay, record.retiredFrom) };
  const state = chosenVersion(selector, history.versions, record);
  return printableState(q, state, history.versions, print);
}

/**
 * One version as printed, given its state and the document's version states (newest first) on the
 * day they describe: the print day for a copy, the as-of day for an inspection binder. Signatures
 * given after the print time are left out, so a copy printed again gives the same bytes.
 */
export async function printableState(q: Source, state: VersionState, states: VersionState[], print: PrintRun, known?: { source: string }): Promise<PdfInput> {
  const v = state.version;
  const docId = v.docId;
  const printedAtIso = print.printedAt.toISOString();
  const [jobFunctions, allSignatures, source] = await Promise.all([
    loadJobFunctions(q.db),
    signaturesOfVersion(q.db, docId, v.version),
    // A caller printing many versions may have read their sources already (ContentRepository.readFiles).
    known?.source ?? q.repo.readFile(v.commit, v.path),
  ]);
  const signatures = allSignatures.filter((s) => s.signedAt <= printedAtIso);
  // A copy must print exactly what was approved: the content hash is what every signature is bound to.
  if (sha256(source) !== v.contentHash) throw new Error(`${docId} v${v.version}: the file in git does not match the approved content hash`);
  const names = new Map(jobFunctions.map((j) => [j.id, j.name]));
  const fm = v.frontmatter;
  const version: PrintableVersion = {
    docId,
    title: v.title,
    type: fm.type,
    version: v.version,
    status: state.status,
    effectiveFrom: v.effectiveFrom,
    effectiveTo: state.effectiveTo,
    owner: names.get(fm.owner) ?? fm.owner,
    audience: fm.audience.map((a) => names.get(a) ?? a),
    training: fm.training,
    summary: fm.summary ?? null,
    changeReason: v.changeReason,
    crId: v.crId ?? null,
    contentHash: v.contentHash,
    source,
  };
  return {
    version,
    signatures: signatures.map((s) => ({
      printedName: s.printedName,
      meaning: s.meaning,
      statement: SIGNATURE_STATEMENTS[s.meaning],
      signedAt: s.signedAt,
      contentHash: s.contentHash,
    })),
    history: [...states].reverse().map((s) => ({
      version: s.version.version,
      crId: s.version.crId ?? null,
      reason: s.version.changeReason,
      effectiveFrom: s.version.effectiveFrom,
      effectiveTo: s.effectiveTo,
      status: s.status,
    })),
    jobFunctions: names,
    print,
  };
}

interface RecordAsPrinted {
  versions: DocumentVersion[];
  retiredFrom: string | null;
}

/**
 * The document's record as it stood at the print time: versions approved and a retirement recorded
 * by then. A copy printed then shows only that, so rendering it again later (a controlled copy's
 * download, SOP-DC-001) gives the same bytes even after a new version or a retirement was recorded.
 */
function recordAsPrinted(history: { versions: VersionState[]; retirement: Retirement | null }, printedAt: Date): RecordAsPrinted {
  const at = printedAt.toISOString();
  const versions = history.versions.map((s) => s.version).filter((v) => v.approvedAt <= at);
  const retirement = history.retirement && history.retirement.retiredAt <= at ? history.retirement : null;
  return { versions, retiredFrom: retirement?.effectiveFrom ?? null };
}

/** The version asked for, with its status on the print day (states are the print day's, newest first). */
function chosenVersion(selector: PdfSelector, states: VersionState[], record: RecordAsPrinted): VersionState {
  const { docId, version, on } = selector;
  if (version !== undefined) {
    const found = states.find((s) => s.version.version === version);
    if (!found) throw new PdfRequestError(`Document ${docId} has no version ${version} (it has ${states.map((s) => s.version.version).join(", ")}).`);
    return found;
  }
  if (on !== undefined) {
    const then = versionStates(record.versions, on, record.retiredFrom);
    const inForce = then.find((s) => s.status === "effective");
    if (!inForce) {
      const first = then.at(-1)?.version.effectiveFrom;
      const why = then.some((s) => s.status === "retired") ? "the document was retired by then" : `the first took effect ${first}`;
      throw new PdfRequestError(`No version of ${docId} was in force on ${on}; ${why}.`);
    }
    return states.find((s) => s.version.version === inForce.version.version)!;
  }
  // As the document page chooses: the version in force, else the one retired, else the next to come.
  return (states.find((s) => s.status === "effective") ?? states.find((s) => s.status === "retired" && s.effectiveTo !== null) ?? states.at(-1))!;
}

export interface RenderedPdf {
  pages: number;
  sha256: string;
  bytes: number;
}

/** The PDF in memory (a browser download). */
export async function renderPdfBuffer(input: PdfInput): Promise<RenderedPdf & { buffer: Buffer }> {
  const { doc, pages } = layoutPdf(input);
  const chunks: Buffer[] = [];
  for await (const chunk of doc) chunks.push(chunk as Buffer);
  const buffer = Buffer.concat(chunks);
  return { buffer, pages, sha256: createHash("sha256").update(buffer).digest("hex"), bytes: buffer.length };
}

/**
 * Writes the PDF to `out`: streamed to a temporary file in the same folder, then renamed, so a
 * reader never sees half a copy and a failure leaves nothing behind.
 */
export async function writePdfFile(input: PdfInput, out: string): Promise<RenderedPdf & { out: string }> {
  const target = path.resolve(out);
  checkWritable(target);
  const written = await writeAtomically(target, async (sink) => {
    const { doc, pages } = layoutPdf(input);
    await pipeline(doc, sink);
    return { pages };
  });
  return { ...written, out: target };
}

/** Refuses, before any work, an output path whose folder is missing or not writable, or that is a folder. */
export function checkWritable(target: string): void {
  const folder = path.dirname(target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new PdfRequestError(`cannot write ${target}: the folder ${folder} does not exist`);
  }
  if (!stat.isDirectory()) throw new PdfRequestError(`cannot write ${target}: ${folder} is not a folder`);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new PdfRequestError(`cannot write ${target}: the folder ${folder} is not writable`);
  }
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new PdfRequestError(`cannot write ${target}: it is a folder`);
}

/**
 * Records that an uncontrolled copy left the system (an export, as audit.csv records its own):
 * who, which version, its status then, and the file's SHA-256.
 */
export async function recordPdfExport(db: Database, actor: Actor, input: PdfInput, pdf: RenderedPdf, at: Date): Promise<void> {
  const v = input.version;
  await db.transaction((tx) =>
    recordAudit(
      tx,
      {
        ...actor,
        action: "document.pdf.export",
        objectType: "document",
        objectId: v.docId,
        newValues: {
          version: v.version,
          status: v.status,
          copy: input.print.copyId ?? "uncontrolled",
          printedAt: input.print.printedAt.toISOString(),
          printedBy: input.print.printedBy,
          pages: pdf.pages,
          sha256: pdf.sha256,
        },
      },
      at,
    ),
  );
}
