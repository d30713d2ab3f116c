import fs from "node:fs";
import path from "node:path";

import { JOB_FUNCTIONS_FILE, isDocumentPath, isQuizPath, type SourceFile } from "./content-files";

/** Reads a content folder from disk: its documents and quizzes (relative paths) and job-functions.yaml. */
export function readContentFolder(root: string): { documents: SourceFile[]; quizzes: SourceFile[]; jobFunctions: SourceFile | null } {
  const documents: SourceFile[] = [];
  const quizzes: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(root, full).split(path.sep).join("/");
      if (entry.isDirectory()) {
        if (entry.name !== ".git" && !/^[._]/.test(entry.name) && entry.name !== "node_modules") walk(full);
      } else if (isDocumentPath(relative)) {
        documents.push({ path: relative, source: fs.readFileSync(full, "utf8") });
      } else if (isQuizPath(relative)) {
        quizzes.push({ path: relative, source: fs.readFileSync(full, "utf8") });
      }
    }
  };
  walk(root);
  documents.sort((a, b) => a.path.localeCompare(b.path));
  quizzes.sort((a, b) => a.path.localeCompare(b.path));
  const jfPath = path.join(root, JOB_FUNCTIONS_FILE);
  const jobFunctions = fs.existsSync(jfPath) ? { path: JOB_FUNCTIONS_FILE, source: fs.readFileSync(jfPath, "utf8") } : null;
  return { documents, quizzes, jobFunctions };
}

/** The nearest folder at or above `start` that holds job-functions.yaml: a content root. */
export function findContentRoot(start: string): string | null {
  let dir = path.resolve(start);
  if (fs.existsSync(dir) && fs.statSync(dir).isFile()) dir = path.dirname(dir);
  for (;;) {
    if (fs.existsSync(path.join(dir, JOB_FUNCTIONS_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
