import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";

import type { Problem, ProblemRule } from "./problems";

/**
 * Parses a YAML content file against a schema: the value, or each problem at its line and column
 * (a YAML syntax error, or a field the schema refuses, named by its path).
 */
export function parseYamlFile<S extends z.ZodType>(
  path: string,
  source: string,
  schema: S,
  rule: ProblemRule,
): { ok: true; data: z.infer<S>; at: (keyPath: readonly PropertyKey[]) => { line: number; column: number } } | { ok: false; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const position = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const at = (keyPath: readonly PropertyKey[]) => {
    const node = doc.getIn(keyPath as unknown[], true) as { range?: [number, number, number] } | undefined;
    return node?.range ? position(node.range[0]) : { line: 1, column: 1 };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return { ok: false, problems: [{ path, ...position(e.pos[0]), rule, message: `YAML: ${e.message.split("\n")[0]}` }] };
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path,
        ...at(issue.path),
        rule,
        message: `${issue.path.map(String).join(".") || "file"}: ${issue.message}`,
      })),
    };
  }
  return { ok: true, data: parsed.data, at };
}
