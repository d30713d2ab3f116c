import fs from "node:fs";
import path from "node:path";

import { simpleGit } from "simple-git";
import { describe, expect, it } from "vitest";

import { open } from "~/context.server";
import { Database } from "~/db/db.server";
import { verifyAuditTrail } from "~/modules/audit/audit.server";
import { getChangeRequest, listChangeRequests } from "~/modules/change-control/change-control.server";
import { readContentFolder } from "~/modules/content/folder.server";
import { sha256 } from "~/modules/content/render.server";
import { ContentInvalid, InitRefused, initDataFolder } from "~/modules/setup/init.server";
import { documentPage, listLibrary } from "~/modules/documents/library.server";
import { allVersions, versionsOf } from "~/modules/documents/versions.server";
import { signaturesOfChange, signaturesOfVersion } from "~/modules/signatures/signatures.server";

import { runQuire } from "../helpers/cli";
import { FIXTURE_CONTENT, PROJECT_CONTENT, configFor, copyContent, createDataFolder, tempDir } from "../helpers/data-folder";

describe("init: the content repository bootstrap", () => {
  it("commits and tags each document's first version with trailers, and records it in SQLite", async () => {
    const now = new Date("2026-11-25T09:00:00Z");
    const { dataDir, summary } = await createDataFolder({ now });
    expect(summary.versions.sort()).toEqual(["FRM-TS-001/v1.0", "QM-001/v1.0", "SOP-TS-001/v1.0"]);

    const git = simpleGit(path.join(dataDir, "content"));
    expect((await git.tags()).all.sort()).toEqual(summary.versions.sort());
    const body = await git.raw(["log", "-1", "--format=%B", "SOP-TS-001/v1.0"]);
    expect(body).toContain("Quire-Document: SOP-TS-001");
    expect(body).toContain("Quire-Version: 1.0");
    expect(body).toContain("Quire-Path: sops/SOP-TS-001.mdx");
    expect(body).toContain("Quire-Effective-Date: 2026-11-25");
    expect(await git.show(["SOP-TS-001/v1.0:sops/SOP-TS-001.mdx"])).toBe(
      fs.readFileSync(path.join(FIXTURE_CONTENT, "sops", "SOP-TS-001.mdx"), "utf8"),
    );
    expect((await git.raw(["rev-parse", "--is-bare-repository"])).trim()).toBe("true");

    const db = await Database.open(path.join(dataDir, "quire.db"));
    const rows = await db.all<{ doc_id: string; version: string; effective_from: string; commit_sha: string }>(
      "SELECT doc_id, version, effective_from, commit_sha FROM document_versions ORDER BY doc_id",
    );
    await db.close();
    expect(rows.map((r) => [r.doc_id, r.version, r.effective_from])).toEqual([
      ["FRM-TS-001", "1.0", "2026-11-25"],
      ["QM-001", "1.0", "2026-11-25"],
      ["SOP-TS-001", "1.0", "2026-11-25"],
    ]);
    expect(rows[2]!.commit_sha).toBe((await git.revparse(["SOP-TS-001/v1.0^{commit}"])).trim());
  });

  it("seeds demo history: older versions effective in the past, the current one superseding them", async () => {
    const { config } = await createDataFolder({ demo: true, now: new Date("2026-11-25T09:00:00Z") });
    const q = await open(config);
    try {
      const library = await listLibrary(q, "2026-11-25");
      expect(library.find((e) => e.id === "SOP-TS-001")).toMatchObject({ version: "2.0", effectiveFrom: "2026-03-02" });
      expect(library.find((e) => e.id === "QM-001")).toMatchObject({ version: "1.0", effectiveFrom: "2025-02-03" });
      const old = await documentPage(q, "SOP-TS-001", "2025-06-01");
      expect(old?.shown.version.version).toBe("1.0");
      expect(old?.html).not.toContain("Report the visit");
      const current = await documentPage(q, "SOP-TS-001", "2026-11-25");
      expect(current?.html).toContain("Report the visit");
      expect(current?.versions.map((s) => [s.version.version, s.status])).toEqual([
        ["2.0", "effective"],
        ["1.0", "superseded"],
      ]);
      const log = await simpleGit(config.contentRepo).raw(["log", "--format=%aI %s", "main"]);
      expect(log).toContain("SOP-TS-001 v1.0: Test Monitoring Procedure");
      expect(log).toMatch(/2026-02-23T09:30:00\+00:00 SOP-TS-001 v2\.0/); // approved a working week before it took effect
      const cr = (await listChangeRequests(q.db)).find((c) => c.docId === "SOP-TS-001")!;
      expect(cr).toMatchObject({ id: "CR-2026-0001", state: "approved", targetVersion: "2.0", revision: "major", retrainingRequired: true, createdAt: "2026-02-16T10:00:00.000Z" });
    } finally {
      await q.db.close();
    }
  });

  it("approves the demo history through change control: real signatures, trailers and change requests", { timeout: 180_000 }, async () => {
    const { config } = await createDataFolder({ seedDir: PROJECT_CONTENT, demo: true, now: new Date("2026-11-25T09:00:00Z") });
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
      expect(trailers.get("Quire-Authored-By")).toEqual([`Ayesha Rahman <author> 2026-03-26T16:00:00Z sha256:${hash}`]);
      expect(trailers.get("Quire-Reviewed-By")).toEqual([`Rafael Ortiz <reviewer> 2026-03-27T11:00:00Z sha256:${hash}`]);
      expect(trailers.get("Quire-Approved-By")).toEqual([`Quinn Avery <qa> 2026-03-30T09:30:00Z sha256:${hash}`]);
      expect(trailers.get("Quire-Seeded-By")).toBeUndefined();
      expect(trailers.get("Quire-Effective-Date")).toEqual(["2026-04-06"]);

      const signatures = await signaturesOfVersion(q.db, "SOP-CM-001", "2.0");
      expect(signatures.map((s) => [s.meaning, s.username, s.contentHash])).toEqual([
        ["Authored", "author", hash],
        ["Reviewed", "reviewer", hash],
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
      for (const c of changes.filter((c) => c.state === "approved")) expect(await signaturesOfVersion(q.db, c.docId, c.targetVersion)).toHaveLength(3);
      const awaiting = await signaturesOfChange(q.db, "CR-2026-0008");
      expect(awaiting.map((s) => [s.meaning, s.username])).toEqual([["Authored", "author"], ["Reviewed", "reviewer"]]);
      expect(awaiting.every((s) => s.signedAt < "2026-11-25")).toBe(true);
      // Open changes live on their branches: main still holds the content folder's text.
      expect(await q.repo.readFile("cr/CR-2026-0010", "work-instructions/WI-DM-001.mdx")).toContain("not a duplicate of an open query");
      // Seeded: only the versions in force at go-live (2025-02-03), approved by the quality manager.
      const baseline = await q.repo.trailers((await git.revparse(["SOP-CM-001/v1.0^{commit}"])).trim());
      expect(baseline.get("Quire-Seeded-By")).toEqual(["quire init --demo"]);
      const baselineHash = (await versionsOf(q.db, "SOP-CM-001")).find((v) => v.version === "1.0")!.contentHash;
      expect(baseline.get("Quire-Approved-By")).toEqual([`Quinn Avery <qa> 2025-01-20T10:00:00Z sha256:${baselineHash}`]);
      expect((await signaturesOfVersion(q.db, "SOP-CM-001", "1.0")).map((s) => [s.meaning, s.username, s.signedAt])).toEqual([["Approved", "qa", "2025-01-20T10:00:00.000Z"]]);
      // Every demo version carries at least one signature.
      for (const v of await allVersions(q.db)) expect((await signaturesOfVersion(q.db, v.docId, v.version)).length, `${v.docId} v${v.version}`).toBeGreaterThan(0);
      expect((await q.repo.trailers((await git.revparse(["WI-CM-001/v1.0^{commit}"])).trim())).get("Quire-Seeded-By")).toBeUndefined();

      // main ends with exactly the content folder, and the audit trail holds together.
      const main = await q.repo.readTree("main");
      const folder = readContentFolder(PROJECT_CONTENT);
      expect(new Map(main.documents.map((d) => [d.path, d.source]))).toEqual(new Map(folder.documents.map((d) => [d.path, d.source])));
      expect(await verifyAuditTrail(q.db)).toMatchObject({ ok: true });
    } finally {
      await q.db.close();
    }
  });

  it("writes nothing when change control refuses a demo history version", async () => {
    const seed = copyContent();
    const history = path.join(seed, ".demo", "history.yaml");
    fs.writeFileSync(history, fs.readFileSync(history, "utf8").replace('version: "2.0"', 'version: "3.0"'));
    const dataDir = path.join(tempDir(), "data");
    const error = await initDataFolder({ config: configFor(dataDir), seedDir: seed, demo: true, now: new Date("2026-11-25T09:00:00Z") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentInvalid);
    expect((error as ContentInvalid).problems[0]!.message).toBe("demo history SOP-TS-001 v3.0: after v1.0 a major change makes v2.0, not v3.0");
    expect(fs.readdirSync(path.dirname(dataDir))).toEqual([]);
  });

  it("refuses a data folder that already holds data, changing nothing", async () => {
    const { config } = await createDataFolder();
    const before = fs.statSync(config.dbFile).mtimeMs;
    await expect(initDataFolder({ config, seedDir: FIXTURE_CONTENT, demo: false, now: new Date() })).rejects.toThrow(InitRefused);
    expect(fs.statSync(config.dbFile).mtimeMs).toBe(before);
  });

  it("writes nothing when the seed content is invalid", async () => {
    const seed = copyContent();
    fs.writeFileSync(path.join(seed, "sops", "SOP-TS-001.mdx"), "---\nid: SOP-TS-001\n---\nbody {x}\n");
    const dataDir = path.join(tempDir(), "data");
    const config = configFor(dataDir);
    const error = await initDataFolder({ config, seedDir: seed, demo: false, now: new Date() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentInvalid);
    expect((error as ContentInvalid).problems[0]).toMatchObject({ path: "sops/SOP-TS-001.mdx", rule: "frontmatter" });
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(fs.readdirSync(path.dirname(dataDir))).toEqual([]); // no staging folder left behind
  });

  it("adopts an existing repository (QUIRE_CONTENT_REPO), tagging untagged documents at HEAD", async () => {
    const repoDir = copyContent();
    fs.rmSync(path.join(repoDir, ".demo"), { recursive: true });
    const git = simpleGit(repoDir);
    await git.init();
    await git.addConfig("user.name", "Author");
    await git.addConfig("user.email", "author@example.org");
    await git.add(".");
    await git.commit("Our QMS");
    const config = configFor(path.join(tempDir(), "data"), { QUIRE_CONTENT_REPO: repoDir });
    const summary = await initDataFolder({ config, seedDir: FIXTURE_CONTENT, demo: false, now: new Date("2026-11-25T09:00:00Z") });
    expect(summary.versions.sort()).toEqual(["FRM-TS-001/v1.0", "QM-001/v1.0", "SOP-TS-001/v1.0"]);
    expect(fs.existsSync(path.join(config.dataDir, "content"))).toBe(false);
    const q = await open(config);
    try {
      expect((await listLibrary(q, "2026-11-25")).map((e) => e.id)).toEqual(["QM-001", "SOP-TS-001", "FRM-TS-001"]);
    } finally {
      await q.db.close();
    }
  });
});

describe("quire init (CLI)", () => {
  it("creates the data folder, then refuses a second run with exit 2; --if-empty reuses it", () => {
    const dataDir = path.join(tempDir(), "data");
    const first = runQuire(["init", "--json"], { QUIRE_DATA_DIR: dataDir });
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ dataDir, documents: expect.any(Number) });
    const second = runQuire(["init"], { QUIRE_DATA_DIR: dataDir });
    expect(second.status).toBe(2);
    expect(second.stderr).toContain("already holds Quire data; nothing was changed");
    const reuse = runQuire(["init", "--demo", "--if-empty"], { QUIRE_DATA_DIR: dataDir });
    expect(reuse.status).toBe(0);
    expect(reuse.stdout).toContain("Using the existing data folder");
  });
});
