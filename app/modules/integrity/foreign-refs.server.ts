import type { Database, Queryable } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { MAIN_BRANCH, type ContentRepository } from "~/modules/content/repository.server";
import { SYSTEM_ACTOR } from "~/modules/users/users.server";

export type ForeignRefKind = "unknown-tag" | "moved-tag" | "missing-tag" | "unknown-commit" | "rewound-main";

/** Something in the content repository that Quire did not write, or that no longer holds what Quire wrote. */
export interface ForeignRef {
  ref: string;
  target: string;
  kind: ForeignRefKind;
  message: string;
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * Compares the content repository with what Quire recorded writing (Part 11 §11.10(a), (c);
 * Annex 11 §7): version tags it did not make or that were moved or removed, commits on main it
 * did not write, and its own commits no longer on main (a rewind). Reads only.
 */
export async function findForeignRefs(db: Queryable, repo: ContentRepository): Promise<ForeignRef[]> {
  const found: ForeignRef[] = [];
  const versions = await db.all<{ doc_id: string; version: string; tag: string; commit_sha: string }>(
    "SELECT doc_id, version, tag, commit_sha FROM document_versions ORDER BY doc_id, major, minor",
  );
  const byTag = new Map(versions.map((v) => [v.tag, v]));
  const tags = await repo.versionTags();
  const tagged = new Set(tags.map((t) => t.tag));
  for (const { tag, commit } of tags) {
    const recorded = byTag.get(tag);
    if (!recorded) {
      found.push({
        ref: `refs/tags/${tag}`,
        target: commit,
        kind: "unknown-tag",
        message: `tag ${tag} points at commit ${short(commit)}, which Quire did not approve: it is not a version and is ignored`,
      });
    } else if (recorded.commit_sha !== commit) {
      found.push({
        ref: `refs/tags/${tag}`,
        target: commit,
        kind: "moved-tag",
        message: `tag ${tag} was moved from the approved commit ${short(recorded.commit_sha)} to ${short(commit)}; Quire keeps serving the approved commit`,
      });
    }
  }
  for (const v of versions) {
    if (!tagged.has(v.tag)) {
      found.push({
        ref: `refs/tags/${v.tag}`,
        target: v.commit_sha,
        kind: "missing-tag",
        message: `tag ${v.tag} of ${v.doc_id} v${v.version} (commit ${short(v.commit_sha)}) is missing from the content repository`,
      });
    }
  }
  const mainLine = await repo.firstParentCommits(MAIN_BRANCH);
  const onMain = new Set(mainLine);
  const own = await db.all<{ commit_sha: string; tag: string | null }>("SELECT commit_sha, tag FROM content_writes WHERE ref = ?", [MAIN_BRANCH]);
  const ownSet = new Set(own.map((w) => w.commit_sha));
  for (const commit of mainLine) {
    if (!ownSet.has(commit)) {
      found.push({
        ref: `refs/heads/${MAIN_BRANCH}`,
        target: commit,
        kind: "unknown-commit",
        message: `commit ${short(commit)} on main was not written by Quire; its content is not served and approvals wait until it is removed`,
      });
    }
  }
  for (const w of own) {
    if (!onMain.has(w.commit_sha)) {
      found.push({
        ref: `refs/heads/${MAIN_BRANCH}`,
        target: w.commit_sha,
        kind: "rewound-main",
        message: `main was rewound or replaced: Quire's commit ${short(w.commit_sha)}${w.tag ? ` (${w.tag})` : ""} is no longer on it`,
      });
    }
  }
  return found;
}

/**
 * Run at start: each finding not reported before gets a log line and an audit row
 * (`content.foreign-ref`); findings that have gone are marked resolved (`content.foreign-ref.resolved`).
 * The server starts regardless and serves only what Quire recorded.
 */
export async function reportForeignRefs(
  db: Database,
  repo: ContentRepository,
  now: Date,
  log: (line: string) => void = () => undefined,
): Promise<ForeignRef[]> {
  const found = await findForeignRefs(db, repo);
  const stamp = now.toISOString();
  await db.transaction(async (tx) => {
    const open = await tx.all<{ ref: string; target: string; kind: ForeignRefKind }>("SELECT ref, target, kind FROM foreign_refs WHERE resolved_at IS NULL");
    const key = (f: { ref: string; target: string; kind: string }) => `${f.kind}\u0000${f.ref}\u0000${f.target}`;
    const openKeys = new Set(open.map(key));
    const foundKeys = new Set(found.map(key));
    for (const f of found) {
      if (openKeys.has(key(f))) {
        await tx.run("UPDATE foreign_refs SET last_seen = ? WHERE ref = ? AND target = ? AND kind = ?", [stamp, f.ref, f.target, f.kind]);
        continue;
      }
      log(`content repository: ${f.message}`);
      await tx.run(
        `INSERT INTO foreign_refs (ref, target, kind, message, first_seen, last_seen, resolved_at) VALUES (?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT (ref, target, kind) DO UPDATE SET message = excluded.message, last_seen = excluded.last_seen, resolved_at = NULL`,
        [f.ref, f.target, f.kind, f.message, stamp, stamp],
      );
      await recordAudit(
        tx,
        {
          ...SYSTEM_ACTOR,
          action: "content.foreign-ref",
          objectType: "content-ref",
          objectId: f.ref,
          newValues: { kind: f.kind, target: f.target, message: f.message },
        },
        now,
      );
    }
    for (const o of open) {
      if (foundKeys.has(key(o))) continue;
      await tx.run("UPDATE foreign_refs SET resolved_at = ? WHERE ref = ? AND target = ? AND kind = ?", [stamp, o.ref, o.target, o.kind]);
      await recordAudit(
        tx,
        { ...SYSTEM_ACTOR, action: "content.foreign-ref.resolved", objectType: "content-ref", objectId: o.ref, newValues: { kind: o.kind, target: o.target } },
        now,
      );
    }
  });
  return found;
}

/** Findings of the last start that are still open, for the quality managers' banner. */
export function openForeignRefs(db: Database): Promise<ForeignRef[]> {
  return db.cached(
    "foreign-refs:open",
    async () => await db.all<ForeignRef>("SELECT ref, target, kind, message FROM foreign_refs WHERE resolved_at IS NULL ORDER BY first_seen, ref"),
  );
}
