// Read-and-understood acknowledgement (SOP-TR-001 step 4; Part 11 §11.50, §11.70, §11.200): the
// trainee re-enters their password (a VerifiedSigner), and the signature, bound to the version's
// content hash and commit, completes the assignment in one transaction.

import type { Database } from "~/db/db.server";
import type { ContentRepository } from "~/modules/content/repository.server";
import { versionsOf } from "~/modules/documents/versions.server";
import { recordSignature, type VerifiedSigner } from "~/modules/signatures/signatures.server";

import { completeAssignment, getAssignment } from "./assignments.server";
import { quizBlocksSigning, quizOfAssignment } from "./knowledge-check.server";

/** A refusal to record training, with the reason for the person who tried. */
export class TrainingRefused extends Error {}

/**
 * Signs "Read and understood" for an open assignment of the signer's own. Refused: someone else's
 * assignment, one already completed, superseded or cancelled, content other than the version's
 * (`shownHash`, the hash the page showed, differs), or a knowledge check not passed yet. Returns
 * the signature's id.
 */
export async function acknowledgeAssignment(
  q: { db: Database; repo: ContentRepository },
  signer: VerifiedSigner,
  assignmentId: number,
  at: Date,
  shownHash?: string,
): Promise<number> {
  const { db } = q;
  // The version's knowledge check, read from git before the transaction (a version never changes).
  const planned = await getAssignment(db, assignmentId);
  const vq = planned ? await quizOfAssignment(q, planned) : null;
  return db.transaction(async (tx) => {
    const a = await getAssignment(tx, assignmentId);
    if (!a) throw new TrainingRefused(`There is no training assignment ${assignmentId}.`);
    if (a.userId !== signer.userId) throw new TrainingRefused(`Training assignment ${assignmentId} is not yours, so you cannot sign it.`);
    if (a.status === "completed")
      throw new TrainingRefused(`You already signed ${a.docId} v${a.version} as read and understood on ${a.closedAt?.slice(0, 10)}.`);
    if (a.status === "superseded") {
      const next = await tx.get<{ version: string }>(
        "SELECT n.version FROM training_assignments o JOIN training_assignments n ON n.id = o.replaced_by WHERE o.id = ?",
        [a.id],
      );
      throw new TrainingRefused(`${a.docId} v${a.version} was superseded${next ? ` by v${next.version}` : ""}: train on the current version instead.`);
    }
    if (a.status === "cancelled") throw new TrainingRefused(`This training on ${a.docId} v${a.version} was cancelled; nothing was signed.`);
    const version = (await versionsOf(tx, a.docId)).find((v) => v.version === a.version);
    if (!version) throw new TrainingRefused(`${a.docId} v${a.version} is not an approved version.`);
    if (shownHash !== undefined && shownHash !== version.contentHash) {
      throw new TrainingRefused(`The content you were shown is not ${a.docId} v${a.version} as approved; reload the page, read it and sign again.`);
    }
    const blocked = await quizBlocksSigning(tx, a.id, vq);
    if (blocked) throw new TrainingRefused(blocked);
    const signatureId = await recordSignature(tx, {
      crId: null,
      docId: a.docId,
      version: a.version,
      signer,
      meaning: "Read and understood",
      contentHash: version.contentHash,
      commit: version.commit,
      at,
    });
    await completeAssignment(tx, a, signatureId, signer, at);
    return signatureId;
  });
}
