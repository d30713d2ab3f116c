import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { approveChange } from "~/modules/change-control/change-control.server";
import { versionsOf } from "~/modules/documents/versions.server";
import { verifyRecord } from "~/modules/integrity/verify.server";
import { SignaturePasswordRefused, acknowledgementsOf, signaturesOfVersion, verifySigner } from "~/modules/signatures/signatures.server";
import { TrainingRefused, acknowledgeAssignment } from "~/modules/training/acknowledge.server";
import { assignmentsOf, noticesOf } from "~/modules/training/assignments.server";
import { trainedOn } from "~/modules/training/point-in-time.server";
import type { Assignment } from "~/modules/training/training";
import { getUserByUsername, setUserActive, updateUser } from "~/modules/users/users.server";

import { trainingCountsBothWays } from "../helpers/db";
import { adminOf, changeInReview, createTestUser, openCopy, TEST_PASSWORD } from "../helpers/factories";

// Assignment rules on a real SQLite file and a real content repository (the fixture demo: SOP-TS-001
// for CRAs, QM-001 for CRAs and quality managers), through the same calls the app makes.

const TODAY = "2026-11-30";
let q: Quire;

beforeAll(async () => {
  q = await openCopy("fixture-demo", `${TODAY}T09:00:00Z`);
});
afterAll(async () => {
  await q?.db.close();
});

async function userId(username: string): Promise<string> {
  return (await getUserByUsername(q.db, username))!.id;
}

async function assignments(username: string, docId = "SOP-TS-001"): Promise<Assignment[]> {
  return (await assignmentsOf(q.db, await userId(username))).filter((a) => a.docId === docId).sort((a, b) => a.id - b.id);
}

async function auditActions(since: number): Promise<{ action: string; object_id: string; new_values: string | null; reason: string | null }[]> {
  return q.db.all("SELECT action, object_id, new_values, reason FROM audit_events WHERE seq > ? ORDER BY seq", [since]);
}

async function lastSeq(): Promise<number> {
  return (await q.db.get<{ seq: number }>("SELECT max(seq) AS seq FROM audit_events"))!.seq;
}

describe("the demo's training, played through the same path", () => {
  it("has each CRA trained on every SOP-TS-001 version by a read-and-understood signature bound to its content", async () => {
    const versions = await versionsOf(q.db, "SOP-TS-001");
    for (const cra of ["cra1", "cra2"]) {
      const acks = await acknowledgementsOf(q.db, await userId(cra), "SOP-TS-001");
      expect(acks.map((a) => a.version)).toEqual(["1.0", "2.0"]);
      for (const a of acks) expect(a.contentHash).toBe(versions.find((v) => v.version === a.version)!.contentHash);
      expect((await assignments(cra)).map((a) => [a.version, a.status])).toEqual([
        ["1.0", "completed"],
        ["2.0", "completed"],
      ]);
    }
  });

  it("keeps acknowledgements out of a version's document-control signatures", async () => {
    const shown = await signaturesOfVersion(q.db, "SOP-TS-001", "2.0");
    expect(shown.map((s) => s.meaning).sort()).toEqual(["Approved", "Authored", "Reviewed"]);
  });
});

describe("assignments follow people and approvals", () => {
  it("assigns a new person's curriculum, due 20 working days after they start", async () => {
    const seq = await lastSeq();
    await createTestUser(q, "nia", { jobFunctions: ["cra"] });
    const nia = (await assignmentsOf(q.db, await userId("nia"))).map((a) => [a.docId, a.version, a.cause, a.dueOn, a.status]).sort();
    expect(nia).toEqual([
      ["QM-001", "1.0", "induction", "2026-12-28", "open"],
      ["SOP-TS-001", "2.0", "induction", "2026-12-28", "open"],
    ]);
    // The read-only form is not assigned. The assignment and the account are audited together.
    const actions = await auditActions(seq);
    expect(actions.map((a) => a.action)).toEqual(["user.create", "training.assign", "training.assign"]);
  });

  it("on approving a major revision assigns the audience, due on the effective date, superseding open training", async () => {
    const { crId, who } = await changeInReview(q, { at: new Date(`${TODAY}T10:00:00Z`), revision: "major", retrainingRequired: true });
    const seq = await lastSeq();
    await approveChange(q, who("qa"), crId, "2026-12-14", new Date(`${TODAY}T10:10:00Z`));
    for (const cra of ["cra1", "cra2", "cra3", "nia"]) {
      const v3 = (await assignments(cra)).find((a) => a.version === "3.0")!;
      expect(v3).toMatchObject({ status: "open", cause: "approval", causeRef: crId, dueOn: "2026-12-14" });
    }
    const [v2] = await assignments("nia");
    expect(v2).toMatchObject({ version: "2.0", status: "superseded" });
    const assign = (await auditActions(seq)).find((a) => a.action === "training.assign")!;
    expect(assign.object_id).toBe("SOP-TS-001 v3.0");
    expect(JSON.parse(assign.new_values!)).toMatchObject({ cause: "approval", dueOn: "2026-12-14", assigned: ["cra1", "cra2", "cra3", "nia"], superseded: 1 });
  });

  it("on a minor revision without retraining notifies, and moves open training to the new version keeping its due date", async () => {
    const { crId, who } = await changeInReview(q, {
      at: new Date(`${TODAY}T11:00:00Z`),
      revision: "minor",
      retrainingRequired: false,
      edit: (s) => s.replace("within 5 working days", "within five working days"),
    });
    await approveChange(q, who("qa"), crId, "2026-12-14", new Date(`${TODAY}T11:10:00Z`));
    const nia = await assignments("nia");
    expect(nia.map((a) => [a.version, a.status, a.cause, a.dueOn])).toEqual([
      ["2.0", "superseded", "induction", "2026-12-28"],
      ["3.0", "superseded", "approval", "2026-12-14"],
      ["3.1", "open", "replaces", "2026-12-14"],
    ]);
    // Nobody was trained on 3.0 yet, so everyone's training moved; nobody is left to notify.
    expect(await noticesOf(q.db, await userId("cra1"))).toEqual([]);
  });

  it("lets the trainee sign read and understood once, with their password, and refuses everything else", async () => {
    const [, v30, v31] = await assignments("nia");
    const wrong = verifySigner(q, { username: "nia", clientAddress: "127.0.0.1" }, "not the password");
    await expect(wrong).rejects.toBeInstanceOf(SignaturePasswordRefused);
    const signer = await verifySigner(q, { username: "nia", clientAddress: "127.0.0.1" }, TEST_PASSWORD);
    const at = new Date(`${TODAY}T12:00:00Z`);
    await expect(acknowledgeAssignment(q, signer, v30!.id, at)).rejects.toThrow(/SOP-TS-001 v3.0 was superseded by v3.1/);
    const craOne = (await assignments("cra1")).find((a) => a.status === "open")!;
    await expect(acknowledgeAssignment(q, signer, craOne.id, at)).rejects.toThrow(/is not yours/);
    await expect(acknowledgeAssignment(q, signer, v31!.id, at, "0".repeat(64))).rejects.toThrow(/not SOP-TS-001 v3.1 as approved/);
    await expect(acknowledgeAssignment(q, signer, 999_999, at)).rejects.toBeInstanceOf(TrainingRefused);

    const seq = await lastSeq();
    const v = (await versionsOf(q.db, "SOP-TS-001")).find((x) => x.version === "3.1")!;
    const signatureId = await acknowledgeAssignment(q, signer, v31!.id, at, v.contentHash);
    expect((await assignments("nia")).at(-1)).toMatchObject({ status: "completed", signatureId, closedAt: at.toISOString() });
    const sig = await q.db.get<{ meaning: string; content_hash: string; commit_sha: string; printed_name: string; statement: string }>(
      "SELECT meaning, content_hash, commit_sha, printed_name, statement FROM signatures WHERE id = ?",
      [signatureId],
    );
    expect(sig).toMatchObject({ meaning: "Read and understood", content_hash: v.contentHash, commit_sha: v.commit, printed_name: "Person nia" });
    expect(sig!.statement).toMatch(/read and understood/);
    expect((await auditActions(seq)).map((a) => a.action)).toEqual(["signature.sign", "training.complete"]);
    await expect(acknowledgeAssignment(q, signer, v31!.id, at)).rejects.toThrow(/already signed SOP-TS-001 v3.1/);
    // The record check still holds with training signatures in it.
    expect((await verifyRecord(q.db, q.repo)).problems).toEqual([]);
  });

  it("answers the point-in-time question from the record", async () => {
    const nia = await userId("nia");
    // nia's open training moved to v3.1 (a minor revision), so v3.1 is what she had to sign.
    expect(await trainedOn(q.db, nia, "SOP-TS-001", "2026-12-14")).toMatchObject({ version: "3.1", trainedOn: "3.1", trained: true });
    expect(await trainedOn(q.db, nia, "SOP-TS-001", "2026-12-01")).toMatchObject({ version: "2.0", trained: false, acknowledgedAt: null });
    expect(await trainedOn(q.db, await userId("cra1"), "SOP-TS-001", "2026-12-01")).toMatchObject({ version: "2.0", trained: true });
  });

  it("cancels open training on a document whose audience a person leaves, and all of it when they are deactivated", async () => {
    const admin = await adminOf(q);
    const cra2 = (await getUserByUsername(q.db, "cra2"))!;
    await updateUser(
      q,
      cra2.id,
      { displayName: cra2.displayName, email: cra2.email, roles: cra2.roles, jobFunctions: ["quality-manager"] },
      admin,
      "Moved to QA",
    );
    expect((await assignments("cra2")).at(-1)).toMatchObject({ version: "3.1", status: "cancelled" });
    // QM-001 is in the quality manager's curriculum too: that training stays.
    expect((await assignments("cra2", "QM-001")).map((a) => a.status)).toEqual(["completed"]);

    await setUserActive(q, await userId("cra3"), false, admin, "Left the company");
    expect((await assignmentsOf(q.db, await userId("cra3"))).filter((a) => a.status === "open")).toEqual([]);
    const cancel = await q.db.get<{ reason: string; object_id: string }>(
      "SELECT reason, object_id FROM audit_events WHERE action = 'training.cancel' ORDER BY seq DESC LIMIT 1",
    );
    expect(cancel).toEqual({ reason: "The account was deactivated.", object_id: "cra3" });
  });

  it("records the approver's training decision per job function, which can retrain on a minor revision", async () => {
    // A major revision retrains everyone: another choice is refused, nothing approved.
    const major = await changeInReview(q, {
      at: new Date(`${TODAY}T11:20:00Z`),
      revision: "major",
      retrainingRequired: true,
      edit: (s) => s.replace("five working days", "4 working days"),
    });
    await expect(approveChange(q, major.who("qa"), major.crId, "2026-12-14", new Date(`${TODAY}T11:25:00Z`), undefined, { cra: "notify" })).rejects.toThrow(
      /A major revision retrains everyone in the audience \(SOP-TR-001\); cra cannot be set to notify/,
    );
    await expect(
      approveChange(q, major.who("qa"), major.crId, "2026-12-14", new Date(`${TODAY}T11:25:00Z`), undefined, { biostatistician: "retrain" }),
    ).rejects.toThrow(/not in the document's audience/);
    const { withdrawChange } = await import("~/modules/change-control/change-control.server");
    await withdrawChange(q, major.who("author"), major.crId, "Replaced by a minor change", new Date(`${TODAY}T11:26:00Z`));
    const minor = await changeInReview(q, {
      at: new Date(`${TODAY}T11:30:00Z`),
      revision: "minor",
      retrainingRequired: false,
      edit: (s) => s.replace("five working days", "4 working days"),
    });
    await approveChange(q, minor.who("qa"), minor.crId, "2026-12-14", new Date(`${TODAY}T11:40:00Z`), undefined, { cra: "retrain" });
    expect(await q.db.all("SELECT job_function, proposed, decided FROM version_training_decisions WHERE doc_id = 'SOP-TS-001' AND version = '3.2'")).toEqual([
      { job_function: "cra", proposed: "notify", decided: "retrain" },
    ]);
    const cra1 = (await assignments("cra1")).find((a) => a.version === "3.2")!;
    expect(cra1).toMatchObject({ cause: "approval", causeRef: minor.crId, status: "open" });
  });

  it("keeps each person's standing and the matrix counts equal to what the assignments say", async () => {
    const both = await trainingCountsBothWays(q.db);
    expect(both.keptStandings).toEqual(both.standings);
    expect(both.kept).toEqual(both.recomputed);
    expect(both.kept.length).toBeGreaterThan(0);
  });
});
