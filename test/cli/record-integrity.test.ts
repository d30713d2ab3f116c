import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import type { QuireConfig } from "~/config.server";
import { open, type Quire } from "~/context.server";
import { Database } from "~/db/db.server";
import { rowHash, type AuditRow } from "~/modules/audit/audit";
import { approveChange, getChangeRequest, readDraft, saveDraft, signReview } from "~/modules/change-control/change-control.server";
import { MAIN_BRANCH, type ContentRepository } from "~/modules/content/repository.server";
import { versionsOf } from "~/modules/documents/versions.server";
import { checkNewestAnchor } from "~/modules/integrity/anchor.server";
import { verifyRecord, type RecordVerdict } from "~/modules/integrity/verify.server";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { changeInReview as changeInReviewOf } from "../helpers/factories";

/**
 * The record cannot be forged (docs/decisions/008): each case tampers with a real SQLite file or a
 * real git repository the way someone with file or push access could, and `verifyRecord` (what
 * `quire verify` runs) or the start-up check must name what was done.
 */
const AT = new Date("2026-11-25T09:00:00Z");
const opened: Quire[] = [];

afterEach(async () => {
  for (const q of opened.splice(0)) await q.db.close();
});

/** A private copy of the fixture demo data folder for one test to break. */
async function copyFolder(): Promise<QuireConfig> {
  return (await copyDataFolder("fixture-demo")).config;
}

async function openFolder(config: QuireConfig, recover = true): Promise<Quire> {
  const q = await open(config, { recover });
  opened.push(q);
  return q;
}

function git(config: QuireConfig, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: config.contentRepo,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: os.tmpdir() } as unknown as NodeJS.ProcessEnv,
  }).trim();
}

/** Changes the database as someone with the file would: triggers dropped first. */
async function tamper(config: QuireConfig, ...statements: string[]): Promise<void> {
  const db = await Database.open(config.dbFile);
  try {
    await db.transaction(async (tx) => {
      for (const t of ["audit_events_no_update", "audit_events_no_delete", "signatures_no_update", "document_versions_no_update"])
        await tx.run(`DROP TRIGGER IF EXISTS ${t}`);
      for (const sql of statements) await tx.run(sql);
    });
  } finally {
    await db.close();
  }
}

async function verify(config: QuireConfig): Promise<RecordVerdict> {
  const q = await openFolder(config, false);
  return verifyRecord(q.db, q.repo);
}

const messages = (v: RecordVerdict) => v.problems.map((p) => `${p.check} ${p.subject}: ${p.message}`).join("\n");

/** A forged version: a commit off main carrying every trailer an approval writes, and its tag. */
async function forgeVersion(repo: ContentRepository, tag: string, body: string): Promise<string> {
  const main = (await repo.branchHead(MAIN_BRANCH))!;
  const file = "sops/SOP-TS-001.mdx";
  const source = (await repo.readFile(main, file)).replace("## Purpose", `## Purpose\n\n${body}\n`);
  const commit = await repo.commit({
    branch: "attack",
    base: main,
    expectedHead: null,
    files: [{ path: file, source }],
    message: `SOP-TS-001 v9.0: forged\n\nQuire-Document: SOP-TS-001\nQuire-Version: 9.0\nQuire-Path: ${file}\nQuire-Effective-Date: 2026-01-01\nQuire-Change-Request: CR-2026-0001\n`,
    author: { name: "Mallory", email: "m@example.invalid" },
    date: AT.toISOString(),
  });
  await repo.tag(tag, commit, "forged", AT.toISOString());
  return commit;
}

describe("quire verify on an untouched record", () => {
  it("holds, with the audit head anchored in git by init and by each approval", async () => {
    const config = await copyFolder();
    const verdict = await verify(config);
    expect(messages(verdict)).toBe("");
    const versions = (await opened[0]!.db.get<{ n: number }>("SELECT count(*) AS n FROM document_versions"))!.n;
    expect(verdict).toMatchObject({ ok: true, versions });
    expect(verdict.signatures).toBeGreaterThanOrEqual(4);
    // One anchor commit from init, one Quire-Audit-Head trailer in the demo's approval commit.
    expect(verdict.anchors).toBeGreaterThanOrEqual(2);
    expect(await checkNewestAnchor(opened[0]!.db, opened[0]!.repo)).toMatchObject({ matches: true, anchor: { source: "anchor" } });
  });
});

describe("only Quire's approval path makes a version", () => {
  it("reports a forged version tag at start, records it once, never serves or runs it, and notices when it is gone", async () => {
    const config = await copyFolder();
    const marker = path.join(tempDir("quire-pwned-"), "pwned");
    const repo = (await openFolder(config, false)).repo;
    await forgeVersion(repo, "SOP-TS-001/v9.0", `{globalThis.process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(marker)}, 'x')}`);

    const q = await openFolder(config);
    expect((await versionsOf(q.db, "SOP-TS-001")).map((v) => v.version)).toEqual(["1.0", "2.0"]);
    const refs = await q.db.all<{ ref: string; kind: string }>("SELECT ref, kind FROM foreign_refs WHERE resolved_at IS NULL");
    expect(refs).toEqual([{ ref: "refs/tags/SOP-TS-001/v9.0", kind: "unknown-tag" }]);
    await openFolder(config); // a second start reports nothing new
    const audited = await q.db.all<{ object_id: string; new_values: string }>(
      "SELECT object_id, new_values FROM audit_events WHERE action = 'content.foreign-ref'",
    );
    expect(audited).toHaveLength(1);
    expect(audited[0]!.object_id).toBe("refs/tags/SOP-TS-001/v9.0");
    expect(fs.existsSync(marker)).toBe(false);

    const verdict = await verify(config);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(expect.objectContaining({ check: "ref", subject: "refs/tags/SOP-TS-001/v9.0" }));

    git(config, "tag", "-d", "SOP-TS-001/v9.0");
    const again = await openFolder(config);
    expect(
      await again.db.get("SELECT 1 FROM audit_events WHERE action = 'content.foreign-ref.resolved' AND object_id = 'refs/tags/SOP-TS-001/v9.0'"),
    ).toBeDefined();
    expect(await again.db.all("SELECT 1 FROM foreign_refs WHERE resolved_at IS NULL")).toEqual([]);
  });

  it("adopts, once and audited, the commits of a data folder made before Quire listed its writes", async () => {
    const config = await copyFolder();
    await tamper(config, "DROP TRIGGER content_writes_no_delete", "DELETE FROM content_writes", "DELETE FROM settings WHERE key = 'content_root'");
    const q = await openFolder(config);
    expect(await q.db.all("SELECT 1 FROM foreign_refs")).toEqual([]);
    expect(await q.db.get<{ n: number }>("SELECT count(*) AS n FROM audit_events WHERE action = 'content.writes.adopted'")).toEqual({ n: 1 });
    await openFolder(config);
    expect(await q.db.get<{ n: number }>("SELECT count(*) AS n FROM audit_events WHERE action = 'content.writes.adopted'")).toEqual({ n: 1 });
    expect(messages(await verify(config))).toBe("");
  });

  it("starts with a stray version-shaped tag that has no trailers, and reports it", async () => {
    const config = await copyFolder();
    git(config, "tag", "SOP-QA-001/v1.0", MAIN_BRANCH);
    const q = await openFolder(config);
    expect(await q.db.get("SELECT kind FROM foreign_refs WHERE ref = 'refs/tags/SOP-QA-001/v1.0'")).toEqual({ kind: "unknown-tag" });
    expect(messages(await verify(config))).toContain("tag SOP-QA-001/v1.0 points at commit");
  });

  it("reports a moved version tag and keeps serving the approved commit", async () => {
    const config = await copyFolder();
    const q = await openFolder(config, false);
    const [v1, v2] = await versionsOf(q.db, "SOP-TS-001");
    git(config, "tag", "-f", "-a", "-m", "moved", "SOP-TS-001/v1.0", v2!.commit);
    const started = await openFolder(config);
    expect(await started.db.get("SELECT kind FROM foreign_refs WHERE ref = 'refs/tags/SOP-TS-001/v1.0'")).toEqual({ kind: "moved-tag" });
    expect((await versionsOf(started.db, "SOP-TS-001"))[0]!.commit).toBe(v1!.commit);
    const verdict = await verify(config);
    expect(verdict.problems).toContainEqual(expect.objectContaining({ check: "ref", subject: "refs/tags/SOP-TS-001/v1.0" }));
    expect(messages(verdict)).toContain(`points at ${v2!.commit.slice(0, 12)}, not the approved commit ${v1!.commit.slice(0, 12)}`);
  });

  it("reports a rewound main, naming the version no longer on it", async () => {
    const config = await copyFolder();
    const q = await openFolder(config, false);
    const [v1] = await versionsOf(q.db, "SOP-TS-001");
    git(config, "update-ref", "refs/heads/main", v1!.commit);
    const verdict = await verify(config);
    expect(messages(verdict)).toContain("SOP-TS-001 v2.0: its commit");
    expect(messages(verdict)).toContain("is no longer on main");
  });

  it("reports a commit on main that Quire did not write, and approves nothing on top of it", async () => {
    const config = await copyFolder();
    const q = await openFolder(config);
    const { crId, who } = await changeInReview(q);
    const main = (await q.repo.branchHead(MAIN_BRANCH))!;
    const foreign = await q.repo.commit({
      branch: MAIN_BRANCH,
      base: main,
      expectedHead: main,
      files: [{ path: "notes.txt", source: "pushed\n" }],
      message: "pushed by hand\n",
      author: { name: "Mallory", email: "m@example.invalid" },
      date: AT.toISOString(),
    });
    const verdict = await verify(config);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({
        check: "ref",
        subject: "refs/heads/main",
        message: expect.stringContaining(`commit ${foreign.slice(0, 12)} on main was not written by Quire`),
      }),
    );
    await expect(approveChange(q, who("qa"), crId, "2026-12-01", later(10))).rejects.toThrow(/which Quire did not write, so nothing can be approved/);
    expect(await q.db.get("SELECT 1 FROM approval_intents")).toBeUndefined();
  });
});

describe("the audit trail is anchored in git", () => {
  it("catches a row edited and the whole chain re-hashed after it", async () => {
    const config = await copyFolder();
    const db = await Database.open(config.dbFile);
    const rows = await db.all<AuditRow>("SELECT * FROM audit_events ORDER BY seq");
    await db.close();
    let prev = rows[0]!.prev_hash;
    const statements: string[] = [];
    for (const row of rows) {
      const content = { ...row, username: row.seq === 3 ? "someone-else" : row.username, prev_hash: prev };
      const { hash: _old, ...fields } = content;
      const hash = rowHash(fields);
      statements.push(
        `UPDATE audit_events SET username = ${content.username === null ? "NULL" : `'${content.username}'`}, prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${row.seq}`,
      );
      prev = hash;
    }
    statements.push(`UPDATE settings SET value = '${JSON.stringify({ seq: rows.at(-1)!.seq, hash: prev })}' WHERE key = 'audit_head'`);
    await tamper(config, ...statements);
    const verdict = await verify(config);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ check: "anchor", message: expect.stringContaining("differs from its hash anchored in") }),
    );
    // The audit page's check of the newest anchor sees it too.
    const q = await openFolder(config, false);
    expect(await checkNewestAnchor(q.db, q.repo)).toMatchObject({ matches: false });
  });

  it("catches every row deleted together with the recorded head", async () => {
    const config = await copyFolder();
    await tamper(config, "DELETE FROM audit_events", "DELETE FROM settings WHERE key = 'audit_head'");
    const verdict = await verify(config);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({
        check: "anchor",
        message: expect.stringMatching(/audit row \d+, anchored in (approval|anchor) commit \w+, is missing from the audit trail/),
      }),
    );
  });

  it("catches a correctly hashed row appended after the recorded head", async () => {
    const config = await copyFolder();
    const db = await Database.open(config.dbFile);
    const last = (await db.get<AuditRow>("SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1"))!;
    await db.close();
    const forged: Omit<AuditRow, "hash"> = {
      seq: last.seq + 1,
      at: last.at,
      user_id: null,
      username: "mallory",
      action: "signature.sign",
      object_type: last.object_type,
      object_id: null,
      old_values: null,
      new_values: null,
      reason: null,
      client_address: null,
      prev_hash: last.hash,
    };
    await tamper(
      config,
      `INSERT INTO audit_events (seq, at, user_id, username, action, object_type, object_id, old_values, new_values, reason, client_address, prev_hash, hash)
       VALUES (${forged.seq}, '${forged.at}', NULL, 'mallory', 'signature.sign', '${forged.object_type}', NULL, NULL, NULL, NULL, NULL, '${forged.prev_hash}', '${rowHash(forged)}')`,
    );
    const verdict = await verify(config);
    expect(verdict.problems).toContainEqual(expect.objectContaining({ check: "audit", subject: `audit row ${forged.seq}` }));
  });
});

describe("git and the database agree on every version and signature", () => {
  it("catches a signature record edited in the database", async () => {
    const config = await copyFolder();
    const db = await Database.open(config.dbFile);
    const approved = (await db.get<{ id: number }>("SELECT id FROM signatures WHERE meaning = 'Approved' AND cr_id IS NOT NULL"))!;
    await db.close();
    await tamper(config, `UPDATE signatures SET printed_name = 'Someone Else', signed_at = '2026-01-01T00:00:00.000Z' WHERE id = ${approved.id}`);
    const verdict = await verify(config);
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ check: "signature", subject: `signature ${approved.id}`, message: expect.stringContaining("does not match the audit record") }),
    );
    expect(verdict.problems).toContainEqual(
      expect.objectContaining({ check: "signature", message: expect.stringContaining("has no matching signature record") }),
    );
  });

  it("catches a version record edited in the database (content hash, effective date)", async () => {
    const config = await copyFolder();
    await tamper(
      config,
      `UPDATE document_versions SET content_hash = '${"0".repeat(64)}' WHERE doc_id = 'SOP-TS-001' AND version = '1.0'`,
      `UPDATE document_versions SET effective_from = '2024-01-01', retraining_required = 0 WHERE doc_id = 'SOP-TS-001' AND version = '2.0'`,
    );
    const text = messages(await verify(config));
    expect(text).toContain("SOP-TS-001 v2.0: the version record says retraining is not required; the commit's Quire-Retraining says otherwise");
    expect(text).toContain("SOP-TS-001 v1.0: the committed file's SHA-256 is");
    expect(text).toContain("SOP-TS-001 v2.0: the version record's effective date 2024-01-01 differs from the commit's Quire-Effective-Date");
  });

  it("names a missing git object without failing", async () => {
    const config = await copyFolder();
    const q = await openFolder(config, false);
    const [v1] = await versionsOf(q.db, "SOP-TS-001");
    const blob = git(config, "rev-parse", `${v1!.commit}:${v1!.path}`);
    fs.rmSync(path.join(config.contentRepo, "objects", blob.slice(0, 2), blob.slice(2)));
    expect(messages(await verify(config))).toContain(`SOP-TS-001 v1.0: ${v1!.path} cannot be read from commit`);
  });

  it("names a database opened against another content repository", async () => {
    const config = await copyFolder();
    const other = await copyDataFolder("fixture-plain");
    fs.rmSync(config.contentRepo, { recursive: true });
    fs.cpSync(other.config.contentRepo, config.contentRepo, { recursive: true });
    const verdict = await verify(config);
    expect(verdict.problems[0]).toMatchObject({ check: "repository", message: expect.stringContaining("a database from another content repository") });
  });
});

describe("npx quire verify", () => {
  it("exits 0 on a sound record and anchors on request; exits 1 with one line per problem", async () => {
    const config = await copyFolder();
    const env = { QUIRE_DATA_DIR: config.dataDir };
    const ok = runQuire(["verify", "--json", "--anchor"], env);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    const verdict = JSON.parse(ok.stdout) as RecordVerdict & { anchored: { seq: number; commit: string } };
    expect(verdict.ok).toBe(true);
    expect(git(config, "rev-parse", "refs/quire/audit-anchors")).toBe(verdict.anchored.commit);

    git(config, "tag", "SOP-QA-001/v7.0", MAIN_BRANCH);
    const bad = runQuire(["verify"], env);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain("ref: tag SOP-QA-001/v7.0 points at commit");
    expect(bad.stdout).toContain("1 problem(s) found.");
  });
});

// ---------------------------------------------------------------------------------------------

const later = (minutes: number) => new Date(AT.getTime() + minutes * 60_000);

/** A change request on SOP-TS-001 with the author's and the reviewer's signatures, ready to approve. */
function changeInReview(q: Quire) {
  return changeInReviewOf(q, { at: later(0) });
}

describe("one signature per signer, meaning and round; approval and saves do not interleave", () => {
  it("refuses a second Reviewed signature on the same round", async () => {
    const q = await openFolder(await copyFolder());
    const { crId, who } = await changeInReview(q);
    await expect(signReview(q, who("reviewer"), crId, later(4))).rejects.toThrow("You have already signed this content");
    expect(await q.db.get("SELECT count(*) AS n FROM signatures WHERE cr_id = ? AND meaning = 'Reviewed'", [crId])).toEqual({ n: 1 });
  });

  it("refuses an approval when a save lands after it read the draft, and keeps the save", async () => {
    const config = await copyFolder();
    const q = await openFolder(config);
    const { crId, who } = await changeInReview(q);
    const cr = (await getChangeRequest(q.db, crId))!;
    const read = await readDraft(q, cr);
    // The author's save lands while the approval is checking the draft against main (readTree).
    const readTree = q.repo.readTree.bind(q.repo);
    let saved: string | null = null;
    q.repo.readTree = async (ref: string) => {
      if (saved === null) saved = await saveDraft(q, who("author"), crId, read.source.replace("5 working days", "five working days"), read.head, later(5));
      return readTree(ref);
    };
    await expect(approveChange(q, who("qa"), crId, "2026-12-01", later(6))).rejects.toThrow(/changed while it was being approved/);
    q.repo.readTree = readTree;
    expect(saved).not.toBeNull();
    expect(await q.repo.branchHead(cr.branch)).toBe(saved);
    expect((await getChangeRequest(q.db, crId))!.state).toBe("in-review");
    expect((await versionsOf(q.db, "SOP-TS-001")).map((v) => v.version)).toEqual(["1.0", "2.0"]);
    expect(await q.db.get("SELECT 1 FROM approval_intents")).toBeUndefined();
  });
});
