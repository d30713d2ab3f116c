import fs from "node:fs";
import path from "node:path";

import { simpleGit } from "simple-git";
import { describe, expect, it } from "vitest";

import { open } from "~/context.server";
import { verifyAuditTrail } from "~/modules/audit/audit.server";
import { getChangeRequest, listChangeRequests } from "~/modules/change-control/change-control.server";
import { readContentFolder } from "~/modules/content/folder.server";
import { sha256 } from "~/modules/content/render.server";
import { allVersions, versionsOf } from "~/modules/documents/versions.server";
import { ContentInvalid, planSeed } from "~/modules/setup/init.server";
import { signaturesOfChange, signaturesOfVersion } from "~/modules/signatures/signatures.server";
import { documentPathForQuiz } from "~/modules/training/quiz";

import { PROJECT_CONTENT, copyContent, copyDataFolder } from "../helpers/data-folder";

// Init's longest case (the project's whole demo history through change control). The project-demo
// template is exactly that init's result (same seed, demo, 2026-11-25T09:00Z), built once in global
// setup, so this reads a copy of it rather than running the same init a second time.
describe("init: the content repository bootstrap", () => {
  it("approves the demo history through change control: real signatures, trailers and change requests", { timeout: 180_000 }, async () => {
    const { config } = await copyDataFolder("project-demo");
    const q = await open(config);
    try {
      const git = simpleGit(config.contentRepo);
      const source = fs.readFileSync(path.join(PROJECT_CONTENT, "sops", "SOP-CM-001.mdx"), "utf8");
      const hash = sha256(source);
      expect(await git.show(["SOP-CM-001/v2.0:sops/SOP-CM-001.mdx"])).toBe(source);
      const commit = (await git.revparse(["SOP-CM-001/v2.0^{commit}"])).trim();
      expect((await git.raw(["rev-list", "--parents", "-n", "1", commit])).trim().split(" ")).toHaveLength(3); // a merge of the CR branch
      const trailers = await q.repo.trailers(commit);
      const crId = trailers.get("Quire-Change-Request")?.[0];
      expect(crId).toMatch(/^CR-2026-\d{4}$/);
      // Approved twelve working days before it took effect (SOP-DC-001: at least ten for training), the
      // owner function (CRA) signing before the quality manager.
      expect(trailers.get("Quire-Authored-By")).toEqual([`Ayesha Rahman <author> 2026-03-17T16:00:00Z sha256:${hash}`]);
      expect(trailers.get("Quire-Reviewed-By")).toEqual([`Rafael Ortiz <reviewer> 2026-03-18T11:00:00Z sha256:${hash}`]);
      expect(trailers.get("Quire-Function-Approved-By")).toEqual([`Carlos Ruiz <cra2> 2026-03-19T08:45:00Z sha256:${hash} for cra`]);
      expect(trailers.get("Quire-Approved-By")).toEqual([`Quinn Avery <qa> 2026-03-19T09:30:00Z sha256:${hash}`]);
      expect(trailers.get("Quire-Seeded-By")).toBeUndefined();
      expect(trailers.get("Quire-Effective-Date")).toEqual(["2026-04-06"]);

      const signatures = await signaturesOfVersion(q.db, "SOP-CM-001", "2.0");
      expect(signatures.map((s) => [s.meaning, s.username, s.contentHash])).toEqual([
        ["Authored", "author", hash],
        ["Reviewed", "reviewer", hash],
        ["Function approval", "cra2", hash],
        ["Approved", "qa", hash],
      ]);
      expect(await getChangeRequest(q.db, crId!)).toMatchObject({ docId: "SOP-CM-001", state: "approved", targetVersion: "2.0", approvedCommit: commit });

      // Every later version is an approved change request, in time order; the go-live baseline is seeded.
      const changes = (await listChangeRequests(q.db)).reverse();
      expect(changes.map((c) => [c.id, c.docId, c.targetVersion, c.state, c.newDocument])).toEqual([
        ["CR-2025-0001", "SOP-CM-001", "1.1", "approved", false],
        ["CR-2026-0001", "SOP-DC-001", "2.0", "approved", false],
        ["CR-2026-0002", "WI-CM-001", "1.0", "approved", true],
        ["CR-2026-0003", "SOP-CM-001", "2.0", "approved", false],
        ["CR-2026-0004", "WI-DM-001", "1.0", "approved", true],
        ["CR-2026-0005", "SOP-DM-001", "2.0", "approved", false],
        ["CR-2026-0006", "WI-CM-001", "1.1", "approved", false],
        ["CR-2026-0007", "SOP-ES-001", "1.1", "approved", false],
        // Left open (history.yaml `open`): awaiting approval, awaiting review, a draft.
        ["CR-2026-0008", "SOP-TR-001", "2.0", "in-review", false],
        ["CR-2026-0009", "SOP-DV-001", "1.1", "in-review", false],
        ["CR-2026-0010", "WI-DM-001", "1.1", "draft", false],
      ]);
      // Authored, Reviewed, the owner function's approval and the quality manager's; SOP-ES-001's owner
      // is the quality manager, whose one approval is both.
      for (const c of changes.filter((c) => c.state === "approved")) {
        expect(await signaturesOfVersion(q.db, c.docId, c.targetVersion)).toHaveLength(c.docId === "SOP-ES-001" ? 3 : 4);
      }
      const awaiting = await signaturesOfChange(q.db, "CR-2026-0008");
      expect(awaiting.map((s) => [s.meaning, s.username, s.jobFunction])).toEqual([
        ["Authored", "author", null],
        ["Reviewed", "reviewer", null],
        ["Function approval", "trainer", "training-coordinator"],
      ]);
      expect(awaiting.every((s) => s.signedAt < "2026-11-25")).toBe(true);
      // Open changes live on their branches: main still holds the content folder's text.
      expect(await q.repo.readFile("cr/CR-2026-0010", "work-instructions/WI-DM-001.mdx")).toContain("not a duplicate of an open query");
      // Seeded: only the versions in force at go-live (2025-02-03), approved by the quality manager.
      const baseline = await q.repo.trailers((await git.revparse(["SOP-CM-001/v1.0^{commit}"])).trim());
      expect(baseline.get("Quire-Seeded-By")).toEqual(["quire init --demo"]);
      const baselineHash = (await versionsOf(q.db, "SOP-CM-001")).find((v) => v.version === "1.0")!.contentHash;
      expect(baseline.get("Quire-Approved-By")).toEqual([`Quinn Avery <qa> 2025-01-20T10:00:00Z sha256:${baselineHash}`]);
      expect((await signaturesOfVersion(q.db, "SOP-CM-001", "1.0")).map((s) => [s.meaning, s.username, s.signedAt])).toEqual([
        ["Approved", "qa", "2025-01-20T10:00:00.000Z"],
      ]);
      // Every demo version carries at least one signature.
      for (const v of await allVersions(q.db))
        expect((await signaturesOfVersion(q.db, v.docId, v.version)).length, `${v.docId} v${v.version}`).toBeGreaterThan(0);
      expect((await q.repo.trailers((await git.revparse(["WI-CM-001/v1.0^{commit}"])).trim())).get("Quire-Seeded-By")).toBeUndefined();

      // main ends with exactly the content folder, quizzes included, and the audit trail holds together.
      const main = await q.repo.readTree("main");
      const folder = readContentFolder(PROJECT_CONTENT);
      expect(new Map(main.documents.map((d) => [d.path, d.source]))).toEqual(new Map(folder.documents.map((d) => [d.path, d.source])));
      expect(new Map(main.quizzes.map((d) => [d.path, d.source]))).toEqual(new Map(folder.quizzes.map((d) => [d.path, d.source])));
      // Each quiz went in with its document's first version, in that version's own commit.
      expect(folder.quizzes.length).toBeGreaterThanOrEqual(3);
      for (const quiz of folder.quizzes) {
        const docId = path.basename(documentPathForQuiz(quiz.path), ".mdx");
        const first = (await git.revparse([`${docId}/v1.0^{commit}`])).trim();
        expect(await q.repo.readFileOrNull(first, quiz.path), quiz.path).toBe(quiz.source);
        expect(await q.repo.readFileOrNull(`${first}^`, quiz.path), quiz.path).toBeNull();
        expect((await git.raw(["diff-tree", "--no-commit-id", "--name-only", "-r", first])).trim().split("\n").sort()).toEqual(
          [documentPathForQuiz(quiz.path), quiz.path].sort(),
        );
      }
      expect(await verifyAuditTrail(q.db)).toMatchObject({ ok: true });
    } finally {
      await q.db.close();
    }
  });

  it("plans each quiz into its document's first version, and refuses one whose first version the demo approves through a change request", () => {
    const plain = planSeed(PROJECT_CONTENT, false, "2026-11-25");
    const dm = plain.plan.find((v) => v.doc.frontmatter.id === "SOP-DM-001")!;
    expect(dm.quiz?.path).toBe("sops/SOP-DM-001.quiz.yaml");
    expect(plain.plan.filter((v) => v.quiz).map((v) => v.doc.frontmatter.id)).toEqual(["SOP-CM-001", "SOP-DM-001", "SOP-DV-001"]);
    const demo = planSeed(PROJECT_CONTENT, true, "2026-11-25");
    expect(demo.plan.find((v) => v.doc.frontmatter.id === "SOP-DM-001")).toMatchObject({ version: "1.0", quiz: { path: "sops/SOP-DM-001.quiz.yaml" } });
    expect(demo.changes.filter((v) => v.quiz)).toEqual([]);

    // WI-CM-001 is first issued after go-live through a change request, which commits only the document.
    const content = copyContent(PROJECT_CONTENT);
    fs.copyFileSync(path.join(content, "sops", "SOP-DM-001.quiz.yaml"), path.join(content, "work-instructions", "WI-CM-001.quiz.yaml"));
    expect(() => planSeed(content, false, "2026-11-25")).not.toThrow();
    let refused: unknown = null;
    try {
      planSeed(content, true, "2026-11-25");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ContentInvalid);
    expect((refused as ContentInvalid).problems).toEqual([
      expect.objectContaining({
        path: "work-instructions/WI-CM-001.quiz.yaml",
        rule: "quiz",
        message: expect.stringContaining("approved through a change request"),
      }),
    ]);
  });
});
