// The controlled copy register (SOP-DC-001; its retention: 25 years after the document is
// withdrawn). The copies module owns copy_issues, controlled_copies and copy_recalls (migration 019).
// Here: issuing signed, numbered copies rendered by the PDF engine, closing them by a signed record
// of return or destruction, a copy rendered again, and auditing exports. Reading the register is
// register.server.ts; checking a file in hand is verify-copy.server.ts.
import { isoDate } from "~/clock.server";
import type { Database, Queryable } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { sha256 } from "~/modules/content/hash";
import type { VersionState, VersionStatus } from "~/modules/documents/documents";
import { documentHistory } from "~/modules/documents/library.server";
import type { PrintRun } from "~/modules/pdf/pdf";
import { PdfRequestError, printableVersion, renderPdfBuffer, type PdfSelector } from "~/modules/pdf/pdf.server";
import { recordSignature, type VerifiedSigner } from "~/modules/signatures/signatures.server";
import type { Actor } from "~/modules/users/actor";
import { permissionsOf } from "~/modules/users/permissions";
import { getUser } from "~/modules/users/users.server";

import { copyNumber, issuableStatus, issueRecordText, recallRecordText, type IssueRequest, type RecallRequest, type RegisterFilter } from "./copies";
import { getCopy, type RegisterRow } from "./register.server";

type Source = Parameters<typeof printableVersion>[0];

/** A refusal with a message for people (and the form field it concerns): nothing was written. */
export class CopyRefused extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** A copy that no longer renders to the bytes the register holds: never hand out a different file. */
export class CopyIntegrityError extends Error {}

export interface IssuedCopy {
  copyId: string;
  sha256: string;
  pages: number;
}

/** How many times an issue is retried when another issue of the same version took its numbers meanwhile. */
const ISSUE_ATTEMPTS = 3;

/** A version copies may be issued of, as the issue form and `quire copy issue` offer it. */
export interface IssuableVersion {
  version: string;
  title: string;
  status: VersionStatus;
  effectiveFrom: string;
}

/**
 * The versions of a document copies may be issued of on a day: approved (ahead of their date) or in
 * force, newest first; null when there is no such document.
 */
export async function issuableVersions(q: Source, docId: string, day: string): Promise<IssuableVersion[] | null> {
  const history = await documentHistory(q, docId, day);
  if (!history) return null;
  return history.versions
    .filter((s) => issuableStatus(s.status))
    .map((s) => ({ version: s.version.version, title: s.version.title, status: s.status, effectiveFrom: s.version.effectiveFrom }));
}

/**
 * The state of the version to copy on the day, or a refusal naming why it cannot be copied: no such
 * document or version, or a version that has ended (SOP-DC-001: copies are of what is approved or in force).
 */
export async function issuableState(q: Source, docId: string, version: string, day: string): Promise<VersionState> {
  const history = await documentHistory(q, docId, day);
  if (!history) throw new CopyRefused(`There is no controlled document ${docId}.`);
  const state = history.versions.find((s) => s.version.version === version);
  if (!state) throw new CopyRefused(`${docId} has no approved version ${version}.`, "version");
  if (!issuableStatus(state.status))
    throw new CopyRefused(`${docId} v${version} is ${state.status}: controlled copies are issued only of a version approved or in force.`, "version");
  return state;
}

/**
 * Only an active holder of `copies.issue` whose password is their own (not a temporary one an
 * administrator set) issues copies or records their recall (SOP-DC-001; Part 11 §11.10(g), §11.100(a)).
 * The pages check the permission through the session too; this holds for every caller (the CLI).
 */
export async function assertMayIssueCopies(db: Queryable, userId: string): Promise<void> {
  const user = await getUser(db, userId);
  if (!user || !user.active) throw new CopyRefused("This account is not active, so it cannot issue controlled copies.");
  if (!permissionsOf(user.roles).has("copies.issue"))
    throw new CopyRefused(`${user.username} does not have the permission copies.issue needed to issue or recall controlled copies.`);
  if (user.mustChangePassword)
    throw new CopyRefused(`${user.username} must first change the temporary password an administrator set (sign in to Quire), then sign.`);
}

/** A copy's file as issued: exactly the bytes the register's SHA-256 is of. */
export interface IssuedCopyFile {
  copyId: string;
  pdf: Buffer;
}

export interface IssueOptions {
  /**
   * Called inside the issue's transaction, with each copy's file, just before it commits: if it
   * throws, nothing is issued. `quire copy issue` writes the files here, so a copy is never in the
   * register without the file it handed out.
   */
  beforeCommit?: (files: readonly IssuedCopyFile[]) => Promise<void>;
}

/**
 * Issues numbered controlled copies of an approved version (SOP-DC-001) and signs the issue
 * ("Controlled copy issued", Part 11 §11.50, §11.200(a)). Each copy is rendered by the PDF engine
 * with its number in the footer and the issue time from Quire's clock; the register keeps what
 * renders it again (version, number, printed by, printed at) and its SHA-256. Rendering happens
 * before the write transaction; if another issue took the same numbers meanwhile, it starts again.
 */
export async function issueCopies(
  q: Source & { db: Database },
  signer: VerifiedSigner,
  request: IssueRequest,
  at: Date,
  options: IssueOptions = {},
): Promise<IssuedCopy[]> {
  const { docId, version } = request;
  if (!Number.isInteger(request.copies) || request.copies < 1 || request.copies > 50) throw new CopyRefused("Issue between 1 and 50 copies.", "copies");
  for (const [field, value] of [
    ["recipient", request.recipient],
    ["location", request.location],
    ["reason", request.reason],
  ] as const) {
    if (value.trim() === "") throw new CopyRefused(`Give the ${field}.`, field);
  }
  await assertMayIssueCopies(q.db, signer.userId);
  const state = await issuableState(q, docId, version, isoDate(at));

  for (let attempt = 1; ; attempt++) {
    const first = (await lastSeq(q.db, docId, version)) + 1;
    const print = (seq: number): PrintRun => ({ printedAt: at, printedBy: signer.printedName, copyId: copyNumber(docId, version, first + seq) });
    const rendered: (IssuedCopy & { run: PrintRun; pdf: Buffer | null })[] = [];
    for (let i = 0; i < request.copies; i++) {
      const run = print(i);
      const pdf = await renderPdfBuffer(await printableVersion(q, { docId, version }, run));
      // The bytes are kept only for a caller that hands them out now (the CLI); the pages fetch them again later.
      rendered.push({ copyId: run.copyId!, sha256: pdf.sha256, pages: pdf.pages, run, pdf: options.beforeCommit ? pdf.buffer : null });
    }
    const written = await q.db.transaction(async (tx) => {
      if ((await lastSeq(tx, docId, version)) + 1 !== first) return null;
      const fields = { ...request, recipient: request.recipient.trim(), location: request.location.trim(), reason: request.reason.trim() };
      const text = issueRecordText({
        ...fields,
        contentHash: state.version.contentHash,
        issuedBy: signer.username,
        printedAt: at.toISOString(),
        issued: rendered,
      });
      const contentHash = sha256(text);
      const signatureId = await recordSignature(tx, {
        crId: null,
        docId,
        version,
        signer,
        meaning: "Controlled copy issued",
        contentHash,
        commit: null,
        at,
      });
      const issue = await tx.run(
        "INSERT INTO copy_issues (doc_id, version, recipient, location, reason, copies, issued_by, issued_at, content_hash, signature_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [docId, version, fields.recipient, fields.location, fields.reason, request.copies, signer.userId, at.toISOString(), contentHash, signatureId],
      );
      for (const [i, c] of rendered.entries()) {
        await tx.run(
          "INSERT INTO controlled_copies (copy_id, issue_id, doc_id, version, seq, printed_by, printed_at, pages, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          [c.copyId, issue.lastID, docId, version, first + i, c.run.printedBy, c.run.printedAt.toISOString(), c.pages, c.sha256],
        );
      }
      await recordAudit(
        tx,
        {
          userId: signer.userId,
          username: signer.username,
          clientAddress: signer.clientAddress,
          action: "copy.issue",
          objectType: "document",
          objectId: docId,
          newValues: { ...(JSON.parse(text) as object), issueId: issue.lastID, signatureId, recordHash: contentHash },
        },
        at,
      );
      if (options.beforeCommit) await options.beforeCommit(rendered.map((c) => ({ copyId: c.copyId, pdf: c.pdf! })));
      return rendered.map(({ copyId, sha256: hash, pages }) => ({ copyId, sha256: hash, pages }));
    });
    if (written) return written;
    if (attempt >= ISSUE_ATTEMPTS) throw new CopyRefused("Other copies of this version were being issued at the same moment; try again.");
  }
}

async function lastSeq(db: Queryable, docId: string, version: string): Promise<number> {
  const row = await db.get<{ seq: number | null }>("SELECT max(seq) AS seq FROM controlled_copies WHERE doc_id = ? AND version = ?", [docId, version]);
  return row?.seq ?? 0;
}

/**
 * Closes a copy by a signed record of its return or destruction ("Controlled copy recalled").
 * Once only: the register's primary key refuses a second close, and the check here names it.
 */
export async function recordRecall(db: Database, signer: VerifiedSigner, request: RecallRequest, today: string, at: Date): Promise<void> {
  await assertMayIssueCopies(db, signer.userId);
  const copy = await getCopy(db, request.copyId, today);
  if (!copy) throw new CopyRefused(`There is no controlled copy ${request.copyId}.`);
  if (copy.recall) throw new CopyRefused(`${copy.copyId} was already closed (${copy.recall.outcome} on ${copy.recall.closedOn}): a recall is recorded once.`);
  if (request.closedOn > today)
    throw new CopyRefused(`The date ${request.closedOn} is in the future; record a return or destruction once it has happened.`, "closedOn");
  if (request.closedOn < copy.issuedAt.slice(0, 10))
    throw new CopyRefused(`The date ${request.closedOn} is before the copy was issued (${copy.issuedAt.slice(0, 10)}).`, "closedOn");
  const note = request.note.trim();
  await db.transaction(async (tx) => {
    if (await tx.get("SELECT 1 FROM copy_recalls WHERE copy_id = ?", [copy.copyId]))
      throw new CopyRefused(`${copy.copyId} was already closed: a recall is recorded once.`);
    const text = recallRecordText({ ...request, note, sha256: copy.sha256, recordedBy: signer.username });
    const contentHash = sha256(text);
    const signatureId = await recordSignature(tx, {
      crId: null,
      docId: copy.docId,
      version: copy.version,
      signer,
      meaning: "Controlled copy recalled",
      contentHash,
      commit: null,
      at,
    });
    await tx.run(
      "INSERT INTO copy_recalls (copy_id, outcome, closed_on, note, recorded_by, recorded_at, content_hash, signature_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [copy.copyId, request.outcome, request.closedOn, note, signer.userId, at.toISOString(), contentHash, signatureId],
    );
    await recordAudit(
      tx,
      {
        userId: signer.userId,
        username: signer.username,
        clientAddress: signer.clientAddress,
        action: "copy.recall",
        objectType: "controlled-copy",
        objectId: copy.copyId,
        oldValues: { status: copy.status },
        newValues: { ...(JSON.parse(text) as object), status: "closed", signatureId, recordHash: contentHash },
      },
      at,
    );
  });
}

/**
 * A copy's PDF rendered again from what the register keeps. It must hash to the SHA-256 recorded at
 * issue: if it does not (the engine, fonts or record changed since), it is refused, never handed out.
 */
export async function renderIssuedCopy(
  q: Source,
  copy: Pick<RegisterRow, "copyId" | "docId" | "version" | "printedBy" | "printedAt" | "sha256">,
): Promise<Buffer> {
  const selector: PdfSelector = { docId: copy.docId, version: copy.version };
  const print: PrintRun = { printedAt: new Date(copy.printedAt), printedBy: copy.printedBy, copyId: copy.copyId };
  let pdf;
  try {
    pdf = await renderPdfBuffer(await printableVersion(q, selector, print));
  } catch (error) {
    if (error instanceof PdfRequestError) throw new CopyIntegrityError(`${copy.copyId} cannot be rendered again: ${error.message}`);
    throw error;
  }
  if (pdf.sha256 !== copy.sha256) {
    throw new CopyIntegrityError(
      `${copy.copyId} rendered again does not match the register (SHA-256 ${pdf.sha256.slice(0, 12)}…, the register holds ${copy.sha256.slice(0, 12)}…), so it is not handed out. The PDF engine or the record has changed since the copy was issued; report this to the system owner.`,
    );
  }
  return pdf.buffer;
}

/** Taking a copy of the register (the CSV) is audited as an export. */
export async function recordRegisterExport(db: Database, actor: Actor, filter: RegisterFilter, rows: number, at: Date): Promise<void> {
  await db.transaction((tx) =>
    recordAudit(tx, { ...actor, action: "copies.export", objectType: "copy-register", objectId: null, newValues: { ...filter, format: "csv", rows } }, at),
  );
}

/** A controlled copy's file handed out again (after issue): audited like any export of a copy. */
export async function recordCopyDownload(
  db: Database,
  actor: Actor,
  copy: Pick<RegisterRow, "copyId" | "docId" | "version" | "sha256">,
  at: Date,
): Promise<void> {
  await db.transaction((tx) =>
    recordAudit(
      tx,
      {
        ...actor,
        action: "copy.download",
        objectType: "controlled-copy",
        objectId: copy.copyId,
        newValues: { docId: copy.docId, version: copy.version, sha256: copy.sha256 },
      },
      at,
    ),
  );
}
