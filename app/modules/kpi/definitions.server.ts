// The KPI catalogue on a day: the <Kpi> definitions of every document version in force that day
// (SOP-KP-001: "collected in the KPI catalogue"). A definition changes only when its SOP's new
// version becomes effective, so the catalogue is read from the versions' committed text.
import { parseMdxTree } from "~/modules/content/mdx-policy";
import { listLibrary } from "~/modules/documents/library.server";
import { allVersions } from "~/modules/documents/versions.server";
import type { Quire } from "~/quire";

import { kpiDefinitionsIn } from "./definitions";
import type { KpiDefinition } from "./kpi";

/** Parsed definitions per version (doc id, content hash): a version's text never changes. */
const byVersion = new Map<string, KpiDefinition[]>();
const MAX_VERSIONS = 500;

/** Every KPI defined by a version in force on `on` (ISO date), ordered by document then position. */
export async function kpiCatalogue(q: Pick<Quire, "db" | "repo">, on: string): Promise<KpiDefinition[]> {
  const inForce = (await listLibrary(q, on)).filter((e) => e.status === "effective" && e.version !== null);
  const versions = new Map((await q.db.cached("versions", () => allVersions(q.db))).map((v) => [`${v.docId}@${v.version}`, v]));
  const wanted = inForce.map((e) => versions.get(`${e.id}@${e.version}`)).filter((v) => v !== undefined);
  const missing = wanted.filter((v) => !byVersion.has(`${v.docId}:${v.contentHash}`));
  if (missing.length > 0) {
    const sources = await q.repo.readFiles(missing.map((v) => ({ commit: v.commit, path: v.path })));
    if (byVersion.size + missing.length > MAX_VERSIONS) byVersion.clear();
    missing.forEach((v, i) => {
      const source = sources[i] ?? "";
      byVersion.set(`${v.docId}:${v.contentHash}`, source.includes("<Kpi") ? kpiDefinitionsIn(parseMdxTree(source), v.docId) : []);
    });
  }
  return wanted.flatMap((v) => byVersion.get(`${v.docId}:${v.contentHash}`) ?? []);
}

/** One KPI of the catalogue in force on `on`, or null for an id nobody defines. */
export async function kpiDefinition(q: Pick<Quire, "db" | "repo">, id: string, on: string): Promise<KpiDefinition | null> {
  return (await kpiCatalogue(q, on)).find((d) => d.id === id) ?? null;
}
