import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import { ChangeRequestError, getChangeRequest, openChangeRequest, setReviewers, templateFor } from "~/modules/change-control/change-control.server";
import { ChangeActionForm, MAX_DRAFT_BYTES, draftTooLarge, parseNewChangeRequest } from "~/modules/change-control/change-forms";
import { parseFrontmatter } from "~/modules/content/frontmatter";
import { ORIGIN_LIMIT, RefusalThrottle, boundedOrigin } from "~/modules/security/refusals";

import { copyDataFolder } from "../helpers/data-folder";
import { peopleOf, type People } from "../helpers/factories";

let q: Quire;
let who: People;
const AT = new Date("2026-11-25T09:00:00Z");

beforeAll(async () => {
  const { config } = await copyDataFolder("fixture-demo");
  q = await open(config);
  who = await peopleOf(q.db);
});
afterAll(async () => {
  await q?.db.close();
});

function newCr(docId: string, reviewerIds: string[]) {
  return {
    target: "new" as const,
    docId,
    title: "Small holes",
    type: "sop" as const,
    reason: "A new procedure for the test.",
    revision: "major" as const,
    retrainingRequired: false,
    proposedEffectiveDate: "2026-12-01",
    reviewerIds,
  };
}

async function refusal(promise: Promise<unknown>): Promise<ChangeRequestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChangeRequestError);
  return error as ChangeRequestError;
}

describe("the same reviewer named twice", () => {
  it("is refused by the domain on opening, with the reviewers field named, and nothing is opened", async () => {
    const before = await q.db.get<{ n: number }>("SELECT count(*) AS n FROM change_requests");
    const error = await refusal(openChangeRequest(q, who("author"), newCr("SOP-DU-001", [who("reviewer").userId, who("reviewer").userId]), AT));
    expect(error).toMatchObject({ message: "Name each reviewer once.", field: "reviewerIds" });
    expect(await q.db.get("SELECT count(*) AS n FROM change_requests")).toEqual(before);
  });

  it("is refused by the domain when changing the reviewers", async () => {
    const crId = await openChangeRequest(q, who("author"), newCr("SOP-DU-002", [who("reviewer").userId]), AT);
    const error = await refusal(setReviewers(q, who("author"), crId, [who("qa").userId, who("qa").userId], "QA reviews too.", AT));
    expect(error).toMatchObject({ message: "Name each reviewer once.", field: "reviewerIds" });
    expect((await getChangeRequest(q.db, crId))!.reviewerIds).toEqual([who("reviewer").userId]);
  });

  it("is refused at both form edges with a field message", () => {
    const form = {
      target: "existing",
      docId: "SOP-TS-001",
      reason: "A reason long enough.",
      revision: "minor",
      retrainingRequired: "no",
      proposedEffectiveDate: "2026-12-01",
    };
    const twice = parseNewChangeRequest({ ...form, reviewerIds: ["u1", "u1"] });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues).toEqual([expect.objectContaining({ path: ["reviewerIds"], message: "Name each reviewer once." })]);
    expect(parseNewChangeRequest({ ...form, reviewerIds: ["u1", "u2"] }).success).toBe(true);
    const action = ChangeActionForm.safeParse({ intent: "reviewers", reviewerIds: ["u1", "u1"], reason: "Someone left." });
    expect(action.error?.issues).toEqual([expect.objectContaining({ path: ["reviewerIds"], message: "Name each reviewer once." })]);
  });
});

describe("a new document's title", () => {
  const form = {
    target: "new",
    docId: "SOP-NT-001",
    type: "sop",
    reason: "A reason long enough.",
    revision: "major",
    retrainingRequired: "no",
    proposedEffectiveDate: "2026-12-01",
    reviewerIds: ["u1"],
  };

  it("is one line without control characters at the form edge", () => {
    for (const title of ["Two\nlines", "Carriage\rreturn", "Tab\tinside", "Line\u2028separator", "Nul\u0000"]) {
      const parsed = parseNewChangeRequest({ ...form, title });
      expect(parsed.error?.issues, JSON.stringify(title)).toEqual([
        expect.objectContaining({ path: ["title"], message: "A title is one line of text: remove line breaks and control characters." }),
      ]);
    }
    expect(parseNewChangeRequest({ ...form, title: "Monitoring: for-cause visits — „Prüfung“" }).success).toBe(true);
    // The form's other title rule still holds after the stricter edge schema.
    expect(parseNewChangeRequest({ ...form }).error?.issues).toEqual([expect.objectContaining({ path: ["title"], message: "A new document needs a title" })]);
  });

  it("is written as one YAML scalar, so even a title that got through adds no key", () => {
    for (const title of [
      "Harmless\nowner: attacker\ntraining: none",
      "Two\r\nlines\u0007",
      'Audit: "for cause" # [x]',
      "- list",
      "null",
      "123",
      "yes",
      "Plain title",
    ]) {
      const source = templateFor("SOP-NT-001", title, "sop", "quality-manager");
      const fm = parseFrontmatter("sops/SOP-NT-001.mdx", source);
      expect(fm.ok, `${JSON.stringify(title)}\n${source}`).toBe(true);
      if (!fm.ok) continue;
      expect(fm.data).toMatchObject({ id: "SOP-NT-001", title, owner: "quality-manager", training: "required" });
    }
    expect(templateFor("SOP-NT-001", "Plain title", "sop", "qm")).toContain("\ntitle: Plain title\n");
  });
});

describe("the draft size limit", () => {
  it("counts UTF-8 bytes against the preview's 512 KB", () => {
    expect(MAX_DRAFT_BYTES).toBe(512 * 1024);
    expect(draftTooLarge("x".repeat(MAX_DRAFT_BYTES))).toBeNull();
    expect(draftTooLarge("x".repeat(MAX_DRAFT_BYTES + 1))).toMatch(/^The draft is larger than 512 KB, so it was not saved/);
    expect(draftTooLarge("€".repeat(MAX_DRAFT_BYTES / 3 + 1))).not.toBeNull();
  });
});

describe("the record of refused cross-site requests", () => {
  it("keeps at most ORIGIN_LIMIT printable characters of the Origin, and its real length", () => {
    expect(boundedOrigin(null)).toEqual({ origin: null });
    expect(boundedOrigin("https://evil.example")).toEqual({ origin: "https://evil.example" });
    expect(boundedOrigin("https://\u00e9vil\u0001.example")).toEqual({ origin: "https://?vil?.example" });
    const long = boundedOrigin("https://" + "a".repeat(10_000));
    expect(long.origin).toHaveLength(ORIGIN_LIMIT);
    expect(long.originLength).toBe(10_008);
  });

  it("records a few refusals per client a minute and carries the count of the rest into the next row", () => {
    const throttle = new RefusalThrottle(3, 60_000);
    const at = (seconds: number) => new Date(AT.getTime() + seconds * 1000);
    const first = Array.from({ length: 10 }, () => throttle.admit("10.0.0.1", at(0)));
    expect(first.filter((a) => a.record)).toHaveLength(3);
    // Another client has its own allowance.
    expect(throttle.admit("10.0.0.2", at(1))).toEqual({ record: true, suppressedBefore: 0, suppressedUntracked: 0 });
    expect(throttle.admit("10.0.0.1", at(59))).toEqual({ record: false });
    expect(throttle.admit("10.0.0.1", at(60))).toEqual({ record: true, suppressedBefore: 8, suppressedUntracked: 0 });
    expect(throttle.admit("10.0.0.1", at(61))).toEqual({ record: true, suppressedBefore: 0, suppressedUntracked: 0 });
  });

  it("tracks a bounded number of clients, counting what the dropped ones had suppressed", () => {
    const throttle = new RefusalThrottle(1, 60_000, 2);
    expect(throttle.admit("a", AT).record).toBe(true);
    expect(throttle.admit("a", AT).record).toBe(false);
    expect(throttle.admit("b", AT).record).toBe(true);
    // "c" makes a third client: "a", the oldest, is dropped, and its one suppressed refusal is carried.
    expect(throttle.admit("c", AT)).toEqual({ record: true, suppressedBefore: 0, suppressedUntracked: 1 });
    expect(throttle.admit("d", AT)).toEqual({ record: true, suppressedBefore: 0, suppressedUntracked: 0 });
  });
});
