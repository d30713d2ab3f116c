import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { verifyRecord } from "~/modules/integrity/verify.server";
import { verifySigner } from "~/modules/signatures/signatures.server";
import { trainingPeople } from "~/modules/training/reports.server";
import { TrainingRecordRefused, approveCompetence, assessCompetence, listSessions, recordSession, sessionRecordText } from "~/modules/training/sessions.server";
import { getUserByUsername } from "~/modules/users/users.server";

import { createTestUser, openCopy, TEST_PASSWORD } from "../helpers/factories";

// Sessions and practical competence on a real SQLite file (the fixture demo: cra1 and cra2 are
// qualified CRAs; qa is every demo person's line manager), signed through the signature service.

const TODAY = "2026-11-30";
let q: Quire;
const at = new Date(`${TODAY}T10:00:00Z`);

beforeAll(async () => {
  q = await openCopy("fixture-demo", `${TODAY}T09:00:00Z`);
});
afterAll(async () => {
  await q?.db.close();
});

const signer = (username: string, password = "quire-demo-2026") => verifySigner(q, { username, clientAddress: null }, password);
const id = async (username: string) => (await getUserByUsername(q.db, username))!.id;

describe("training sessions (FRM-TR-001)", () => {
  it("records the trainer's signed session with its attendance, bound to the record's hash", async () => {
    const session = {
      title: "Visit report writing workshop",
      kind: "classroom" as const,
      heldOn: "2026-11-27",
      durationMinutes: 120,
      content: "Writing visit reports within 5 working days, follow-up letters and action items.",
      documents: [{ docId: "SOP-TS-001", version: "2.0" }],
      attendees: [
        { userId: await id("cra1"), completed: true },
        { userId: await id("cra2"), completed: false },
      ],
    };
    const sessionId = await recordSession(q.db, await signer("trainer"), session, TODAY, at);
    const [shown] = (await listSessions(q.db, await id("cra2"))).filter((s) => s.id === sessionId);
    expect(shown).toMatchObject({
      title: session.title,
      trainer: "trainer",
      attendees: [
        { username: "cra1", completed: true },
        { username: "cra2", completed: false },
      ],
    });
    const sig = await q.db.get<{ meaning: string; doc_id: string; content_hash: string }>("SELECT meaning, doc_id, content_hash FROM signatures WHERE id = ?", [
      shown!.signatureId,
    ]);
    const { sha256 } = await import("~/modules/content/hash");
    expect(sig).toEqual({ meaning: "Training delivered", doc_id: "FRM-TR-001", content_hash: sha256(sessionRecordText({ ...session, trainer: "trainer" })) });
    expect((await verifyRecord(q.db, q.repo)).problems).toEqual([]);
  });

  it("refuses a future date, no attendees, the trainer as attendee, and an unknown version, writing nothing", async () => {
    const base = {
      title: "Bad session",
      kind: "virtual" as const,
      heldOn: TODAY,
      durationMinutes: 30,
      content: "Something that was covered",
      documents: [],
      attendees: [{ userId: await id("cra1"), completed: true }],
    };
    const before = (await listSessions(q.db)).length;
    const trainer = await signer("trainer");
    await expect(recordSession(q.db, trainer, { ...base, heldOn: "2026-12-01" }, TODAY, at)).rejects.toThrow(/in the future/);
    await expect(recordSession(q.db, trainer, { ...base, attendees: [] }, TODAY, at)).rejects.toThrow(/at least one attendee/);
    await expect(recordSession(q.db, trainer, { ...base, attendees: [{ userId: trainer.userId, completed: true }] }, TODAY, at)).rejects.toThrow(
      /not an attendee/,
    );
    await expect(recordSession(q.db, trainer, { ...base, documents: [{ docId: "SOP-TS-001", version: "9.0" }] }, TODAY, at)).rejects.toBeInstanceOf(
      TrainingRecordRefused,
    );
    expect((await listSessions(q.db)).length).toBe(before);
  });
});

describe("practical competence (SOP-TR-001 step 6)", () => {
  it("needs a qualified colleague's signature and the line manager's approval before a CRA is qualified", async () => {
    await createTestUser(q, "nova", { jobFunctions: ["cra"] });
    const nova = await id("nova");
    const qa = await id("qa");
    const { setManager } = await import("~/modules/users/users.server");
    await q.db.transaction((tx) => setManager(tx, nova, qa, { userId: null, username: "system", clientAddress: null }, at));
    const task = { traineeId: nova, jobFunction: "cra", task: "Co-monitoring visit: SDV of three subjects and the visit report.", observedOn: TODAY };
    // nova herself, and someone not qualified as a CRA, cannot sign it off.
    await expect(assessCompetence(q.db, await signer("nova", TEST_PASSWORD), task, TODAY, at)).rejects.toThrow(/Nobody assesses their own competence/);
    await expect(assessCompetence(q.db, await signer("trainer"), task, TODAY, at)).rejects.toThrow(/Only a colleague qualified as cra/);
    await expect(assessCompetence(q.db, await signer("cra1"), { ...task, jobFunction: "quality-manager" }, TODAY, at)).rejects.toThrow(
      /practical sign-off only for/,
    );
    const signoff = await assessCompetence(q.db, await signer("cra1"), task, TODAY, at);
    await expect(approveCompetence(q.db, await signer("trainer"), signoff, at)).rejects.toThrow(/Only nova's line manager/);
    await approveCompetence(q.db, await signer("qa"), signoff, at);
    await expect(approveCompetence(q.db, await signer("qa"), signoff, at)).rejects.toThrow(/already approved/);
    const meanings = await q.db.all<{ meaning: string; username: string }>(
      "SELECT meaning, username FROM signatures WHERE meaning LIKE 'Competence%' ORDER BY id DESC LIMIT 2",
    );
    expect(meanings).toEqual([
      { meaning: "Competence approved", username: "qa" },
      { meaning: "Competence assessed", username: "cra1" },
    ]);
    // Signed off, but her induction curriculum is still open: not yet qualified.
    const novaStanding = (await trainingPeople(q, TODAY)).people.find((p) => p.username === "nova")!;
    expect(novaStanding.qualifiedFor).toEqual([]);
    // cra1: curriculum complete but never signed off in the fixture: qualified for nothing that needs it.
    const cra1 = (await trainingPeople(q, TODAY)).people.find((p) => p.username === "cra1")!;
    expect(cra1.qualifiedFor).not.toContain("cra");
    const cra3 = (await trainingPeople(q, TODAY)).people.find((p) => p.username === "cra3")!;
    expect(cra3.qualifiedFor).toContain("cra"); // the demo signs off cra3, whose fixture curriculum is complete
  });
});
