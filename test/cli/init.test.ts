import fs from "node:fs";
import path from "node:path";

import { simpleGit } from "simple-git";
import { describe, expect, it } from "vitest";

import { open } from "~/context.server";
import { Database } from "~/db/db.server";
import { quireMdxComponents } from "~/mdx-renderer.server";
import { listChangeRequests } from "~/modules/change-control/change-control.server";
import { documentPage, listLibrary } from "~/modules/documents/library.server";
import { ContentInvalid, InitRefused, initDataFolder } from "~/modules/setup/init.server";

import { runQuire } from "../helpers/cli";
import { FIXTURE_CONTENT, configFor, copyContent, createDataFolder, tempDir } from "../helpers/data-folder";

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
    expect(await git.show(["SOP-TS-001/v1.0:sops/SOP-TS-001.mdx"])).toBe(fs.readFileSync(path.join(FIXTURE_CONTENT, "sops", "SOP-TS-001.mdx"), "utf8"));
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
      expect(log).toMatch(/2026-02-12T09:30:00\+00:00 SOP-TS-001 v2\.0/); // approved twelve working days before it took effect
      const cr = (await listChangeRequests(q.db)).find((c) => c.docId === "SOP-TS-001")!;
      expect(cr).toMatchObject({
        id: "CR-2026-0001",
        state: "approved",
        targetVersion: "2.0",
        revision: "major",
        retrainingRequired: true,
        createdAt: "2026-02-05T10:00:00.000Z",
      });
    } finally {
      await q.db.close();
    }
  });

  it("writes nothing when change control refuses a demo history version", async () => {
    const seed = copyContent();
    const history = path.join(seed, ".demo", "history.yaml");
    fs.writeFileSync(history, fs.readFileSync(history, "utf8").replace('version: "2.0"', 'version: "3.0"'));
    const dataDir = path.join(tempDir(), "data");
    const error = await initDataFolder({
      components: quireMdxComponents,
      config: configFor(dataDir),
      seedDir: seed,
      demo: true,
      now: new Date("2026-11-25T09:00:00Z"),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentInvalid);
    expect((error as ContentInvalid).problems[0]!.message).toBe("demo history SOP-TS-001 v3.0: after v1.0 a major change makes v2.0, not v3.0");
    expect(fs.readdirSync(path.dirname(dataDir))).toEqual([]);
  });

  it("refuses a data folder that already holds data, changing nothing", async () => {
    const { config } = await createDataFolder();
    const before = fs.statSync(config.dbFile).mtimeMs;
    await expect(initDataFolder({ components: quireMdxComponents, config, seedDir: FIXTURE_CONTENT, demo: false, now: new Date() })).rejects.toThrow(
      InitRefused,
    );
    expect(fs.statSync(config.dbFile).mtimeMs).toBe(before);
  });

  it("writes nothing when the seed content is invalid", async () => {
    const seed = copyContent();
    fs.writeFileSync(path.join(seed, "sops", "SOP-TS-001.mdx"), "---\nid: SOP-TS-001\n---\nbody {x}\n");
    const dataDir = path.join(tempDir(), "data");
    const config = configFor(dataDir);
    const error = await initDataFolder({ components: quireMdxComponents, config, seedDir: seed, demo: false, now: new Date() }).catch((e: unknown) => e);
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
    const summary = await initDataFolder({
      components: quireMdxComponents,
      config,
      seedDir: FIXTURE_CONTENT,
      demo: false,
      now: new Date("2026-11-25T09:00:00Z"),
    });
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
