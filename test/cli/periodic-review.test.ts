import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import { openChangeRequest, withdrawChange } from "~/modules/change-control/change-control.server";
import { openWithdrawal, signWithdrawal } from "~/modules/change-control/withdrawal.server";
import { effectiveOn, lastReviewOn, libraryEntry, nextReviewDate, versionStates } from "~/modules/documents/documents";
import { documentHistory, documentPage, listLibrary } from "~/modules/documents/library.server";
import {
  REVIEW_DUE_WINDOW_DAYS,
  countReviews,
  daysBetween,
  filterReviews,
  reviewStatus,
  withdrawalRequestForm,
  type ReviewScheduleEntry,
} from "~/modules/documents/periodic-review";
import { periodicReviewsOf, recordPeriodicReview, reviewSubject, reviewsDue } from "~/modules/documents/periodic-review.server";
import { DocumentControlError, retirementOf, retirementSubject } from "~/modules/documents/retirement.server";
import { versionsOf } from "~/modules/documents/versions.server";

import { runQuire } from "../helpers/cli";
import { copyDataFolder } from "../helpers/data-folder";
import { peopleOf, type People } from "../helpers/factories";
import { sampleVersion as version } from "../helpers/versions";

const history = [version("1.0", "2025-02-03"), version("1.1", "2025-09-01"), version("2.0", "2026-05-04")];

describe("next review date", () => {
  it("follows the interval from the current version's effective date, restarted by a later 'no change' review", () => {
    const current = history[2]!;
    expect(nextReviewDate(current)).toBe("2028-05-04");
    expect(nextReviewDate(current, null)).toBe("2028-05-04");
    expect(nextReviewDate(current, "2026-11-25")).toBe("2028-11-25");
    // A review of an earlier version, before the current one took effect, does not count.
    expect(nextReviewDate(current, "2026-01-10")).toBe("2028-05-04");
  });

  it("takes the latest review on or before the day", () => {
    expect(lastReviewOn([], "2026-01-01")).toBeNull();
    expect(lastReviewOn(["2026-03-01", "2027-01-05", "2026-10-01"], "2026-12-31")).toBe("2026-10-01");
    expect(lastReviewOn(["2026-03-01"], "2026-03-01")).toBe("2026-03-01");
  });
});

describe("due and overdue", () => {
  it("counts calendar days across months and leap years", () => {
    expect(daysBetween("2027-02-10", "2027-02-03")).toBe(-7);
    expect(daysBetween("2028-02-28", "2028-03-01")).toBe(2);
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2); // across the European DST change: still whole days
  });

  it(`is due within ${REVIEW_DUE_WINDOW_DAYS} days of the date (the date included) and overdue after it`, () => {
    expect(REVIEW_DUE_WINDOW_DAYS).toBe(60);
    expect(reviewStatus("2027-02-03", "2026-12-04")).toEqual({ status: "scheduled", daysLeft: 61 });
    expect(reviewStatus("2027-02-03", "2026-12-05")).toEqual({ status: "due", daysLeft: 60 });
    expect(reviewStatus("2027-02-03", "2027-02-03")).toEqual({ status: "due", daysLeft: 0 });
    expect(reviewStatus("2027-02-03", "2027-02-04")).toEqual({ status: "overdue", daysLeft: -1 });
  });

  it("filters and counts the schedule", () => {
    const row = (docId: string, status: ReviewScheduleEntry["status"]): ReviewScheduleEntry => ({
      docId,
      type: "sop",
      title: docId,
      owner: "qa",
      version: "1.0",
      effectiveFrom: "2025-02-03",
      reviewIntervalMonths: 24,
      lastReviewedOn: null,
      nextReview: "2027-02-03",
      daysLeft: 0,
      status,
    });
    const rows = [row("A", "overdue"), row("B", "due"), row("C", "scheduled"), row("D", "overdue")];
    expect(countReviews(rows)).toEqual({ overdue: 2, due: 1, scheduled: 1 });
    expect(filterReviews(rows, "due-or-overdue").map((r) => r.docId)).toEqual(["A", "B", "D"]);
    expect(filterReviews(rows, "overdue").map((r) => r.docId)).toEqual(["A", "D"]);
    expect(filterReviews(rows, "due").map((r) => r.docId)).toEqual(["B"]);
    expect(filterReviews(rows, "all")).toHaveLength(4);
  });
});

describe("retirement in the version states", () => {
  it("keeps every existing answer when no retirement is given", () => {
    expect(versionStates(history, "2026-01-01")).toEqual(versionStates(history, "2026-01-01", null));
    expect(effectiveOn(history, "2026-11-25")?.version.version).toBe("2.0");
  });

  it("ends the last version's period on the retirement date: from then no version is effective", () => {
    const before = versionStates(history, "2026-11-30", "2026-12-01");
    expect(before.map((s) => [s.version.version, s.status, s.effectiveTo])).toEqual([
      ["2.0", "effective", "2026-12-01"],
      ["1.1", "superseded", "2026-05-04"],
      ["1.0", "superseded", "2025-09-01"],
    ]);
    const after = versionStates(history, "2026-12-01", "2026-12-01");
    expect(after.map((s) => [s.version.version, s.status, s.effectiveTo])).toEqual([
      ["2.0", "retired", "2026-12-01"],
      ["1.1", "superseded", "2026-05-04"],
      ["1.0", "superseded", "2025-09-01"],
    ]);
    expect(effectiveOn(history, "2026-11-30", "2026-12-01")?.version.version).toBe("2.0");
    expect(effectiveOn(history, "2026-12-01", "2026-12-01")).toBeNull();
    expect(effectiveOn(history, "2030-01-01", "2026-12-01")).toBeNull();
    // The past is unchanged by a later retirement.
    expect(effectiveOn(history, "2025-08-31", "2026-12-01")?.version.version).toBe("1.0");
  });

  it("never brings into force a version dated on or after the retirement", () => {
    const states = versionStates(history, "2026-06-01", "2026-05-04");
    expect(states.map((s) => [s.version.version, s.status, s.effectiveTo])).toEqual([
      ["2.0", "retired", null],
      ["1.1", "retired", "2026-05-04"],
      ["1.0", "superseded", "2025-09-01"],
    ]);
    expect(versionStates(history, "2026-01-01", "2026-05-04")[0]).toMatchObject({ status: "approved", effectiveTo: null });
  });

  it("shows a retired document in the library as retired, with no review due", () => {
    const retirement = { effectiveFrom: "2026-12-01", recordedOn: "2026-11-25" };
    expect(libraryEntry("SOP-DM-001", "sop", history, "2026-12-01", { retirement })).toMatchObject({
      version: "2.0",
      status: "retired",
      effectiveFrom: "2026-05-04",
      nextReview: null,
      retiredFrom: "2026-12-01",
      upcoming: null,
    });
    // Retirement signed but not yet effective: still in force, no further review due.
    expect(libraryEntry("SOP-DM-001", "sop", history, "2026-11-26", { retirement })).toMatchObject({
      status: "effective",
      nextReview: null,
      retiredFrom: "2026-12-01",
    });
    // As of a day before the retirement was signed, it did not exist yet.
    expect(libraryEntry("SOP-DM-001", "sop", history, "2026-11-20", { retirement })).toMatchObject({
      status: "effective",
      nextReview: "2028-05-04",
      retiredFrom: null,
    });
  });

  it("moves the library's next review after a 'no change' review, as of the day", () => {
    const reviewedOn = ["2027-01-15"];
    expect(libraryEntry("SOP-DM-001", "sop", history, "2027-02-01", { reviewedOn })?.nextReview).toBe("2029-01-15");
    expect(libraryEntry("SOP-DM-001", "sop", history, "2027-01-14", { reviewedOn })?.nextReview).toBe("2028-05-04");
  });
});

describe("withdrawal request form", () => {
  it("refuses a date in the past and a missing reason", () => {
    const form = withdrawalRequestForm("2026-11-25");
    const past = form.safeParse({ reason: "No longer used by any study.", effectiveFrom: "2026-11-24" });
    expect(past.success).toBe(false);
    expect(past.error?.issues[0]?.message).toContain("cannot be in the past");
    expect(form.safeParse({ reason: "short", effectiveFrom: "2026-11-25" }).success).toBe(false);
    expect(form.safeParse({ reason: "No longer used by any study.", effectiveFrom: "2026-11-25" }).success).toBe(true);
  });
});

describe("periodic review and retirement against a real data folder", () => {
  let q: Quire;
  let dataDir: string;
  // The fixture demo was set up on 2026-11-25 (init); the reviews and retirements happen on 2027-02-10.
  const AT = new Date("2027-02-10T10:00:00Z");
  let who: People;
  const count = async (table: string) => (await q.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;
  const audits = (action: string) =>
    q.db.all<{ object_id: string; new_values: string; reason: string | null }>(
      "SELECT object_id, new_values, reason FROM audit_events WHERE action = ? ORDER BY seq",
      [action],
    );

  /** SOP-DC-001: the author (a document controller) requests the withdrawal, the quality manager approves it. */
  const APPROVER = { mayReview: true, mayApprove: true };
  async function retire(docId: string, input: { reason: string; effectiveFrom: string }): Promise<string> {
    const crId = await openWithdrawal(q, who("author"), docId, input, AT);
    await signWithdrawal(q, who("qa"), APPROVER, crId, AT);
    return crId;
  }

  beforeAll(async () => {
    let config;
    ({ config, dataDir } = await copyDataFolder("fixture-demo"));
    q = await open(config);
    who = await peopleOf(q.db);
  });
  afterAll(async () => {
    await q?.db.close();
  });

  it("lists due and overdue reviews with days left", async () => {
    const onInit = await reviewsDue(q, "2026-11-25");
    expect(onInit.map((e) => [e.docId, e.nextReview, e.daysLeft, e.status])).toEqual([
      ["QM-001", "2027-02-03", 70, "scheduled"],
      ["SOP-TS-001", "2027-03-02", 97, "scheduled"],
      ["FRM-TS-001", "2028-02-03", 435, "scheduled"],
    ]);
    const later = await reviewsDue(q, "2027-02-10");
    expect(later.slice(0, 2).map((e) => [e.docId, e.version, e.daysLeft, e.status])).toEqual([
      ["QM-001", "1.0", -7, "overdue"],
      ["SOP-TS-001", "2.0", 20, "due"],
    ]);
  });

  it("signs a 'no change' periodic review over the version's content, restarting the interval", async () => {
    const before = { signatures: await count("signatures"), reviews: await count("periodic_reviews") };
    const result = await recordPeriodicReview(q, who("qa"), "QM-001", { outcome: "no-change", comment: "Checked against ICH E6(R3)." }, AT);
    expect(result).toMatchObject({ version: "1.0", nextReview: "2029-02-10" });

    const [version] = await versionsOf(q.db, "QM-001");
    const signature = await q.db.get<{
      meaning: string;
      printed_name: string;
      user_id: string;
      signed_at: string;
      content_hash: string;
      version: string;
      commit_sha: string;
      cr_id: string | null;
    }>("SELECT meaning, printed_name, user_id, signed_at, content_hash, version, commit_sha, cr_id FROM signatures WHERE id = ?", [result.signatureId]);
    expect(signature).toEqual({
      meaning: "Periodic review",
      printed_name: "Quinn Avery",
      user_id: who("qa").userId,
      signed_at: "2027-02-10T10:00:00.000Z",
      content_hash: version!.contentHash,
      version: "1.0",
      commit_sha: version!.commit,
      cr_id: null,
    });
    expect(await count("signatures")).toBe(before.signatures + 1);
    expect(await count("periodic_reviews")).toBe(before.reviews + 1);
    const [review] = await periodicReviewsOf(q.db, "QM-001");
    expect(review).toMatchObject({ reviewedOn: "2027-02-10", outcome: "no-change", comment: "Checked against ICH E6(R3).", printedName: "Quinn Avery" });
    const audit = (await audits("document.periodic-review")).at(-1)!;
    expect(audit.object_id).toBe("QM-001");
    expect(JSON.parse(audit.new_values)).toMatchObject({ nextReview: "2029-02-10", reviewedOn: "2027-02-10", version: "1.0" });

    const due = await reviewsDue(q, "2027-02-10");
    expect(due.find((e) => e.docId === "QM-001")).toMatchObject({ lastReviewedOn: "2027-02-10", nextReview: "2029-02-10", status: "scheduled" });
    expect((await listLibrary(q, "2027-02-10")).find((e) => e.id === "QM-001")?.nextReview).toBe("2029-02-10");
    expect((await reviewSubject(q, "QM-001", "2027-02-10"))?.schedule).toEqual({ nextReview: "2029-02-10", daysLeft: 731, status: "scheduled" });
  });

  it("refuses a second review the same day and an unknown document, writing nothing", async () => {
    const before = { signatures: await count("signatures"), reviews: await count("periodic_reviews"), audit: await count("audit_events") };
    await expect(recordPeriodicReview(q, who("qa"), "QM-001", { outcome: "no-change", comment: null }, AT)).rejects.toThrow(
      /already has a signed periodic review today/,
    );
    await expect(recordPeriodicReview(q, who("qa"), "SOP-XX-999", { outcome: "no-change", comment: null }, AT)).rejects.toThrow(
      "There is no controlled document SOP-XX-999.",
    );
    expect({ signatures: await count("signatures"), reviews: await count("periodic_reviews"), audit: await count("audit_events") }).toEqual(before);
  });

  it("refuses a withdrawal request in the past, without a reason, or while a change request is open", async () => {
    const before = { signatures: await count("signatures"), retirements: await count("retirements"), requests: await count("change_requests") };
    await expect(
      openWithdrawal(q, who("author"), "FRM-TS-001", { reason: "Replaced by an electronic record.", effectiveFrom: "2027-02-09" }, AT),
    ).rejects.toThrow(/cannot be in the past/);
    await expect(openWithdrawal(q, who("author"), "FRM-TS-001", { reason: "old", effectiveFrom: "2027-02-10" }, AT)).rejects.toThrow(DocumentControlError);
    await expect(
      openWithdrawal(q, who("author"), "SOP-XX-999", { reason: "Replaced by an electronic record.", effectiveFrom: "2027-02-10" }, AT),
    ).rejects.toThrow("There is no controlled document SOP-XX-999.");
    expect(await count("change_requests")).toBe(before.requests);

    const crId = await openChangeRequest(
      q,
      who("author"),
      {
        target: "existing",
        docId: "FRM-TS-001",
        reason: "Add a field for the site number.",
        revision: "minor",
        retrainingRequired: false,
        proposedEffectiveDate: "2027-03-01",
        reviewerIds: [who("reviewer").userId],
      },
      AT,
    );
    await expect(
      openWithdrawal(q, who("author"), "FRM-TS-001", { reason: "Replaced by an electronic record.", effectiveFrom: "2027-02-10" }, AT),
    ).rejects.toThrow(`FRM-TS-001 has an open change request: ${crId} (Draft)`);
    expect((await retirementSubject(q, "FRM-TS-001", "2027-02-10"))?.openChanges).toEqual([{ id: crId, state: "draft", kind: "revision" }]);
    expect({ signatures: await count("signatures"), retirements: await count("retirements"), requests: await count("change_requests") }).toEqual({
      ...before,
      requests: before.requests + 1,
    });
    await withdrawChange(q, who("author"), crId, "Retiring the form instead.", AT);
  });

  it("retires a document through an approved withdrawal request: from the date no version is in force", async () => {
    expect((await retirementSubject(q, "QM-001", "2027-02-10"))?.referencedBy).toEqual([{ docId: "SOP-TS-001", title: expect.any(String) }]);
    const input = { reason: "Replaced by the new integrated QMS manual.", effectiveFrom: "2027-03-01" };
    const crId = await openWithdrawal(q, who("author"), "QM-001", input, AT);
    // A second request while this one is open is refused; the requester cannot approve their own.
    await expect(openWithdrawal(q, who("author"), "QM-001", input, AT)).rejects.toThrow(`QM-001 has an open change request: ${crId} (In review)`);
    await expect(signWithdrawal(q, who("author"), APPROVER, crId, AT)).rejects.toThrow("You requested this withdrawal, so another person approves it.");
    // Two quality approvals at once: exactly one retirement.
    const results = await Promise.allSettled([signWithdrawal(q, who("qa"), APPROVER, crId, AT), signWithdrawal(q, who("qa"), APPROVER, crId, AT)]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(String((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason.message)).toContain("there is nothing to sign");
    expect((await q.db.get<{ state: string }>("SELECT state FROM change_requests WHERE id = ?", [crId]))?.state).toBe("approved");
    await expect(retire("QM-001", input)).rejects.toThrow("QM-001 is already retired from 2027-03-01");

    const retirement = (await retirementOf(q.db, "QM-001"))!;
    const [v] = await versionsOf(q.db, "QM-001");
    expect(retirement).toMatchObject({
      effectiveFrom: "2027-03-01",
      reason: input.reason,
      version: "1.0",
      printedName: "Quinn Avery",
      contentHash: v!.contentHash,
    });
    const signature = await q.db.get<{ meaning: string; cr_id: string }>("SELECT meaning, cr_id FROM signatures WHERE id = ?", [retirement.signatureId]);
    expect(signature).toEqual({ meaning: "Retired", cr_id: crId });
    const audit = (await audits("document.retire")).at(-1)!;
    expect(audit).toMatchObject({ object_id: "QM-001", reason: input.reason });

    // Before the date the version is still in force (ending on the retirement date); from it, none is.
    const versions = await versionsOf(q.db, "QM-001");
    expect(effectiveOn(versions, "2027-02-28", retirement.effectiveFrom)).toMatchObject({ status: "effective", effectiveTo: "2027-03-01" });
    expect(effectiveOn(versions, "2027-03-01", retirement.effectiveFrom)).toBeNull();
    expect((await listLibrary(q, "2027-03-01")).find((e) => e.id === "QM-001")).toMatchObject({ status: "retired", version: "1.0", nextReview: null });
    expect((await documentHistory(q, "QM-001", "2027-03-01"))?.versions.map((s) => s.status)).toEqual(["retired"]);
    const page = (await documentPage(q, "QM-001", "2027-03-01"))!;
    expect([page.shown.version.version, page.shown.status, page.entry.status]).toEqual(["1.0", "retired", "retired"]);
    // No review is due for it any more, and none can be signed.
    expect((await reviewsDue(q, "2027-02-10")).map((e) => e.docId)).not.toContain("QM-001");
    await expect(recordPeriodicReview(q, who("qa"), "QM-001", { outcome: "no-change", comment: null }, new Date("2027-02-11T10:00:00Z"))).rejects.toThrow(
      /retired/,
    );
    // Nor can it change any more.
    await expect(
      openChangeRequest(
        q,
        who("author"),
        {
          target: "existing",
          docId: "QM-001",
          reason: "Bring the manual up to date.",
          revision: "minor",
          retrainingRequired: false,
          proposedEffectiveDate: "2027-03-01",
          reviewerIds: [who("reviewer").userId],
        },
        AT,
      ),
    ).rejects.toThrow(/retired/);
  });

  it("makes `quire effective` say no version was in force from the retirement date", () => {
    const env = { QUIRE_DATA_DIR: dataDir };
    const before = runQuire(["effective", "--doc", "QM-001", "--on", "2027-02-28"], env);
    expect(before.stdout).toContain("version 1.0, effective 2025-02-03 to 2027-03-01 (retired then)");
    const after = runQuire(["effective", "--doc", "QM-001", "--on", "2027-06-01", "--json"], env);
    expect(after.status).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual({ doc: "QM-001", on: "2027-06-01", version: null, commit: null, effectiveFrom: null, effectiveTo: null });
    expect(runQuire(["effective", "--doc", "QM-001", "--on", "2027-06-01"], env).stdout).toBe(
      "QM-001 on 2027-06-01: no version was effective (the document was retired from 2027-03-01; the last version in force was 1.0).\n",
    );
  });
});
