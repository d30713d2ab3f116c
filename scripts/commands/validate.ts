import fs from "node:fs";
import path from "node:path";

import type { Command } from "commander";

import { readConfig } from "~/config.server";
import { checkContent } from "~/modules/content/content";
import { findContentRoot, readContentFolder } from "~/modules/content/folder.server";
import { formatProblem, sortProblems, type Problem } from "~/modules/content/problems";

import { EXIT, fail, printJson } from "../cli-support";

export function validateCommand(program: Command): void {
  program
    .command("validate")
    .description("Check controlled documents: frontmatter, MDX policy, components, references.")
    .argument("[paths...]", "files or folders to check (default: the content repository)")
    .option("--json", "print the problems as JSON")
    .addHelpText(
      "after",
      "\nEach path is checked within its content root (the nearest folder holding job-functions.yaml), so\nreferences to other documents resolve. Prints one `path:line:column: message [rule]` line per problem.\nExit 0 when all is well, 1 when problems were found, 2 for a path that does not exist.",
    )
    .action((paths: string[], opts: { json?: boolean }) => {
      const targets = paths.length > 0 ? paths : [readConfig().contentRepo];
      const problems: Problem[] = [];
      let checked = 0;
      for (const target of targets) {
        if (!fs.existsSync(target)) fail(`${target}: no such file or folder`);
        const root = findContentRoot(target);
        if (!root) fail(`${target}: no job-functions.yaml in it or above it, so it is not inside a content repository`);
        const folder = readContentFolder(root);
        const result = checkContent(folder.documents, folder.jobFunctions);
        const absolute = path.resolve(target);
        const inTarget = (p: string) => {
          const full = path.join(root, p);
          return full === absolute || full.startsWith(absolute + path.sep);
        };
        checked += folder.documents.filter((d) => inTarget(d.path)).length;
        // Report paths as the user would open them: relative to where the command runs.
        for (const p of result.problems.filter((p) => inTarget(p.path) || p.rule === "job-functions-file")) {
          problems.push({ ...p, path: path.relative(process.cwd(), path.join(root, p.path)) });
        }
      }
      const unique = sortProblems(problems).filter((p, i, all) => i === 0 || formatProblem(p) !== formatProblem(all[i - 1]!));
      if (opts.json) printJson({ checked, problems: unique });
      else {
        for (const p of unique) process.stdout.write(`${formatProblem(p)}\n`);
        process.stderr.write(`${checked} document(s) checked, ${unique.length} problem(s).\n`);
      }
      process.exitCode = unique.length > 0 ? EXIT.problems : EXIT.ok;
    });
}
