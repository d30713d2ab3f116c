// What the documents in force on a day say, read once per version: a version's committed text never
// changes, so whatever is worked out of it (KPI definitions, document control's rules) is kept in a
// bounded cache keyed by the document and its content hash (app/cache.ts).
import type { LRUCache } from "lru-cache";

import type { Quire } from "~/quire";

import type { DocumentVersion } from "./documents";
import { listLibrary } from "./library.server";
import { allVersions } from "./versions.server";

/** The version of each document in force on `on` (ISO date), in the library's order. */
export async function versionsInForce(q: Pick<Quire, "db" | "repo">, on: string): Promise<DocumentVersion[]> {
  const inForce = (await listLibrary(q, on)).filter((e) => e.status === "effective" && e.version !== null);
  const versions = new Map((await q.db.cached("versions", () => allVersions(q.db))).map((v) => [`${v.docId}@${v.version}`, v]));
  return inForce.map((e) => versions.get(`${e.id}@${e.version}`)).filter((v) => v !== undefined);
}

/** The cache key of what a version says: its document and content hash. */
export function versionKey(v: Pick<DocumentVersion, "docId" | "contentHash">): string {
  return `${v.docId}:${v.contentHash}`;
}

/**
 * What `read` makes of each version's text, from `cache` where it was read before; the sources
 * not cached are read from git in one batch. Hits are taken before any miss is stored, so a cache
 * smaller than the versions in force still answers for all of them.
 */
export async function readEachVersion<T extends NonNullable<unknown>>(
  q: Pick<Quire, "repo">,
  versions: readonly DocumentVersion[],
  cache: LRUCache<string, T>,
  read: (source: string, version: DocumentVersion) => T,
): Promise<T[]> {
  const values = versions.map((v) => cache.get(versionKey(v)));
  const missing = versions.flatMap((_, i) => (values[i] === undefined ? [i] : []));
  if (missing.length > 0) {
    const sources = await q.repo.readFiles(missing.map((i) => ({ commit: versions[i]!.commit, path: versions[i]!.path })));
    missing.forEach((i, j) => {
      const value = read(sources[j] ?? "", versions[i]!);
      values[i] = value;
      cache.set(versionKey(versions[i]!), value);
    });
  }
  return values as T[];
}
