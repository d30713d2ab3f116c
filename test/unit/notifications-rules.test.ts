import { describe, expect, it } from "vitest";

import type { ReviewScheduleEntry } from "~/modules/documents/periodic-review";
import {
  copyHolder,
  isCommentToResolve,
  planNotifications,
  reviewStep,
  type ChangeComment,
  type ChangeInput,
  type CopyInput,
  type DirectoryPerson,
  type NotificationInput,
  type PlannedNotification,
  type RecordedNotification,
} from "~/modules/notifications/notifications";
import { permissionsOf } from "~/modules/users/permissions";

// The document-control notification rules (SOP-DC-001) on hand-made inputs: who is told what, and
// never the same notification twice.

function person(username: string, roles: string[], jobFunctions: string[], managerId: string | null = null, active = true): DirectoryPerson {
  return {
    id: `id-${username}`,
    username,
    displayName: `Person ${username}`,
    email: `${username}@example.org`,
    active,
    managerId,
    roles,
    jobFunctions,
    permissions: [...permissionsOf(roles)],
  };
}

const PEOPLE: DirectoryPerson[] = [
  person("qa", ["quality-manager"], ["quality-manager"], "id-exec"),
  person("dc", ["document-controller"], ["document-controller"], "id-qa"),
  person("author", ["author"], ["medical-writer"], "id-qa"),
  person("rev1", ["reviewer"], ["cra"], "id-lead"),
  person("rev2", ["reviewer"], ["cra"], "id-lead"),
  person("lead", ["staff"], ["cra"], "id-qa"),
  person("exec", ["staff"], ["executive-management"]),
  person("gone", ["staff"], ["cra"], "id-lead", false),
];

function input(over: Partial<NotificationInput>): NotificationInput {
  return { today: "2027-01-10", people: PEOPLE, changes: [], reviews: [], copies: [], recorded: [], ...over };
}

function comment(id: number, userId: string, kind: ChangeComment["kind"] = "comment"): ChangeComment {
  return { id, userId, kind, at: "2027-01-05T10:00:00.000Z", body: `Comment ${id}` };
}

function change(over: Partial<ChangeInput> = {}): ChangeInput {
  return {
    id: "CR-2027-0001",
    docId: "SOP-XX-001",
    title: "Something",
    state: "in-review",
    authorId: "id-author",
    round: 1,
    reviewerIds: [],
    approverIds: [],
    comments: [],
    ...over,
  };
}

function review(docId: string, owner: string, daysLeft: number): ReviewScheduleEntry {
  return {
    docId,
    type: "sop",
    title: `Title of ${docId}`,
    owner,
    version: "1.0",
    effectiveFrom: "2025-02-03",
    reviewIntervalMonths: 24,
    lastReviewedOn: null,
    nextReview: `review-date-of-${docId}`,
    daysLeft,
    status: daysLeft < 0 ? "overdue" : daysLeft <= 60 ? "due" : "scheduled",
  };
}

function copy(copyId: string, recipient: string): CopyInput {
  return { copyId, docId: "SOP-XX-001", version: "1.0", recipient, location: "Site 1", versionStatus: "superseded" };
}

/** `kind key: user/role(/cc), ...` per planned notification: who is told now. */
function told(plan: { notifications: PlannedNotification[] }): string[] {
  return plan.notifications.map(
    (n) => `${n.kind} ${n.key}: ${n.recipients.map((r) => `${r.person.username ?? r.person.email}/${r.role}${r.copy ? "/cc" : ""}`).join(", ")}`,
  );
}

function recordedFrom(plan: { notifications: PlannedNotification[] }): RecordedNotification[] {
  return plan.notifications.flatMap((n) => n.recipients.map((r) => ({ kind: n.kind, key: n.key, recipient: r.person.id ?? r.person.email.toLowerCase() })));
}

describe("review and approval tasks", () => {
  it("tells each reviewer with an open review task, and the approvers once every reviewer has signed", () => {
    const plan = planNotifications(
      input({ changes: [change({ reviewerIds: ["id-rev1", "id-rev2"] }), change({ id: "CR-2027-0002", approverIds: ["id-qa"] })] }),
    );
    expect(told(plan)).toEqual([
      "change-review change:CR-2027-0001:review:round-1: rev1/reviewer, rev2/reviewer",
      "change-approval change:CR-2027-0002:approve:round-1: qa/approver",
    ]);
    expect(plan.notifications[0]!.link).toBe("/changes/CR-2027-0001");
  });

  it("never tells anyone the same round twice, but tells them again for a new round, and a newly named reviewer on their own", () => {
    const first = planNotifications(input({ changes: [change({ reviewerIds: ["id-rev1"] })] }));
    const recorded = recordedFrom(first);
    expect(told(planNotifications(input({ changes: [change({ reviewerIds: ["id-rev1"] })], recorded })))).toEqual([]);
    expect(told(planNotifications(input({ changes: [change({ reviewerIds: ["id-rev1", "id-rev2"] })], recorded })))).toEqual([
      "change-review change:CR-2027-0001:review:round-1: rev2/reviewer",
    ]);
    expect(told(planNotifications(input({ changes: [change({ reviewerIds: ["id-rev1"], round: 2 })], recorded })))).toEqual([
      "change-review change:CR-2027-0001:review:round-2: rev1/reviewer",
    ]);
  });

  it("tells nobody about a change request in draft, and skips deactivated people", () => {
    expect(told(planNotifications(input({ changes: [change({ state: "draft", reviewerIds: ["id-rev1"] })] })))).toEqual([]);
    expect(told(planNotifications(input({ changes: [change({ reviewerIds: ["id-gone", "id-rev2"] })] })))).toEqual([
      "change-review change:CR-2027-0001:review:round-1: rev2/reviewer",
    ]);
  });
});

describe("comments to resolve", () => {
  it("counts a reviewer's comment or rejection on an open change request, never the author's own or a withdrawal", () => {
    const open = { state: "draft", authorId: "id-author" };
    expect(isCommentToResolve(open, comment(1, "id-rev1"))).toBe(true);
    expect(isCommentToResolve(open, comment(2, "id-rev1", "rejection"))).toBe(true);
    expect(isCommentToResolve(open, comment(3, "id-author"))).toBe(false);
    expect(isCommentToResolve(open, comment(4, "id-rev1", "withdrawal"))).toBe(false);
    expect(isCommentToResolve({ ...open, state: "approved" }, comment(5, "id-rev1"))).toBe(false);
  });

  it("tells the author of each comment to resolve, once", () => {
    const changes = [change({ state: "draft", comments: [comment(7, "id-rev1"), comment(8, "id-author"), comment(9, "id-qa", "rejection")] })];
    const plan = planNotifications(input({ changes }));
    expect(told(plan)).toEqual(["change-comment change:CR-2027-0001:comment:7: author/author", "change-comment change:CR-2027-0001:comment:9: author/author"]);
    expect(plan.notifications[1]!.subject).toBe("Rejected: CR-2027-0001 SOP-XX-001 Something");
    expect(told(planNotifications(input({ changes, recorded: recordedFrom(plan) })))).toEqual([]);
  });
});

describe("periodic reviews (SOP-DC-001, Perform periodic review)", () => {
  it("finds the step: 60 days before (a parameter), overdue, 30 days overdue", () => {
    expect([61, 60, 0, -1, -29, -30].map((d) => reviewStep(d))).toEqual([
      null,
      "review-due",
      "review-due",
      "review-overdue",
      "review-overdue",
      "review-overdue-30",
    ]);
    expect(reviewStep(75, 90)).toBe("review-due");
  });

  it("tells the owner function 60 days before, the quality managers and the owner's lead once overdue, executive management 30 days after", () => {
    const plan = planNotifications(
      input({ reviews: [review("SOP-A", "cra", 61), review("SOP-B", "cra", 60), review("SOP-C", "cra", -1), review("SOP-D", "cra", -30)] }),
    );
    expect(told(plan)).toEqual([
      "review-due review-due:SOP-B:review-date-of-SOP-B: lead/owner, rev1/owner, rev2/owner",
      "review-overdue review-overdue:SOP-C:review-date-of-SOP-C: qa/quality-manager, lead/owner-lead, rev1/owner/cc, rev2/owner/cc",
      "review-overdue-30 review-overdue-30:SOP-D:review-date-of-SOP-D: exec/executive-management, qa/quality-manager/cc, lead/owner/cc, rev1/owner/cc, rev2/owner/cc",
    ]);
    expect(plan.warnings).toEqual([]);
    // The window is the run's parameter.
    expect(told(planNotifications(input({ reviews: [review("SOP-A", "cra", 61)], reviewNoticeDays: 90 })))).toEqual([
      "review-due review-due:SOP-A:review-date-of-SOP-A: lead/owner, rev1/owner, rev2/owner",
    ]);
  });

  it("sends a review nobody owns to the document controllers, with a warning", () => {
    const plan = planNotifications(input({ reviews: [review("SOP-E", "biostatistician", 10)] }));
    expect(told(plan)).toEqual(["review-due review-due:SOP-E:review-date-of-SOP-E: dc/document-controller, qa/document-controller"]);
    expect(plan.warnings.map((w) => w.code)).toEqual(["no-owner"]);
  });
});

describe("controlled copies to recall (issue 12)", () => {
  it("reads the register's recipient text: a Quire user, an outside address, or a name only", () => {
    expect(copyHolder("Person rev1", PEOPLE)?.id).toBe("id-rev1");
    expect(copyHolder(" REV2 ", PEOPLE)?.id).toBe("id-rev2");
    expect(copyHolder("Dr. Elena Marquez <marquez@site104.example.org>", PEOPLE)).toEqual({
      id: null,
      username: null,
      displayName: "Dr. Elena Marquez",
      email: "marquez@site104.example.org",
    });
    expect(copyHolder("Dr. Elena Marquez, Principal Investigator", PEOPLE)).toBeNull();
  });

  it("tells the holder (with the document controllers in copy), or only the document controllers when Quire cannot reach the holder", () => {
    const copies = [
      copy("SOP-XX-001-1.0-C001", "rev1"),
      copy("SOP-XX-001-1.0-C002", "Dr. Marquez <marquez@site104.example.org>"),
      copy("SOP-XX-001-1.0-C003", "Dr. Marquez"),
    ];
    const plan = planNotifications(input({ copies }));
    expect(told(plan)).toEqual([
      "copy-recall copy-recall:SOP-XX-001-1.0-C001: rev1/copy-holder, dc/document-controller/cc, qa/document-controller/cc",
      "copy-recall copy-recall:SOP-XX-001-1.0-C002: marquez@site104.example.org/copy-holder, dc/document-controller/cc, qa/document-controller/cc",
      "copy-recall copy-recall:SOP-XX-001-1.0-C003: dc/document-controller, qa/document-controller",
    ]);
    expect(told(planNotifications(input({ copies, recorded: recordedFrom(plan) })))).toEqual([]);
  });

  it("warns, and plans nothing, when nobody may issue copies", () => {
    const people = PEOPLE.filter((p) => !p.permissions.includes("copies.issue"));
    const plan = planNotifications(input({ people, copies: [copy("SOP-XX-001-1.0-C003", "Dr. Marquez")] }));
    expect(told(plan)).toEqual([]);
    expect(plan.warnings.map((w) => w.code).sort()).toEqual(["no-document-controller", "no-recipient"]);
  });
});
