// Reads document control's rules from the document version in force that states them (SOP-DC-001,
// decision 017): a changed route applies from the day its SOP version becomes effective, not before.
import { boundedCache } from "~/cache";
import { today } from "~/clock.server";
import { parseMdxTree } from "~/modules/content/mdx-policy";
import { formatProblem } from "~/modules/content/problems";
import type { DocumentVersion } from "~/modules/documents/documents";
import { readEachVersion, versionsInForce } from "~/modules/documents/versions-in-force.server";
import type { Quire } from "~/quire";

import { documentControlRulesIn, mayStateDocumentControlRules, type RulesInDocument } from "./document-control-rules";
import { SOP_DC_001_RULES, type DocumentControlRules } from "./routing";

export class RulesUnreadable extends Error {}

/** What each version (doc id, content hash) states, parsed once: a version's text never changes. */
const byVersion = boundedCache<RulesInDocument>("document-control-rules", 500);

/**
 * The rules in force on `on` (ISO date; default today on Quire's clock): those stated by the
 * document version in force that day, or SOP-DC-001's as written (SOP_DC_001_RULES) where no
 * version in force states them. Should two versions in force state them (the policy check refuses
 * that on approval), the one effective last applies, so change control is never left without rules.
 */
export async function documentControlRules(q: Pick<Quire, "db" | "repo" | "config">, on: string = today(q.config)): Promise<DocumentControlRules> {
  const wanted = await versionsInForce(q, on);
  const read = (source: string, v: DocumentVersion): RulesInDocument =>
    mayStateDocumentControlRules(source) ? documentControlRulesIn(parseMdxTree(source), v.path, null) : { at: null, rules: null, problems: [] };
  const said = await readEachVersion(q, wanted, byVersion, read);
  const stating = wanted
    .map((v, i) => ({ v, said: said[i]! }))
    .filter((x) => x.said.at)
    .sort((a, b) => a.v.effectiveFrom.localeCompare(b.v.effectiveFrom) || a.v.docId.localeCompare(b.v.docId));
  const latest = stating.at(-1);
  if (!latest) return SOP_DC_001_RULES;
  const stated = latest.said;
  if (!stated.rules) {
    const why = stated.problems.length > 0 ? stated.problems.map(formatProblem).join("; ") : "they are not stated completely";
    throw new RulesUnreadable(`Document control's rules in ${latest.v.docId} v${latest.v.version}, in force on ${on}, cannot be read: ${why}`);
  }
  return stated.rules;
}
