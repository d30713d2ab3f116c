// The full-text index of document bodies (migration 020): filled from git for any version not yet in
// it, then queried with FTS5's ranking and a passage around the match.
import type { Quire } from "~/quire";

import { ftsQuery, searchableText } from "./search";
import { MATCH_END, MATCH_START } from "./search-passage";
import { allVersions } from "./versions.server";

export interface BodyHit {
  docId: string;
  version: string;
  /** Words around the match, matched words between MATCH_START and MATCH_END. */
  passage: string;
  /** FTS5's bm25: lower is better. */
  rank: number;
}

/** Adds every approved version missing from the index (the first search after an approval or init). */
export async function ensureSearchIndex(q: Pick<Quire, "db" | "repo">): Promise<number> {
  const [versions, indexed] = await Promise.all([allVersions(q.db), q.db.all<{ key: string }>("SELECT doc_id || ' ' || version AS key FROM document_text")]);
  const have = new Set(indexed.map((r) => r.key));
  const missing = versions.filter((v) => !have.has(`${v.docId} ${v.version}`));
  if (missing.length === 0) return 0;
  const rows = await Promise.all(missing.map(async (v) => ({ v, body: searchableText(await q.repo.readFile(v.commit, v.path)) })));
  await q.db.transaction(async (tx) => {
    for (const { v, body } of rows) {
      if (await tx.get("SELECT 1 FROM document_text WHERE doc_id = ? AND version = ?", [v.docId, v.version])) continue;
      await tx.run("INSERT INTO document_text (doc_id, version, body) VALUES (?, ?, ?)", [v.docId, v.version, body]);
    }
  });
  return rows.length;
}

/**
 * Searches the bodies of the given versions (a document's version in force, as the library lists it),
 * best first. Words the index cannot parse never reach FTS5 as syntax (see ftsQuery).
 */
export async function searchBodies(q: Pick<Quire, "db" | "repo">, text: string, versions: ReadonlyMap<string, string>): Promise<BodyHit[]> {
  const match = ftsQuery(text);
  if (!match || versions.size === 0) return [];
  await ensureSearchIndex(q);
  const rows = await q.db.all<{ doc_id: string; version: string; passage: string; rank: number }>(
    `SELECT doc_id, version, snippet(document_text, 2, ?, ?, '…', 16) AS passage, bm25(document_text) AS rank
       FROM document_text WHERE document_text MATCH ? ORDER BY rank`,
    [MATCH_START, MATCH_END, match],
  );
  return rows.filter((r) => versions.get(r.doc_id) === r.version).map((r) => ({ docId: r.doc_id, version: r.version, passage: r.passage, rank: r.rank }));
}
