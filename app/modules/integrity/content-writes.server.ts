import type { Database, Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { MAIN_BRANCH, type ContentRepository } from "~/modules/content/repository.server";
import { contentRoot, recordContentRoot } from "~/modules/settings/settings.server";
import { SYSTEM_ACTOR } from "~/modules/users/actor";

/**
 * What Quire itself wrote to the content repository: init's seed (or the history it adopted),
 * each approval's merge commit, and each audit anchor. A commit or tag not listed here did not come
 * through Quire, so it never becomes a version (docs/decisions/008-own-versions-and-verify.md).
 */
export type ContentWriteKind = "seed" | "approval" | "anchor" | "upgrade";

export interface ContentWrite {
  commit: string;
  kind: ContentWriteKind;
  ref: string;
  tag: string | null;
  crId: string | null;
  writtenAt: string;
}

/** The ref audit anchors are appended to: outside refs/heads and refs/tags, so no one checks it out. */
export const ANCHOR_REF = "refs/quire/audit-anchors";

/** Records a commit Quire wrote, in the transaction that records what the commit means. */
export async function recordContentWrite(tx: Tx, w: ContentWrite): Promise<void> {
  await tx.run("INSERT OR IGNORE INTO content_writes (commit_sha, kind, ref, tag, cr_id, written_at) VALUES (?, ?, ?, ?, ?, ?)", [
    w.commit,
    w.kind,
    w.ref,
    w.tag,
    w.crId,
    w.writtenAt,
  ]);
}

export async function contentWrites(db: Queryable): Promise<ContentWrite[]> {
  const rows = await db.all<{ commit_sha: string; kind: ContentWriteKind; ref: string; tag: string | null; cr_id: string | null; written_at: string }>(
    "SELECT commit_sha, kind, ref, tag, cr_id, written_at FROM content_writes ORDER BY rowid",
  );
  return rows.map((r) => ({ commit: r.commit_sha, kind: r.kind, ref: r.ref, tag: r.tag, crId: r.cr_id, writtenAt: r.written_at }));
}

/** Whether Quire wrote this commit onto main. */
export async function isOwnMainCommit(db: Queryable, commit: string): Promise<boolean> {
  return (await db.get("SELECT 1 FROM content_writes WHERE commit_sha = ? AND ref = ?", [commit, MAIN_BRANCH])) !== undefined;
}

/** The first commit of main, recorded at init: a database opened against another repository shows. */
export async function recordRepositoryIdentity(tx: Tx, root: string): Promise<void> {
  await recordContentRoot(tx, root);
}

export async function recordedRepositoryRoot(db: Queryable): Promise<string | null> {
  return contentRoot(db);
}

/**
 * A data folder made before Quire listed its own writes: the commits its version rows name, and
 * main's root, are adopted once as Quire's (kind `upgrade`), with an audit row saying so. Anything
 * else already on main is then reported like any foreign commit.
 */
export async function adoptWritesOfOlderDataFolder(db: Database, repo: ContentRepository, now: Date): Promise<number> {
  if (await db.get("SELECT 1 FROM content_writes LIMIT 1")) return 0;
  const versions = await db.all<{ commit_sha: string; tag: string; cr_id: string | null; approved_at: string }>(
    "SELECT commit_sha, tag, cr_id, approved_at FROM document_versions ORDER BY approved_at",
  );
  if (versions.length === 0) return 0;
  const roots = await repo.rootCommits(MAIN_BRANCH);
  await db.transaction(async (tx) => {
    for (const root of roots) {
      await recordContentWrite(tx, { commit: root, kind: "upgrade", ref: MAIN_BRANCH, tag: null, crId: null, writtenAt: now.toISOString() });
    }
    if (roots[0]) await recordRepositoryIdentity(tx, roots[0]);
    for (const v of versions) {
      await recordContentWrite(tx, { commit: v.commit_sha, kind: "upgrade", ref: MAIN_BRANCH, tag: v.tag, crId: v.cr_id, writtenAt: now.toISOString() });
    }
    await recordAudit(
      tx,
      {
        ...SYSTEM_ACTOR,
        action: "content.writes.adopted",
        objectType: "content-repository",
        objectId: null,
        newValues: { commits: versions.length + roots.length, reason: "data folder made before Quire listed its own writes" },
      },
      now,
    );
  });
  return versions.length + roots.length;
}

/**
 * `quire init` only: main as init leaves it (its seed, or the adopted repository's history) is
 * Quire's, and its first commit is the repository's identity.
 */
export async function recordInitialMain(db: Database, repo: ContentRepository, now: Date): Promise<void> {
  const line = (await repo.firstParentCommits(MAIN_BRANCH)).reverse();
  const roots = await repo.rootCommits(MAIN_BRANCH);
  await db.transaction(async (tx) => {
    for (const commit of line) {
      await recordContentWrite(tx, { commit, kind: "seed", ref: MAIN_BRANCH, tag: null, crId: null, writtenAt: now.toISOString() });
    }
    if (roots[0]) await recordRepositoryIdentity(tx, roots[0]);
  });
}
