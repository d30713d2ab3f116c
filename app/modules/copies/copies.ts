// Controlled copies (SOP-DC-001, "Distribute and control copies"): the copy number, a copy's status
// in the register, the canonical text each signature is bound to, and the forms. Pure: the register
// itself (issue, recall, list, re-render, verify) is copies.server.ts.
import { z } from "zod";

import type { VersionStatus } from "~/modules/documents/documents";

/** At most this many copies in one issue (one recipient, one signature). */
export const MAX_COPIES_PER_ISSUE = 50;

/**
 * A copy's number: the version it copies and a sequence per document version, e.g.
 * SOP-DM-001-2.0-C007 (the seventh copy issued of SOP-DM-001 v2.0). Three digits at least; the
 * thousandth is C1000. Numbers are never reused (copies are never deleted).
 */
export function copyNumber(docId: string, version: string, seq: number): string {
  if (!Number.isInteger(seq) || seq < 1) throw new Error(`copy sequence must be a positive whole number, not ${seq}`);
  return `${docId}-${version}-C${String(seq).padStart(3, "0")}`;
}

const COPY_NUMBER = /^([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)-(\d+\.\d+)-C(\d{3,})$/;

/** The parts of a copy number, or null when the text is not one. */
export function parseCopyNumber(text: string): { docId: string; version: string; seq: number } | null {
  const m = COPY_NUMBER.exec(text);
  if (!m) return null;
  const seq = Number(m[3]);
  if (seq < 1 || copyNumber(m[1]!, m[2]!, seq) !== text) return null;
  return { docId: m[1]!, version: m[2]!, seq };
}

/**
 * Where a copy stands in the register on a day. Outstanding: its version is approved or in force.
 * To recall: its version has since been superseded or retired and no return or destruction is
 * recorded (derived from the version's status on the day, so nothing has to run at midnight).
 * Closed: a signed record of return or destruction exists (possibly earlier, e.g. a site closing).
 */
export const COPY_STATUSES = ["outstanding", "to-recall", "closed"] as const;
export type CopyStatus = (typeof COPY_STATUSES)[number];

export const COPY_STATUS_LABELS: Record<CopyStatus, string> = {
  outstanding: "Outstanding",
  "to-recall": "To recall",
  closed: "Closed",
};

export function copyStatus(versionStatus: VersionStatus, recalled: boolean): CopyStatus {
  if (recalled) return "closed";
  return versionStatus === "superseded" || versionStatus === "retired" ? "to-recall" : "outstanding";
}

/** Copies are issued of a version that is approved (ahead of its effective date) or in force, never of one that has ended. */
export function issuableStatus(status: VersionStatus): boolean {
  return status === "approved" || status === "effective";
}

/** The version offered first for an issue: the one in force, else the next one approved (the list is newest first). */
export function versionToIssue<T extends { status: VersionStatus }>(issuable: readonly T[]): T | null {
  return issuable.find((v) => v.status === "effective") ?? issuable[0] ?? null;
}

export const RECALL_OUTCOMES = ["returned", "destroyed"] as const;
export type RecallOutcome = (typeof RECALL_OUTCOMES)[number];

export interface IssueRequest {
  docId: string;
  version: string;
  recipient: string;
  location: string;
  reason: string;
  copies: number;
}

/** The canonical text of an issue: what the issuer's signature is bound to (Part 11 §11.70). */
export function issueRecordText(
  r: IssueRequest & { contentHash: string; issuedBy: string; printedAt: string; issued: { copyId: string; sha256: string }[] },
): string {
  return JSON.stringify({
    record: "controlled-copy-issue",
    docId: r.docId,
    version: r.version,
    contentHash: r.contentHash,
    recipient: r.recipient,
    location: r.location,
    reason: r.reason,
    copies: r.copies,
    issuedBy: r.issuedBy,
    printedAt: r.printedAt,
    issued: r.issued.map((c) => ({ copyId: c.copyId, sha256: c.sha256 })),
  });
}

export interface RecallRequest {
  copyId: string;
  outcome: RecallOutcome;
  closedOn: string;
  note: string;
}

/** The canonical text of a recall: what the recorder's signature is bound to. */
export function recallRecordText(r: RecallRequest & { sha256: string; recordedBy: string }): string {
  return JSON.stringify({
    record: "controlled-copy-recall",
    copyId: r.copyId,
    sha256: r.sha256,
    outcome: r.outcome,
    closedOn: r.closedOn,
    note: r.note,
    recordedBy: r.recordedBy,
  });
}

const text = (label: string, max: number) =>
  z
    .string({ error: `Give the ${label}.` })
    .trim()
    .min(1, `Give the ${label}.`)
    .max(max, `The ${label} is at most ${max} characters.`);

/** The issue form (the document and version come from the URL and a field). */
export const IssueForm = z.object({
  version: z.string({ error: "Choose the version to copy." }).regex(/^\d+\.\d+$/, "Choose the version to copy."),
  recipient: text("recipient's name", 200),
  location: text("location or site", 200),
  reason: text("reason for the copies", 500),
  copies: z.coerce
    .number({ error: "Give the number of copies." })
    .int("Give a whole number of copies.")
    .min(1, "Issue at least one copy.")
    .max(MAX_COPIES_PER_ISSUE, `Issue at most ${MAX_COPIES_PER_ISSUE} copies at once.`),
  password: z.string({ error: "Enter your password to sign." }).min(1, "Enter your password to sign."),
});

export const RecallForm = z.object({
  outcome: z.enum(RECALL_OUTCOMES, { error: "Say whether the copy was returned or destroyed." }),
  closedOn: z.iso.date({ message: "Give the date it was returned or destroyed (YYYY-MM-DD)." }),
  note: z.string().trim().max(1000, "The note is at most 1000 characters.").default(""),
  password: z.string({ error: "Enter your password to sign." }).min(1, "Enter your password to sign."),
});

/** The register's filters, from the query string; values it does not know are ignored. */
export interface RegisterFilter {
  status: CopyStatus | null;
  doc: string | null;
}

/**
 * The register's filters from the query string. A value that is not valid is named in `problems` and
 * left out; the page answers 400 and the CSV exports nothing, never silently everything.
 */
export function parseRegisterFilter(params: URLSearchParams): RegisterFilter & { problems: string[] } {
  const problems: string[] = [];
  const status = params.get("status")?.trim() ?? "";
  const doc = params.get("doc")?.trim().toUpperCase() ?? "";
  const knownStatus = (COPY_STATUSES as readonly string[]).includes(status);
  if (status !== "" && !knownStatus) problems.push(`The status “${status.slice(0, 40)}” was not used: it is one of ${COPY_STATUSES.join(", ")}.`);
  const goodDoc = /^[A-Z0-9-]{2,40}$/.test(doc);
  if (doc !== "" && !goodDoc) problems.push(`The document “${doc.slice(0, 40)}” was not used: write a document id such as SOP-DM-001.`);
  return { status: knownStatus ? (status as CopyStatus) : null, doc: goodDoc ? doc : null, problems };
}
