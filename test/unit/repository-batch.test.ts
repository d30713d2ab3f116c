import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { versionsOf } from "~/modules/documents/versions.server";

import { openCopy } from "../helpers/factories";

let q: Quire;
beforeAll(async () => {
  q = await openCopy("fixture-demo", "2026-11-30T09:00:00Z");
});
afterAll(async () => {
  await q?.db.close();
});

describe("reading many version commits at once (quire verify)", () => {
  it("answers what the one-by-one reads answer, and leaves out a missing commit or file", async () => {
    const versions = await versionsOf(q.db, "SOP-TS-001");
    expect(versions.length).toBeGreaterThan(1);
    const missingCommit = "0".repeat(40);
    const read = await q.repo.readVersionCommits([
      ...versions.map((v) => ({ commit: v.commit, path: v.path })),
      { commit: versions[0]!.commit, path: "sops/NOT-THERE.mdx" },
      { commit: missingCommit, path: versions[0]!.path },
    ]);
    expect(read.present).toEqual(new Set(versions.map((v) => v.commit)));
    for (const v of versions) {
      expect(read.files.get(`${v.commit}:${v.path}`)).toBe(await q.repo.readFile(v.commit, v.path));
      expect(read.trailers.get(v.commit)).toEqual(await q.repo.trailers(v.commit));
    }
    expect(read.files.has(`${versions[0]!.commit}:sops/NOT-THERE.mdx`)).toBe(false);
    expect(read.files.has(`${missingCommit}:${versions[0]!.path}`)).toBe(false);
    expect(read.trailers.has(missingCommit)).toBe(false);
  });
});
