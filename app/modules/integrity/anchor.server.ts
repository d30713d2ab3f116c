import { boundedCache } from "~/cache";
import type { Database, Queryable } from "~/db/db.server";
import { auditHashAt, newestAuditRow, recordAudit } from "~/modules/audit/audit.server";
import type { ContentRepository } from "~/modules/content/repository.server";
import { TRAILER, parseAuditHead } from "~/modules/documents/version-commit";
import { SYSTEM_ACTOR } from "~/modules/users/users.server";

import { ANCHOR_REF, recordContentWrite } from "./content-writes.server";

/** A point of the audit chain written into git: row `seq` had hash `hash` then. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  /** Where git holds it: an approval commit's trailer or an anchor commit. */
  commit: string;
  source: "approval" | "anchor";
}

/**
 * Writes the audit chain's current head into the content repository (an empty-tree commit on
 * refs/quire/audit-anchors), so deleting or rewriting the audit table shows as a mismatch against
 * git (Part 11 §11.10(e); Annex 11 §9). Audited after the anchor, with the anchored row named.
 */
export async function anchorAuditHead(
  db: Database,
  repo: ContentRepository,
  now: Date,
  actor: { userId: string | null; username: string | null } = SYSTEM_ACTOR,
): Promise<AuditAnchor | null> {
  const head = await newestAuditRow(db);
  if (!head) return null;
  const stamp = now.toISOString();
  const commit = await repo.appendToRef(ANCHOR_REF, `Audit trail anchor: row ${head.seq}\n\n${TRAILER.auditHead}: ${head.seq} ${head.hash}\n`, stamp);
  await db.transaction(async (tx) => {
    await recordContentWrite(tx, { commit, kind: "anchor", ref: ANCHOR_REF, tag: null, crId: null, writtenAt: stamp });
    await recordAudit(
      tx,
      {
        ...actor,
        clientAddress: null,
        action: "audit.anchor",
        objectType: "audit-trail",
        objectId: null,
        newValues: { seq: head.seq, hash: head.hash, commit, ref: ANCHOR_REF },
      },
      now,
    );
  });
  return { ...head, commit, source: "anchor" };
}

/** The audit head a commit carries in its trailer (an anchor commit or an approval), if any. */
async function anchorIn(repo: ContentRepository, commit: string, source: AuditAnchor["source"]): Promise<AuditAnchor | null> {
  const value = (await repo.trailers(commit)).get(TRAILER.auditHead)?.at(-1);
  const head = value ? parseAuditHead(value) : null;
  return head ? { ...head, commit, source } : null;
}

/** Every anchor git holds: the anchor ref's commits and each approval commit's audit-head trailer. */
export async function readAnchors(repo: ContentRepository, approvalCommits: readonly string[]): Promise<AuditAnchor[]> {
  const anchors: AuditAnchor[] = [];
  for (const commit of await repo.refHistory(ANCHOR_REF)) {
    const anchor = await anchorIn(repo, commit, "anchor");
    if (anchor) anchors.push(anchor);
  }
  for (const commit of approvalCommits) {
    // A commit git no longer has is reported with its version; it holds no anchor to read.
    if (!(await repo.hasCommit(commit))) continue;
    const anchor = await anchorIn(repo, commit, "approval");
    if (anchor) anchors.push(anchor);
  }
  return anchors.sort((a, b) => a.seq - b.seq);
}

/** The newest anchor git holds, and whether its audit row still has the anchored hash. */
export interface AnchorCheck {
  anchor: AuditAnchor;
  matches: boolean;
}

const newestAnchorCache = boundedCache<Promise<AuditAnchor | null>>("newest-audit-anchor", 16);

/**
 * For the audit page: the newest audit head written into git (the anchor ref's tip, or the newest
 * approval commit's trailer) checked against its row, so the page's checkpoint rests on git and not
 * only on the database. Git is read once per (anchor tip, newest approval): a handful of commands.
 */
export async function checkNewestAnchor(db: Queryable, repo: ContentRepository): Promise<AnchorCheck | null> {
  const tip = await repo.refTarget(ANCHOR_REF);
  const approval =
    (await db.get<{ commit_sha: string }>("SELECT commit_sha FROM content_writes WHERE kind = 'approval' ORDER BY rowid DESC LIMIT 1"))?.commit_sha ?? null;
  const key = `${tip}:${approval}`;
  let newest = newestAnchorCache.get(key);
  if (!newest) {
    newest = (async () => {
      const found: AuditAnchor[] = [];
      for (const [commit, source] of [
        [tip, "anchor"],
        [approval, "approval"],
      ] as const) {
        if (!commit || !(await repo.hasCommit(commit))) continue;
        const value = (await repo.trailers(commit)).get(TRAILER.auditHead)?.at(-1);
        const head = value ? parseAuditHead(value) : null;
        if (head) found.push({ ...head, commit, source });
      }
      return found.sort((a, b) => b.seq - a.seq)[0] ?? null;
    })();
    newestAnchorCache.clear();
    newestAnchorCache.set(key, newest);
  }
  const anchor = await newest;
  if (!anchor) return null;
  return { anchor, matches: (await auditHashAt(db, anchor.seq)) === anchor.hash };
}
