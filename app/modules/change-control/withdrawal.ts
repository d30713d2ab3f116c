// Who signs a withdrawal request next (SOP-DC-001, "Withdraw obsolete documents": a document is
// withdrawn through a change request approved by the owner and the quality manager). The route is the
// document type's approval route (document control's rules): the owner function, for the manual and
// policies executive management, each sign "Withdrawal approval" in order; the final step's holder
// signs "Retired", which records the retirement. Pure: withdrawal.server.ts reads and writes.

import { functionApprovalBlockers, pendingFunctionSteps, type GivenApproval } from "./routing";

export interface WithdrawalSigner {
  userId: string;
  jobFunctions: readonly string[];
  /** Signing authority for documents (document.review), needed for each step before the last. */
  mayReview: boolean;
  /** Quality approval (document.approve), needed for the final step. */
  mayApprove: boolean;
}

/** The next signature a withdrawal request needs, and why this person may not give it now (empty: they may). */
export function nextWithdrawalSignature(input: {
  steps: readonly string[];
  /** "Withdrawal approval" signatures given so far, with their job functions. */
  given: readonly GivenApproval[];
  requesterId: string;
  signer: WithdrawalSigner;
  functionName: (id: string) => string;
}): { step: string; final: boolean; blockers: string[] } | null {
  const final = input.steps.at(-1);
  if (!final) return null;
  const pending = pendingFunctionSteps(input.steps, input.given);
  const { signer } = input;
  if (pending.length > 0) {
    const { step, blockers } = functionApprovalBlockers({
      steps: input.steps,
      given: input.given,
      signerId: signer.userId,
      signerFunctions: signer.jobFunctions,
      authorId: input.requesterId,
      functionName: input.functionName,
      kind: "withdrawal",
    });
    if (!signer.mayReview) blockers.push("Signing for a job function needs signing authority for documents (a reviewer or quality manager account).");
    return { step: step!, final: false, blockers };
  }
  const blockers: string[] = [];
  // Segregation of duties (Part 11 §11.10(g)): the person who asked for the withdrawal does not approve it.
  if (signer.userId === input.requesterId) blockers.push("You requested this withdrawal, so another person approves it.");
  if (input.given.some((g) => g.userId === signer.userId))
    blockers.push("You signed an earlier approval of this withdrawal; another person gives the final one.");
  if (!signer.jobFunctions.includes(final)) blockers.push(`The final approval is given by a ${input.functionName(final)}; you do not hold that job function.`);
  if (!signer.mayApprove) blockers.push("The final approval needs a quality approver's account.");
  return { step: final, final: true, blockers };
}
