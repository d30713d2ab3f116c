import { describe, expect, it } from "vitest";

import { approvalBlockers } from "~/modules/change-control/change-control";
import { documentControlRulesIn } from "~/modules/change-control/document-control-rules";
import {
  SOP_DC_001_RULES,
  approvalSteps,
  earliestEffectiveDate,
  functionApprovalBlockers,
  pendingFunctionSteps,
  urgentJustificationProblem,
} from "~/modules/change-control/routing";
import { parseMdxTree } from "~/modules/content/mdx-policy";

const FUNCTIONS = new Set(["quality-manager", "executive-management", "cra", "data-manager"]);
// SOP-DC-001's rules as its text states them (decision 017); line 2 holds the first route.
const RULES_MDX = `<ApprovalRoutes>
<ApprovalRoute type="manual" signers="owner executive-management quality-manager" />
<ApprovalRoute type="policy" signers="owner executive-management quality-manager" />
<ApprovalRoute type="sop" signers="owner quality-manager" />
<ApprovalRoute type="work-instruction" signers="owner quality-manager" />
<ApprovalRoute type="form" signers="owner quality-manager" />
</ApprovalRoutes>

Reviewers always include a <ReviewersInclude jobFunction="quality-manager" />. <ReviewerFinalApproval allowed="no" />

The effective date is no less than <MinimumTrainingPeriod workingDays="10" /> after approval.

Quire tells the owner <PeriodicReviewNotice days="60" /> before the due date.
`;

function rulesOf(source: string) {
  return documentControlRulesIn(parseMdxTree(source), "sops/SOP-DC-001.mdx", FUNCTIONS);
}

describe("document control's rules in SOP-DC-001's text", () => {
  it("reads SOP-DC-001's rules", () => {
    const { rules, problems, at } = rulesOf(RULES_MDX);
    expect(problems).toEqual([]);
    expect(rules).toEqual(SOP_DC_001_RULES);
    expect(at).toEqual({ line: 1, column: 1 });
  });

  it("names an unknown job function at its line and column", () => {
    const { rules, problems } = rulesOf(RULES_MDX.replace('type="sop" signers="owner quality-manager"', 'type="sop" signers="owner qa-boss"'));
    expect(rules).toBeNull();
    expect(problems).toEqual([
      {
        path: "sops/SOP-DC-001.mdx",
        line: 4,
        column: 1,
        rule: "document-control-rules",
        message: '<ApprovalRoute type="sop"> signers: "qa-boss" is not a defined job function',
      },
    ]);
  });

  it("refuses `owner` as the final approval, a missing type and a bad number", () => {
    const ownerLast = rulesOf(RULES_MDX.replace('type="form" signers="owner quality-manager"', 'type="form" signers="quality-manager owner"'));
    expect(ownerLast.problems.map((p) => p.message)).toEqual([
      '<ApprovalRoute type="form"> signers: the final approval of a form must name a job function (the quality approval), not `owner`',
    ]);
    const missing = rulesOf(RULES_MDX.replace('<ApprovalRoute type="form" signers="owner quality-manager" />\n', ""));
    expect(missing.problems.map((p) => p.message)).toEqual(["<ApprovalRoutes> has no <ApprovalRoute> for form; every document type needs its route"]);
    const tooLong = rulesOf(RULES_MDX.replace('workingDays="10"', 'workingDays="61"'));
    expect(tooLong.problems).toEqual([expect.objectContaining({ line: 11, message: "<MinimumTrainingPeriod> workingDays: must be at most 60 working days" })]);
  });
});

describe("approval routing by document type (SOP-DC-001 step 5)", () => {
  it("puts the owner function first and the quality manager last; the manual and policies add executive management", () => {
    expect(approvalSteps(SOP_DC_001_RULES, "sop", "cra")).toEqual(["cra", "quality-manager"]);
    expect(approvalSteps(SOP_DC_001_RULES, "policy", "cra")).toEqual(["cra", "executive-management", "quality-manager"]);
  });

  it("signs a job function once, at its last place, when the owner is also a later approver", () => {
    expect(approvalSteps(SOP_DC_001_RULES, "sop", "quality-manager")).toEqual(["quality-manager"]);
    expect(approvalSteps(SOP_DC_001_RULES, "manual", "quality-manager")).toEqual(["executive-management", "quality-manager"]);
    expect(approvalSteps(SOP_DC_001_RULES, "policy", "executive-management")).toEqual(["executive-management", "quality-manager"]);
  });

  it("takes function approvals in order, each by a holder who is not the author and has not signed another", () => {
    const steps = ["cra", "executive-management", "quality-manager"];
    const base = { steps, authorId: "author", functionName: (id: string) => id };
    expect(pendingFunctionSteps(steps, [])).toEqual(["cra", "executive-management"]);
    expect(functionApprovalBlockers({ ...base, given: [], signerId: "c1", signerFunctions: ["cra"] })).toEqual({ step: "cra", blockers: [] });
    // Executive management cannot sign before the owner function.
    expect(functionApprovalBlockers({ ...base, given: [], signerId: "e1", signerFunctions: ["executive-management"] }).blockers).toEqual([
      "The next approval is for cra; you do not hold that job function.",
    ]);
    const afterOwner = [{ userId: "c1", jobFunction: "cra" }];
    expect(functionApprovalBlockers({ ...base, given: afterOwner, signerId: "e1", signerFunctions: ["executive-management"] })).toEqual({
      step: "executive-management",
      blockers: [],
    });
    // One person, one approval: the owner's signer cannot also sign for executive management.
    expect(functionApprovalBlockers({ ...base, given: afterOwner, signerId: "c1", signerFunctions: ["cra", "executive-management"] }).blockers).toContain(
      "You have signed an approval of this change already; another person signs the next one.",
    );
    expect(functionApprovalBlockers({ ...base, given: [], signerId: "author", signerFunctions: ["cra"] }).blockers).toContain(
      "The author of a change cannot approve it.",
    );
    const all = [...afterOwner, { userId: "e1", jobFunction: "executive-management" }];
    expect(functionApprovalBlockers({ ...base, given: all, signerId: "x", signerFunctions: ["quality-manager"] }).step).toBeNull();
  });

  it("holds the final approval until every earlier step is signed, and gives it only to the final function", () => {
    const HASH = "a".repeat(64);
    let id = 0;
    const sig = (userId: string, meaning: "Authored" | "Reviewed" | "Function approval", jobFunction?: string) => ({
      id: ++id,
      userId,
      meaning,
      contentHash: HASH,
      jobFunction: jobFunction ?? null,
    });
    const reviewed = [sig("author", "Authored"), sig("r1", "Reviewed")];
    const base = {
      contentHash: HASH,
      authorId: "author",
      reviewerIds: ["r1"],
      approverId: "qa",
      approverFunctions: ["quality-manager"],
      steps: ["cra", "quality-manager"],
      reviewerMayGiveFinalApproval: false,
    };
    expect(approvalBlockers({ ...base, signatures: reviewed })).toEqual([
      "The approval of cra comes first (SOP-DC-001: the owner function signs before the quality manager).",
    ]);
    const withOwner = [...reviewed, sig("c1", "Function approval", "cra")];
    expect(approvalBlockers({ ...base, signatures: withOwner })).toEqual([]);
    expect(approvalBlockers({ ...base, approverId: "c1", approverFunctions: ["cra", "quality-manager"], signatures: withOwner })).toContain(
      "You signed an earlier approval of this change; another person gives the final approval.",
    );
    expect(approvalBlockers({ ...base, approverFunctions: ["qa-auditor"], signatures: withOwner })).toEqual([
      "The final approval is given by a quality-manager; you do not hold that job function.",
    ]);
  });
});

describe("minimum training period (SOP-DC-001 step 6)", () => {
  it("counts working days from the approval", () => {
    // Approved on Friday 27 November 2026: ten working days later is Friday 11 December.
    expect(earliestEffectiveDate(SOP_DC_001_RULES, "2026-11-27")).toBe("2026-12-11");
    expect(earliestEffectiveDate({ ...SOP_DC_001_RULES, minimumTrainingWorkingDays: 0 }, "2026-11-27")).toBe("2026-11-27");
  });

  it("asks an urgent change for a real justification", () => {
    expect(urgentJustificationProblem("asap")).toMatch(/at least 20 characters/);
    expect(urgentJustificationProblem("Critical audit finding AF-2026-11 on consent versions.")).toBeNull();
  });
});
