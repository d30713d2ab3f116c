// The signature vocabulary (Part 11 §11.50, §11.70): meanings and what each declares, the record, and
// which signatures count. Pure: app/modules/signatures/signatures.server.ts records and reads them.

export const SIGNATURE_MEANINGS = [
  "Authored",
  "Reviewed",
  "Approved",
  "Function approval",
  "Periodic review",
  "Retired",
  "Withdrawal approval",
  "Read and understood",
  "Training delivered",
  "Competence assessed",
  "Competence approved",
  "Curriculum approved",
  "Controlled copy issued",
  "Controlled copy recalled",
  "Cause analysis",
] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

/** Meanings given on behalf of a job function, which each such signature names (function_approvals). */
export const FUNCTION_MEANINGS: ReadonlySet<SignatureMeaning> = new Set(["Function approval", "Withdrawal approval"]);

/**
 * What a signature is for: document control (shown with a version, written into its commit) or
 * training (a read-and-understood acknowledgement, shown on transcripts), or a quality record
 * (a KPI's cause analysis, shown with the analysis; migration 026). Mirrors the
 * signature_meanings table (migration 009), where adding a meaning is one INSERT.
 */
export type SignaturePurpose = "document-control" | "training" | "quality-record";
export const SIGNATURE_PURPOSES: Record<SignatureMeaning, SignaturePurpose> = {
  Authored: "document-control",
  Reviewed: "document-control",
  Approved: "document-control",
  "Function approval": "document-control",
  "Periodic review": "document-control",
  Retired: "document-control",
  // SOP-DC-001 "Withdraw obsolete documents": the owner function approves a withdrawal request before
  // the quality manager signs "Retired" (migration 028).
  "Withdrawal approval": "document-control",
  "Read and understood": "training",
  "Training delivered": "training",
  "Competence assessed": "training",
  "Competence approved": "training",
  "Curriculum approved": "training",
  // Controlled copies are document control (SOP-DC-001); these signatures are bound to the copy
  // register's record, never to a version's content, so they do not join a version's signature page.
  "Controlled copy issued": "document-control",
  "Controlled copy recalled": "document-control",
  // SOP-KP-001 "Act on red KPIs": bound to the analysis record (kpi_analyses), never to a document.
  "Cause analysis": "quality-record",
};

/** What each signature meaning declares, shown on the signing form (Part 11 §11.50(a)(3)),
 * recorded with each signature. */
export const SIGNATURE_STATEMENTS: Record<SignatureMeaning, string> = {
  Authored: "I am the author of this content and submit it for review.",
  Reviewed: "I have reviewed this content and find it fit for approval.",
  Approved: "I approve this content for use from the effective date below.",
  // SOP-DC-001 step 5: the owner function (and for the manual and policies executive management)
  // signs before the quality manager's final approval; the job function is recorded with it.
  "Function approval": "On behalf of the job function named with this signature, I approve this content.",
  "Periodic review": "I have reviewed this document and no change is needed.",
  Retired: "I retire this document for the reason below.",
  "Withdrawal approval": "On behalf of the job function named with this signature, I approve withdrawing this document for the reason given.",
  "Read and understood": "I have read and understood this version of the document and will apply it in my work.",
  "Training delivered": "I delivered this training to the attendees listed, with the content recorded here.",
  "Competence assessed": "I observed this person perform the tasks described and judge them competent to perform them without supervision.",
  "Competence approved": "As the line manager, I approve this competence sign-off.",
  "Curriculum approved": "As quality manager, I approve this change to the job function's curriculum.",
  "Controlled copy issued": "I issue these numbered controlled copies of this approved version to the recipient named, for the reason given.",
  "Controlled copy recalled": "I confirm that this controlled copy was returned or destroyed as recorded here.",
  "Cause analysis": "I record this analysis of the cause of the red KPI and the actions planned to address it.",
};

export interface SignatureRecord {
  id: number;
  crId: string | null;
  docId: string;
  version: string | null;
  userId: string;
  username: string;
  printedName: string;
  meaning: SignatureMeaning;
  signedAt: string;
  contentHash: string;
  commit: string | null;
  /** For a "Function approval": the job function it was given for (SOP-DC-001 step 5). */
  jobFunction?: string | null;
}

/**
 * The signatures that still count: on exactly the current content, and for reviews and approvals,
 * given after the author's latest submission (a rejection and resubmission starts a new round).
 */
export function validSignatures<T extends Pick<SignatureRecord, "id" | "meaning" | "contentHash" | "userId">>(
  signatures: readonly T[],
  contentHash: string,
): T[] {
  // Rounds follow the order signatures were recorded (ids), not clock time, which may be pinned or step back.
  const onContent = signatures.filter((s) => s.contentHash === contentHash);
  const authored = onContent
    .filter((s) => s.meaning === "Authored")
    .map((s) => s.id)
    .sort((a, b) => a - b)
    .at(-1);
  if (authored === undefined) return [];
  return withoutRepeats(onContent.filter((s) => (s.meaning === "Authored" ? s.id === authored : s.id > authored)));
}

/**
 * One signature per signer, meaning and round: a repeat (recorded before repeats were refused) is
 * dropped wherever signatures are shown or counted. A round starts at each Authored signature.
 */
export function withoutRepeats<T extends Pick<SignatureRecord, "id" | "meaning" | "contentHash" | "userId">>(signatures: readonly T[]): T[] {
  const seen = new Set<string>();
  let round = 0;
  const kept: T[] = [];
  for (const s of [...signatures].sort((a, b) => a.id - b.id)) {
    if (s.meaning === "Authored") round++;
    const key = `${round}\u0000${s.userId}\u0000${s.meaning}\u0000${s.contentHash}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(s);
  }
  return kept;
}

export type SignatureStanding = "counts" | "content-changed" | "earlier-round";

/** A signature as pages show it, with whether it still counts. */
export interface SignatureView extends Pick<
  SignatureRecord,
  "id" | "meaning" | "printedName" | "username" | "signedAt" | "contentHash" | "commit" | "jobFunction"
> {
  standing: SignatureStanding;
}

/** Why a signature does or does not count towards approval, for showing beside it (§11.70). */
export function signatureStanding<T extends Pick<SignatureRecord, "id" | "meaning" | "contentHash" | "userId">>(
  signature: T,
  all: readonly T[],
  contentHash: string,
): SignatureStanding {
  if (signature.contentHash !== contentHash) return "content-changed";
  return validSignatures(all, contentHash).some((s) => s.id === signature.id) ? "counts" : "earlier-round";
}
