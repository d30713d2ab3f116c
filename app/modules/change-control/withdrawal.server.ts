// Withdrawal requests (SOP-DC-001, "Withdraw obsolete documents"): a document that is no longer needed
// is withdrawn through a change request approved by the owner and the quality manager. The request
// names the reason and the day from which no version is in force; the document type's approval route
// is signed on the version in force (each step before the last "Withdrawal approval", the last one
// "Retired"), and the final signature records the retirement, all in one transaction.

import { isoDate, today } from "~/clock.server";
import type { Queryable } from "~/db/db.server";
import type { DocumentType } from "~/modules/content/frontmatter";
import { MAIN_BRANCH } from "~/modules/content/repository.server";
import type { DocumentVersion } from "~/modules/documents/documents";
import {
  DocumentControlError,
  recordRetirement,
  retirementInputProblem,
  retirementOf,
  retirementRefusal,
  retirementSubject,
  versionRetired,
  type Retirement,
  type RetirementInput,
  type RetirementSubject,
} from "~/modules/documents/retirement.server";
import { documentOf, versionsOf } from "~/modules/documents/versions.server";
import type { SignatureRecord } from "~/modules/signatures/signatures";
import { recordSignature, signaturesOfChange } from "~/modules/signatures/signatures.server";
import { jobFunctionNames } from "~/modules/training/job-functions.server";
import type { CurrentUser } from "~/modules/users/auth.server";
import { getUser, userNames } from "~/modules/users/users.server";
import type { Quire } from "~/quire";

import { CR_STATE_LABELS } from "./change-control";
import {
  ChangeRequestError,
  auditChange,
  commentsOf,
  getChangeRequest,
  nextChangeRequestId,
  type ChangeRequest,
  type Participant,
} from "./change-control.server";
import { openChangeRequestsOf } from "./open-requests.server";
import { approvalSteps } from "./routing";
import { documentControlRules } from "./routing.server";
import { nextWithdrawalSignature, type WithdrawalSigner } from "./withdrawal";

/**
 * Opens a withdrawal request (CR-YYYY-NNNN, kind withdrawal) for a document, in review at once: there
 * is no draft to write. Refused, with nothing written, for a reason too short, a day in the past, a
 * document already retired or with an open change request, or a version taking effect on or after the day.
 */
export async function openWithdrawal(q: Quire, requester: Participant, docId: string, input: RetirementInput, at: Date): Promise<string> {
  const problem = retirementInputProblem(input, isoDate(at));
  if (problem) throw problem;
  const main = await q.repo.branchHead(MAIN_BRANCH);
  if (!main) throw new DocumentControlError("The content repository has no main branch.");
  return q.db.transaction(async (tx) => {
    const doc = await documentOf(tx, docId);
    if (!doc) throw new DocumentControlError(`There is no controlled document ${docId}.`);
    const versions = await versionsOf(tx, docId);
    const refusal = retirementRefusal(docId, versions, await retirementOf(tx, docId), await openChangeRequestsOf(tx, docId), input.effectiveFrom);
    if (refusal) throw refusal;
    const retired = versionRetired(versions, input.effectiveFrom)!;
    const { id, year, number } = await nextChangeRequestId(tx, at);
    const stamp = at.toISOString();
    await tx.run(
      `INSERT INTO change_requests (id, kind, year, number, doc_id, new_document, doc_path, title, reason, revision, retraining_required,
         proposed_effective_date, capa_ref, state, author_id, base_commit, branch, target_version, created_at, updated_at)
       VALUES (?, 'withdrawal', ?, ?, ?, 0, ?, ?, ?, 'minor', 0, ?, NULL, 'in-review', ?, ?, ?, ?, ?, ?)`,
      [
        id,
        year,
        number,
        docId,
        doc.path,
        retired.title,
        input.reason.trim(),
        input.effectiveFrom,
        requester.userId,
        main,
        `withdrawal/${id}`,
        retired.version,
        stamp,
        stamp,
      ],
    );
    await auditChange(tx, requester, "change-request.open", id, at, {
      new: { kind: "withdrawal", docId, version: retired.version, effectiveFrom: input.effectiveFrom, state: "in-review" },
      reason: input.reason.trim(),
    });
    return id;
  });
}

/** The document's newest withdrawal request (open, approved, rejected or cancelled), or null. */
export async function latestWithdrawalOf(db: Queryable, docId: string): Promise<string | null> {
  return (
    (await db.get<{ id: string }>("SELECT id FROM change_requests WHERE doc_id = ? AND kind = 'withdrawal' ORDER BY created_at DESC, id DESC LIMIT 1", [docId]))
      ?.id ?? null
  );
}

export interface WithdrawalStep {
  jobFunction: string;
  name: string;
  final: boolean;
  signedBy: string | null;
  signedAt: string | null;
}

export interface WithdrawalRequestView {
  cr: ChangeRequest;
  stateLabel: string;
  requesterName: string;
  subject: RetirementSubject;
  /** The version the withdrawal ends, whose content hash every signature binds to. */
  version: { version: string; contentHash: string; effectiveFrom: string } | null;
  steps: WithdrawalStep[];
  signatures: SignatureRecord[];
  /** The rejection or cancellation, with its reason. */
  closing: { kind: string; by: string; at: string; body: string } | null;
  retirement: Retirement | null;
  /** What this viewer may sign now (null: nothing), or why not. */
  next: { step: string; name: string; final: boolean; blockers: string[] } | null;
  mayReject: boolean;
  mayCancel: boolean;
}

/**
 * The version a request ends and the route that signs it (the type's approval route, `owner` read
 * as that version's owner function). `known` spares the reads when the caller has them already.
 */
async function routeOf(q: Quire, cr: ChangeRequest, known?: { type: DocumentType; versions: readonly DocumentVersion[] }) {
  const versions = known?.versions ?? (await versionsOf(q.db, cr.docId));
  const retired = versions.find((v) => v.version === cr.targetVersion) ?? null;
  const type = known?.type ?? (await documentOf(q.db, cr.docId))?.type ?? "sop";
  const rules = await documentControlRules(q);
  const steps = retired ? approvalSteps(rules, type, retired.frontmatter.owner) : [];
  return { retired, steps };
}

/** A viewer as the one who might sign next: their job functions and signing authority. */
function signerOf(viewer: Pick<CurrentUser, "id" | "permissions">, jobFunctions: readonly string[]): WithdrawalSigner {
  return {
    userId: viewer.id,
    jobFunctions,
    mayReview: viewer.permissions.includes("document.review"),
    mayApprove: viewer.permissions.includes("document.approve"),
  };
}

function givenOf(signatures: readonly SignatureRecord[], contentHash: string) {
  return signatures
    .filter((s) => s.meaning === "Withdrawal approval" && s.jobFunction && s.contentHash === contentHash)
    .map((s) => ({ userId: s.userId, jobFunction: s.jobFunction!, printedName: s.printedName, signedAt: s.signedAt }));
}

/** Everything a withdrawal request's page shows, and what this viewer may do there. */
export async function withdrawalRequest(q: Quire, crId: string, viewer: CurrentUser): Promise<WithdrawalRequestView | null> {
  const cr = await getChangeRequest(q.db, crId);
  if (!cr || cr.kind !== "withdrawal") return null;
  const [subject, signatures, comments, names, functionNames, me] = await Promise.all([
    retirementSubject(q, cr.docId, today(q.config)),
    signaturesOfChange(q.db, crId),
    commentsOf(q.db, crId),
    userNames(q.db),
    jobFunctionNames(q.db),
    getUser(q.db, viewer.id),
  ]);
  if (!subject) return null;
  const { retired, steps } = await routeOf(q, cr, { type: subject.type, versions: subject.versions.map((s) => s.version) });
  const fnName = (id: string) => functionNames.get(id) ?? id;
  const given = retired ? givenOf(signatures, retired.contentHash) : [];
  const final = signatures.find((s) => s.meaning === "Retired");
  const open = cr.state === "in-review";
  const next =
    open && retired
      ? nextWithdrawalSignature({
          steps,
          given,
          requesterId: cr.authorId,
          signer: signerOf(viewer, me?.jobFunctions ?? []),
          functionName: fnName,
        })
      : null;
  const closing = comments.filter((c) => c.kind === "rejection" || c.kind === "withdrawal").at(-1);
  const userName = (id: string) => names.get(id)?.displayName ?? id;
  const retirement = subject.retirement;
  return {
    cr,
    stateLabel: cr.state === "approved" ? "Approved: retirement recorded" : cr.state === "withdrawn" ? "Cancelled" : CR_STATE_LABELS[cr.state],
    requesterName: userName(cr.authorId),
    subject,
    version: retired ? { version: retired.version, contentHash: retired.contentHash, effectiveFrom: retired.effectiveFrom } : null,
    steps: steps.map((fn, i) => {
      const isFinal = i === steps.length - 1;
      const signed = isFinal ? final : given.find((g) => g.jobFunction === fn);
      return { jobFunction: fn, name: fnName(fn), final: isFinal, signedBy: signed?.printedName ?? null, signedAt: signed?.signedAt ?? null };
    }),
    signatures,
    closing: closing
      ? { kind: closing.kind === "rejection" ? "Rejected" : "Cancelled", by: userName(closing.userId), at: closing.at, body: closing.body }
      : null,
    retirement: retirement && final && retirement.signatureId === final.id ? retirement : null,
    next: next ? { step: next.step, name: fnName(next.step), final: next.final, blockers: next.blockers } : null,
    // Whoever may sign a step may instead refuse it; the requester cancels rather than rejects.
    mayReject: open && viewer.id !== cr.authorId && (viewer.permissions.includes("document.review") || viewer.permissions.includes("document.approve")),
    mayCancel: open && viewer.id === cr.authorId,
  };
}

/** Whether the next signature an open withdrawal request needs is this person's to give (My tasks, notices). */
export async function withdrawalAwaits(
  q: Quire,
  cr: ChangeRequest,
  viewer: Pick<CurrentUser, "id" | "permissions">,
  jobFunctions: readonly string[],
): Promise<boolean> {
  const { retired, steps } = await routeOf(q, cr);
  if (!retired || cr.state !== "in-review") return false;
  const next = nextWithdrawalSignature({
    steps,
    given: givenOf(await signaturesOfChange(q.db, cr.id), retired.contentHash),
    requesterId: cr.authorId,
    signer: signerOf(viewer, jobFunctions),
    functionName: (id) => id,
  });
  return next !== null && next.blockers.length === 0;
}

/**
 * Signs the next step of a withdrawal request's route on the version it ends (Part 11 §11.70: bound to
 * its SHA-256), for a signer whose password the caller has verified. A step before the last is a
 * "Withdrawal approval" for its job function; the last is the quality manager's "Retired", which
 * records the retirement and approves the request in the same transaction.
 */
export async function signWithdrawal(
  q: Quire,
  signer: Participant,
  authority: { mayReview: boolean; mayApprove: boolean },
  crId: string,
  at: Date,
  shownHash?: string,
): Promise<{ step: string; final: boolean }> {
  const cr = await getChangeRequest(q.db, crId);
  if (!cr || cr.kind !== "withdrawal") throw new ChangeRequestError(`There is no withdrawal request ${crId}.`);
  const { retired, steps } = await routeOf(q, cr);
  if (!retired) throw new ChangeRequestError(`${crId} ends version ${cr.targetVersion} of ${cr.docId}, which Quire does not hold.`);
  if (shownHash !== undefined && shownHash !== retired.contentHash) {
    throw new ChangeRequestError("The form was for other content, so nothing was signed: reload the page and sign again.");
  }
  const functionNames = await jobFunctionNames(q.db);
  return q.db.transaction(async (tx) => {
    const fresh = await getChangeRequest(tx, crId);
    if (fresh?.state !== "in-review") {
      throw new ChangeRequestError(`${crId} is ${CR_STATE_LABELS[fresh?.state ?? "withdrawn"]}: there is nothing to sign.`);
    }
    const next = nextWithdrawalSignature({
      steps,
      given: givenOf(await signaturesOfChange(tx, crId), retired.contentHash),
      requesterId: cr.authorId,
      signer: { userId: signer.userId, jobFunctions: (await getUser(tx, signer.userId))?.jobFunctions ?? [], ...authority },
      functionName: (id) => functionNames.get(id) ?? id,
    });
    if (!next) throw new ChangeRequestError(`${crId} has no approval route.`);
    if (next.blockers.length > 0) throw new ChangeRequestError(`You cannot sign this approval: ${next.blockers.join(" ")}`);
    if (!next.final) {
      await recordSignature(tx, {
        crId,
        docId: cr.docId,
        version: retired.version,
        signer,
        meaning: "Withdrawal approval",
        jobFunction: next.step,
        contentHash: retired.contentHash,
        commit: retired.commit,
        at,
      });
      await tx.run("UPDATE change_requests SET updated_at = ? WHERE id = ?", [at.toISOString(), crId]);
      return { step: next.step, final: false };
    }
    try {
      await recordRetirement(tx, signer, cr.docId, { reason: cr.reason, effectiveFrom: cr.proposedEffectiveDate, crId }, at);
    } catch (error) {
      // The day asked for may have passed while the request waited: say what to do, sign nothing.
      if (error instanceof DocumentControlError)
        throw new ChangeRequestError(`${error.message} Reject this request and raise a new one if the document should still go.`);
      throw error;
    }
    await tx.run("UPDATE change_requests SET state = 'approved', updated_at = ? WHERE id = ?", [at.toISOString(), crId]);
    await auditChange(tx, signer, "change-request.approve", crId, at, {
      old: { state: "in-review" },
      new: { state: "approved", kind: "withdrawal", docId: cr.docId, version: retired.version, effectiveFrom: cr.proposedEffectiveDate },
    });
    return { step: next.step, final: true };
  });
}
