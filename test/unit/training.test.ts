import { describe, expect, it } from "vitest";

import type { DocumentVersion } from "~/modules/documents/documents";
import { daysOverdue, inductionDueOn, trainedAsOf, trainingBaseline, trainingNeed, trainingState } from "~/modules/training/training";
import { addWorkingDays, daysBetween, isWorkingDay, workingDaysBetween } from "~/modules/training/working-days";

import { SAMPLE_FRONTMATTER, sampleVersion } from "../helpers/versions";

function version(
  v: string,
  effectiveFrom: string,
  retrainingRequired: boolean | null = null,
  training: "required" | "read-only" = "required",
): DocumentVersion {
  return { ...sampleVersion(v, effectiveFrom), retrainingRequired, frontmatter: { ...SAMPLE_FRONTMATTER, training } };
}

describe("working days (Monday to Friday)", () => {
  it("counts forward from the next working day, skipping weekends", () => {
    expect(addWorkingDays("2026-11-27", 1)).toBe("2026-11-30"); // Friday + 1 = Monday
    expect(addWorkingDays("2026-11-28", 1)).toBe("2026-11-30"); // Saturday + 1 = Monday
    expect(addWorkingDays("2026-11-30", 5)).toBe("2026-12-07");
    expect(addWorkingDays("2026-11-30", 20)).toBe("2026-12-28");
    expect(addWorkingDays("2026-11-30", 0)).toBe("2026-11-30");
  });

  it("counts backwards for a negative number", () => {
    expect(addWorkingDays("2026-11-30", -1)).toBe("2026-11-27");
    expect(addWorkingDays("2026-12-07", -5)).toBe("2026-11-30");
  });

  it("measures the working days between two dates, either way round", () => {
    expect(workingDaysBetween("2026-11-27", "2026-11-30")).toBe(1);
    expect(workingDaysBetween("2026-11-30", "2026-12-28")).toBe(20);
    expect(workingDaysBetween("2026-12-28", "2026-11-30")).toBe(-20);
    expect(workingDaysBetween("2026-11-30", "2026-11-30")).toBe(0);
    expect(daysBetween("2026-11-23", "2026-11-30")).toBe(7);
    expect(isWorkingDay("2026-11-29")).toBe(false);
    expect(isWorkingDay("2026-11-30")).toBe(true);
  });

  it("puts induction 20 working days after the start (SOP-TR-001 step 2)", () => {
    expect(inductionDueOn("2026-11-30")).toBe("2026-12-28");
    expect(inductionDueOn("2026-11-30", 10)).toBe("2026-12-14");
  });
});

describe("what an approval asks of the audience", () => {
  it("retrains on a first issue and every major revision, whatever the change request said", () => {
    expect(trainingNeed(version("1.0", "2026-01-01"))).toBe("retrain");
    expect(trainingNeed(version("2.0", "2026-01-01", false))).toBe("retrain");
  });

  it("follows the recorded decision on a minor revision, retraining when none was recorded", () => {
    expect(trainingNeed(version("1.1", "2026-01-01", true))).toBe("retrain");
    expect(trainingNeed(version("1.1", "2026-01-01", false))).toBe("notify");
    expect(trainingNeed(version("1.1", "2026-01-01", null))).toBe("retrain");
  });

  it("asks nothing for a read-only document", () => {
    expect(trainingNeed(version("2.0", "2026-01-01", true, "read-only"))).toBe("none");
  });
});

describe("assignment state on a day", () => {
  it("is due up to and on the due date, overdue after it, and counts calendar days overdue", () => {
    const open = { status: "open" as const, dueOn: "2026-11-23" };
    expect(trainingState(open, "2026-11-23")).toBe("due");
    expect(trainingState(open, "2026-11-24")).toBe("overdue");
    expect(daysOverdue(open, "2026-11-23")).toBe(0);
    expect(daysOverdue(open, "2026-12-03")).toBe(10);
    expect(trainingState({ status: "completed", dueOn: "2026-11-23" }, "2026-12-03")).toBe("completed");
    expect(daysOverdue({ status: "completed", dueOn: "2026-11-23" }, "2026-12-03")).toBe(0);
  });
});

describe("trained on the version in force on a day (inspection question 9)", () => {
  const history = [version("1.0", "2025-02-03"), version("1.1", "2025-09-01", false), version("2.0", "2026-04-06")];
  const ack = (v: string, signedAt: string, signatureId = 1) => ({ version: v, signedAt, signatureId });

  it("takes a minor revision without retraining back to the version that needed it", () => {
    expect(trainingBaseline(history, history[1]!).version).toBe("1.0");
    expect(trainingBaseline(history, history[2]!).version).toBe("2.0");
    expect(trainingBaseline(history, history[0]!).version).toBe("1.0");
  });

  it("answers yes only for an acknowledgement of the version in force, signed by the end of the day", () => {
    const acks = [ack("1.0", "2025-02-10T14:00:00.000Z", 7), ack("2.0", "2026-04-06T16:00:00.000Z", 9)];
    expect(trainedAsOf(history, null, acks, "2025-02-09")).toMatchObject({ version: "1.0", trained: false, acknowledgedAt: null });
    expect(trainedAsOf(history, null, acks, "2025-02-10")).toMatchObject({
      version: "1.0",
      trained: true,
      acknowledgedAt: "2025-02-10T14:00:00.000Z",
      signatureId: 7,
    });
    // v1.1 needed no retraining: the v1.0 acknowledgement covers it.
    expect(trainedAsOf(history, null, acks, "2025-12-01")).toMatchObject({ version: "1.1", trainedOn: "1.0", trained: true });
    // The day v2.0 took effect: signed at 16:00 that day, so trained by the end of it.
    expect(trainedAsOf(history, null, acks, "2026-04-06")).toMatchObject({ version: "2.0", trained: true, signatureId: 9 });
  });

  it("does not count training on an older version, nor one signed the day after", () => {
    expect(trainedAsOf(history, null, [ack("1.0", "2025-02-10T14:00:00.000Z")], "2026-05-01")).toMatchObject({ version: "2.0", trained: false });
    expect(trainedAsOf(history, null, [ack("2.0", "2026-04-07T00:00:00.000Z")], "2026-04-06")).toMatchObject({ version: "2.0", trained: false });
  });

  it("holds a person told to retrain on a minor revision to that revision", () => {
    const acks = [ack("1.0", "2025-02-10T14:00:00.000Z")];
    expect(trainedAsOf(history, null, acks, "2025-12-01", ["1.0", "1.1"])).toMatchObject({ version: "1.1", trainedOn: "1.1", trained: false });
    expect(trainedAsOf(history, null, [...acks, ack("1.1", "2025-09-03T10:00:00.000Z", 5)], "2025-12-01", ["1.0", "1.1"])).toMatchObject({
      trainedOn: "1.1",
      trained: true,
      signatureId: 5,
    });
  });

  it("counts an acknowledgement of the minor revision itself", () => {
    expect(trainedAsOf(history, null, [ack("1.1", "2025-09-02T10:00:00.000Z")], "2025-10-01")).toMatchObject({ version: "1.1", trained: true });
  });

  it("has no version in force before the first effective date or after retirement", () => {
    expect(trainedAsOf(history, null, [], "2025-01-01")).toEqual({ version: null, trainedOn: null, trained: false, acknowledgedAt: null, signatureId: null });
    expect(trainedAsOf(history, "2026-06-01", [ack("2.0", "2026-04-06T16:00:00.000Z")], "2026-06-02").version).toBeNull();
  });
});
