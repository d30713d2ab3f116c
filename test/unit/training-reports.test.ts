import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import { trainingPeople } from "~/modules/training/reports.server";

import { copyDataFolder } from "../helpers/data-folder";

// trainingPeople reads only the standings of the people a status filter can return (issue 11: at
// thousands of people, reading everyone's is most of the cost). Whatever it reads, a filter must
// answer exactly what the unfiltered list says, on days when few and when many are overdue.

let q: Quire;

beforeAll(async () => {
  const { config } = await copyDataFolder("project-demo");
  q = await open(config, { recover: false });
});
afterAll(async () => {
  await q?.db.close();
});

describe("trainingPeople status filters", () => {
  for (const day of ["2026-11-25", "2026-12-20", "2027-06-01"]) {
    it(`on ${day}, returns exactly the people the unfiltered list shows as overdue, or as due or overdue`, async () => {
      const everyone = await trainingPeople(q, day);
      const overdue = await trainingPeople(q, day, { status: "overdue" });
      const due = await trainingPeople(q, day, { status: "due" });
      expect(overdue).toEqual(everyone.filter((p) => p.overdue > 0));
      expect(due).toEqual(everyone.filter((p) => p.due + p.overdue > 0));
      expect(overdue.length).toBeGreaterThan(0);
      expect(await trainingPeople(q, day, { status: "overdue", fn: "cra" })).toEqual(everyone.filter((p) => p.overdue > 0 && p.jobFunctions.includes("cra")));
    });
  }
});
