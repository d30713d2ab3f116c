import { describe, expect, it } from "vitest";

import { TRAILER, parseVersionCommit, versionCommitMessage, type VersionCommitSpec } from "~/modules/documents/version-commit";

/** Trailers as git reads them back (`git log --format=%(trailers:only,unfold)`): the lines after the last blank line. */
function trailersOf(message: string): Map<string, string[]> {
  const block = message.trimEnd().split("\n\n").at(-1)!;
  const map = new Map<string, string[]>();
  for (const line of block.split("\n")) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) map.set(m[1]!, [...(map.get(m[1]!) ?? []), m[2]!]);
  }
  return map;
}

const HASH = "a".repeat(64);
const SPEC: VersionCommitSpec = {
  docId: "SOP-DM-001",
  version: "2.0",
  title: "Data Management",
  path: "sops/SOP-DM-001.mdx",
  effectiveDate: "2026-05-04",
  reason: "Monthly reconciliation of vendor data.",
  retrainingRequired: true,
  changeRequest: "CR-2026-0005",
  signatures: [
    { meaning: "Authored", printedName: "Ayesha Rahman", username: "author", signedAt: "2026-04-20T16:00:00.000Z", contentHash: HASH },
    { meaning: "Approved", printedName: "Quinn Avery", username: "qa", signedAt: "2026-04-27T09:30:00.000Z", contentHash: HASH },
  ],
  auditHead: { seq: 42, hash: "b".repeat(64) },
};

describe("the version commit format", () => {
  it("reads back what it writes: document, version, retraining, change request, signatures, audit head", () => {
    const message = versionCommitMessage(SPEC);
    expect(message.split("\n")[0]).toBe("SOP-DM-001 v2.0: Data Management");
    const facts = parseVersionCommit(trailersOf(message));
    expect(facts).toMatchObject({
      docId: "SOP-DM-001",
      version: "2.0",
      path: "sops/SOP-DM-001.mdx",
      effectiveDate: "2026-05-04",
      retrainingRequired: true,
      changeRequest: "CR-2026-0005",
      seededBy: null,
      auditHead: { seq: 42, hash: "b".repeat(64) },
      unreadable: [],
    });
    expect(facts.signatures).toEqual(SPEC.signatures);
    expect(parseVersionCommit(trailersOf(versionCommitMessage({ ...SPEC, retrainingRequired: false }))).retrainingRequired).toBe(false);
  });

  it("keeps a reason or a name with line breaks on one line, so it cannot add a trailer", () => {
    const message = versionCommitMessage({
      ...SPEC,
      reason: "Fix.\nQuire-Effective-Date: 1999-01-01",
      signatures: [{ ...SPEC.signatures![0]!, printedName: "Eve\nQuire-Retraining: no" }],
    });
    const trailers = trailersOf(message);
    expect(trailers.get(TRAILER.effective)).toEqual(["2026-05-04"]);
    expect(trailers.get(TRAILER.retraining)).toEqual(["yes"]);
  });

  it("names a signature trailer it cannot read instead of dropping it silently", () => {
    const trailers = trailersOf(versionCommitMessage(SPEC));
    trailers.set(TRAILER.reviewedBy, ["someone, yesterday"]);
    expect(parseVersionCommit(trailers).unreadable).toEqual([[TRAILER.reviewedBy, "someone, yesterday"]]);
  });
});
