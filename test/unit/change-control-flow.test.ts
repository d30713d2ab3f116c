import { simpleGit } from "simple-git";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import {
  ChangeRequestError,
  withdrawChange,
  approveChange,
  openChangeRequest,
  readDraft,
  reconcileApprovals,
  saveDraft,
  signReview,
  submitForReview,
  getChangeRequest,
} from "~/modules/change-control/change-control.server";
import { effectiveOn } from "~/modules/documents/documents";
import { versionsOf } from "~/modules/documents/versions.server";
import { SIGNATURE_STATEMENTS } from "~/modules/signatures/signatures";
import { signaturesOfVersion } from "~/modules/signatures/signatures.server";

import { copyDataFolder } from "../helpers/data-folder";
import { peopleOf, type People } from "../helpers/factories";

let q: Quire;
let who: People;
const AT = new Date("2026-11-25T09:00:00Z");
const later = (minutes: number) => new Date(AT.getTime() + minutes * 60_000);

beforeAll(async () => {
  const { config } = await copyDataFolder("fixture-demo");
  q = await open(config);
  who = await peopleOf(q.db);
});
afterAll(async () => {
  await q?.db.close();
});

describe("a change from request to effective version (real git and SQLite)", () => {
  it("opens, edits, submits, reviews and approves into a tagged merge commit with signature trailers", async () => {
    const crId = await openChangeRequest(
      q,
      who("author"),
      {
        target: "existing",
        docId: "SOP-TS-001",
        reason: "Clarify the visit report deadline.",
        revision: "minor",
        retrainingRequired: false,
        proposedEffectiveDate: "2026-12-01",
        reviewerIds: [who("reviewer").userId],
      },
      AT,
    );
    // Numbering continues after the fixture demo history's own change request, CR-2026-0001.
    expect(crId).toBe("CR-2026-0002");
    const cr = (await getChangeRequest(q.db, crId))!;
    const draft = await readDraft(q, cr);
    expect(draft.problems).toEqual([]);

    // Submitting an unchanged draft is refused.
    await expect(submitForReview(q, who("author"), crId, later(1))).rejects.toThrow("does not change the document");

    const edited = draft.source.replace("within 10 working days", "within 5 working days");
    const head = await saveDraft(q, who("author"), crId, edited, draft.head, later(2));
    // A save based on the old head is refused: nothing is overwritten.
    await expect(saveDraft(q, who("author"), crId, edited + "\nMore.\n", draft.head, later(3))).rejects.toThrow(/changed since you opened it/);
    expect((await readDraft(q, cr)).head).toBe(head);

    await submitForReview(q, who("author"), crId, later(4));
    await expect(signReview(q, who("author"), crId, later(5))).rejects.toThrow("The author may not review their own change.");
    await expect(approveChange(q, who("qa"), crId, "2026-12-01", later(5))).rejects.toThrow(/named reviewer/);
    await signReview(q, who("reviewer"), crId, later(6));
    await expect(approveChange(q, who("qa"), crId, "2026-11-01", later(7))).rejects.toThrow(/in the past/);

    // Two approvers at once: exactly one approval.
    const results = await Promise.allSettled([
      approveChange(q, who("qa"), crId, "2026-12-01", later(8)),
      approveChange(q, who("qa"), crId, "2026-12-01", later(8)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const { version, commit } = (results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ version: string; commit: string }>).value;
    expect(version).toBe("2.1"); // the demo fixture is at 2.0; a minor change makes 2.1

    const git = simpleGit(q.config.contentRepo);
    const message = await git.raw(["log", "-1", "--format=%B", "SOP-TS-001/v2.1"]);
    expect(message).toContain(`Quire-Change-Request: ${crId}`);
    expect(message).toMatch(/Quire-Authored-By: Ayesha Rahman <author> 2026-11-25T09:04:00Z sha256:[0-9a-f]{64}/);
    expect(message).toMatch(/Quire-Reviewed-By: Rafael Ortiz <reviewer> /);
    expect(message).toMatch(/Quire-Approved-By: Quinn Avery <qa> 2026-11-25T09:08:00Z sha256:/);
    expect((await git.raw(["rev-list", "--parents", "-n", "1", commit])).trim().split(" ")).toHaveLength(3); // a merge of the CR branch

    const versions = await versionsOf(q.db, "SOP-TS-001");
    expect(effectiveOn(versions, "2026-11-30")?.version.version).toBe("2.0");
    expect(effectiveOn(versions, "2026-12-01")?.version.version).toBe("2.1");
    const signatures = await signaturesOfVersion(q.db, "SOP-TS-001", "2.1");
    expect(signatures.map((s) => s.meaning)).toEqual(["Authored", "Reviewed", "Approved"]);
    // Each signature keeps the statement its signer saw on the signing form.
    const statements = await q.db.all<{ meaning: string; statement: string }>("SELECT meaning, statement FROM signatures WHERE cr_id = ? ORDER BY id", [crId]);
    expect(statements.at(-1)).toEqual({ meaning: "Approved", statement: SIGNATURE_STATEMENTS.Approved });
    expect((await getChangeRequest(q.db, crId))!.state).toBe("approved");
  });

  it("refuses a second open change for the same document and a reviewer who is the author", async () => {
    const input = {
      target: "existing" as const,
      docId: "QM-001",
      reason: "Update the scope statement.",
      revision: "major" as const,
      retrainingRequired: true,
      proposedEffectiveDate: "2026-12-15",
      reviewerIds: [who("reviewer").userId],
    };
    await openChangeRequest(q, who("author"), input, AT);
    await expect(openChangeRequest(q, who("author"), input, AT)).rejects.toThrow(/already has an open change request/);
    await expect(openChangeRequest(q, who("author"), { ...input, docId: "FRM-TS-001", reviewerIds: [who("author").userId] }, AT)).rejects.toThrow(
      ChangeRequestError,
    );
  });

  it("discards an approval intent whose commit never reached main, leaving the change in review", async () => {
    const crId = await openChangeRequest(
      q,
      who("author"),
      {
        target: "existing",
        docId: "FRM-TS-001",
        reason: "Add a field for the visit type.",
        revision: "minor",
        retrainingRequired: false,
        proposedEffectiveDate: "2026-12-01",
        reviewerIds: [who("reviewer").userId],
      },
      AT,
    );
    const main = (await q.repo.branchHead("main"))!;
    await q.db.transaction((tx) =>
      tx.run("INSERT INTO approval_intents (cr_id, main_before, payload, created_at) VALUES (?, ?, ?, ?)", [
        crId,
        main,
        JSON.stringify({ docId: "FRM-TS-001", version: "1.1" }),
        AT.toISOString(),
      ]),
    );
    // While an approval is being written nothing else may change the change request.
    await expect(withdrawChange(q, who("author"), crId, "No longer needed.", later(1))).rejects.toThrow(/is being approved at this moment/);
    await expect(saveDraft(q, who("author"), crId, "x", (await readDraft(q, (await getChangeRequest(q.db, crId))!)).head, later(1))).rejects.toThrow(
      /is being approved/,
    );
    expect(await reconcileApprovals(q, AT)).toEqual({ finished: [], discarded: [crId] });
    expect(await q.db.get("SELECT 1 FROM approval_intents")).toBeUndefined();
    expect((await getChangeRequest(q.db, crId))!.state).toBe("draft");
  });

  it("refuses an effective date before a version already scheduled, and a signature on content not shown", async () => {
    // SOP-TS-001 v2.1 takes effect on 2026-12-01 (first test): a later version cannot start before it.
    const crId = await openChangeRequest(
      q,
      who("author"),
      {
        target: "existing",
        docId: "SOP-TS-001",
        reason: "Name the report template.",
        revision: "minor",
        retrainingRequired: false,
        proposedEffectiveDate: "2026-12-10",
        reviewerIds: [who("reviewer").userId],
      },
      later(10),
    );
    const draft = await readDraft(q, (await getChangeRequest(q.db, crId))!);
    await saveDraft(q, who("author"), crId, draft.source.replace("## Purpose", "## Purpose\n\nUse the report template."), draft.head, later(11));
    await expect(submitForReview(q, who("author"), crId, later(12), draft.contentHash)).rejects.toThrow(/changed after this page was opened/);
    await submitForReview(q, who("author"), crId, later(12));
    await signReview(q, who("reviewer"), crId, later(13));
    await expect(approveChange(q, who("qa"), crId, "2026-11-30", later(14))).rejects.toThrow("The effective date 2026-11-30 is before 2026-12-01");
    expect((await approveChange(q, who("qa"), crId, "2026-12-01", later(15))).version).toBe("2.2");
  });

  it("opens a change request over a branch left by an open that died before its commit", async () => {
    const main = (await q.repo.branchHead("main"))!;
    const last = await q.db.get<{ n: number }>("SELECT max(number) AS n FROM change_requests WHERE year = 2026");
    const next = `CR-2026-${String(last!.n + 1).padStart(4, "0")}`;
    await q.repo.createBranch(`cr/${next}`, main);
    const crId = await openChangeRequest(
      q,
      who("author"),
      {
        target: "new",
        docId: "SOP-ZZ-001",
        title: "A new procedure",
        type: "sop",
        reason: "A procedure for the new service line.",
        revision: "major",
        retrainingRequired: true,
        proposedEffectiveDate: "2026-12-20",
        reviewerIds: [who("reviewer").userId],
      },
      later(20),
    );
    expect(crId).toBe(next);
    expect((await readDraft(q, (await getChangeRequest(q.db, crId))!)).source).toContain("id: SOP-ZZ-001");
  });
});
