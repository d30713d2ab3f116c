/** One thing wrong with a content file, reported as `path:line:column: message [rule]`. */
export interface Problem {
  path: string;
  line: number;
  column: number;
  rule: ProblemRule;
  message: string;
}

export type ProblemRule =
  | "frontmatter"
  | "file-name"
  | "duplicate-id"
  | "mdx-syntax"
  | "no-import-export"
  | "no-expression"
  | "unknown-component"
  | "component-attribute"
  | "component-nesting"
  | "doc-ref"
  | "unsafe-link"
  | "job-function"
  | "job-functions-file"
  | "document-control-rules"
  | "kpi-id"
  | "quiz";

export function formatProblem(p: Problem): string {
  return `${p.path}:${p.line}:${p.column}: ${p.message} [${p.rule}]`;
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.column - b.column,
  );
}
