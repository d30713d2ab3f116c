import type { Queryable } from "~/db/db.server";

import type { VersionPeriod } from "./documents";

// A document's versions as point-in-time questions need them: number, commit and effective date,
// without the frontmatter versions.server.ts parses (with zod) for every version. `quire effective`
// reads these alone, so it starts without loading zod or the content modules (issue 10).

export interface DatedVersion extends VersionPeriod {
  version: string;
  commit: string;
}

/** The versions of one document, oldest first; empty when no such document has a version. */
export async function versionPeriodsOf(db: Queryable, docId: string): Promise<DatedVersion[]> {
  const rows = await db.all<{ major: number; minor: number; version: string; commit_sha: string; effective_from: string }>(
    "SELECT major, minor, version, commit_sha, effective_from FROM document_versions WHERE doc_id = ? ORDER BY major, minor",
    [docId],
  );
  return rows.map((r) => ({ major: r.major, minor: r.minor, version: r.version, commit: r.commit_sha, effectiveFrom: r.effective_from }));
}
