// Reads document control's rules (document-control.yaml) as main holds them, once per main commit.

import { parseJobFunctions } from "~/modules/content/content";
import { DOCUMENT_CONTROL_FILE, JOB_FUNCTIONS_FILE } from "~/modules/content/content-files";
import { formatProblem } from "~/modules/content/problems";
import { MAIN_BRANCH, type ContentRepository } from "~/modules/content/repository.server";

import { SOP_DC_001_RULES, parseDocumentControlRules, type DocumentControlRules } from "./routing";

let last: { repoDir: string; commit: string; rules: DocumentControlRules } | null = null;

export class RulesUnreadable extends Error {}

/** The rules in force: main's document-control.yaml, or SOP-DC-001's where the repository has none. */
export async function documentControlRules(repo: ContentRepository): Promise<DocumentControlRules> {
  const commit = await repo.branchHead(MAIN_BRANCH);
  if (!commit) return SOP_DC_001_RULES;
  if (last && last.repoDir === repo.dir && last.commit === commit) return last.rules;
  const source = await repo.readFileOrNull(commit, DOCUMENT_CONTROL_FILE);
  let rules = SOP_DC_001_RULES;
  if (source !== null) {
    const jf = await repo.readFileOrNull(commit, JOB_FUNCTIONS_FILE);
    const functions = new Set(jf ? parseJobFunctions(JOB_FUNCTIONS_FILE, jf).jobFunctions.map((j) => j.id) : []);
    const parsed = parseDocumentControlRules(DOCUMENT_CONTROL_FILE, source, functions);
    if (!parsed.rules)
      throw new RulesUnreadable(`The content repository's ${DOCUMENT_CONTROL_FILE} is not valid: ${parsed.problems.map(formatProblem).join("; ")}`);
    rules = parsed.rules;
  }
  last = { repoDir: repo.dir, commit, rules };
  return rules;
}
