// Knowledge checks (SOP-TR-001): a quiz is a sibling file of its document in the content repository
// (sops/SOP-DM-001.quiz.yaml beside sops/SOP-DM-001.mdx), versioned with it by git. This module is
// pure: parsing and validating the YAML, presenting a quiz without its answers, and grading an
// answer set. It is safe to import from code that reaches the browser (no node: modules).
import { LineCounter, isMap, isScalar, parseDocument, type Document } from "yaml";
import { z } from "zod";

import type { Problem } from "~/modules/content/problems";

export { QUIZ_SUFFIX, documentPathForQuiz, isQuizPath, quizPathFor } from "~/modules/content/content-files";

/** Question and option ids: lower-case words joined by hyphens (`dmp-approval`, `a`, `q1`). */
export const QUIZ_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const QuizId = z.string().max(40).regex(QUIZ_ID_PATTERN, "must be lower-case letters and digits joined by hyphens, such as dmp-approval");

const OptionSchema = z.strictObject({
  id: QuizId,
  text: z.string().trim().min(1).max(300),
  correct: z.boolean().optional(),
});

const QuestionSchema = z
  .strictObject({
    id: QuizId,
    prompt: z.string().trim().min(1).max(500),
    kind: z.enum(["single", "multiple"]),
    options: z.array(OptionSchema).min(2, "must offer at least 2 options").max(8, "must offer at most 8 options"),
  })
  .superRefine((question, ctx) => {
    duplicateIds(question.options, "option", ctx, ["options"]);
    const correct = question.options.flatMap((o, i) => (o.correct === true ? [i] : []));
    if (correct.length === 0) {
      const need = question.kind === "single" ? "exactly one correct option" : "at least one correct option";
      ctx.addIssue({ code: "custom", path: ["options"], message: `a ${question.kind}-choice question needs ${need}; mark it with \`correct: true\`` });
    } else if (question.kind === "single" && correct.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["options", correct[1]!, "correct"],
        message: `a single-choice question has exactly one correct option, but ${correct.length} are marked correct (use kind: multiple for several)`,
      });
    }
  });

export const QuizSchema = z
  .strictObject({
    /** The score, in percent, at or above which an attempt passes. */
    passMark: z.number().int().min(1).max(100),
    /** Attempts allowed per version before the trainee needs the training coordinator (SOP-TR-001). */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    questions: z.array(QuestionSchema).min(1, "must hold at least 1 question").max(30, "must hold at most 30 questions"),
  })
  .superRefine((quiz, ctx) => duplicateIds(quiz.questions, "question", ctx, ["questions"]));

export type Quiz = z.infer<typeof QuizSchema>;
export type QuizQuestion = Quiz["questions"][number];
export type QuizKind = QuizQuestion["kind"];

function duplicateIds(items: readonly { id: string }[], what: string, ctx: z.RefinementCtx, at: (string | number)[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) ctx.addIssue({ code: "custom", path: [...at, i, "id"], message: `${what} id ${item.id} is used twice` });
    seen.add(item.id);
  });
}

export type ParsedQuiz = { ok: true; quiz: Quiz } | { ok: false; problems: Problem[] };

interface Position {
  line: number;
  column: number;
}

/**
 * Parses and validates a quiz file. Every problem, a YAML syntax error or a schema or cross-field
 * rule, carries the line and column of the node at fault, so `quire validate` and editors can jump
 * to it.
 */
export function parseQuiz(path: string, source: string): ParsedQuiz {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const problem = (position: Position, message: string): Problem => ({ path, ...position, rule: "quiz", message });
  // The first syntax error only: the parser's later errors mostly follow from it.
  const syntax = doc.errors[0];
  if (syntax) return { ok: false, problems: [problem(at(syntax.pos[0]), `YAML: ${syntax.message.split("\n")[0]}`)] };
  const parsed = QuizSchema.safeParse(doc.toJS() ?? null);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const position = issue.code === "unrecognized_keys" ? keyPosition(doc, issue.path, issue.keys[0] ?? "", at) : nodePosition(doc, issue.path, at);
        return problem(position, describeIssue(issue, issue.path.length > 0 && !doc.hasIn(issue.path as unknown[])));
      }),
    };
  }
  return { ok: true, quiz: parsed.data };
}

type NodeWithRange = { range?: [number, number, number] | null } | null | undefined;

/** The position of the node at `path`, or of its nearest ancestor that exists (a missing field: its object). */
function nodePosition(doc: Document, path: readonly PropertyKey[], at: (offset: number) => Position): Position {
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as NodeWithRange;
    if (node?.range) return at(node.range[0]);
  }
  const root = doc.contents as NodeWithRange;
  return root?.range ? at(root.range[0]) : { line: 1, column: 1 };
}

/** The position of a key in the map at `path` (an unknown field is reported where its name is written). */
function keyPosition(doc: Document, path: readonly PropertyKey[], key: string, at: (offset: number) => Position): Position {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  const pair = isMap(map) ? map.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  return range ? at(range[0]) : nodePosition(doc, path, at);
}

function describeIssue(issue: z.core.$ZodIssue, missing: boolean): string {
  const field = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") return `unknown field ${issue.keys.join(", ")}${field ? ` in ${field}` : ""}`;
  if (issue.path.length === 0) return `the quiz must be a map with passMark, maxAttempts and questions: ${issue.message}`;
  if (missing) return `missing required field \`${field}\``;
  if (issue.code === "custom") return `${field}: ${issue.message}`;
  return `field \`${field}\`: ${issue.message}`;
}

// ---------------------------------------------------------------------------------------------
// Presenting: what the browser receives. Answers never leave the server.

export interface PresentedOption {
  id: string;
  text: string;
}

export interface PresentedQuestion {
  id: string;
  prompt: string;
  kind: QuizKind;
  options: PresentedOption[];
}

export interface PresentedQuiz {
  passMark: number;
  maxAttempts: number;
  questions: PresentedQuestion[];
}

/**
 * The quiz as a trainee sees it: questions, and each question's options, in an order shuffled
 * deterministically from `seed` (the server chooses it, e.g. per trainee, version and attempt, so a
 * reload shows the same order and another attempt a new one). Built field by field, never by
 * spreading, so that no `correct` flag can reach the browser.
 */
export function presentQuiz(quiz: Quiz, seed: string): PresentedQuiz {
  const questions = shuffled(quiz.questions, seed).map((q): PresentedQuestion => ({
    id: q.id,
    prompt: q.prompt,
    kind: q.kind,
    // Each question's options have a stream of their own, so editing one question leaves the others' order alone.
    options: shuffled(q.options, `${seed}\u0000${q.id}`).map((o): PresentedOption => ({ id: o.id, text: o.text })),
  }));
  return { passMark: quiz.passMark, maxAttempts: quiz.maxAttempts, questions };
}

/** FNV-1a, 32 bits, over the UTF-16 code units: a small, stable hash to seed the generator. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a tiny seeded generator of numbers in [0, 1). Not for secrets, only for a stable order. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher-Yates shuffle of a copy, driven by the seed. */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  const random = mulberry32(fnv1a(seed));
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Grading.

/** An answer set that does not fit the quiz (another version's, or tampered with): refused, not graded. */
export class QuizAnswerError extends Error {
  constructor(
    message: string,
    readonly questionId: string,
    readonly optionId: string | null = null,
  ) {
    super(message);
    this.name = "QuizAnswerError";
  }
}

export interface QuizGrade {
  /** Percent of questions answered correctly, rounded down, so that `score >= passMark` exactly when the attempt passed. */
  score: number;
  passed: boolean;
  correct: number;
  total: number;
  /** Each question, in the quiz file's order. */
  questions: { id: string; correct: boolean }[];
}

/**
 * Grades an answer set: question id to the ids of the options chosen. A question counts as correct
 * when the options chosen are exactly its correct options; an unanswered question counts as wrong.
 * Throws QuizAnswerError for an unknown question or option id, or for more than one option chosen
 * in a single-choice question, so the server refuses an answer set made for another version.
 */
export function gradeQuiz(quiz: Quiz, answers: Readonly<Record<string, readonly string[]>>): QuizGrade {
  const byId = new Map(quiz.questions.map((q) => [q.id, q]));
  for (const [questionId, chosen] of Object.entries(answers)) {
    const question = byId.get(questionId);
    if (!question) throw new QuizAnswerError(`question ${questionId} is not in this quiz`, questionId);
    const options = new Set(question.options.map((o) => o.id));
    for (const optionId of chosen) {
      if (!options.has(optionId)) throw new QuizAnswerError(`question ${questionId} has no option ${optionId}`, questionId, optionId);
    }
    if (question.kind === "single" && new Set(chosen).size > 1) {
      throw new QuizAnswerError(`question ${questionId} takes one answer, but ${new Set(chosen).size} options were chosen`, questionId);
    }
  }
  const questions = quiz.questions.map((q) => {
    const chosen = new Set(Object.hasOwn(answers, q.id) ? answers[q.id] : []);
    const right = new Set(q.options.filter((o) => o.correct === true).map((o) => o.id));
    return { id: q.id, correct: chosen.size === right.size && [...chosen].every((id) => right.has(id)) };
  });
  const correct = questions.filter((q) => q.correct).length;
  const total = quiz.questions.length;
  const score = Math.floor((correct * 100) / total);
  return { score, passed: score >= quiz.passMark, correct, total, questions };
}
