import { z } from "zod";

import { DOCUMENT_TYPES } from "~/modules/content/document-types";
import { DOCUMENT_ID_PATTERN } from "~/modules/content/frontmatter";
import { formatVersion, parseVersion } from "~/modules/documents/documents";
import { validSignatures, type SignatureRecord } from "~/modules/signatures/signatures";

import { pendingFunctionSteps } from "./routing";

/** Change request states. Draft -> In review -> Approved; Rejected returns to Draft; Withdrawn ends it. */
export const CR_STATES = ["draft", "in-review", "approved", "rejected", "withdrawn"] as const;
export type CrState = (typeof CR_STATES)[number];

export type CrAction = "save" | "submit" | "review" | "reject" | "approve" | "withdraw" | "comment";

/** Which action is allowed in which state: the server refuses anything else, with a message. */
const ALLOWED: Record<CrAction, readonly CrState[]> = {
  save: ["draft", "in-review"],
  // In review: a resubmission after the author revised the draft (a new round of signatures).
  submit: ["draft", "in-review"],
  review: ["in-review"],
  reject: ["in-review"],
  approve: ["in-review"],
  withdraw: ["draft", "in-review"],
  comment: ["draft", "in-review"],
};

export const CR_STATE_LABELS: Record<CrState, string> = {
  draft: "Draft",
  "in-review": "In review",
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
};

export class TransitionRefused extends Error {}

export function assertAllowed(action: CrAction, state: CrState): void {
  if (!ALLOWED[action].includes(state)) {
    const where = ALLOWED[action].map((s) => CR_STATE_LABELS[s]).join(" or ");
    throw new TransitionRefused(`A change request in state ${CR_STATE_LABELS[state]} cannot be ${ACTION_PAST[action]}; that needs ${where}.`);
  }
}

const ACTION_PAST: Record<CrAction, string> = {
  save: "edited",
  submit: "submitted for review",
  review: "signed as reviewed",
  reject: "rejected",
  approve: "approved",
  withdraw: "withdrawn",
  comment: "commented on",
};

/**
 * The state after an action. A rejection sends a revision back to Draft for the author to rework;
 * a rejected withdrawal request is closed (SOP-DC-001 step 1: rejected requests are closed with a
 * written reason), and a new request is raised if the document should still go.
 */
export function nextState(action: CrAction, state: CrState, kind: "revision" | "withdrawal" = "revision"): CrState {
  assertAllowed(action, state);
  switch (action) {
    case "submit":
      return "in-review";
    case "reject":
      return kind === "withdrawal" ? "rejected" : "draft";
    case "approve":
      return "approved";
    case "withdraw":
      return "withdrawn";
    default:
      return state;
  }
}

/** The version a change produces: major bumps to N+1.0, minor to N.(m+1); a new document starts at 1.0. */
export function nextVersion(current: string | null, revision: "major" | "minor"): string {
  const v = current ? parseVersion(current) : null;
  if (!v) return "1.0";
  return revision === "major" ? formatVersion({ major: v.major + 1, minor: 0 }) : formatVersion({ major: v.major, minor: v.minor + 1 });
}

export function formatCrId(year: number, number: number): string {
  return `CR-${year}-${String(number).padStart(4, "0")}`;
}

export const CR_ID_PATTERN = /^CR-\d{4}-\d{4,}$/;

/**
 * What must hold before anyone signs an approval: the author signed the current content, every
 * named reviewer signed it as reviewed (a signature counts only on exactly the current content,
 * §11.70: editing the draft after signing invalidates it), and every review comment is resolved
 * (SOP-DC-001: "When all comments are closed, the document is routed for approval").
 */
export function reviewBlockers(input: {
  contentHash: string;
  authorId: string;
  reviewerIds: readonly string[];
  signatures: readonly Pick<SignatureRecord, "id" | "userId" | "meaning" | "contentHash">[];
  /** Review comments the author has not resolved yet. */
  openComments?: number;
}): string[] {
  const valid = validSignatures(input.signatures, input.contentHash);
  const blockers: string[] = [];
  if (!valid.some((s) => s.userId === input.authorId && s.meaning === "Authored")) {
    blockers.push("The author has not signed the current content (resubmit after the last edit).");
  }
  const missing = input.reviewerIds.filter((r) => !valid.some((s) => s.userId === r && s.meaning === "Reviewed"));
  if (missing.length > 0) blockers.push(`${missing.length} named reviewer(s) have not signed the current content as reviewed.`);
  const open = input.openComments ?? 0;
  if (open > 0) blockers.push(`${open} review comment(s) are not resolved yet: the author resolves each one before approval.`);
  return blockers;
}

/**
 * Whether a person can give a change its final approval now (the signature that makes the version).
 * Beyond the reviews: the approver holds document.approve (checked by the caller) and the route's
 * final job function, is not the author (§11.10(g)), did not sign an earlier step of this round,
 * and, unless the rules allow it, did not review the change (SOP-DC-001: review and final approval
 * are two people's judgement); every earlier step of the route is signed, in order.
 */
export function approvalBlockers(input: {
  contentHash: string;
  authorId: string;
  reviewerIds: readonly string[];
  signatures: readonly Pick<SignatureRecord, "id" | "userId" | "meaning" | "contentHash" | "jobFunction">[];
  approverId: string;
  /** The approver's job functions. */
  approverFunctions: readonly string[];
  /** The approval route (routing.ts approvalSteps): earlier steps first, the final one last. */
  steps: readonly string[];
  reviewerMayGiveFinalApproval: boolean;
  functionName?: (id: string) => string;
  openComments?: number;
}): string[] {
  const name = input.functionName ?? ((id: string) => id);
  const valid = validSignatures(input.signatures, input.contentHash);
  const blockers: string[] = [];
  if (input.approverId === input.authorId) blockers.push("The author of a change cannot approve it.");
  if (
    !input.reviewerMayGiveFinalApproval &&
    (input.reviewerIds.includes(input.approverId) || input.signatures.some((s) => s.userId === input.approverId && s.meaning === "Reviewed"))
  ) {
    blockers.push("You reviewed this change, so another approver gives its final approval (segregation of duties).");
  }
  blockers.push(...reviewBlockers(input));
  const given = valid.filter((s) => s.meaning === "Function approval" && s.jobFunction).map((s) => ({ userId: s.userId, jobFunction: s.jobFunction! }));
  const pending = pendingFunctionSteps(input.steps, given);
  if (pending.length > 0)
    blockers.push(`The approval of ${pending.map(name).join(", then ")} comes first (SOP-DC-001: the owner function signs before the quality manager).`);
  if (given.some((g) => g.userId === input.approverId))
    blockers.push("You signed an earlier approval of this change; another person gives the final approval.");
  const final = input.steps.at(-1);
  if (final && !input.approverFunctions.includes(final)) blockers.push(`The final approval is given by a ${name(final)}; you do not hold that job function.`);
  return blockers;
}

/** The new change request form, validated at the edge. */
export const NewChangeRequestSchema = z
  .object({
    target: z.enum(["existing", "new"], { error: "Choose an existing document or a new one" }),
    docId: z.string({ error: "Enter a document id such as SOP-DC-001" }).trim().regex(DOCUMENT_ID_PATTERN, "Enter a document id such as SOP-DC-001"),
    title: z.string().trim().max(120).optional(),
    type: z.enum(DOCUMENT_TYPES).optional(),
    reason: z.string({ error: "Give the reason for the change" }).trim().min(10, "Give the reason for the change (at least 10 characters)").max(2000),
    revision: z.enum(["major", "minor"], { error: "Choose a major or a minor revision" }),
    retrainingRequired: z.boolean({ error: "Say whether the change needs retraining" }),
    proposedEffectiveDate: z.iso.date("Enter the proposed effective date as YYYY-MM-DD"),
    capaRef: z.string().trim().max(40).optional(),
    reviewerIds: z.array(z.string().min(1)).min(1, "Name at least one reviewer"),
  })
  .superRefine((v, ctx) => {
    if (v.target === "new" && (!v.title || v.title.length < 3)) ctx.addIssue({ code: "custom", path: ["title"], message: "A new document needs a title" });
    if (v.target === "new" && !v.type) ctx.addIssue({ code: "custom", path: ["type"], message: "Choose the new document's type" });
  });
export type NewChangeRequest = z.infer<typeof NewChangeRequestSchema>;

/** What a person may do on a change request now, so the page offers only those forms. */
export function availableActions(
  cr: { state: CrState; authorId: string; reviewerIds: readonly string[] },
  viewer: { userId: string; permissions: readonly string[] },
  /** The draft differs from what the author last signed (only then may a change in review be resubmitted). */
  revisedSinceAuthored = false,
  /** The viewer has signed the current content as reviewed in this round: the form is not offered again. */
  reviewedThisRound = false,
): CrAction[] {
  const isAuthor = viewer.userId === cr.authorId;
  const isReviewer = cr.reviewerIds.includes(viewer.userId) && viewer.permissions.includes("document.review");
  const approver = viewer.permissions.includes("document.approve") && !isAuthor;
  const open = cr.state === "draft" || cr.state === "in-review";
  const actions: CrAction[] = [];
  if (isAuthor && viewer.permissions.includes("document.author")) {
    if (open) actions.push("save", "withdraw");
    if (cr.state === "draft" || (cr.state === "in-review" && revisedSinceAuthored)) actions.push("submit");
  }
  if (cr.state === "in-review") {
    if (isReviewer && !isAuthor && !reviewedThisRound) actions.push("review");
    if ((isReviewer || approver) && !isAuthor) actions.push("reject");
    if (approver) actions.push("approve");
  }
  if (open && (isAuthor || isReviewer || approver)) actions.push("comment");
  return actions;
}
