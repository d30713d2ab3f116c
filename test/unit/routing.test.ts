import { describe, expect, it } from "vitest";

import { approvalBlockers } from "~/modules/change-control/change-control";
import {
  SOP_DC_001_RULES,
  approvalSteps,
  earliestEffectiveDate,
  functionApprovalBlockers,
  parseDocumentControlRules,
  pendingFunctionSteps,
  urgentJustificationProblem,
} from "~/modules/change-control/routing";

const FUNCTIONS = new Set(["quality-manager", "executive-management", "cra", "data-manager"]);
const RULES_YAML = `approval:
  manual: [owner, executive-management, quality-manager]
  policy: [owner, executive-management, quality-manager]
  sop: [owner, quality-manager]
  work-instruction: [owner, quality-manager]
  form: [owner, quality-manager]
reviewersInclude: quality-manager
reviewerMayGiveFinalApproval: false
minimumTrainingWorkingDays: 10
periodicReviewNoticeDays: 60
`;

describe("document-control.yaml", () => {
  it("parses SOP-DC-001's rules", () => {
    const { rules, problems } = parseDocumentControlRules("document-control.yaml", RULES_YAML, FUNCTIONS);
    expect(problems).toEqual([]);
    expect(rules).toEqual(SOP_DC_001_RULES);
  });

  it("names an unknown job function at its line and column", () => {
    const { rules, problems } = parseDocumentControlRules(
      "document-control.yaml",
      RULES_YAML.replace("sop: [owner, quality-manager]", "sop: [owner, qa-boss]"),
      FUNCTIONS,
    );
    expect(rules).toBeNull();
    expect(problems).toEqual([
      { path: "document-control.yaml", line: 4, column: 16, rule: "document-control-file", message: '"qa-boss" is not a defined job function' },
    ]);
  });

  it("refuses `owner` as the final approval, a missing type and a bad number", () => {
    const ownerLast = parseDocumentControlRules("d.yaml", RULES_YAML.replace("form: [owner, quality-manager]", "form: [quality-manager, owner]"), FUNCTIONS);
    expect(ownerLast.problems.map((p) => p.message)).toEqual(["the final approval of a form must name a job function (the quality approval), not `owner`"]);
    const missing = parseDocumentControlRules("d.yaml", RULES_YAML.replace("  form: [owner, quality-manager]\n", ""), FUNCTIONS);
    expect(missing.problems.map((p) => p.message).join()).toContain("approval.form");
    const negative = parseDocumentControlRules("d.yaml", RULES_YAML.replace("minimumTrainingWorkingDays: 10", "minimumTrainingWorkingDays: -1"), FUNCTIONS);
    expect(negative.problems[0]).toMatchObject({ line: 9, message: expect.stringContaining("minimumTrainingWorkingDays") });
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
