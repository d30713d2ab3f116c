// What a printed copy of a version carries, and the wording of its page furniture. Pure: the layout
// (layout.ts) draws it, pdf.server.ts gathers it from the database and the content repository.
import type { DocumentType, Frontmatter } from "~/modules/content/frontmatter";
import type { VersionStatus } from "~/modules/documents/documents";
import type { SignatureMeaning } from "~/modules/signatures/signatures";

/** A version's status on the print date; `draft` is for content not yet approved (a change request's draft). */
export type PrintStatus = VersionStatus | "draft";

export interface PrintableVersion {
  docId: string;
  title: string;
  type: DocumentType;
  version: string;
  status: PrintStatus;
  effectiveFrom: string | null;
  effectiveTo: string | null;
  /** The owner's and audience's job function names, as the document page shows them. */
  owner: string;
  audience: string[];
  training: Frontmatter["training"];
  summary: string | null;
  changeReason: string;
  crId: string | null;
  contentHash: string;
  /** The MDX source exactly as approved (its SHA-256 is contentHash). */
  source: string;
}

/** A document-control signature as manifested on the signature page (Part 11 §11.50). */
export interface PrintedSignature {
  printedName: string;
  meaning: SignatureMeaning;
  statement: string;
  signedAt: string;
  contentHash: string;
}

/** One row of the revision history. */
export interface RevisionEntry {
  version: string;
  crId: string | null;
  reason: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  status: VersionStatus;
}

/** Who printed the copy and when (Quire's clock), and the controlled copy's number if it is one. */
export interface PrintRun {
  printedAt: Date;
  printedBy: string;
  /** A controlled copy's number (e.g. SOP-DM-001-2.0-C007); null for an uncontrolled copy. */
  copyId: string | null;
}

export interface PdfInput {
  version: PrintableVersion;
  signatures: PrintedSignature[];
  history: RevisionEntry[];
  /** Job function names by id, for Step owners and Responsibility roles. */
  jobFunctions: ReadonlyMap<string, string>;
  print: PrintRun;
  /** The day `version.status` and `history` describe when it is not the print day (an inspection binder as of a past day). */
  statusOn?: string;
}

export const STATUS_LABELS: Record<PrintStatus, string> = {
  draft: "Draft",
  approved: "Approved, not yet effective",
  effective: "Effective",
  superseded: "Superseded",
  retired: "Retired",
};

/** The diagonal watermark: on every page of anything not in force on the print date; none when effective. */
export function watermarkText(status: PrintStatus): string | null {
  switch (status) {
    case "effective":
      return null;
    case "approved":
      return "APPROVED NOT YET EFFECTIVE";
    default:
      return status.toUpperCase();
  }
}

export function utcDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `2026-11-30 12:00:00 UTC`: the print time and signature times as printed. */
export function utcTime(at: Date | string): string {
  const iso = typeof at === "string" ? new Date(at).toISOString() : at.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** The short form of a content hash printed in every footer. */
export function shortHash(hash: string): string {
  return `sha256:${hash.slice(0, 12)}`;
}

/** SOP-DC-001 says a printout is uncontrolled and valid on its print day only, unless issued as a numbered controlled copy. */
export function copyLine(print: PrintRun): string {
  return print.copyId ? `Controlled copy ${print.copyId}` : `Uncontrolled copy: valid on ${utcDate(print.printedAt)} only`;
}

/**
 * The PDF's own info dictionary key naming the copy (SOP-DM-001-2.0-C007, or "uncontrolled"): how
 * `quire verify-copy` finds a file's entry in the copy register without trusting the text drawn.
 */
export const COPY_INFO_KEY = "QuireCopy";
export const UNCONTROLLED_COPY = "uncontrolled";

export function copyInfoValue(print: PrintRun): string {
  return print.copyId ?? UNCONTROLLED_COPY;
}

export function pageLine(page: number, pages: number): string {
  return `Page ${page} of ${pages}`;
}

/** `SOP-DM-001-2.0-uncontrolled-2026-11-30.pdf`, or the copy number for a controlled copy. */
export function pdfFileName(version: Pick<PrintableVersion, "docId" | "version">, print: PrintRun): string {
  return print.copyId ? `${print.copyId}.pdf` : `${version.docId}-${version.version}-uncontrolled-${utcDate(print.printedAt)}.pdf`;
}
