import type { SignatureMeaning } from "~/modules/signatures/signatures";

/**
 * The format of an approved version's commit and tag: the one place that writes and reads it.
 * The trailers make the repository a record on its own (Part 11 §11.70: who signed which content),
 * and `quire verify` compares them with the database (docs/decisions/008).
 */
export const TRAILER = {
  document: "Quire-Document",
  version: "Quire-Version",
  path: "Quire-Path",
  effective: "Quire-Effective-Date",
  reason: "Quire-Change-Reason",
  /** `yes` when staff must be retrained on this version (major change), `no` otherwise. */
  retraining: "Quire-Retraining",
  changeRequest: "Quire-Change-Request",
  seededBy: "Quire-Seeded-By",
  /** The audit chain's head when the version was approved: `<seq> <sha256>` (anchors the trail in git). */
  auditHead: "Quire-Audit-Head",
  authoredBy: "Quire-Authored-By",
  reviewedBy: "Quire-Reviewed-By",
  approvedBy: "Quire-Approved-By",
  /** A function approval before the final one: `<signature> for <job-function>` (SOP-DC-001 step 5). */
  functionApprovedBy: "Quire-Function-Approved-By",
  /** An urgent change's justification for a shorter training period (SOP-DC-001 step 6). */
  urgent: "Quire-Urgent-Change",
} as const;

/** A signature as a trailer carries it. */
export interface SignatureTrailerFields {
  meaning: Extract<SignatureMeaning, "Authored" | "Reviewed" | "Approved" | "Function approval">;
  printedName: string;
  username: string;
  signedAt: string;
  contentHash: string;
  /** A function approval's job function. */
  jobFunction?: string | null;
}

export interface VersionCommitSpec {
  docId: string;
  version: string;
  title: string;
  path: string;
  effectiveDate: string;
  reason: string;
  retrainingRequired: boolean;
  changeRequest?: string | null;
  /** An urgent change's justification (SOP-DC-001 step 6). */
  urgentJustification?: string | null;
  signatures?: readonly SignatureTrailerFields[];
  /** `quire init` or `quire init --demo`, for versions init commits itself. */
  seededBy?: string | null;
  auditHead?: { seq: number; hash: string } | null;
}

/** One line whatever a value holds: a line break would start a trailer of its own. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or refuses
  return s.replace(/[\u0000-\u001f\u007f\s]+/g, " ").trim();
}

const SIGNATURE_KEYS = {
  Authored: TRAILER.authoredBy,
  Reviewed: TRAILER.reviewedBy,
  Approved: TRAILER.approvedBy,
  "Function approval": TRAILER.functionApprovedBy,
} as const;

/** The trailer line a signature becomes in the version's commit (Part 11 §11.70: bound to content). */
export function signatureTrailer(
  s: Pick<SignatureTrailerFields, "printedName" | "username" | "signedAt" | "contentHash" | "jobFunction"> & { meaning: SignatureMeaning },
): [string, string] {
  const key = s.meaning in SIGNATURE_KEYS ? SIGNATURE_KEYS[s.meaning as keyof typeof SIGNATURE_KEYS] : TRAILER.approvedBy;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes or refuses
  const name = s.printedName.replace(/[\u0000-\u001f\u007f<>]+/g, " ").trim();
  const forFunction = s.meaning === "Function approval" && s.jobFunction ? ` for ${s.jobFunction}` : "";
  return [key, `${name} <${s.username}> ${s.signedAt.replace(/\.\d{3}Z$/, "Z")} sha256:${s.contentHash}${forFunction}`];
}

const SIGNATURE_VALUE = /^(.+) <([^>]+)> (\S+) sha256:([0-9a-f]{64})(?: for ([a-z][a-z0-9-]*))?$/;

export function parseSignatureTrailer(key: string, value: string): SignatureTrailerFields | null {
  const meaning = (Object.keys(SIGNATURE_KEYS) as (keyof typeof SIGNATURE_KEYS)[]).find((m) => SIGNATURE_KEYS[m] === key) ?? null;
  const m = SIGNATURE_VALUE.exec(value);
  if (!meaning || !m) return null;
  const signedAt = new Date(m[3]!);
  if (Number.isNaN(signedAt.getTime())) return null;
  if ((meaning === "Function approval") !== (m[5] !== undefined)) return null;
  return { meaning, printedName: m[1]!, username: m[2]!, signedAt: signedAt.toISOString(), contentHash: m[4]!, ...(m[5] ? { jobFunction: m[5] } : {}) };
}

/** The commit message of an approved version: subject, reason, and its trailers. */
export function versionCommitMessage(v: VersionCommitSpec): string {
  const trailers: [string, string][] = [
    [TRAILER.document, v.docId],
    [TRAILER.version, v.version],
    [TRAILER.path, v.path],
    [TRAILER.effective, v.effectiveDate],
    [TRAILER.reason, oneLine(v.reason)],
    [TRAILER.retraining, v.retrainingRequired ? "yes" : "no"],
    ...(v.changeRequest ? [[TRAILER.changeRequest, v.changeRequest] as [string, string]] : []),
    ...(v.urgentJustification ? [[TRAILER.urgent, oneLine(v.urgentJustification)] as [string, string]] : []),
    ...(v.signatures ?? []).map(signatureTrailer),
    ...(v.seededBy ? [[TRAILER.seededBy, v.seededBy] as [string, string]] : []),
    ...(v.auditHead ? [[TRAILER.auditHead, `${v.auditHead.seq} ${v.auditHead.hash}`] as [string, string]] : []),
  ];
  return `${v.docId} v${v.version}: ${oneLine(v.title)}\n\n${oneLine(v.reason)}\n\n${trailers.map(([k, val]) => `${k}: ${val}`).join("\n")}\n`;
}

/** The annotated tag's message. */
export function versionTagMessage(docId: string, version: string, effectiveDate: string, crId: string | null): string {
  return `${docId} version ${version}, effective ${effectiveDate}${crId ? ` (${crId})` : ""}`;
}

/** What a version's commit says of itself, read back from its trailers (null where absent). */
export interface VersionCommitFacts {
  docId: string | null;
  version: string | null;
  path: string | null;
  effectiveDate: string | null;
  reason: string | null;
  retrainingRequired: boolean | null;
  changeRequest: string | null;
  seededBy: string | null;
  auditHead: { seq: number; hash: string } | null;
  signatures: SignatureTrailerFields[];
  /** Signature trailers that do not parse: named by `quire verify`. */
  unreadable: [string, string][];
}

export function parseAuditHead(value: string): { seq: number; hash: string } | null {
  const m = /^(\d+) ([0-9a-f]{64})$/.exec(value.trim());
  return m ? { seq: Number(m[1]), hash: m[2]! } : null;
}

export function parseVersionCommit(trailers: ReadonlyMap<string, readonly string[]>): VersionCommitFacts {
  const one = (key: string) => trailers.get(key)?.at(-1) ?? null;
  const retraining = one(TRAILER.retraining);
  const signatures: SignatureTrailerFields[] = [];
  const unreadable: [string, string][] = [];
  for (const key of Object.values(SIGNATURE_KEYS)) {
    for (const value of trailers.get(key) ?? []) {
      const parsed = parseSignatureTrailer(key, value);
      if (parsed) signatures.push(parsed);
      else unreadable.push([key, value]);
    }
  }
  const auditHead = one(TRAILER.auditHead);
  return {
    docId: one(TRAILER.document),
    version: one(TRAILER.version),
    path: one(TRAILER.path),
    effectiveDate: one(TRAILER.effective),
    reason: one(TRAILER.reason),
    retrainingRequired: retraining === "yes" ? true : retraining === "no" ? false : null,
    changeRequest: one(TRAILER.changeRequest),
    seededBy: one(TRAILER.seededBy),
    auditHead: auditHead ? parseAuditHead(auditHead) : null,
    signatures,
    unreadable,
  };
}
