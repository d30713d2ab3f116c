import { LineCounter, isMap, isScalar, parseDocument } from "yaml";
import { z } from "zod";

import { DOCUMENT_TYPES } from "./document-types";
import type { Problem } from "./problems";

export { DOCUMENT_TYPES, TYPE_FOLDERS, TYPE_LABELS, type DocumentType } from "./document-types";

export const DOCUMENT_ID_PATTERN = /^[A-Z]{2,5}(-[A-Z]{2,5})?-\d{3}$/;
export const JOB_FUNCTION_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const DocumentId = z
  .string()
  .regex(DOCUMENT_ID_PATTERN, "must look like SOP-DC-001 (letters, optional letters, three digits)");
const JobFunctionId = z.string().regex(JOB_FUNCTION_ID_PATTERN, "must be a job function id such as quality-manager");

export const FrontmatterSchema = z.strictObject({
  id: DocumentId,
  title: z.string().trim().min(3).max(120),
  type: z.enum(DOCUMENT_TYPES),
  owner: JobFunctionId,
  audience: z.array(JobFunctionId).min(1, "must name at least one job function"),
  training: z.enum(["required", "read-only"]),
  reviewIntervalMonths: z.number().int().min(6).max(60),
  summary: z.string().trim().min(1).max(300).optional(),
  related: z.array(DocumentId).optional(),
});
export type Frontmatter = z.infer<typeof FrontmatterSchema>;

export const JobFunctionSchema = z.strictObject({
  id: JobFunctionId,
  name: z.string().trim().min(2).max(80),
  description: z.string().trim().min(1).max(400),
});
export type JobFunction = z.infer<typeof JobFunctionSchema>;

export type ParsedFrontmatter =
  | { ok: true; data: Frontmatter; body: string; bodyLine: number; positions: (path: readonly PropertyKey[]) => Position }
  | { ok: false; problems: Problem[] };

interface Position {
  line: number;
  column: number;
}

const FENCE = /^---[ \t]*$/;

/**
 * Splits `---` YAML frontmatter from the MDX body and validates it against the schema.
 * Positions in problems are those of the whole file, so editors can jump to them.
 */
export function parseFrontmatter(path: string, source: string): ParsedFrontmatter {
  const lines = source.split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? "")) {
    return fail(path, 1, 1, "the file must start with a `---` frontmatter block");
  }
  const close = lines.findIndex((l, i) => i > 0 && FENCE.test(l));
  if (close < 0) return fail(path, 1, 1, "the frontmatter block is not closed with `---`");
  const yamlText = lines.slice(1, close).join("\n");
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + 1, column: p.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const p = at(e.pos[0]);
        return { path, ...p, rule: "frontmatter", message: `YAML: ${e.message.split("\n")[0]}` };
      }),
    };
  }
  const positions = (keyPath: readonly PropertyKey[]): Position => {
    for (let n = keyPath.length; n > 0; n--) {
      const node = doc.getIn(keyPath.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return at(node.range[0]);
    }
    return { line: 2, column: 1 };
  };
  const keyPosition = (key: string): Position => {
    const pair = isMap(doc.contents) ? doc.contents.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
    const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
    return range ? at(range[0]) : { line: 2, column: 1 };
  };
  const parsed = FrontmatterSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path,
        ...(issue.code === "unrecognized_keys" ? keyPosition(issue.keys[0] ?? "") : positions(issue.path)),
        rule: "frontmatter" as const,
        message: describeIssue(issue),
      })),
    };
  }
  return {
    ok: true,
    data: parsed.data,
    body: lines.slice(close + 1).join("\n"),
    bodyLine: close + 2,
    positions,
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "frontmatter";
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.join(", ");
    const hint = issue.keys.some((k) => /^(version|status|effective)/i.test(k))
      ? " (versions, statuses and effective dates come from the repository history, not frontmatter)"
      : "";
    return `unknown frontmatter field ${keys}${hint}`;
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `missing required field \`${field}\``;
  }
  return `field \`${field}\`: ${issue.message}`;
}

function fail(path: string, line: number, column: number, message: string): ParsedFrontmatter {
  return { ok: false, problems: [{ path, line, column, rule: "frontmatter", message }] };
}
