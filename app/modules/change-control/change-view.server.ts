import { today } from "~/clock.server";
import { parseFrontmatter } from "~/modules/content/frontmatter";
import { sha256 } from "~/modules/content/hash";
import type { Problem } from "~/modules/content/problems";
import { cachedRedline, type Redline } from "~/modules/documents/redline";
import { signatureStanding, validSignatures, withoutRepeats, type SignatureView } from "~/modules/signatures/signatures";
import { signaturesOfChange } from "~/modules/signatures/signatures.server";
import { proposeTrainingImpact, type TrainingImpact } from "~/modules/training/impact";
import { jobFunctionNames } from "~/modules/training/job-functions.server";
import type { CurrentUser } from "~/modules/users/auth.server";
import { getUser, userNames } from "~/modules/users/users.server";
import type { Quire } from "~/quire";

import { approvalBlockers, availableActions, reviewBlockers, type CrAction } from "./change-control";
import {
  ChangeRequestError,
  approvalRouteOf,
  commentsOf,
  getChangeRequest,
  listChangeRequests,
  openCommentCount,
  readDraft,
  type ChangeRequest,
  type Participant,
} from "./change-control.server";
import { draftSections, isOpenComment, type CommentOutcome } from "./comments";
import { earliestEffectiveDate, functionApprovalBlockers, pendingFunctionSteps, type GivenApproval } from "./routing";
import { withdrawalAwaits } from "./withdrawal.server";

/** The signed-in user as a change-control participant, with the name printed under signatures. */
export async function participantOf(q: Quire, user: CurrentUser): Promise<Participant> {
  const record = await getUser(q.db, user.id);
  if (!record) throw new ChangeRequestError("Your account no longer exists.");
  return { userId: record.id, username: record.username, printedName: record.displayName, email: record.email, clientAddress: user.clientAddress };
}

export interface ChangeRequestPage {
  cr: ChangeRequest;
  authorName: string;
  reviewers: { id: string; name: string; signed: boolean }[];
  draft: { head: string; contentHash: string; problems: Problem[]; changed: boolean };
  /** The draft against the version it started from, unchanged stretches folded (null while the draft has problems). */
  redline: Redline | null;
  signatures: SignatureView[];
  blockers: string[];
  comments: {
    id: number;
    author: string;
    at: string;
    kind: string;
    body: string;
    commit: string | null;
    section: string | null;
    /** A reviewer's comment the author has still to resolve. */
    open: boolean;
    resolution: { by: string; at: string; outcome: CommentOutcome; note: string } | null;
  }[];
  /** The draft's headings and step titles, which a comment can be on. */
  sections: string[];
  /** The draft as it will read (rendered HTML), shown watermarked DRAFT beside the redline; null while it has problems. */
  draftHtml: string | null;
  actions: CrAction[];
  /** For an approver of a change in review: the training Quire proposes per job function, from the changed sections. */
  trainingImpact: TrainingImpact | null;
  /** The approval route by document type (SOP-DC-001 in force): each step and who signed it this round. */
  route: {
    steps: { jobFunction: string; name: string; final: boolean; signedBy: string | null; signedAt: string | null }[];
    /** The earliest effective date an approval today allows without an urgent justification. */
    earliestEffectiveDate: string;
    minimumTrainingWorkingDays: number;
  };
  /** The function approval this viewer may sign now (its job function's name), or null. */
  functionApproval: { jobFunction: string; name: string } | null;
}

/** The content the author signed last (their latest submission), if any. */
function lastAuthoredHash(signatures: readonly { id: number; meaning: string; contentHash: string }[]): string | null {
  return (
    [...signatures]
      .filter((s) => s.meaning === "Authored")
      .sort((a, b) => a.id - b.id)
      .at(-1)?.contentHash ?? null
  );
}

/** Everything the change request's page shows, and what this viewer may do there. */
export async function changeRequestPage(q: Quire, id: string, viewer: CurrentUser): Promise<ChangeRequestPage | null> {
  const cr = await getChangeRequest(q.db, id);
  if (!cr) return null;
  const [draft, signatures, comments, names] = await Promise.all([readDraft(q, cr), signaturesOfChange(q.db, id), commentsOf(q.db, id), userNames(q.db)]);
  const name = (userId: string) => names.get(userId)?.displayName ?? userId;
  // A repeated signature (same signer, meaning and round, recorded before repeats were refused) is shown once.
  const views: SignatureView[] = withoutRepeats(signatures).map((s) => ({
    id: s.id,
    meaning: s.meaning,
    printedName: s.printedName,
    username: s.username,
    signedAt: s.signedAt,
    contentHash: s.contentHash,
    commit: s.commit,
    jobFunction: s.jobFunction ?? null,
    standing: signatureStanding(s, signatures, cr.state === "approved" ? s.contentHash : draft.contentHash),
  }));
  const counting = views.filter((s) => s.standing === "counts");
  const { rules, steps } = await approvalRouteOf(q, cr, draft.source);
  const openComments = comments.filter((c) => isOpenComment(c, cr.authorId)).length;
  const functionNames = await jobFunctionNames(q.db);
  const fnName = (id: string) => functionNames.get(id) ?? id;
  const valid = validSignatures(signatures, draft.contentHash);
  const given = givenApprovals(valid);
  const viewerFunctions = (await getUser(q.db, viewer.id))?.jobFunctions ?? [];
  const finalApproval = cr.state === "approved" ? signatures.filter((s) => s.meaning === "Approved").at(-1) : undefined;
  const next = functionApprovalBlockers({ steps, given, signerId: viewer.id, signerFunctions: viewerFunctions, authorId: cr.authorId, functionName: fnName });
  const mayApproveFunction =
    cr.state === "in-review" &&
    next.step !== null &&
    next.blockers.length === 0 &&
    reviewBlockers({ contentHash: draft.contentHash, authorId: cr.authorId, reviewerIds: cr.reviewerIds, signatures, openComments }).length === 0;
  return {
    cr,
    authorName: name(cr.authorId),
    reviewers: cr.reviewerIds.map((r) => ({
      id: r,
      name: name(r),
      signed: counting.some((s) => s.meaning === "Reviewed" && names.get(r)?.username === s.username),
    })),
    draft: {
      head: draft.head,
      contentHash: draft.contentHash,
      problems: draft.problems,
      changed: draft.baseSource === null || draft.baseSource !== draft.source,
    },
    redline: await draftRedline(q, draft.source, draft.baseSource, draft.problems.length === 0),
    signatures: views,
    blockers:
      cr.state === "in-review"
        ? // Blockers as the viewer would meet them approving; "the author cannot approve" only concerns approvers.
          approvalBlockers({
            contentHash: draft.contentHash,
            authorId: cr.authorId,
            reviewerIds: cr.reviewerIds,
            signatures,
            approverId: viewer.permissions.includes("document.approve") ? viewer.id : "",
            // Others see what the route still waits for, not that they hold the wrong job function.
            approverFunctions: viewer.permissions.includes("document.approve") ? viewerFunctions : steps.slice(-1),
            steps,
            reviewerMayGiveFinalApproval: rules.reviewerMayGiveFinalApproval,
            functionName: fnName,
            openComments,
          })
        : [],
    route: {
      steps: steps.map((fn, i) => {
        const final = i === steps.length - 1;
        const signed = final ? finalApproval : valid.find((s) => s.meaning === "Function approval" && s.jobFunction === fn);
        return { jobFunction: fn, name: fnName(fn), final, signedBy: signed?.printedName ?? null, signedAt: signed?.signedAt ?? null };
      }),
      earliestEffectiveDate: earliestEffectiveDate(rules, today(q.config)),
      minimumTrainingWorkingDays: rules.minimumTrainingWorkingDays,
    },
    functionApproval: mayApproveFunction && next.step ? { jobFunction: next.step, name: fnName(next.step) } : null,
    comments: comments.map((c) => ({
      id: c.id,
      author: name(c.userId),
      at: c.at,
      kind: c.kind,
      body: c.body,
      commit: c.commit,
      section: c.section,
      open: isOpenComment(c, cr.authorId),
      resolution: c.resolution ? { by: name(c.resolution.userId), at: c.resolution.at, outcome: c.resolution.outcome, note: c.resolution.note } : null,
    })),
    sections: draftSections(draft.source),
    draftHtml: draft.problems.length === 0 ? (await q.renderer.render(sha256(draft.source), async () => draft.source)).html : null,
    trainingImpact: cr.state === "in-review" && viewer.permissions.includes("document.approve") ? impactOf(draft, cr.revision) : null,
    actions: availableActions(
      cr,
      { userId: viewer.id, permissions: viewer.permissions },
      lastAuthoredHash(signatures) !== draft.contentHash,
      validSignatures(signatures, draft.contentHash).some((s) => s.meaning === "Reviewed" && s.userId === viewer.id),
    ),
  };
}

function impactOf(draft: { source: string; baseSource: string | null; problems: readonly unknown[] }, revision: "major" | "minor"): TrainingImpact | null {
  if (draft.problems.length > 0) return null;
  const fm = parseFrontmatter("draft", draft.source);
  if (!fm.ok) return null;
  return proposeTrainingImpact({ before: draft.baseSource, after: draft.source, audience: fm.data.audience, revision, training: fm.data.training });
}

/** The draft against the version it started from, as readers see it (rendered blocks, sentence level). */
async function draftRedline(q: Quire, source: string, baseSource: string | null, valid: boolean): Promise<Redline | null> {
  if (!valid) return null;
  const afterHash = sha256(source);
  const after = await q.renderer.render(afterHash, async () => source);
  const beforeHash = baseSource === null ? "" : sha256(baseSource);
  const before = baseSource === null ? "" : (await q.renderer.render(beforeHash, async () => baseSource)).html;
  return cachedRedline({ contentHash: beforeHash, html: before }, { contentHash: afterHash, html: after.html });
}

function givenApprovals(valid: readonly { meaning: string; userId: string; jobFunction?: string | null }[]): GivenApproval[] {
  return valid.filter((s) => s.meaning === "Function approval" && s.jobFunction).map((s) => ({ userId: s.userId, jobFunction: s.jobFunction! }));
}

export interface ChangeTasks {
  /** In review, naming me, and I have not signed this round. */
  review: ChangeRequest[];
  /**
   * In review, every named reviewer has signed this round, and the next approval on the route is
   * mine to give: a function approval for a job function I hold, or the final approval.
   */
  approve: ChangeRequest[];
  /** My own change requests in Draft (including those sent back by a rejection). */
  drafts: ChangeRequest[];
}

/**
 * What is waiting for this person. A round is the content the author last signed: what a draft
 * says now is checked on the change request's page, so this list reads only the database.
 */
export async function changeTasks(q: Quire, viewer: CurrentUser, all?: ChangeRequest[]): Promise<ChangeTasks> {
  const changes = all ?? (await listChangeRequests(q.db));
  const tasks: ChangeTasks = { review: [], approve: [], drafts: [] };
  const myFunctions = (await getUser(q.db, viewer.id))?.jobFunctions ?? [];
  for (const cr of changes) {
    if (cr.state === "draft" && cr.authorId === viewer.id) tasks.drafts.push(cr);
    if (cr.state !== "in-review") continue;
    if (cr.kind === "withdrawal") {
      if (await withdrawalAwaits(q, cr, viewer, myFunctions)) tasks.approve.push(cr);
      continue;
    }
    const signatures = await signaturesOfChange(q.db, cr.id);
    const authored = signatures.filter((s) => s.meaning === "Authored").at(-1);
    const round = authored ? validSignatures(signatures, authored.contentHash) : [];
    const reviewedBy = new Set(round.filter((s) => s.meaning === "Reviewed").map((s) => s.userId));
    if (cr.reviewerIds.includes(viewer.id) && !reviewedBy.has(viewer.id) && viewer.permissions.includes("document.review")) tasks.review.push(cr);
    if (cr.authorId === viewer.id || !cr.reviewerIds.every((r) => reviewedBy.has(r))) continue;
    // Approval waits until the author has resolved every review comment (SOP-DC-001).
    if ((await openCommentCount(q.db, cr)) > 0) continue;
    const { rules, steps } = await approvalRouteOf(q, cr);
    const given = givenApprovals(round);
    if (given.some((g) => g.userId === viewer.id)) continue;
    const pending = pendingFunctionSteps(steps, given);
    const reviewedIt = cr.reviewerIds.includes(viewer.id) || signatures.some((s) => s.userId === viewer.id && s.meaning === "Reviewed");
    const mineFinal =
      pending.length === 0 &&
      viewer.permissions.includes("document.approve") &&
      myFunctions.includes(steps.at(-1) ?? "") &&
      (rules.reviewerMayGiveFinalApproval || !reviewedIt);
    if (mineFinal || (pending[0] !== undefined && myFunctions.includes(pending[0]))) tasks.approve.push(cr);
  }
  return tasks;
}
