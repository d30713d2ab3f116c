// Reads document control's rules from the document version in force that states them (SOP-DC-001,
// decision 017): a changed route applies from the day its SOP version becomes effective, not before.
import { today } from "~/clock.server";
import { parseMdxTree } from "~/modules/content/mdx-policy";
import { formatProblem } from "~/modules/content/problems";
import { listLibrary } from "~/modules/documents/library.server";
import { allVersions } from "~/modules/documents/versions.server";
import type { Quire } from "~/quire";

import { documentControlRulesIn, mayStateDocumentControlRules, type RulesInDocument } from "./document-control-rules";
import { SOP_DC_001_RULES, type DocumentControlRules } from "./routing";

export class RulesUnreadable extends Error {}

/** What each version (doc id, content hash) states, parsed once: a version's text never changes. */
const byVersion = new Map<string, RulesInDocument & { docId: string; version: string; path: string }>();
const MAX_VERSIONS = 500;

/**
 * The rules in force on `on` (ISO date; default today on Quire's clock): those stated by the
 * document version in force that day, or SOP-DC-001's as written (SOP_DC_001_RULES) where no
 * version in force states them. Should two versions in force state them (the policy check refuses
 * that on approval), the one effective last applies, so change control is never left without rules.
 */
export async function documentControlRules(q: Pick<Quire, "db" | "repo" | "config">, on: string = today(q.config)): Promise<DocumentControlRules> {
  const inForce = (await listLibrary(q, on)).filter((e) => e.status === "effective" && e.version !== null);
  const versions = new Map((await q.db.cached("versions", () => allVersions(q.db))).map((v) => [`${v.docId}@${v.version}`, v]));
  const wanted = inForce.map((e) => versions.get(`${e.id}@${e.version}`)).filter((v) => v !== undefined);
  const key = (v: { docId: string; contentHash: string }) => `${v.docId}:${v.contentHash}`;
  const missing = wanted.filter((v) => !byVersion.has(key(v)));
  if (missing.length > 0) {
    const sources = await q.repo.readFiles(missing.map((v) => ({ commit: v.commit, path: v.path })));
    if (byVersion.size + missing.length > MAX_VERSIONS) byVersion.clear();
    missing.forEach((v, i) => {
      const source = sources[i] ?? "";
      const stated = mayStateDocumentControlRules(source)
        ? documentControlRulesIn(parseMdxTree(source), v.path, null)
        : { at: null, rules: null, problems: [] };
      byVersion.set(key(v), { ...stated, docId: v.docId, version: v.version, path: v.path });
    });
  }
  const stating = wanted
    .filter((v) => byVersion.get(key(v))?.at)
    .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.docId.localeCompare(b.docId));
  const latest = stating.at(-1);
  if (!latest) return SOP_DC_001_RULES;
  const stated = byVersion.get(key(latest))!;
  if (!stated.rules) {
    const why = stated.problems.length > 0 ? stated.problems.map(formatProblem).join("; ") : "they are not stated completely";
    throw new RulesUnreadable(`Document control's rules in ${latest.docId} v${latest.version}, in force on ${on}, cannot be read: ${why}`);
  }
  return stated.rules;
}
