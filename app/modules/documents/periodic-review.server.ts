import { isoDate } from "~/clock.server";
import type { Queryable } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import type { DocumentType } from "~/modules/content/frontmatter";
import { recordSignature, signaturesById } from "~/modules/signatures/signatures.server";
import type { Quire } from "~/quire";

import { lastReviewOn, libraryEntry, nextReviewDate, versionStates, type DocumentVersion, type VersionState } from "./documents";
import { compareReviews, reviewStatus, type ReviewScheduleEntry, type ReviewStatus } from "./periodic-review";
import { DocumentControlError, allRetirementDates, retirementOf, type Retirement, type Signer } from "./retirement.server";
import { allVersions, versionsOf } from "./versions.server";

/** A periodic review: a record, written once; a "no change" review is signed "Periodic review". */
export interface PeriodicReviewRecord {
  id: number;
  docId: string;
  version: string;
  reviewedOn: string;
  outcome: "no-change" | "change-request";
  comment: string | null;
  crId: string | null;
  signedAt: string | null;
  printedName: string | null;
  username: string | null;
  contentHash: string | null;
}

interface ReviewRow {
  id: number;
  doc_id: string;
  version: string;
  reviewed_on: string;
  outcome: "no-change" | "change-request";
  comment: string | null;
  cr_id: string | null;
  signature_id: number | null;
}

/** A document's periodic reviews, newest first, with the signature of each. */
export async function periodicReviewsOf(db: Queryable, docId: string): Promise<PeriodicReviewRecord[]> {
  const rows = await db.all<ReviewRow>(
    "SELECT id, doc_id, version, reviewed_on, outcome, comment, cr_id, signature_id FROM periodic_reviews WHERE doc_id = ? ORDER BY reviewed_on DESC, id DESC",
    [docId],
  );
  // The signatures in one more statement, from the signature service (not one per review).
  const signatures = await signaturesById(
    db,
    rows.flatMap((r) => (r.signature_id === null ? [] : [r.signature_id])),
  );
  return rows.map((r) => {
    const s = r.signature_id === null ? undefined : signatures.get(r.signature_id);
    return {
      id: r.id,
      docId: r.doc_id,
      version: r.version,
      reviewedOn: r.reviewed_on,
      outcome: r.outcome,
      comment: r.comment,
      crId: r.cr_id,
      signedAt: s?.signedAt ?? null,
      printedName: s?.printedName ?? null,
      username: s?.username ?? null,
      contentHash: s?.contentHash ?? null,
    };
  });
}

/** The days of every signed "no change needed" review, by document id. */
export async function noChangeReviewDates(db: Queryable, docId?: string): Promise<Map<string, string[]>> {
  const rows = await db.all<{ doc_id: string; reviewed_on: string }>(
    `SELECT doc_id, reviewed_on FROM periodic_reviews WHERE outcome = 'no-change'${docId === undefined ? "" : " AND doc_id = ?"} ORDER BY reviewed_on`,
    docId === undefined ? [] : [docId],
  );
  const byDoc = new Map<string, string[]>();
  for (const r of rows) byDoc.set(r.doc_id, [...(byDoc.get(r.doc_id) ?? []), r.reviewed_on]);
  return byDoc;
}

/**
 * The periodic review schedule on a day: every document with a version in force, its next review
 * date (interval after the later of that version's effective date and the last "no change"
 * review), days left (negative: overdue) and status, most urgent first. A retired document, or
 * one whose retirement is recorded, has no review due and is left out.
 */
export async function reviewsDue(q: Quire, on: string): Promise<ReviewScheduleEntry[]> {
  const [docs, versions, retirements, reviews] = await Promise.all([
    q.db.all<{ id: string; type: DocumentType }>("SELECT id, type FROM documents ORDER BY id"),
    allVersions(q.db),
    allRetirementDates(q.db),
    noChangeReviewDates(q.db),
  ]);
  const byDoc = new Map<string, DocumentVersion[]>();
  for (const v of versions) byDoc.set(v.docId, [...(byDoc.get(v.docId) ?? []), v]);
  const entries: ReviewScheduleEntry[] = [];
  for (const d of docs) {
    const list = byDoc.get(d.id) ?? [];
    const reviewedOn = reviews.get(d.id) ?? [];
    // The same computation as the library's "Next review" column, so the two never disagree.
    const entry = libraryEntry(d.id, d.type, list, on, { retirement: retirements.get(d.id) ?? null, reviewedOn });
    if (!entry || entry.status !== "effective" || entry.nextReview === null) continue;
    const current = list.find((v) => v.version === entry.version)!;
    entries.push({
      docId: d.id,
      type: d.type,
      title: entry.title,
      owner: entry.owner,
      version: current.version,
      effectiveFrom: current.effectiveFrom,
      reviewIntervalMonths: current.frontmatter.reviewIntervalMonths,
      lastReviewedOn: lastReviewOn(reviewedOn, on),
      nextReview: entry.nextReview,
      ...reviewStatus(entry.nextReview, on),
    });
  }
  return entries.sort(compareReviews);
}

/** What the periodic review page shows for one document on a day. */
export interface ReviewSubject {
  docId: string;
  type: DocumentType;
  title: string;
  /** The version in force, the one a review signs; null when none is (pending or retired). */
  current: VersionState | null;
  retirement: Retirement | null;
  lastReviewedOn: string | null;
  schedule: { nextReview: string; daysLeft: number; status: ReviewStatus } | null;
  reviews: PeriodicReviewRecord[];
}

export async function reviewSubject(q: Quire, docId: string, on: string): Promise<ReviewSubject | null> {
  const type = await q.db.get<{ type: DocumentType }>("SELECT type FROM documents WHERE id = ?", [docId]);
  if (!type) return null;
  const [versions, retirement, reviews, dates] = await Promise.all([
    versionsOf(q.db, docId),
    retirementOf(q.db, docId),
    periodicReviewsOf(q.db, docId),
    noChangeReviewDates(q.db, docId),
  ]);
  const states = versionStates(versions, on, retirement?.effectiveFrom ?? null);
  const current = states.find((s) => s.status === "effective") ?? null;
  const lastReviewedOn = lastReviewOn(dates.get(docId) ?? [], on);
  const nextReview = current && !retirement ? nextReviewDate(current.version, lastReviewedOn) : null;
  return {
    docId,
    type: type.type,
    title: (current ?? states[0])?.version.title ?? docId,
    current,
    retirement,
    lastReviewedOn,
    schedule: nextReview ? { nextReview, ...reviewStatus(nextReview, on) } : null,
    reviews,
  };
}

export interface PeriodicReviewInput {
  /** "Change needed" is not recorded here: the reviewer opens a change request instead. */
  outcome: "no-change";
  comment: string | null;
}

/**
 * Records a signed periodic review "no change needed" of the version in force, which restarts the
 * review interval from today. The signer's password has been verified by the caller (Part 11
 * §11.200(a)); the signature ("Periodic review") binds to the SHA-256 of the version's content
 * (§11.70). Signature, review record and audit rows commit together. Refused, with nothing
 * written, for an unknown or retired document, one with no version in force, or a second review
 * of the same version on the same day.
 */
export async function recordPeriodicReview(
  q: Quire,
  signer: Signer,
  docId: string,
  input: PeriodicReviewInput,
  at: Date,
): Promise<{ version: string; nextReview: string; signatureId: number }> {
  const comment = input.comment?.trim() || null;
  if (comment !== null && comment.length > 2000) throw new DocumentControlError("Keep the comment under 2000 characters.", "comment");
  const on = isoDate(at);
  return q.db.transaction(async (tx) => {
    if (!(await tx.get("SELECT 1 AS found FROM documents WHERE id = ?", [docId]))) {
      throw new DocumentControlError(`There is no controlled document ${docId}.`);
    }
    const retirement = await retirementOf(tx, docId);
    if (retirement) {
      throw new DocumentControlError(`${docId} is retired from ${retirement.effectiveFrom}: a retired document has no periodic review.`);
    }
    const versions = await versionsOf(tx, docId);
    const current = versionStates(versions, on).find((s) => s.status === "effective");
    if (!current) throw new DocumentControlError(`No version of ${docId} is in force today, so there is nothing to review yet.`);
    const v = current.version;
    const same = await tx.get<{ id: number }>(
      "SELECT id FROM periodic_reviews WHERE doc_id = ? AND version = ? AND reviewed_on = ? AND outcome = 'no-change'",
      [docId, v.version, on],
    );
    if (same) throw new DocumentControlError(`Version ${v.version} of ${docId} already has a signed periodic review today.`);
    const signatureId = await recordSignature(tx, {
      crId: null,
      docId,
      version: v.version,
      signer,
      meaning: "Periodic review",
      contentHash: v.contentHash,
      commit: v.commit,
      at,
    });
    await tx.run(
      "INSERT INTO periodic_reviews (doc_id, version, reviewed_on, outcome, signature_id, cr_id, comment) VALUES (?, ?, ?, 'no-change', ?, NULL, ?)",
      [docId, v.version, on, signatureId, comment],
    );
    const nextReview = nextReviewDate(v, on);
    await recordAudit(
      tx,
      {
        userId: signer.userId,
        username: signer.username,
        clientAddress: signer.clientAddress,
        action: "document.periodic-review",
        objectType: "document",
        objectId: docId,
        newValues: { version: v.version, outcome: input.outcome, reviewedOn: on, nextReview, contentHash: v.contentHash, signatureId, comment },
      },
      at,
    );
    return { version: v.version, nextReview, signatureId };
  });
}
