import { describe, expect, it } from "vitest";

import { checkContent } from "~/modules/content/content";
import { readContentFolder } from "~/modules/content/folder.server";
import { formatProblem } from "~/modules/content/problems";
import { QuizAnswerError, documentPathForQuiz, gradeQuiz, isQuizPath, parseQuiz, presentQuiz, quizPathFor, type Quiz } from "~/modules/training/quiz";

import { PROJECT_CONTENT } from "../helpers/data-folder";

const PATH = "sops/SOP-AA-001.quiz.yaml";

// Line numbers are those of this text: line 1 is `passMark: 80`.
const GOOD = `passMark: 80
questions:
  - id: dmp-approval
    prompt: By when is the DMP approved?
    kind: single
    options:
      - id: before-enrolment
        text: Before the first participant is enrolled
        correct: true
      - id: before-lock
        text: Before database lock
  - id: coding
    prompt: Which dictionaries are used?
    kind: multiple
    options:
      - id: meddra
        text: MedDRA for adverse events
        correct: true
      - id: whodrug
        text: WHODrug for medications
        correct: true
      - id: icd
        text: ICD-10 for medications
`;

function parsed(source: string): Quiz {
  const result = parseQuiz(PATH, source);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
  return result.quiz;
}

/** The problems of a quiz that must not parse, as `line:column: message` strings. */
function problemsOf(source: string): string[] {
  const result = parseQuiz(PATH, source);
  if (result.ok) throw new Error("the quiz parsed");
  for (const p of result.problems) expect(p).toMatchObject({ path: PATH, rule: "quiz" });
  return result.problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
}

describe("quiz files", () => {
  it("parses a valid quiz, giving maxAttempts its default of 3", () => {
    const quiz = parsed(GOOD);
    expect(quiz.passMark).toBe(80);
    expect(quiz.maxAttempts).toBe(3);
    expect(quiz.questions.map((q) => [q.id, q.kind, q.options.length])).toEqual([
      ["dmp-approval", "single", 2],
      ["coding", "multiple", 3],
    ]);
    expect(parsed(`maxAttempts: 5\n${GOOD}`).maxAttempts).toBe(5);
  });

  it("reports a YAML syntax error at its line and column", () => {
    // An unquoted colon in a text is the mistake authors make most.
    expect(problemsOf(GOOD.replace("prompt: Which dictionaries are used?", "prompt: Coding: which dictionaries?"))).toEqual([
      "13:13: YAML: Nested mappings are not allowed in compact mappings",
    ]);
    expect(problemsOf(GOOD.replace("    kind: multiple", "\tkind: multiple"))).toEqual(["14:1: YAML: Tabs are not allowed as indentation"]);
    expect(problemsOf(GOOD.replace("passMark: 80", "passMark: 80\npassMark: 90"))).toEqual(["2:1: YAML: Map keys must be unique"]);
    expect(problemsOf("passMark: 80\nquestions: [\n")).toEqual([expect.stringMatching(/^3:1: YAML: Flow sequence/)]);
  });

  it("reports schema problems at the offending node", () => {
    expect(problemsOf(GOOD.replace("passMark: 80", "passMark: 0"))).toEqual(["1:11: field `passMark`: Too small: expected number to be >=1"]);
    expect(problemsOf(GOOD.replace("passMark: 80", "passMark: 80.5"))).toEqual(["1:11: field `passMark`: Invalid input: expected int, received number"]);
    expect(problemsOf(`maxAttempts: 11\n${GOOD}`)).toEqual(["1:14: field `maxAttempts`: Too big: expected number to be <=10"]);
    expect(problemsOf(GOOD.replace("prompt: By when is the DMP approved?", "prompt:"))).toEqual([
      "4:12: field `questions.0.prompt`: Invalid input: expected string, received null",
    ]);
    expect(problemsOf(GOOD.replace("kind: multiple", "kind: several"))).toEqual([
      '14:11: field `questions.1.kind`: Invalid option: expected one of "single"|"multiple"',
    ]);
    expect(problemsOf(GOOD.replace("id: before-lock", "id: Before_Lock"))).toEqual([
      "10:13: field `questions.0.options.1.id`: must be lower-case letters and digits joined by hyphens, such as dmp-approval",
    ]);
    // An unknown field is reported where its name is written; a missing one at its object.
    expect(problemsOf(GOOD.replace("        text: Before database lock", "        text: Before database lock\n        hint: think"))).toEqual([
      "12:9: unknown field hint in questions.0.options.1",
    ]);
    expect(problemsOf(GOOD.replace("    prompt: Which dictionaries are used?\n", ""))).toEqual(["12:5: missing required field `questions.1.prompt`"]);
    expect(problemsOf(GOOD.replace("passMark: 80\n", ""))).toEqual(["1:1: missing required field `passMark`"]);
  });

  it("bounds the number of options and questions", () => {
    const oneOption = GOOD.replace("      - id: before-lock\n        text: Before database lock\n", "");
    expect(problemsOf(oneOption)).toEqual(["7:7: field `questions.0.options`: must offer at least 2 options"]);
    expect(problemsOf("passMark: 80\nquestions: []\n")).toEqual(["2:12: field `questions`: must hold at least 1 question"]);
    const many = Array.from(
      { length: 31 },
      (_, i) => `  - id: q${i}\n    prompt: Q${i}?\n    kind: single\n    options:\n      - { id: a, text: A, correct: true }\n      - { id: b, text: B }\n`,
    );
    expect(problemsOf(`passMark: 80\nquestions:\n${many.join("")}`)).toEqual(["3:3: field `questions`: must hold at most 30 questions"]);
    expect(problemsOf("- just\n- a list\n")).toEqual([expect.stringMatching(/^1:1: the quiz must be a map with passMark, maxAttempts and questions/)]);
    expect(problemsOf("")).toEqual([expect.stringMatching(/^1:1: the quiz must be a map/)]);
  });

  it("needs exactly one correct option in a single-choice question and at least one in a multiple-choice one", () => {
    const twoCorrect = GOOD.replace("        text: Before database lock\n", "        text: Before database lock\n        correct: true\n");
    expect(problemsOf(twoCorrect)).toEqual([
      "12:18: questions.0.options.1.correct: a single-choice question has exactly one correct option, but 2 are marked correct (use kind: multiple for several)",
    ]);
    const noneSingle = GOOD.replace(
      "        text: Before the first participant is enrolled\n        correct: true\n",
      "        text: Before the first participant is enrolled\n",
    );
    expect(problemsOf(noneSingle)).toEqual([
      "7:7: questions.0.options: a single-choice question needs exactly one correct option; mark it with `correct: true`",
    ]);
    const noneMultiple = GOOD.replaceAll("        correct: true\n", "").replace("kind: single", "kind: multiple");
    expect(problemsOf(noneMultiple)).toEqual([
      "7:7: questions.0.options: a multiple-choice question needs at least one correct option; mark it with `correct: true`",
      "15:7: questions.1.options: a multiple-choice question needs at least one correct option; mark it with `correct: true`",
    ]);
    // `correct: false` is allowed and counts as not correct.
    expect(
      parsed(GOOD.replace("        text: Before database lock\n", "        text: Before database lock\n        correct: false\n")).questions[0]!.options[1]!
        .correct,
    ).toBe(false);
  });

  it("needs question ids unique in the quiz and option ids unique in their question", () => {
    expect(problemsOf(GOOD.replace("id: coding", "id: dmp-approval"))).toEqual(["12:9: questions.1.id: question id dmp-approval is used twice"]);
    expect(problemsOf(GOOD.replace("id: icd", "id: meddra"))).toEqual(["22:13: questions.1.options.2.id: option id meddra is used twice"]);
    // The same option id in two questions is fine.
    expect(parsed(GOOD.replace("id: icd", "id: before-lock")).questions[1]!.options[2]!.id).toBe("before-lock");
  });

  it("names quiz files after their documents", () => {
    expect(quizPathFor("sops/SOP-DM-001.mdx")).toBe("sops/SOP-DM-001.quiz.yaml");
    expect(documentPathForQuiz("sops/SOP-DM-001.quiz.yaml")).toBe("sops/SOP-DM-001.mdx");
    expect(() => quizPathFor("sops/SOP-DM-001.yaml")).toThrow(/not a document path/);
    expect(isQuizPath("sops/SOP-DM-001.quiz.yaml")).toBe(true);
    expect(isQuizPath("SOP-DM-001.quiz.yaml")).toBe(true);
    for (const p of [
      "sops/SOP-DM-001.mdx",
      "job-functions.yaml",
      "sops/SOP-DM-001.yaml",
      ".demo/SOP-DM-001.quiz.yaml",
      "_drafts/SOP-DM-001.quiz.yaml",
      "sops/.quiz.yaml",
    ]) {
      expect(isQuizPath(p), p).toBe(false);
    }
  });
});

describe("quizzes in a content tree", () => {
  const JOB_FUNCTIONS = { path: "job-functions.yaml", source: "- id: cra\n  name: CRA\n  description: Monitors sites.\n" };
  const doc = (id: string) => ({
    path: `sops/${id}.mdx`,
    source: `---\nid: ${id}\ntitle: Title of ${id}\ntype: sop\nowner: cra\naudience: [cra]\ntraining: required\nreviewIntervalMonths: 24\n---\n\n## Purpose\n`,
  });

  it("checks each quiz beside its document and refuses a quiz without one", () => {
    const result = checkContent(
      [
        doc("SOP-AA-001"),
        { path: PATH, source: GOOD },
        { path: "sops/SOP-ZZ-001.quiz.yaml", source: GOOD },
        { path: "sops/SOP-BB-001.quiz.yaml", source: "passMark: 101\n" },
      ],
      JOB_FUNCTIONS,
    );
    expect(result.documents.map((d) => d.path)).toEqual(["sops/SOP-AA-001.mdx"]); // a quiz is never taken for a document
    expect(result.quizzes.map((q) => [q.path, q.docPath, q.quiz.passMark])).toEqual([[PATH, "sops/SOP-AA-001.mdx", 80]]);
    expect(result.problems.map(formatProblem)).toEqual([
      "sops/SOP-ZZ-001.quiz.yaml:1:1: no document sops/SOP-ZZ-001.mdx beside this quiz: a quiz is named after its document, <DOC-ID>.quiz.yaml in the document's folder [quiz]",
      "sops/SOP-BB-001.quiz.yaml:1:1: no document sops/SOP-BB-001.mdx beside this quiz: a quiz is named after its document, <DOC-ID>.quiz.yaml in the document's folder [quiz]",
      "sops/SOP-BB-001.quiz.yaml:1:11: field `passMark`: Too big: expected number to be <=100 [quiz]",
      "sops/SOP-BB-001.quiz.yaml:1:1: missing required field `questions` [quiz]",
    ]);
  });

  it("passes the project's demo quizzes: 4 to 6 questions of both kinds, pass mark 80, 3 attempts, every answer key scoring 100", () => {
    const folder = readContentFolder(PROJECT_CONTENT);
    const result = checkContent([...folder.documents, ...folder.quizzes], folder.jobFunctions);
    expect(result.problems).toEqual([]);
    const docPaths = result.quizzes.map((q) => q.docPath);
    expect(docPaths).toEqual(expect.arrayContaining(["sops/SOP-CM-001.mdx", "sops/SOP-DM-001.mdx", "sops/SOP-DV-001.mdx"]));
    for (const { path, quiz } of result.quizzes) {
      expect(quiz.questions.length, path).toBeGreaterThanOrEqual(4);
      expect(quiz.questions.length, path).toBeLessThanOrEqual(6);
      expect(new Set(quiz.questions.map((q) => q.kind)), path).toEqual(new Set(["single", "multiple"]));
      expect([quiz.passMark, quiz.maxAttempts], path).toEqual([80, 3]);
      const key = Object.fromEntries(quiz.questions.map((q) => [q.id, q.options.filter((o) => o.correct).map((o) => o.id)]));
      expect(gradeQuiz(quiz, key)).toMatchObject({ score: 100, passed: true });
    }
  });
});

describe("presentQuiz", () => {
  const quiz = parsed(GOOD);
  const order = (p: ReturnType<typeof presentQuiz>) => p.questions.map((q) => `${q.id}: ${q.options.map((o) => o.id).join(",")}`).join(" | ");

  it("sends no answers: not a single `correct` field, nor anything else but ids, texts and kinds", () => {
    const presented = presentQuiz(
      parsed(GOOD.replace("        text: Before database lock\n", "        text: Before database lock\n        correct: false\n")),
      "seed",
    );
    expect(JSON.stringify(presented)).not.toContain("correct");
    expect(Object.keys(presented).sort()).toEqual(["maxAttempts", "passMark", "questions"]);
    for (const q of presented.questions) {
      expect(Object.keys(q).sort()).toEqual(["id", "kind", "options", "prompt"]);
      for (const o of q.options) expect(Object.keys(o).sort()).toEqual(["id", "text"]);
    }
  });

  it("keeps every question and option, in an order that is the same for a seed and differs between seeds", () => {
    const a = presentQuiz(quiz, "user-1:SOP-AA-001@1.0:1");
    expect(presentQuiz(quiz, "user-1:SOP-AA-001@1.0:1")).toEqual(a);
    expect(a.questions.map((q) => q.id).sort()).toEqual(["coding", "dmp-approval"]);
    expect(
      a.questions
        .find((q) => q.id === "coding")!
        .options.map((o) => o.id)
        .sort(),
    ).toEqual(["icd", "meddra", "whodrug"]);
    const orders = new Set(Array.from({ length: 20 }, (_, i) => order(presentQuiz(quiz, `user-1:SOP-AA-001@1.0:${i}`))));
    expect(orders.size).toBeGreaterThan(3);
    // The quiz itself is left as it was.
    expect(quiz.questions.map((q) => q.id)).toEqual(["dmp-approval", "coding"]);
    expect(quiz.questions[1]!.options.map((o) => o.id)).toEqual(["meddra", "whodrug", "icd"]);
  });

  it("shuffles a real quiz differently for two seeds", () => {
    const dm = parsed(readContentFolder(PROJECT_CONTENT).quizzes.find((q) => q.path === "sops/SOP-DM-001.quiz.yaml")!.source);
    expect(order(presentQuiz(dm, "alice"))).not.toBe(order(presentQuiz(dm, "bob")));
    expect(order(presentQuiz(dm, "alice"))).toBe(order(presentQuiz(dm, "alice")));
  });
});

describe("gradeQuiz", () => {
  const quiz = parsed(GOOD);

  it("counts a question correct only when the chosen set is exactly the correct set", () => {
    const all = gradeQuiz(quiz, { "dmp-approval": ["before-enrolment"], coding: ["whodrug", "meddra"] });
    expect(all).toEqual({
      score: 100,
      passed: true,
      correct: 2,
      total: 2,
      questions: [
        { id: "dmp-approval", correct: true },
        { id: "coding", correct: true },
      ],
    });
    const grade = (coding: string[]) => gradeQuiz(quiz, { "dmp-approval": ["before-enrolment"], coding }).questions[1]!.correct;
    expect(grade(["meddra"])).toBe(false); // a subset
    expect(grade(["meddra", "whodrug", "icd"])).toBe(false); // a superset
    expect(grade(["meddra", "icd"])).toBe(false);
    expect(grade([])).toBe(false);
    expect(grade(["meddra", "whodrug", "meddra"])).toBe(true); // a repeated id is the same choice
  });

  it("scores in whole percent rounded down, so an attempt passes exactly when score >= passMark", () => {
    const wrong = gradeQuiz(quiz, { "dmp-approval": ["before-lock"], coding: ["meddra", "whodrug"] });
    expect(wrong).toMatchObject({ score: 50, passed: false, correct: 1, total: 2 });
    expect(gradeQuiz({ ...quiz, passMark: 50 }, { "dmp-approval": ["before-lock"], coding: ["meddra", "whodrug"] }).passed).toBe(true);
    const three: Quiz = { ...quiz, passMark: 67, questions: [...quiz.questions, { ...quiz.questions[0]!, id: "again" }] };
    const twoOfThree = gradeQuiz(three, { "dmp-approval": ["before-enrolment"], coding: ["meddra", "whodrug"] });
    expect(twoOfThree).toMatchObject({ score: 66, passed: false, correct: 2, total: 3 }); // 66.7% is short of 67
    expect(twoOfThree.questions).toEqual([
      { id: "dmp-approval", correct: true },
      { id: "coding", correct: true },
      { id: "again", correct: false }, // unanswered
    ]);
    expect(gradeQuiz(quiz, {})).toMatchObject({ score: 0, passed: false, correct: 0, total: 2 });
  });

  it("refuses an answer set that does not fit the quiz with a QuizAnswerError naming the question and option", () => {
    const refused = (answers: Record<string, string[]>) => {
      try {
        gradeQuiz(quiz, answers);
      } catch (error) {
        expect(error).toBeInstanceOf(QuizAnswerError);
        const e = error as QuizAnswerError;
        return { message: e.message, questionId: e.questionId, optionId: e.optionId, name: e.name };
      }
      throw new Error("graded");
    };
    expect(refused({ "dmp-approval": ["before-enrolment"], "old-question": ["a"] })).toEqual({
      message: "question old-question is not in this quiz",
      questionId: "old-question",
      optionId: null,
      name: "QuizAnswerError",
    });
    expect(refused({ coding: ["meddra", "snomed"] })).toEqual({
      message: "question coding has no option snomed",
      questionId: "coding",
      optionId: "snomed",
      name: "QuizAnswerError",
    });
    expect(refused({ "dmp-approval": ["before-enrolment", "before-lock"] })).toMatchObject({
      message: "question dmp-approval takes one answer, but 2 options were chosen",
      questionId: "dmp-approval",
    });
    // An option of another question is not an option of this one.
    expect(refused({ "dmp-approval": ["meddra"] })).toMatchObject({ questionId: "dmp-approval", optionId: "meddra" });
  });
});
