import { describe, expect, it } from "vitest";

import { nextState } from "~/modules/change-control/change-control";
import { nextWithdrawalSignature, type WithdrawalSigner } from "~/modules/change-control/withdrawal";

// SOP-DC-001 "Withdraw obsolete documents": withdrawn through a change request approved by the owner
// and the quality manager; a policy's route also has executive management.
const POLICY_ROUTE = ["data-manager", "executive-management", "quality-manager"];
const SOP_ROUTE = ["data-manager", "quality-manager"];
const name = (id: string) => id.replace(/-/g, " ");

function signer(userId: string, jobFunctions: string[], authority: Partial<WithdrawalSigner> = {}): WithdrawalSigner {
  return { userId, jobFunctions, mayReview: true, mayApprove: false, ...authority };
}

const dm = signer("dm", ["data-manager"]);
const exec = signer("exec", ["executive-management"]);
const qa = signer("qa", ["quality-manager"], { mayApprove: true });
const dc = signer("dc", ["document-controller", "quality-manager"], { mayApprove: true });

describe("who signs a withdrawal request next", () => {
  it("asks the owner function first, then each function in order, then the quality manager's final approval", () => {
    const next = (given: { userId: string; jobFunction: string }[], who: WithdrawalSigner) =>
      nextWithdrawalSignature({ steps: POLICY_ROUTE, given, requesterId: "dc", signer: who, functionName: name });
    expect(next([], dm)).toEqual({ step: "data-manager", final: false, blockers: [] });
    // The quality manager cannot go first: the owner's approval comes before.
    expect(next([], qa)?.blockers).toEqual(["The next approval is for data manager; you do not hold that job function."]);
    const afterOwner = [{ userId: "dm", jobFunction: "data-manager" }];
    expect(next(afterOwner, exec)).toEqual({ step: "executive-management", final: false, blockers: [] });
    expect(next(afterOwner, dm)?.blockers).toContain("You have signed an approval of this withdrawal already; another person signs the next one.");
    const afterExec = [...afterOwner, { userId: "exec", jobFunction: "executive-management" }];
    expect(next(afterExec, qa)).toEqual({ step: "quality-manager", final: true, blockers: [] });
  });

  it("keeps the requester, an earlier signer and those without the function or the authority from the final approval", () => {
    const given = [{ userId: "dm", jobFunction: "data-manager" }];
    const final = (who: WithdrawalSigner) => nextWithdrawalSignature({ steps: SOP_ROUTE, given, requesterId: "dc", signer: who, functionName: name })!;
    expect(final(dc).blockers).toEqual(["You requested this withdrawal, so another person approves it."]);
    expect(final(signer("dm", ["data-manager", "quality-manager"], { mayApprove: true })).blockers).toEqual([
      "You signed an earlier approval of this withdrawal; another person gives the final one.",
    ]);
    expect(final(exec).blockers).toEqual([
      "The final approval is given by a quality manager; you do not hold that job function.",
      "The final approval needs a quality approver's account.",
    ]);
    expect(final(signer("rq", ["quality-manager"])).blockers).toEqual(["The final approval needs a quality approver's account."]);
  });

  it("needs signing authority for a function step, and refuses the requester there too", () => {
    const first = (who: WithdrawalSigner, requesterId = "dc") =>
      nextWithdrawalSignature({ steps: SOP_ROUTE, given: [], requesterId, signer: who, functionName: name })!;
    expect(first(signer("dm", ["data-manager"], { mayReview: false })).blockers).toEqual([
      "Signing for a job function needs signing authority for documents (a reviewer or quality manager account).",
    ]);
    expect(first(dm, "dm").blockers).toEqual(["You requested this withdrawal, so another person approves it."]);
  });

  it("treats a route of one step (the owner is the quality manager) as the final approval at once", () => {
    expect(nextWithdrawalSignature({ steps: ["quality-manager"], given: [], requesterId: "dc", signer: qa, functionName: name })).toEqual({
      step: "quality-manager",
      final: true,
      blockers: [],
    });
    expect(nextWithdrawalSignature({ steps: [], given: [], requesterId: "dc", signer: qa, functionName: name })).toBeNull();
  });

  it("closes a rejected withdrawal request, where a rejected revision goes back to Draft", () => {
    expect(nextState("reject", "in-review", "withdrawal")).toBe("rejected");
    expect(nextState("reject", "in-review")).toBe("draft");
  });
});
