// The KPI catalogue on a day: the <Kpi> definitions of every document version in force that day
// (SOP-KP-001: "collected in the KPI catalogue"). A definition changes only when its SOP's new
// version becomes effective, so the catalogue is read from the versions' committed text.
import { boundedCache } from "~/cache";
import { parseMdxTree } from "~/modules/content/mdx-policy";
import type { DocumentVersion } from "~/modules/documents/documents";
import { readEachVersion, versionsInForce } from "~/modules/documents/versions-in-force.server";
import type { Quire } from "~/quire";

import { kpiDefinitionsIn } from "./definitions";
import type { KpiDefinition } from "./kpi";

/** Parsed definitions per version (doc id, content hash): a version's text never changes. */
const byVersion = boundedCache<KpiDefinition[]>("kpi-definitions", 500);

/** Every KPI defined by a version in force on `on` (ISO date), ordered by document then position. */
export async function kpiCatalogue(q: Pick<Quire, "db" | "repo">, on: string): Promise<KpiDefinition[]> {
  const read = (source: string, v: DocumentVersion) => (source.includes("<Kpi") ? kpiDefinitionsIn(parseMdxTree(source), v.docId) : []);
  return (await readEachVersion(q, await versionsInForce(q, on), byVersion, read)).flat();
}

/** One KPI of the catalogue in force on `on`, or null for an id nobody defines. */
export async function kpiDefinition(q: Pick<Quire, "db" | "repo">, id: string, on: string): Promise<KpiDefinition | null> {
  return (await kpiCatalogue(q, on)).find((d) => d.id === id) ?? null;
}
