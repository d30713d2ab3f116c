import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { approveChange } from "~/modules/change-control/change-control.server";
import { assignmentsOf } from "~/modules/training/assignments.server";
import { ExemptionRefused, decideExemption, exemptionsOf, requestExemption } from "~/modules/training/exemptions.server";
import { getUserByUsername } from "~/modules/users/users.server";

import { trainingCountsBothWays } from "../helpers/db";
import { changeInReview, createTestUser, openCopy } from "../helpers/factories";

// Exemptions on a real SQLite file (the fixture demo), through the module calls the pages make.

const TODAY = "2026-11-30";
let q: Quire;

beforeAll(async () => {
  q = await openCopy("fixture-demo", `${TODAY}T09:00:00Z`);
});
afterAll(async () => {
  await q?.db.close();
});

async function actor(username: string) {
  const u = (await getUserByUsername(q.db, username))!;
  return { userId: u.id, username: u.username, clientAddress: null };
}

describe("absence exemptions (SOP-TR-001 step 8)", () => {
  it("moves open training falling due in the absence to 10 working days after return, once a quality manager approves", async () => {
    await createTestUser(q, "leo", { jobFunctions: ["cra"] }); // induction due 2026-12-28
    const leo = (await getUserByUsername(q.db, "leo"))!;
    const trainer = await actor("trainer");
    const at = new Date(`${TODAY}T10:00:00Z`);
    const id = await q.db.transaction((tx) =>
      requestExemption(tx, { person: leo, absentFrom: "2026-12-07", returnsOn: "2027-01-18", reason: "Parental leave" }, trainer, at),
    );
    // Recorded, not yet in effect.
    expect((await assignmentsOf(q.db, leo.id)).map((a) => a.dueOn)).toEqual(["2026-12-28", "2026-12-28"]);
    // The coordinator who recorded it cannot approve it; the person cannot approve their own.
    await expect(q.db.transaction((tx) => decideExemption(tx, id, "approved", "", trainer, at))).rejects.toThrow(/segregation of duties/);
    await expect(
      q.db.transaction((tx) => decideExemption(tx, id, "rejected", "no", { userId: leo.id, username: "leo", clientAddress: null }, at)),
    ).rejects.toThrow(/for yourself/);
    const qa = await actor("qa");
    const approved = await q.db.transaction((tx) => decideExemption(tx, id, "approved", "", qa, at));
    expect(approved.newDueOn).toBe("2027-02-01");
    expect(approved.moved.map((m) => [m.docId, m.from, m.to]).sort()).toEqual([
      ["QM-001", "2026-12-28", "2027-02-01"],
      ["SOP-TS-001", "2026-12-28", "2027-02-01"],
    ]);
    expect((await assignmentsOf(q.db, leo.id)).map((a) => a.dueOn)).toEqual(["2027-02-01", "2027-02-01"]);
    await expect(q.db.transaction((tx) => decideExemption(tx, id, "rejected", "too late", qa, at))).rejects.toThrow(/already approved/);
    const audit = await q.db.all<{ action: string; object_id: string }>(
      "SELECT action, object_id FROM audit_events WHERE action LIKE 'training.exemption.%' ORDER BY seq",
    );
    expect(audit).toEqual([
      { action: "training.exemption.request", object_id: "leo" },
      { action: "training.exemption.approve", object_id: "leo" },
    ]);
  });

  it("gives training assigned during an approved absence the same due date after return", async () => {
    const leo = (await getUserByUsername(q.db, "leo"))!;
    const { crId, who } = await changeInReview(q, { at: new Date(`${TODAY}T11:00:00Z`), revision: "major", retrainingRequired: true });
    await approveChange(q, who("qa"), crId, "2026-12-14", new Date(`${TODAY}T11:10:00Z`));
    const v3 = (await assignmentsOf(q.db, leo.id)).find((a) => a.docId === "SOP-TS-001" && a.version === "3.0")!;
    expect(v3.dueOn).toBe("2027-02-01");
    // Others keep the effective date.
    const cra1 = (await getUserByUsername(q.db, "cra1"))!;
    expect((await assignmentsOf(q.db, cra1.id)).find((a) => a.version === "3.0")!.dueOn).toBe("2026-12-14");
  });

  it("refuses overlapping absences, a return before the start, a missing reason, and a rejection without a note", async () => {
    const leo = (await getUserByUsername(q.db, "leo"))!;
    const trainer = await actor("trainer");
    const at = new Date(`${TODAY}T12:00:00Z`);
    const req = (absentFrom: string, returnsOn: string, reason = "Sick leave") =>
      q.db.transaction((tx) => requestExemption(tx, { person: leo, absentFrom, returnsOn, reason }, trainer, at));
    await expect(req("2027-01-04", "2027-01-25")).rejects.toThrow(/overlaps exemption/);
    await expect(req("2027-03-10", "2027-03-01")).rejects.toBeInstanceOf(ExemptionRefused);
    await expect(req("2027-03-01", "2027-03-10", "")).rejects.toThrow(/Say why/);
    const id = await req("2027-03-01", "2027-03-10");
    const qa = await actor("qa");
    await expect(q.db.transaction((tx) => decideExemption(tx, id, "rejected", "", qa, at))).rejects.toThrow(/Say why the exemption is rejected/);
    await q.db.transaction((tx) => decideExemption(tx, id, "rejected", "Covered by the project's own cover plan", qa, at));
    expect((await exemptionsOf(q.db, leo.id)).map((e) => e.status)).toEqual(["rejected", "approved"]);
  });

  it("keeps each person's standing and the matrix counts equal to what the assignments say", async () => {
    const both = await trainingCountsBothWays(q.db);
    expect(both.keptStandings).toEqual(both.standings);
    expect(both.kept).toEqual(both.recomputed);
    expect(both.kept.length).toBeGreaterThan(0);
  });
});
