import { z } from "zod";

import { documentControlRulesIn, mayStateDocumentControlRules, rulesStatedTwiceProblems, type RulesSighting } from "~/modules/change-control/document-control-rules";
import { duplicateKpiProblems, kpiSightings, type KpiSighting } from "~/modules/kpi/definitions";
import { parseQuiz, type Quiz } from "~/modules/training/quiz";

import { JOB_FUNCTIONS_FILE, documentPathForQuiz, isQuizPath, type SourceFile } from "./content-files";
import {
  JobFunctionSchema,
  TYPE_FOLDERS,
  parseFrontmatter,
  type Frontmatter,
  type JobFunction,
} from "./frontmatter";
import { checkMdxWithTree, parseMdxTree } from "./mdx-policy";
import type { Problem } from "./problems";
import { parseYamlFile } from "./yaml-file";

export { JOB_FUNCTIONS_FILE, isDocumentPath, isQuizPath, type SourceFile } from "./content-files";

export interface ValidDocument {
  path: string;
  source: string;
  frontmatter: Frontmatter;
}

/** A quiz file that parses and sits beside its document (`docPath`). */
export interface ValidQuiz {
  path: string;
  source: string;
  docPath: string;
  quiz: Quiz;
}

export interface ContentCheck {
  problems: Problem[];
  documents: ValidDocument[];
  jobFunctions: JobFunction[];
  quizzes: ValidQuiz[];
}

/** Parses job-functions.yaml: the job functions of the training matrix, each problem at its line and column. */
export function parseJobFunctions(path: string, source: string): { jobFunctions: JobFunction[]; problems: Problem[] } {
  const parsed = parseYamlFile(path, source, z.array(JobFunctionSchema).min(1), "job-functions-file");
  if (!parsed.ok) return { jobFunctions: [], problems: parsed.problems };
  const problems: Problem[] = [];
  const seen = new Set<string>();
  parsed.data.forEach((jf, i) => {
    if (seen.has(jf.id)) problems.push({ path, ...parsed.at([i, "id"]), rule: "job-functions-file", message: `job function ${jf.id} is defined twice` });
    seen.add(jf.id);
  });
  return { jobFunctions: parsed.data, problems };
}

/**
 * Validates a whole content tree: every document's frontmatter and MDX policy, file placement,
 * duplicate ids, and references between documents and to job functions; and every quiz file
 * among `files` (isQuizPath): that it parses and that its document sits beside it. With `only`,
 * the other files serve as context (their ids and placement) and only the named paths' bodies,
 * references and quizzes are checked: how a draft is checked against the approved tree.
 */
export function checkContent(files: SourceFile[], jobFunctionsFile: SourceFile | null, only?: ReadonlySet<string>): ContentCheck {
  const quizFiles = files.filter((f) => isQuizPath(f.path));
  const documentFiles = files.filter((f) => !isQuizPath(f.path));
  const problems: Problem[] = [];
  let jobFunctions: JobFunction[] = [];
  if (!jobFunctionsFile) {
    problems.push({ path: JOB_FUNCTIONS_FILE, line: 1, column: 1, rule: "job-functions-file", message: "the content repository has no job-functions.yaml" });
  } else {
    const jf = parseJobFunctions(jobFunctionsFile.path, jobFunctionsFile.source);
    jobFunctions = jf.jobFunctions;
    problems.push(...jf.problems);
  }
  const jobFunctionIds = new Set(jobFunctions.map((j) => j.id));

  const parsed: {
    file: SourceFile;
    frontmatter: Frontmatter;
    positions: (p: readonly PropertyKey[]) => { line: number; column: number };
    duplicate: boolean;
  }[] = [];
  const firstById = new Map<string, string>();
  for (const file of documentFiles) {
    const fm = parseFrontmatter(file.path, file.source);
    if (!fm.ok) {
      problems.push(...fm.problems);
      continue;
    }
    const { id, type } = fm.data;
    const pos = fm.positions;
    const fileName = file.path.split("/").pop() ?? "";
    if (fileName !== `${id}.mdx`) {
      problems.push({ path: file.path, ...pos(["id"]), rule: "file-name", message: `the file of document ${id} must be named ${id}.mdx` });
    }
    const folder = file.path.split("/").slice(-2, -1)[0];
    if (folder !== undefined && file.path.includes("/") && folder !== TYPE_FOLDERS[type]) {
      problems.push({ path: file.path, ...pos(["type"]), rule: "file-name", message: `a ${type} belongs in the folder ${TYPE_FOLDERS[type]}/, not ${folder}/` });
    }
    const earlier = firstById.get(id);
    if (earlier) {
      problems.push({ path: file.path, ...pos(["id"]), rule: "duplicate-id", message: `document id ${id} is already used by ${earlier}` });
    } else {
      firstById.set(id, file.path);
    }
    parsed.push({ file, frontmatter: fm.data, positions: pos, duplicate: earlier !== undefined });
  }

  const documentIds = new Set(parsed.map((p) => p.frontmatter.id));
  const documents: ValidDocument[] = [];
  const kpis: KpiSighting[] = [];
  const rules: RulesSighting[] = [];
  for (const { file, frontmatter, positions, duplicate } of parsed) {
    if (only && !only.has(file.path)) continue;
    const before = problems.length;
    if (jobFunctionsFile) {
      if (!jobFunctionIds.has(frontmatter.owner)) {
        problems.push({ path: file.path, ...positions(["owner"]), rule: "job-function", message: `owner "${frontmatter.owner}" is not a defined job function` });
      }
      frontmatter.audience.forEach((a, i) => {
        if (!jobFunctionIds.has(a)) {
          problems.push({ path: file.path, ...positions(["audience", i]), rule: "job-function", message: `audience "${a}" is not a defined job function` });
        }
      });
    }
    (frontmatter.related ?? []).forEach((r, i) => {
      if (!documentIds.has(r)) {
        problems.push({ path: file.path, ...positions(["related", i]), rule: "doc-ref", message: `related document ${r} does not exist` });
      }
    });
    const mdx = checkMdxWithTree(file.path, file.source, { jobFunctions: jobFunctionIds, documentIds });
    problems.push(...mdx.problems);
    if (mdx.tree) {
      kpis.push(...kpiSightings(mdx.tree, file.path));
      // Document control's rules (SOP-DC-001, decision 017): complete, in range, naming job functions that exist.
      const stated = documentControlRulesIn(mdx.tree, file.path, jobFunctionsFile ? jobFunctionIds : null);
      problems.push(...stated.problems);
      if (stated.at) rules.push({ path: file.path, ...stated.at });
    }
    if (problems.length === before && !duplicate) documents.push({ path: file.path, source: file.source, frontmatter });
  }

  // A KPI id is defined once across the catalogue (SOP-KP-001). Checking a draft (`only`), the other
  // documents' KPIs are its context: parsed only when they define any.
  if (only && kpis.length > 0) {
    for (const { file } of parsed) {
      if (!only.has(file.path) && file.source.includes("<Kpi")) kpis.unshift(...kpiSightings(parseMdxTree(file.source), file.path));
    }
  }
  problems.push(...duplicateKpiProblems(kpis).filter((p) => !only || only.has(p.path)));

  // One document states document control's rules; checking a draft that states them, the approved
  // documents that state them come first, so the draft is the one told.
  if (only && rules.length > 0) {
    for (const { file } of parsed) {
      if (only.has(file.path) || !mayStateDocumentControlRules(file.source)) continue;
      const stated = documentControlRulesIn(parseMdxTree(file.source), file.path, null);
      if (stated.at) rules.unshift({ path: file.path, ...stated.at });
    }
  }
  problems.push(...rulesStatedTwiceProblems(rules).filter((p) => !only || only.has(p.path)));

  const idByPath = new Map(parsed.map((p) => [p.file.path, p.frontmatter.id]));
  const documentPaths = new Set(documentFiles.map((f) => f.path));
  const quizzes: ValidQuiz[] = [];
  for (const file of quizFiles) {
    if (only && !only.has(file.path)) continue;
    const result = checkQuiz(file, documentPaths, idByPath);
    if (result.ok) quizzes.push(result.quiz);
    else problems.push(...result.problems);
  }
  return { problems, documents, jobFunctions, quizzes };
}

/**
 * A quiz must parse, and the document it belongs to must sit beside it with the id its name gives
 * (sops/SOP-X.quiz.yaml needs sops/SOP-X.mdx, id SOP-X): a quiz is versioned with its document.
 */
function checkQuiz(
  file: SourceFile,
  documentPaths: ReadonlySet<string>,
  idByPath: ReadonlyMap<string, string>,
): { ok: true; quiz: ValidQuiz } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = [];
  const docPath = documentPathForQuiz(file.path);
  const expectedId = (docPath.split("/").pop() ?? "").replace(/\.mdx$/, "");
  const fileLevel = (message: string): Problem => ({ path: file.path, line: 1, column: 1, rule: "quiz", message });
  if (!documentPaths.has(docPath)) {
    problems.push(fileLevel(`no document ${docPath} beside this quiz: a quiz is named after its document, <DOC-ID>.quiz.yaml in the document's folder`));
  } else {
    const id = idByPath.get(docPath);
    if (id !== undefined && id !== expectedId) problems.push(fileLevel(`the document beside this quiz, ${docPath}, has id ${id}, not ${expectedId}`));
  }
  const parsed = parseQuiz(file.path, file.source);
  if (!parsed.ok) problems.push(...parsed.problems);
  if (problems.length > 0 || !parsed.ok) return { ok: false, problems };
  return { ok: true, quiz: { path: file.path, source: file.source, docPath, quiz: parsed.quiz } };
}
