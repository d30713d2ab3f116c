import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import { courseStanding } from "~/modules/training/courses";
import { courseCompletions, curriculumCourses } from "~/modules/training/courses.server";
import { curriculumVersions } from "~/modules/training/curriculum.server";
import { trainingPeople, type PeopleFilter, type PersonStanding } from "~/modules/training/reports.server";
import { approvedCompetence } from "~/modules/training/sessions.server";
import { PRACTICAL_SIGNOFF_FUNCTIONS, daysOverdue, trainingState, type AssignmentStatus } from "~/modules/training/training";

import { copyDataFolder } from "../helpers/data-folder";

// trainingPeople counts each person's standings in SQLite (issue 11: at thousands of people, turning
// every standing into an object was most of the cost). Its answer must equal a plain recomputation
// from the standings and the curriculum, and a filter must answer exactly what the unfiltered list
// says, on days when few and when many are overdue.

let q: Quire;

beforeAll(async () => {
  const { config } = await copyDataFolder("project-demo");
  q = await open(config, { recover: false });
});
afterAll(async () => {
  await q?.db.close();
});

/** Every page of the list at once. */
async function all(day: string, filter: PeopleFilter = {}): Promise<PersonStanding[]> {
  return (await trainingPeople(q, day, filter, { page: 1, pageSize: 100_000 })).people;
}

const byMostOverdue = (a: PersonStanding, b: PersonStanding) => b.maxDaysOverdue - a.maxDaysOverdue || a.username.localeCompare(b.username);

describe("trainingPeople status filters", () => {
  for (const day of ["2026-11-25", "2026-12-20", "2027-06-01"]) {
    it(`on ${day}, returns exactly the people the unfiltered list shows as overdue (most overdue first), or as due or overdue`, async () => {
      const everyone = await all(day);
      const overdue = await all(day, { status: "overdue" });
      const due = await all(day, { status: "due" });
      expect(overdue).toEqual(everyone.filter((p) => p.overdue > 0).sort(byMostOverdue));
      expect(due).toEqual(everyone.filter((p) => p.due + p.overdue > 0));
      expect(overdue.length).toBeGreaterThan(0);
      expect(await all(day, { status: "overdue", fn: "cra" })).toEqual(
        everyone.filter((p) => p.overdue > 0 && p.jobFunctions.includes("cra")).sort(byMostOverdue),
      );
    });
  }
});

describe("trainingPeople pages", () => {
  it("splits the list into pages that together are the whole list, with its total", async () => {
    const everyone = await all("2026-11-25");
    expect(everyone.length).toBeGreaterThan(4);
    const pages = [];
    for (let page = 1; page <= Math.ceil(everyone.length / 3); page++) {
      const p = await trainingPeople(q, "2026-11-25", {}, { page, pageSize: 3 });
      expect(p.total).toBe(everyone.length);
      expect(p.people.length).toBeLessThanOrEqual(3);
      pages.push(...p.people);
    }
    expect(pages).toEqual(everyone);
    expect((await trainingPeople(q, "2026-11-25", {}, { page: 999, pageSize: 3 })).people).toEqual([]);
  });
});

/** The people list recomputed one standing at a time, as SOP-TR-001 defines due, overdue and qualified. */
async function recomputed(day: string): Promise<PersonStanding[]> {
  const versions = await curriculumVersions(q.db, day);
  const users = await q.db.all<{ id: string; username: string; display_name: string; manager: string | null }>(
    "SELECT u.id, u.username, u.display_name, m.username AS manager FROM users u LEFT JOIN users m ON m.id = u.manager_id WHERE u.active = 1 ORDER BY u.username",
  );
  const fns = await q.db.all<{ user_id: string; fn: string }>("SELECT user_id, job_function_id AS fn FROM user_job_functions ORDER BY job_function_id");
  const standings = await q.db.all<{ user_id: string; doc_id: string; status: AssignmentStatus; due_on: string }>("SELECT * FROM training_standings");
  const signedOff = await approvedCompetence(q.db);
  const courses = await curriculumCourses(q.db);
  const courseDone = await courseCompletions(q.db);
  const result: PersonStanding[] = [];
  for (const u of users) {
    const jobFunctions = fns.filter((f) => f.user_id === u.id).map((f) => f.fn);
    if (jobFunctions.length === 0) continue;
    const own = standings.filter((s) => s.user_id === u.id).map((s) => ({ docId: s.doc_id, status: s.status, dueOn: s.due_on }));
    const states = own.map((s) => trainingState(s, day));
    result.push({
      userId: u.id,
      username: u.username,
      displayName: u.display_name,
      jobFunctions,
      managerUsername: u.manager,
      due: states.filter((s) => s === "due").length,
      overdue: states.filter((s) => s === "overdue").length,
      current: states.filter((s) => s === "completed").length,
      maxDaysOverdue: Math.max(0, ...own.map((s) => daysOverdue(s, day))),
      qualifiedFor: jobFunctions.filter(
        (fn) =>
          versions.filter((v) => v.frontmatter.audience.includes(fn)).every((v) => own.some((s) => s.docId === v.docId && s.status === "completed")) &&
          (courses.get(fn) ?? []).every((c) => courseStanding(courseDone.get(u.id)?.get(c.id) ?? null, c.refreshMonths, day).standing === "current") &&
          (!PRACTICAL_SIGNOFF_FUNCTIONS.includes(fn) || (signedOff.get(u.id)?.has(fn) ?? false)),
      ),
    });
  }
  return result;
}

describe("trainingPeople counts", () => {
  for (const day of ["2026-11-25", "2027-06-01"]) {
    it(`on ${day}, equals a recomputation from the standings, the curriculum and the sign-offs`, async () => {
      const expected = await recomputed(day);
      expect(await all(day)).toEqual(expected);
      expect(expected.some((p) => p.qualifiedFor.length > 0)).toBe(true);
      expect(expected.some((p) => p.maxDaysOverdue > 0)).toBe(true);
    });
  }
});
