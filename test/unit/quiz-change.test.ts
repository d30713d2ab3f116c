import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import {
  ChangeRequestError,
  approveChange,
  getChangeRequest,
  openChangeRequest,
  readDraft,
  saveDraft,
  signReview,
  submitForReview,
} from "~/modules/change-control/change-control.server";
import { versionsOf } from "~/modules/documents/versions.server";
import { quizOfVersion } from "~/modules/training/knowledge-check.server";

import { openCopy, peopleOf, type People } from "../helpers/factories";

// A knowledge check changes through the same change request as its document: committed on the
// draft's branch (here as an author's git push would), checked with the draft, approved with it.

const QUIZ = `passMark: 80
maxAttempts: 3
questions:
  - id: report-deadline
    prompt: Within how many working days is the visit report written?
    kind: single
    options:
      - id: five
        text: Five
        correct: true
      - id: ten
        text: Ten
`;

let q: Quire;
let who: People;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute));

beforeAll(async () => {
  q = await openCopy("fixture-demo", "2026-11-30T09:00:00Z");
  who = await peopleOf(q.db);
});
afterAll(async () => {
  await q?.db.close();
});

async function pushToBranch(crId: string, path: string, source: string, minute: number): Promise<void> {
  const cr = (await getChangeRequest(q.db, crId))!;
  const head = (await q.repo.branchHead(cr.branch))!;
  await q.repo.commit({
    branch: cr.branch,
    base: head,
    expectedHead: head,
    files: [{ path, source }],
    message: "Knowledge check",
    author: { name: "Ayesha Rahman", email: "author@x" },
    date: at(minute).toISOString(),
  });
}

describe("a knowledge check in a change request", () => {
  it("refuses a draft whose knowledge check breaks its schema, naming the line", async () => {
    const crId = await openChangeRequest(
      q,
      who("author"),
      {
        target: "existing",
        docId: "SOP-TS-001",
        reason: "Add a knowledge check.",
        revision: "minor",
        retrainingRequired: true,
        proposedEffectiveDate: "2026-12-14",
        reviewerIds: [who("reviewer").userId],
      },
      at(0),
    );
    const cr = (await getChangeRequest(q.db, crId))!;
    const draft = await readDraft(q, cr);
    await saveDraft(q, who("author"), crId, draft.source.replace("within 10 working days", "within 5 working days"), draft.head, at(1));
    await pushToBranch(crId, "sops/SOP-TS-001.quiz.yaml", QUIZ.replace("passMark: 80", "passMark: 180"), 2);
    const broken = await readDraft(q, (await getChangeRequest(q.db, crId))!);
    expect(broken.problems).toEqual([expect.objectContaining({ path: "sops/SOP-TS-001.quiz.yaml", line: 1, rule: "quiz" })]);
    await expect(submitForReview(q, who("author"), crId, at(3))).rejects.toBeInstanceOf(ChangeRequestError);

    await pushToBranch(crId, "sops/SOP-TS-001.quiz.yaml", QUIZ, 4);
    await submitForReview(q, who("author"), crId, at(5));
    await signReview(q, who("reviewer"), crId, at(6));
    const { version, commit } = await approveChange(q, who("qa"), crId, "2026-12-14", at(7));
    const v = (await versionsOf(q.db, "SOP-TS-001")).find((x) => x.version === version)!;
    expect(v.commit).toBe(commit);
    const quiz = await quizOfVersion(q.repo, v);
    expect(quiz?.quiz.questions.map((x) => x.id)).toEqual(["report-deadline"]);
    // The version before has none: the knowledge check belongs to the version it was approved with.
    const before = (await versionsOf(q.db, "SOP-TS-001")).find((x) => x.version === "2.0")!;
    expect(await quizOfVersion(q.repo, before)).toBeNull();
  });

  it("removes a knowledge check when the author empties it: the next version has none, the one before keeps its own", async () => {
    const crId = await openChangeRequest(
      q,
      who("author"),
      {
        target: "existing",
        docId: "SOP-TS-001",
        reason: "The knowledge check moves to the classroom session.",
        revision: "minor",
        retrainingRequired: true,
        proposedEffectiveDate: "2026-12-21",
        reviewerIds: [who("reviewer").userId],
      },
      at(10),
    );
    const draft = await readDraft(q, (await getChangeRequest(q.db, crId))!);
    expect(draft.quiz.source).toBe(QUIZ);
    await saveDraft(q, who("author"), crId, draft.source.replace("within 5 working days", "within 4 working days"), draft.head, at(11), "  \n");
    expect((await readDraft(q, (await getChangeRequest(q.db, crId))!)).quiz.source).toBeNull();
    const audit = await q.db.get<{ new_values: string }>(
      "SELECT new_values FROM audit_events WHERE action = 'change-request.draft.save' ORDER BY seq DESC LIMIT 1",
    );
    expect(JSON.parse(audit!.new_values)).toMatchObject({ quizRemoved: "sops/SOP-TS-001.quiz.yaml" });
    await submitForReview(q, who("author"), crId, at(12));
    await signReview(q, who("reviewer"), crId, at(13));
    const { version } = await approveChange(q, who("qa"), crId, "2026-12-21", at(14));
    const versions = await versionsOf(q.db, "SOP-TS-001");
    expect(
      await quizOfVersion(
        q.repo,
        versions.find((x) => x.version === version)!,
      ),
    ).toBeNull();
    expect(
      (
        await quizOfVersion(
          q.repo,
          versions.find((x) => x.version === "2.1")!,
        )
      )?.quiz.questions.map((x) => x.id),
    ).toEqual(["report-deadline"]);
  });
});
