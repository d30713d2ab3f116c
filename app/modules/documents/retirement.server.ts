import { isoDate } from "~/clock.server";
import type { Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { openChangeRequestsOf } from "~/modules/change-control/open-requests.server";
import type { DocumentType } from "~/modules/content/frontmatter";
import { getSignature, recordSignature, type NewSignature } from "~/modules/signatures/signatures.server";
import type { Quire } from "~/quire";

import { effectiveOn, versionRetired, versionStates, type DocumentVersion, type RetirementDates, type VersionState } from "./documents";
import { RETIREMENT_REASON_MIN } from "./periodic-review";
import { allRetirementDates } from "./retirement-dates.server";
import { allVersions, versionsOf } from "./versions.server";

export { allRetirementDates, versionRetired };

/** Who signs: the signature service's signer (printed name included). */
export type Signer = NewSignature["signer"];

/** A refusal with a message for people (and the form field it concerns, if any): nothing was written. */
export class DocumentControlError extends Error {
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** A document's retirement: a record, signed "Retired", written once. */
export interface Retirement {
  docId: string;
  effectiveFrom: string;
  reason: string;
  retiredAt: string;
  signatureId: number;
  version: string | null;
  printedName: string;
  username: string;
  contentHash: string;
}

interface RetirementRow {
  doc_id: string;
  effective_from: string;
  reason: string;
  retired_at: string;
  signature_id: number;
}

/**
 * A document's retirement with its "Retired" signature, read from the signature service: a second
 * statement only for a retired document, and the document page keeps the result (`documentFacts`).
 */
export async function retirementOf(db: Queryable, docId: string): Promise<Retirement | null> {
  const row = await db.get<RetirementRow>("SELECT doc_id, effective_from, reason, retired_at, signature_id FROM retirements WHERE doc_id = ?", [docId]);
  const signature = row ? await getSignature(db, row.signature_id) : null;
  if (!row || !signature) return null;
  return {
    docId: row.doc_id,
    effectiveFrom: row.effective_from,
    reason: row.reason,
    retiredAt: row.retired_at,
    signatureId: row.signature_id,
    version: signature.version,
    printedName: signature.printedName,
    username: signature.username,
    contentHash: signature.contentHash,
  };
}

export function retirementDates(r: Retirement | null): RetirementDates | null {
  return r ? { effectiveFrom: r.effectiveFrom, recordedOn: r.retiredAt.slice(0, 10) } : null;
}

async function documentType(db: Queryable, docId: string): Promise<DocumentType | null> {
  return (await db.get<{ type: DocumentType }>("SELECT type FROM documents WHERE id = ?", [docId]))?.type ?? null;
}

/**
 * Why a retirement from `effectiveFrom` cannot be requested or recorded now, or null when it can.
 * `openChanges` leaves out the withdrawal request being signed.
 */
export function retirementRefusal(
  docId: string,
  versions: readonly DocumentVersion[],
  retirement: Retirement | null,
  openChanges: readonly { id: string; state: string }[],
  effectiveFrom: string,
): DocumentControlError | null {
  if (retirement) {
    return new DocumentControlError(`${docId} is already retired from ${retirement.effectiveFrom} (signed by ${retirement.printedName}).`);
  }
  if (openChanges.length > 0) {
    const list = openChanges.map((c) => `${c.id} (${c.state === "draft" ? "Draft" : "In review"})`).join(", ");
    return new DocumentControlError(`${docId} has an open change request: ${list}. Withdraw or finish it before retiring the document.`);
  }
  const later = versions.find((v) => v.effectiveFrom >= effectiveFrom);
  if (later) {
    return new DocumentControlError(
      `Version ${later.version} of ${docId} takes effect on ${later.effectiveFrom}, on or after that retirement date: choose a date after ${later.effectiveFrom}.`,
      "effectiveFrom",
    );
  }
  if (!versionRetired(versions, effectiveFrom)) return new DocumentControlError(`${docId} has no version to retire.`);
  return null;
}

/** What the retirement page shows: the document, what blocks a retirement, who refers to it. */
export interface RetirementSubject {
  docId: string;
  type: DocumentType;
  title: string;
  current: VersionState | null;
  versions: VersionState[];
  retirement: Retirement | null;
  openChanges: { id: string; state: "draft" | "in-review"; kind: "revision" | "withdrawal" }[];
  /** Documents in force that name this one as related (SOP-DC-001: check before withdrawal). */
  referencedBy: { docId: string; title: string }[];
}

export async function retirementSubject(q: Quire, docId: string, on: string): Promise<RetirementSubject | null> {
  const type = await documentType(q.db, docId);
  if (!type) return null;
  const [versions, retirement, openChanges, all, retirements] = await Promise.all([
    versionsOf(q.db, docId),
    retirementOf(q.db, docId),
    openChangeRequestsOf(q.db, docId),
    allVersions(q.db),
    allRetirementDates(q.db),
  ]);
  const states = versionStates(versions, on, retirement?.effectiveFrom ?? null);
  const byDoc = new Map<string, DocumentVersion[]>();
  for (const v of all) byDoc.set(v.docId, [...(byDoc.get(v.docId) ?? []), v]);
  const referencedBy: RetirementSubject["referencedBy"] = [];
  for (const [other, list] of byDoc) {
    if (other === docId) continue;
    const inForce = effectiveOn(list, on, retirements.get(other)?.effectiveFrom ?? null);
    if (inForce?.version.frontmatter.related?.includes(docId)) referencedBy.push({ docId: other, title: inForce.version.title });
  }
  const newest = states[0]?.version;
  return {
    docId,
    type,
    title: newest?.title ?? docId,
    current: states.find((s) => s.status === "effective") ?? null,
    versions: states,
    retirement,
    openChanges,
    referencedBy: referencedBy.sort((a, b) => a.docId.localeCompare(b.docId)),
  };
}

export interface RetirementInput {
  reason: string;
  effectiveFrom: string;
}

/** The reason and date of a retirement, checked before anything is read or written. */
export function retirementInputProblem(input: RetirementInput, today: string): DocumentControlError | null {
  if (input.reason.trim().length < RETIREMENT_REASON_MIN) {
    return new DocumentControlError(`Give the reason for retiring the document (at least ${RETIREMENT_REASON_MIN} characters).`, "reason");
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.effectiveFrom) || Number.isNaN(Date.parse(`${input.effectiveFrom}T00:00:00Z`))) {
    return new DocumentControlError("Enter the retirement date as YYYY-MM-DD.", "effectiveFrom");
  }
  if (input.effectiveFrom < today) {
    return new DocumentControlError(`The retirement date cannot be in the past: use ${today} or later.`, "effectiveFrom");
  }
  return null;
}

/**
 * Records a document's retirement from a day (today or later): the quality manager's final approval
 * of a withdrawal request (SOP-DC-001, "Withdraw obsolete documents"; change-control/withdrawal.server.ts),
 * signed "Retired" by a signer whose password the caller has verified (Part 11 §11.200(a)). The
 * signature binds to the SHA-256 of the version retired (§11.70); the retirement, its signature and
 * their audit rows are written in the caller's transaction. From `effectiveFrom` no version of the
 * document is in force. Refused, with nothing written, for an unknown or already retired document,
 * another open change request on it, a date in the past, or a version that would take effect on or
 * after the retirement.
 */
export async function recordRetirement(
  tx: Tx,
  signer: Signer,
  docId: string,
  input: RetirementInput & { crId: string },
  at: Date,
): Promise<{ version: string; signatureId: number }> {
  const problem = retirementInputProblem(input, isoDate(at));
  if (problem) throw problem;
  const reason = input.reason.trim();
  if (!(await documentType(tx, docId))) throw new DocumentControlError(`There is no controlled document ${docId}.`);
  const versions = await versionsOf(tx, docId);
  const others = (await openChangeRequestsOf(tx, docId)).filter((c) => c.id !== input.crId);
  const refusal = retirementRefusal(docId, versions, await retirementOf(tx, docId), others, input.effectiveFrom);
  if (refusal) throw refusal;
  const retired = versionRetired(versions, input.effectiveFrom)!;
  const signatureId = await recordSignature(tx, {
    crId: input.crId,
    docId,
    version: retired.version,
    signer,
    meaning: "Retired",
    contentHash: retired.contentHash,
    commit: retired.commit,
    at,
  });
  await tx.run("INSERT INTO retirements (doc_id, effective_from, reason, signature_id, retired_at) VALUES (?, ?, ?, ?, ?)", [
    docId,
    input.effectiveFrom,
    reason,
    signatureId,
    at.toISOString(),
  ]);
  await recordAudit(
    tx,
    {
      userId: signer.userId,
      username: signer.username,
      clientAddress: signer.clientAddress,
      action: "document.retire",
      objectType: "document",
      objectId: docId,
      newValues: { effectiveFrom: input.effectiveFrom, version: retired.version, contentHash: retired.contentHash, signatureId, changeRequest: input.crId },
      reason,
    },
    at,
  );
  return { version: retired.version, signatureId };
}
