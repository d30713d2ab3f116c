import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { verifySigner } from "~/modules/signatures/signatures.server";
import { courseStanding } from "~/modules/training/courses";
import { coursesOfPerson, curriculumChanges, curriculumCourses, decideCurriculumChange, proposeCurriculumChange } from "~/modules/training/courses.server";
import { trainingPeople } from "~/modules/training/reports.server";
import { recordSession, TrainingRecordRefused } from "~/modules/training/sessions.server";
import { getUserByUsername } from "~/modules/users/users.server";

import { createTestUser, openCopy, TEST_PASSWORD } from "../helpers/factories";

// Curriculum courses (SOP-TR-001 step 1) on a real SQLite file: the fixture demo, where the training
// coordinator has put GCP training into the clinical curricula, the quality manager signed each
// change, and cra1, cra2, dm1 and cra3 attended the GCP session.

const TODAY = "2026-11-30";
const at = new Date(`${TODAY}T10:00:00Z`);
let q: Quire;

beforeAll(async () => {
  q = await openCopy("fixture-demo", `${TODAY}T09:00:00Z`);
});
afterAll(async () => {
  await q?.db.close();
});

const signer = (username: string) => verifySigner(q, { username, clientAddress: null }, "quire-demo-2026");
async function actor(username: string) {
  return { userId: (await getUserByUsername(q.db, username))!.id, username, clientAddress: null };
}
const courseIdOf = async (title: string) => (await q.db.get<{ id: number }>("SELECT id FROM training_courses WHERE title = ?", [title]))!.id;

describe("courseStanding", () => {
  it("is current up to the refresh date, expired after it, missing when never completed, and never expires without an interval", () => {
    expect(courseStanding(null, 36, "2026-11-30")).toEqual({ standing: "missing", refreshDue: null });
    expect(courseStanding("2023-11-30", 36, "2026-11-30")).toEqual({ standing: "current", refreshDue: "2026-11-30" });
    expect(courseStanding("2023-11-29", 36, "2026-11-30")).toEqual({ standing: "expired", refreshDue: "2026-11-29" });
    expect(courseStanding("2024-02-29", 12, "2025-02-28")).toEqual({ standing: "current", refreshDue: "2025-02-28" });
    expect(courseStanding("2010-01-01", null, "2026-11-30")).toEqual({ standing: "current", refreshDue: null });
  });
});

describe("curriculum changes", () => {
  it("adds a course once a quality manager signs it, and removes it the same way", async () => {
    const trainer = await actor("trainer");
    const { changeId, courseId } = await proposeCurriculumChange(
      q.db,
      trainer,
      {
        jobFunction: "quality-manager",
        action: "add",
        reason: "Writers use the eCTD publishing tool.",
        course: { title: "eCTD publishing", refreshMonths: null },
      },
      at,
    );
    // Proposed is not yet in the curriculum.
    expect((await curriculumCourses(q.db)).get("quality-manager")).toBeUndefined();
    await decideCurriculumChange(q.db, await signer("qa"), changeId, { approve: true }, at);
    expect((await curriculumCourses(q.db)).get("quality-manager")?.map((c) => c.title)).toEqual(["eCTD publishing"]);
    const signature = await q.db.get<{ meaning: string; content_hash: string }>(
      "SELECT s.meaning, s.content_hash FROM signatures s JOIN curriculum_changes c ON c.signature_id = s.id WHERE c.id = ?",
      [changeId],
    );
    const change = await q.db.get<{ content_hash: string }>("SELECT content_hash FROM curriculum_changes WHERE id = ?", [changeId]);
    expect(signature).toEqual({ meaning: "Curriculum approved", content_hash: change!.content_hash });

    const removal = await proposeCurriculumChange(
      q.db,
      trainer,
      { jobFunction: "quality-manager", action: "remove", reason: "Publishing moved to the regulatory team.", course: { id: courseId } },
      at,
    );
    await decideCurriculumChange(q.db, await signer("qa"), removal.changeId, { approve: true }, at);
    expect((await curriculumCourses(q.db)).get("quality-manager")).toBeUndefined();
    // The history keeps both, newest first.
    expect((await curriculumChanges(q.db)).slice(0, 2).map((c) => [c.action, c.status])).toEqual([
      ["remove", "approved"],
      ["add", "approved"],
    ]);
  });

  it("refuses what makes no sense, with a message naming it", async () => {
    const trainer = await actor("trainer");
    const gcp = { id: await courseIdOf("ICH E6(R3) Good Clinical Practice") };
    const propose = (p: Partial<Parameters<typeof proposeCurriculumChange>[2]>) =>
      proposeCurriculumChange(q.db, trainer, { jobFunction: "cra", action: "add", reason: "A reason that is long enough.", course: gcp, ...p }, at);
    await expect(propose({ reason: "short" })).rejects.toThrow(/at least 10 characters/);
    await expect(propose({ jobFunction: "astronaut" })).rejects.toThrow('There is no job function "astronaut".');
    await expect(propose({})).rejects.toThrow("ICH E6(R3) Good Clinical Practice is already in the cra curriculum.");
    await expect(propose({ action: "remove", jobFunction: "quality-manager" })).rejects.toThrow("is not in the quality-manager curriculum");
    await expect(propose({ course: { title: "ICH E6(R3) Good Clinical Practice", refreshMonths: 36 } })).rejects.toThrow("exists already");
    await expect(propose({ course: { title: "Refresher", refreshMonths: 0 } })).rejects.toThrow(TrainingRecordRefused);
    // Nothing was written by the refusals.
    expect(await q.db.get("SELECT 1 FROM training_courses WHERE title = 'Refresher'")).toBeUndefined();
  });

  it("is decided once, by a quality manager who did not propose it; a rejection needs a note", async () => {
    await createTestUser(q, "qm2", { roles: ["quality-manager"], jobFunctions: ["quality-manager"] });
    const qm2 = await verifySigner(q, { username: "qm2", clientAddress: null }, TEST_PASSWORD);
    const { changeId } = await proposeCurriculumChange(
      q.db,
      await actor("qm2"),
      { jobFunction: "quality-manager", action: "add", reason: "SAS programming standards apply.", course: { title: "SAS standards", refreshMonths: 24 } },
      at,
    );
    await expect(decideCurriculumChange(q.db, qm2, changeId, { approve: true }, at)).rejects.toThrow(/segregation of duties/);
    await expect(decideCurriculumChange(q.db, await signer("qa"), changeId, { approve: false, note: "no" }, at)).rejects.toThrow(/at least 10/);
    await decideCurriculumChange(q.db, await signer("qa"), changeId, { approve: false, note: "Covered by the SAP training already." }, at);
    await expect(decideCurriculumChange(q.db, await signer("qa"), changeId, { approve: true }, at)).rejects.toThrow("is already rejected");
    await expect(q.db.transaction((tx) => tx.run("UPDATE curriculum_changes SET status = 'approved' WHERE id = ?", [changeId]))).rejects.toThrow(
      /never updated/,
    );
    expect((await curriculumCourses(q.db)).get("quality-manager")).toBeUndefined();
  });
});

describe("courses in qualification", () => {
  it("a person is qualified only with every course of the curriculum current: a session delivering the course completes it", async () => {
    const cra3 = (await getUserByUsername(q.db, "cra3"))!;
    const standing = async () => (await trainingPeople(q, TODAY, {}, { page: 1, pageSize: 1000 })).people.find((p) => p.username === "cra3")!;
    const before = await standing();
    const gcp = (await coursesOfPerson(q.db, cra3.id, ["cra"], TODAY)).find((c) => c.title.startsWith("ICH E6"))!;
    expect(gcp.standing).toBe("current");
    expect(before.qualifiedFor).toContain("cra");
    // Add a course to the CRA curriculum: cra3 is no longer qualified until a session delivers it.
    const { changeId, courseId } = await proposeCurriculumChange(
      q.db,
      await actor("trainer"),
      { jobFunction: "cra", action: "add", reason: "CRAs review coded adverse events at visits.", course: { title: "MedDRA coding", refreshMonths: 12 } },
      at,
    );
    await decideCurriculumChange(q.db, await signer("qa"), changeId, { approve: true }, at);
    expect((await standing()).qualifiedFor).not.toContain("cra");
    await recordSession(
      q.db,
      await signer("trainer"),
      {
        title: "MedDRA coding basics",
        kind: "virtual",
        heldOn: TODAY,
        durationMinutes: 60,
        content: "Coding adverse events with MedDRA, version upgrades and queries.",
        documents: [],
        attendees: [{ userId: cra3.id, completed: true }],
        courseId,
      },
      TODAY,
      at,
    );
    expect((await standing()).qualifiedFor).toEqual(before.qualifiedFor);
    expect((await coursesOfPerson(q.db, cra3.id, ["cra"], TODAY)).find((c) => c.id === courseId)).toMatchObject({
      standing: "current",
      completedOn: TODAY,
      refreshDue: "2027-11-30",
    });
  });
});
