import { describe, expect, it } from "vitest";

import {
  TransitionRefused,
  approvalBlockers,
  assertAllowed,
  formatCrId,
  nextState,
  nextVersion,
  availableActions,
  type CrState,
} from "~/modules/change-control/change-control";
import { parseSignatureTrailer, signatureTrailer } from "~/modules/documents/version-commit";
import { validSignatures } from "~/modules/signatures/signatures";

const HASH = "a".repeat(64);
const OTHER = "b".repeat(64);

describe("change request state machine", () => {
  it("moves Draft -> In review -> Approved, and a rejection back to Draft", () => {
    expect(nextState("submit", "draft")).toBe("in-review");
    expect(nextState("submit", "in-review")).toBe("in-review"); // a revised draft resubmitted
    expect(nextState("reject", "in-review")).toBe("draft");
    expect(nextState("approve", "in-review")).toBe("approved");
    expect(nextState("withdraw", "draft")).toBe("withdrawn");
  });

  it("refuses illegal transitions with a message naming the states", () => {
    expect(() => assertAllowed("approve", "draft")).toThrow(TransitionRefused);
    expect(() => assertAllowed("approve", "draft")).toThrow("A change request in state Draft cannot be approved; that needs In review.");
    expect(() => nextState("save", "approved")).toThrow(/cannot be edited/);
    expect(() => nextState("submit", "withdrawn")).toThrow(TransitionRefused);
  });
});

describe("version numbering and ids", () => {
  it("bumps major to N+1.0 and minor to N.m+1; a new document starts at 1.0", () => {
    expect(nextVersion("1.1", "major")).toBe("2.0");
    expect(nextVersion("2.0", "minor")).toBe("2.1");
    expect(nextVersion("2.9", "minor")).toBe("2.10");
    expect(nextVersion(null, "minor")).toBe("1.0");
    expect(formatCrId(2026, 7)).toBe("CR-2026-0007");
  });
});

describe("what each person may do on a change request", () => {
  const cr = (state: CrState) => ({ state, authorId: "author", reviewerIds: ["rev"] });
  const author = { userId: "author", permissions: ["document.read", "document.author"] };
  const reviewer = { userId: "rev", permissions: ["document.read", "document.review"] };
  const qa = { userId: "qa", permissions: ["document.read", "document.review", "document.approve"] };
  const staff = { userId: "cra1", permissions: ["document.read"] };

  it("offers the author, the named reviewer, the approver and others only their actions", () => {
    expect(availableActions(cr("draft"), author)).toEqual(["save", "withdraw", "submit", "comment"]);
    expect(availableActions(cr("in-review"), author)).toEqual(["save", "withdraw", "comment"]);
    expect(availableActions(cr("in-review"), author, true)).toEqual(["save", "withdraw", "submit", "comment"]);
    expect(availableActions(cr("in-review"), reviewer)).toEqual(["review", "reject", "comment"]);
    expect(availableActions(cr("in-review"), qa)).toEqual(["reject", "approve", "comment"]);
    expect(availableActions(cr("in-review"), staff)).toEqual([]);
    expect(availableActions(cr("approved"), author)).toEqual([]);
    // An approver who wrote the change may not approve it.
    expect(availableActions(cr("in-review"), { ...qa, userId: "author", permissions: [...qa.permissions, "document.author"] })).not.toContain("approve");
  });
});

describe("signature trailers", () => {
  it("binds name, user, UTC time and content hash, and parses back", () => {
    const trailer = signatureTrailer({
      meaning: "Approved",
      printedName: "Quinn Avery",
      username: "qa",
      signedAt: "2026-03-01T10:00:00.000Z",
      contentHash: HASH,
    });
    expect(trailer).toEqual(["Quire-Approved-By", `Quinn Avery <qa> 2026-03-01T10:00:00Z sha256:${HASH}`]);
    expect(parseSignatureTrailer(...trailer)).toEqual({
      meaning: "Approved",
      printedName: "Quinn Avery",
      username: "qa",
      signedAt: "2026-03-01T10:00:00.000Z",
      contentHash: HASH,
    });
    expect(parseSignatureTrailer("Quire-Approved-By", "garbage")).toBeNull();
  });

  it("keeps a name with a line break on one line, so it cannot forge a trailer", () => {
    const [, value] = signatureTrailer({
      meaning: "Reviewed",
      printedName: "Eve\nQuire-Effective-Date: 1999-01-01",
      username: "eve",
      signedAt: "2026-03-01T10:00:00.000Z",
      contentHash: HASH,
    });
    expect(value).not.toContain("\n");
    expect(value).toBe(`Eve Quire-Effective-Date: 1999-01-01 <eve> 2026-03-01T10:00:00Z sha256:${HASH}`);
  });
});

describe("approval rules", () => {
  let nextId = 0;
  // Signatures in the order they were recorded (ids); the times only make the tests readable.
  const sig = (userId: string, meaning: "Authored" | "Reviewed", signedAt: string, contentHash = HASH) => ({
    id: ++nextId,
    userId,
    meaning,
    signedAt,
    contentHash,
  });
  // One-step route (the fixture's rules): the quality manager's final approval only.
  const base = {
    contentHash: HASH,
    authorId: "author",
    reviewerIds: ["r1", "r2"],
    approverId: "qa",
    approverFunctions: ["quality-manager"],
    steps: ["quality-manager"],
    reviewerMayGiveFinalApproval: false,
  };

  it("allows approval when the author and every named reviewer signed the current content", () => {
    const signatures = [
      sig("author", "Authored", "2026-03-01T09:00:00Z"),
      sig("r1", "Reviewed", "2026-03-01T10:00:00Z"),
      sig("r2", "Reviewed", "2026-03-01T11:00:00Z"),
    ];
    expect(approvalBlockers({ ...base, signatures })).toEqual([]);
  });

  it("refuses the author as approver (segregation of duties)", () => {
    const signatures = [
      sig("author", "Authored", "2026-03-01T09:00:00Z"),
      sig("r1", "Reviewed", "2026-03-01T10:00:00Z"),
      sig("r2", "Reviewed", "2026-03-01T11:00:00Z"),
    ];
    expect(approvalBlockers({ ...base, approverId: "author", signatures })).toContain("The author of a change cannot approve it.");
  });

  it("refuses a reviewer of the change as its approver, named or having signed a review (segregation of duties)", () => {
    const signatures = [
      sig("author", "Authored", "2026-03-01T09:00:00Z"),
      sig("r1", "Reviewed", "2026-03-01T10:00:00Z"),
      sig("r2", "Reviewed", "2026-03-01T11:00:00Z"),
    ];
    const refusal = "You reviewed this change, so another approver gives its final approval (segregation of duties).";
    expect(approvalBlockers({ ...base, approverId: "r1", signatures })).toEqual([refusal]);
    // A reviewer removed from the list after signing a review still reviewed it.
    expect(approvalBlockers({ ...base, reviewerIds: ["r2"], approverId: "r1", signatures })).toEqual([refusal]);
    // SOP-DC-001 may allow it (<ReviewerFinalApproval allowed="yes" />: reviewerMayGiveFinalApproval).
    expect(approvalBlockers({ ...base, approverId: "r1", signatures, reviewerMayGiveFinalApproval: true })).toEqual([]);
  });

  it("does not count signatures on other content: an edit after signing invalidates them", () => {
    const signatures = [sig("author", "Authored", "2026-03-01T09:00:00Z", OTHER), sig("r1", "Reviewed", "2026-03-01T10:00:00Z", OTHER)];
    const blockers = approvalBlockers({ ...base, signatures });
    expect(blockers).toContain("The author has not signed the current content (resubmit after the last edit).");
    expect(validSignatures(signatures, HASH)).toEqual([]);
  });

  it("counts reviews only from the latest submission round", () => {
    const signatures = [
      sig("author", "Authored", "2026-03-01T09:00:00Z"),
      sig("r1", "Reviewed", "2026-03-01T10:00:00Z"),
      sig("author", "Authored", "2026-03-02T09:00:00Z"), // resubmitted after a rejection
      sig("r2", "Reviewed", "2026-03-02T10:00:00Z"),
    ];
    expect(approvalBlockers({ ...base, signatures })).toEqual(["1 named reviewer(s) have not signed the current content as reviewed."]);
    expect(validSignatures(signatures, HASH).map((s) => s.userId)).toEqual(["author", "r2"]);
  });

  it("orders review rounds by when signatures were recorded, even under a pinned clock", () => {
    const at = "2026-03-01T09:00:00Z";
    const signatures = [sig("author", "Authored", at), sig("r1", "Reviewed", at), sig("author", "Authored", at), sig("r2", "Reviewed", at)];
    // r1 reviewed in the first round: it does not count for the resubmission, same timestamp or not.
    expect(validSignatures(signatures, HASH).map((s) => s.userId)).toEqual(["author", "r2"]);
  });
});
