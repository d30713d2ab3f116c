// What `quire validate` does, loaded only when it runs (scripts/commands/validate.ts defines the command).
import fs from "node:fs";
import path from "node:path";

import { readConfig } from "~/config.server";
import { checkContent } from "~/modules/content/content";
import { findContentRoot, readContentFolder } from "~/modules/content/folder.server";
import { formatProblem, sortProblems, type Problem } from "~/modules/content/problems";

import { EXIT, fail, printJson } from "../cli-support";

export function validate(paths: string[], opts: { json?: boolean }): void {
  const targets = paths.length > 0 ? paths : [readConfig().contentRepo];
  const problems: Problem[] = [];
  let checked = 0;
  let quizzes = 0;
  for (const target of targets) {
    if (!fs.existsSync(target)) fail(`${target}: no such file or folder`);
    const root = findContentRoot(target);
    if (!root) fail(`${target}: no job-functions.yaml in it or above it, so it is not inside a content repository`);
    const folder = readContentFolder(root);
    // Quizzes are checked with the documents they sit beside (a quiz without its document is a problem).
    const result = checkContent([...folder.documents, ...folder.quizzes], folder.jobFunctions);
    const absolute = path.resolve(target);
    const inTarget = (p: string) => {
      const full = path.join(root, p);
      return full === absolute || full.startsWith(absolute + path.sep);
    };
    checked += folder.documents.filter((d) => inTarget(d.path)).length;
    quizzes += folder.quizzes.filter((q) => inTarget(q.path)).length;
    // Report paths as the user would open them: relative to where the command runs.
    for (const p of result.problems.filter((p) => inTarget(p.path) || p.rule === "job-functions-file")) {
      problems.push({ ...p, path: path.relative(process.cwd(), path.join(root, p.path)) });
    }
  }
  const unique = sortProblems(problems).filter((p, i, all) => i === 0 || formatProblem(p) !== formatProblem(all[i - 1]!));
  if (opts.json) printJson({ checked, quizzes, problems: unique });
  else {
    for (const p of unique) process.stdout.write(`${formatProblem(p)}\n`);
    process.stderr.write(`${checked} document(s) and ${quizzes} quiz file(s) checked, ${unique.length} problem(s).\n`);
  }
  process.exitCode = unique.length > 0 ? EXIT.problems : EXIT.ok;
}
