import type { Database, Queryable, Tx } from "~/db/db.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { FrontmatterSchema, parseFrontmatter, type DocumentType, type Frontmatter } from "~/modules/content/frontmatter";
import { sha256 } from "~/modules/content/hash";
import { formatProblem } from "~/modules/content/problems";
import { MAIN_BRANCH, VERSION_TAG_PATTERN, versionTag, type ContentRepository } from "~/modules/content/repository.server";
import { recordContentWrite } from "~/modules/integrity/content-writes.server";
import { SYSTEM_ACTOR } from "~/modules/users/actor";

import { parseVersion, type DocumentVersion } from "./documents";
import { TRAILER, parseVersionCommit } from "./version-commit";

export { TRAILER } from "./version-commit";

interface VersionRow {
  doc_id: string;
  major: number;
  minor: number;
  version: string;
  commit_sha: string;
  tag: string;
  path: string;
  content_hash: string;
  title: string;
  frontmatter: string;
  change_reason: string;
  approved_at: string;
  effective_from: string;
  cr_id?: string | null;
  retraining_required?: number | null;
}

const VERSION_COLUMNS = "doc_id, major, minor, version, commit_sha, tag, path, content_hash, title, frontmatter, change_reason, approved_at, effective_from";

function toVersion(row: VersionRow): DocumentVersion {
  return {
    docId: row.doc_id,
    major: row.major,
    minor: row.minor,
    version: row.version,
    commit: row.commit_sha,
    tag: row.tag,
    path: row.path,
    contentHash: row.content_hash,
    title: row.title,
    frontmatter: FrontmatterSchema.parse(JSON.parse(row.frontmatter)),
    changeReason: row.change_reason,
    approvedAt: row.approved_at,
    effectiveFrom: row.effective_from,
    crId: row.cr_id ?? null,
    retrainingRequired: row.retraining_required === undefined || row.retraining_required === null ? null : row.retraining_required === 1,
  };
}

export async function allVersions(db: Queryable): Promise<DocumentVersion[]> {
  const rows = await db.all<VersionRow>(`SELECT ${VERSION_COLUMNS}, cr_id, retraining_required FROM document_versions ORDER BY doc_id, major, minor`);
  return rows.map(toVersion);
}

export async function versionsOf(db: Queryable, docId: string): Promise<DocumentVersion[]> {
  const rows = await db.all<VersionRow>(`SELECT ${VERSION_COLUMNS}, cr_id, retraining_required FROM document_versions WHERE doc_id = ? ORDER BY major, minor`, [
    docId,
  ]);
  return rows.map(toVersion);
}

/** A controlled document's type and file path, or null for an unknown id. */
export async function documentOf(db: Queryable, docId: string): Promise<{ type: DocumentType; path: string } | null> {
  return (await db.get<{ type: DocumentType; path: string }>("SELECT type, path FROM documents WHERE id = ?", [docId])) ?? null;
}

/** How many controlled documents there are. */
export async function documentCount(db: Queryable): Promise<number> {
  return (await db.get<{ n: number }>("SELECT count(*) AS n FROM documents"))!.n;
}

/** What a version was made of: the content hash approved and the change request that made it (null when seeded); null for an unknown version. */
export async function versionOrigin(db: Queryable, docId: string, version: string): Promise<{ contentHash: string; crId: string | null } | null> {
  const row = await db.get<{ content_hash: string; cr_id: string | null }>(
    "SELECT content_hash, cr_id FROM document_versions WHERE doc_id = ? AND version = ?",
    [docId, version],
  );
  return row ? { contentHash: row.content_hash, crId: row.cr_id } : null;
}

export class RegistrationError extends Error {}

/**
 * `quire init` only: records the versions init itself committed and tagged (each commit carries
 * `Quire-Seeded-By`; when adopting an existing repository, the version tags it already had), reading the facts from the commit's trailers and file, and lists each commit
 * as Quire's own. Nothing else turns a tag into a version: at start, a tag Quire did not write is
 * reported and ignored (docs/decisions/008-own-versions-and-verify.md).
 */
export async function recordSeededVersions(db: Database, repo: ContentRepository, now: Date, options: { adopt?: boolean } = {}): Promise<string[]> {
  const known = new Set((await db.all<{ tag: string }>("SELECT tag FROM document_versions")).map((r) => r.tag));
  const pending = (await repo.versionTags()).filter((t) => !known.has(t.tag));
  const rows: VersionRow[] = [];
  for (const { tag, commit } of pending) {
    const m = VERSION_TAG_PATTERN.exec(tag)!;
    const facts = parseVersionCommit(await repo.trailers(commit));
    const { path, effectiveDate: effective } = facts;
    // Adopting an existing repository (QUIRE_CONTENT_REPO) takes its earlier version tags as they are.
    if (!options.adopt && !facts.seededBy) throw new RegistrationError(`tag ${tag}: commit ${commit.slice(0, 12)} was not written by quire init`);
    if (facts.docId !== m[1] || facts.version !== `${m[2]}.${m[3]}` || !path || !effective) {
      throw new RegistrationError(
        `tag ${tag}: commit ${commit.slice(0, 12)} lacks matching ${TRAILER.document}/${TRAILER.version}/${TRAILER.path}/${TRAILER.effective} trailers`,
      );
    }
    const source = await repo.readFile(commit, path);
    // Seeded content passed validation before init committed it; a failure here is a defect.
    const parsed = parseFrontmatter(path, source);
    if (!parsed.ok) throw new RegistrationError(`tag ${tag}: ${formatProblem(parsed.problems[0]!)}`);
    const frontmatter = parsed.data;
    rows.push({
      doc_id: m[1]!,
      major: Number(m[2]),
      minor: Number(m[3]),
      version: `${m[2]}.${m[3]}`,
      commit_sha: commit,
      tag,
      path,
      content_hash: sha256(source),
      title: frontmatter.title,
      frontmatter: JSON.stringify(frontmatter),
      change_reason: facts.reason ?? "",
      approved_at: await repo.commitDate(commit),
      effective_from: effective,
      retraining_required: facts.retrainingRequired === null ? null : facts.retrainingRequired ? 1 : 0,
    });
  }
  if (rows.length === 0) return [];
  await db.transaction(async (tx) => {
    for (const row of rows) {
      await insertVersion(tx, row, now);
      await recordContentWrite(tx, { commit: row.commit_sha, kind: "seed", ref: MAIN_BRANCH, tag: row.tag, crId: null, writtenAt: now.toISOString() });
      await recordAudit(
        tx,
        {
          ...SYSTEM_ACTOR,
          action: "document.version.recorded",
          objectType: "document",
          objectId: row.doc_id,
          newValues: { version: row.version, tag: row.tag, commit: row.commit_sha, contentHash: row.content_hash, effectiveFrom: row.effective_from },
        },
        now,
      );
    }
  });
  return rows.map((r) => r.tag);
}

export interface NewVersionRecord {
  docId: string;
  version: string;
  commit: string;
  path: string;
  contentHash: string;
  frontmatter: Frontmatter;
  reason: string;
  approvedAt: string;
  effectiveFrom: string;
  crId: string | null;
  retrainingRequired: boolean;
}

/** Records an approved version (and its document, the first time) inside the caller's transaction. */
export async function insertVersionRecord(tx: Tx, v: NewVersionRecord, now: Date): Promise<void> {
  const n = parseVersion(v.version)!;
  await insertVersion(
    tx,
    {
      doc_id: v.docId,
      major: n.major,
      minor: n.minor,
      version: v.version,
      commit_sha: v.commit,
      tag: versionTag(v.docId, v.version),
      path: v.path,
      content_hash: v.contentHash,
      title: v.frontmatter.title,
      frontmatter: JSON.stringify(v.frontmatter),
      change_reason: v.reason,
      approved_at: v.approvedAt,
      effective_from: v.effectiveFrom,
      retraining_required: v.retrainingRequired ? 1 : 0,
    },
    now,
    v.crId,
  );
}

async function insertVersion(tx: Tx, row: VersionRow, now: Date, crId: string | null = null): Promise<void> {
  const frontmatter = FrontmatterSchema.parse(JSON.parse(row.frontmatter));
  await tx.run("INSERT OR IGNORE INTO documents (id, type, path, created_at) VALUES (?, ?, ?, ?)", [row.doc_id, frontmatter.type, row.path, now.toISOString()]);
  await tx.run(
    `INSERT INTO document_versions (${VERSION_COLUMNS}, cr_id, retraining_required) VALUES (${VERSION_COLUMNS.split(", ")
      .map(() => "?")
      .join(", ")}, ?, ?)`,
    [
      row.doc_id,
      row.major,
      row.minor,
      row.version,
      row.commit_sha,
      row.tag,
      row.path,
      row.content_hash,
      row.title,
      row.frontmatter,
      row.change_reason,
      row.approved_at,
      row.effective_from,
      crId,
      row.retraining_required ?? null,
    ],
  );
}
