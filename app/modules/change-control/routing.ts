// Document control's rules as controlled content (SOP-DC-001 steps 2, 4, 5, 6 and 8): which approval
// signatures each document type needs and in what order, who must be among the reviewers, the minimum
// training period between approval and the effective date, and the periodic-review notice. They are
// components in SOP-DC-001's text (decision 017), read by document-control-rules.ts and checked here;
// routing.server.ts reads them from the version in force. Pure.

import { z } from "zod";

import { DOCUMENT_TYPES, type DocumentType } from "~/modules/content/document-types";
import { addWorkingDays } from "~/modules/training/working-days";

/** The word for "the document's owner function" in an approval route. */
export const OWNER = "owner";

/** A job function id, or `owner`, as a route names it. */
export const STEP_PATTERN = /^[a-z][a-z0-9-]*$/;

const Step = z.string().regex(STEP_PATTERN, "name a job function id or `owner`");

export const DocumentControlRulesSchema = z.strictObject({
  /** Per document type, the approval signatures in order; the last one is the final (quality) approval. */
  approval: z.strictObject(
    Object.fromEntries(DOCUMENT_TYPES.map((t) => [t, z.array(Step).min(1, "name at least the final approver")])) as Record<
      DocumentType,
      z.ZodArray<typeof Step>
    >,
  ),
  /** A job function at least one named reviewer must hold (SOP-DC-001 step 4); null for none. */
  reviewersInclude: Step.nullable(),
  /** Working days from approval to the effective date, so staff train first (SOP-DC-001 step 6). */
  minimumTrainingWorkingDays: z.number().int().min(0, "must be 0 or more").max(60, "must be at most 60 working days"),
  /** Days before a periodic review is due that the owner is told (SOP-DC-001 step 8). */
  periodicReviewNoticeDays: z.number().int().min(1, "must be at least 1 day").max(365, "must be at most 365 days"),
  /** Whether a person who reviewed a change may also give its final approval (default: no). */
  reviewerMayGiveFinalApproval: z.boolean(),
});
export type DocumentControlRules = z.infer<typeof DocumentControlRulesSchema>;

/**
 * What applies where no document in force defines the rules: SOP-DC-001 as written (owner function
 * then quality manager; manual and policy also executive management).
 */
export const SOP_DC_001_RULES: DocumentControlRules = {
  approval: {
    manual: [OWNER, "executive-management", "quality-manager"],
    policy: [OWNER, "executive-management", "quality-manager"],
    sop: [OWNER, "quality-manager"],
    "work-instruction": [OWNER, "quality-manager"],
    form: [OWNER, "quality-manager"],
  },
  reviewersInclude: "quality-manager",
  minimumTrainingWorkingDays: 10,
  periodicReviewNoticeDays: 60,
  reviewerMayGiveFinalApproval: false,
};

/** One thing wrong with the rules: the key it is about (["approval", "sop", 1]) and what is wrong. */
export interface RulesIssue {
  at: readonly PropertyKey[];
  message: string;
}

/**
 * Checks document control's rules, however they were written down: the schema (every type routed,
 * numbers in range), every job function named exists (with `jobFunctions`; null skips that check,
 * for reading rules already approved), and each route's last signer is a job function.
 */
export function checkDocumentControlRules(
  raw: unknown,
  jobFunctions: ReadonlySet<string> | null,
): { rules: DocumentControlRules | null; issues: RulesIssue[] } {
  const parsed = DocumentControlRulesSchema.safeParse(raw);
  if (!parsed.success) return { rules: null, issues: parsed.error.issues.map((i) => ({ at: i.path, message: i.message })) };
  const issues: RulesIssue[] = [];
  const unknown = (fn: string, at: readonly PropertyKey[]) => {
    if (jobFunctions && !jobFunctions.has(fn)) issues.push({ at, message: `"${fn}" is not a defined job function` });
  };
  for (const type of DOCUMENT_TYPES) {
    const steps = parsed.data.approval[type];
    steps.forEach((s, i) => {
      if (s !== OWNER) unknown(s, ["approval", type, i]);
    });
    if (steps.at(-1) === OWNER) {
      issues.push({
        at: ["approval", type, steps.length - 1],
        message: `the final approval of a ${type} must name a job function (the quality approval), not \`owner\``,
      });
    }
  }
  if (parsed.data.reviewersInclude) unknown(parsed.data.reviewersInclude, ["reviewersInclude"]);
  return { rules: issues.length === 0 ? parsed.data : null, issues };
}

/**
 * The job functions whose signatures a document needs, in order, with `owner` read as its owner
 * function. A function named twice signs once, at its last place: when the owner is the quality
 * manager, the quality manager's approval is the owner's too.
 */
export function approvalSteps(rules: DocumentControlRules, type: DocumentType, owner: string): string[] {
  const named = rules.approval[type].map((s) => (s === OWNER ? owner : s));
  return named.filter((fn, i) => named.lastIndexOf(fn) === i);
}

/** A function approval given in the current round. */
export interface GivenApproval {
  userId: string;
  jobFunction: string;
}

/** The steps before the final one not yet signed, in order: the next one is the first. */
export function pendingFunctionSteps(steps: readonly string[], given: readonly GivenApproval[]): string[] {
  const signed = new Set(given.map((g) => g.jobFunction));
  return steps.slice(0, -1).filter((fn) => !signed.has(fn));
}

/**
 * Why a person may not sign the next function approval now (empty: they may). Steps are signed in
 * order; each by a holder of that function who is not the author and has not signed another step.
 */
export function functionApprovalBlockers(input: {
  steps: readonly string[];
  given: readonly GivenApproval[];
  signerId: string;
  signerFunctions: readonly string[];
  authorId: string;
  functionName: (id: string) => string;
  /** What is approved: a revision's change (the default) or a withdrawal request, named in the reasons. */
  kind?: "revision" | "withdrawal";
}): { step: string | null; blockers: string[] } {
  const next = pendingFunctionSteps(input.steps, input.given)[0] ?? null;
  if (!next) return { step: null, blockers: ["Every function approval before the final one is signed already."] };
  const withdrawal = input.kind === "withdrawal";
  const blockers: string[] = [];
  if (input.signerId === input.authorId)
    blockers.push(withdrawal ? "You requested this withdrawal, so another person approves it." : "The author of a change cannot approve it.");
  if (!input.signerFunctions.includes(next)) blockers.push(`The next approval is for ${input.functionName(next)}; you do not hold that job function.`);
  if (input.given.some((g) => g.userId === input.signerId))
    blockers.push(`You have signed an approval of this ${withdrawal ? "withdrawal" : "change"} already; another person signs the next one.`);
  return { step: next, blockers };
}

/** The earliest effective date for an approval given on `approvedOn` (SOP-DC-001 step 6). */
export function earliestEffectiveDate(rules: DocumentControlRules, approvedOn: string): string {
  return addWorkingDays(approvedOn, rules.minimumTrainingWorkingDays);
}

/** An urgent change's justification: long enough to say why (SOP-DC-001 step 6). */
export function urgentJustificationProblem(text: string): string | null {
  return text.trim().length < 20 ? "Give the justification for the shorter training period (at least 20 characters)." : null;
}
