import fs from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { FIXTURE_CONTENT, PROJECT_CONTENT, PROJECT_ROOT, copyContent } from "../helpers/data-folder";

const INVALID = "test/fixtures/invalid-content";

describe("quire validate", () => {
  it("reports each broken rule as path:line:column: message [rule] and exits 1", () => {
    const result = runQuire(["validate", INVALID]);
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split("\n");
    const expected = [
      'sops/SOP-AT-001.mdx:11:1: <Callout> attribute `kind` must be one of note, warning, regulatory, not "danger" [component-attribute]',
      "sops/SOP-AT-001.mdx:17:1: <Definition> is missing the required attribute `term` [component-attribute]",
      "sops/SOP-AT-001.mdx:23:1: <Callout> has no attribute `colour` (allowed: kind, title) [component-attribute]",
      "sops/SOP-AT-001.mdx:29:1: <Callout kind={...}>: write the value as a quoted string [no-expression]",
      "sops/SOP-EX-001.mdx:13:14: JavaScript expressions `{...}` are not allowed; write plain text [no-expression]",
      "sops/SOP-FM-001.mdx:2:1: missing required field `owner` [frontmatter]",
      "sops/SOP-FM-001.mdx:5:1: unknown frontmatter field version (versions, statuses and effective dates come from the repository history, not frontmatter) [frontmatter]",
      "sops/SOP-FM-001.mdx:6:11: field `audience`: must name at least one job function [frontmatter]",
      'sops/SOP-FM-001.mdx:7:11: field `training`: Invalid option: expected one of "required"|"read-only" [frontmatter]',
      "sops/SOP-IM-001.mdx:2:5: document id SOP-IM-001 is already used by forms/SOP-IM-001.mdx [duplicate-id]",
      "sops/SOP-IM-001.mdx:11:1: `import` and `export` are not allowed in controlled documents [no-import-export]",
      'sops/SOP-JF-001.mdx:5:8: owner "chief-wizard" is not a defined job function [job-function]',
      'sops/SOP-JF-001.mdx:12:1: <Responsibility> role="janitor" is not a defined job function [job-function]',
      "sops/SOP-NE-001.mdx:11:1: <Step> must be placed directly inside <Steps> [component-nesting]",
      "sops/SOP-NE-001.mdx:19:1: <Steps> may only contain <Step> elements [component-nesting]",
      "sops/SOP-NM-001.mdx:2:5: the file of document SOP-NM-002 must be named SOP-NM-002.mdx [file-name]",
      "sops/SOP-RF-001.mdx:9:11: related document SOP-XX-999 does not exist [doc-ref]",
      'sops/SOP-RF-001.mdx:12:5: <DocRef> id="SOP-NO-001" is not a known document [doc-ref]',
      "sops/SOP-RF-001.mdx:12:36: link to unknown document FRM-NO-001 [doc-ref]",
      "sops/SOP-SY-001.mdx:13:1: MDX syntax: Expected a closing tag for `<Callout>` [mdx-syntax]",
      "sops/SOP-UC-001.mdx:13:1: HTML element <div> is not allowed; use one of Callout, Steps, Step, Responsibilities, Responsibility, Definition, RecordsTable, Record, KpiTable, Kpi, ApprovalRoutes, ApprovalRoute, ReviewersInclude, ReviewerFinalApproval, MinimumTrainingPeriod, PeriodicReviewNotice, DocRef [unknown-component]",
      "sops/SOP-UC-001.mdx:15:1: component <Button> is not allowed; use one of Callout, Steps, Step, Responsibilities, Responsibility, Definition, RecordsTable, Record, KpiTable, Kpi, ApprovalRoutes, ApprovalRoute, ReviewersInclude, ReviewerFinalApproval, MinimumTrainingPeriod, PeriodicReviewNotice, DocRef [unknown-component]",
    ].map((l) => `${INVALID}/${l}`);
    expect(lines).toEqual(expected);
    expect(result.stderr).toContain("problem(s)");
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("checks one file in the context of its content root", () => {
    const result = runQuire(["validate", `${INVALID}/sops/SOP-EX-001.mdx`]);
    expect(result.status).toBe(1);
    expect(result.stdout.trim().split("\n")).toEqual([
      `${INVALID}/sops/SOP-EX-001.mdx:13:14: JavaScript expressions \`{...}\` are not allowed; write plain text [no-expression]`,
    ]);
  });

  it("passes the project's sample QMS and the test fixture", () => {
    for (const dir of [PROJECT_CONTENT, FIXTURE_CONTENT]) {
      const result = runQuire(["validate", dir]);
      expect(result.stdout).toBe("");
      expect(result.status).toBe(0);
    }
  });

  it("checks quiz files: a broken one at path:line:column, and one without its document beside it; exit 1", () => {
    const dir = copyContent();
    const quiz = (correct: string) =>
      `passMark: 80\nquestions:\n  - id: purpose\n    prompt: What do monitoring visits confirm?\n    kind: single\n    options:\n      - id: protocol\n        text: That the trial follows the protocol\n${correct}      - id: budget\n        text: That the site stays in budget\n`;
    fs.writeFileSync(path.join(dir, "sops", "SOP-TS-001.quiz.yaml"), quiz("        correct: true\n"));
    expect(runQuire(["validate", dir])).toMatchObject({ status: 0, stdout: "" });
    // A second correct option in a single-choice question (line 12), an unknown field (line 13), and an orphan quiz.
    fs.writeFileSync(
      path.join(dir, "sops", "SOP-TS-001.quiz.yaml"),
      quiz("        correct: true\n").replace("in budget\n", "in budget\n        correct: true\n    hint: none\n"),
    );
    fs.writeFileSync(path.join(dir, "sops", "SOP-XX-001.quiz.yaml"), quiz("        correct: true\n"));
    const result = runQuire(["validate", dir]);
    expect(result.status).toBe(1);
    const shown = path.relative(PROJECT_ROOT, dir);
    expect(result.stdout.trim().split("\n")).toEqual([
      `${shown}/sops/SOP-TS-001.quiz.yaml:12:18: questions.0.options.1.correct: a single-choice question has exactly one correct option, but 2 are marked correct (use kind: multiple for several) [quiz]`,
      `${shown}/sops/SOP-TS-001.quiz.yaml:13:5: unknown field hint in questions.0 [quiz]`,
      `${shown}/sops/SOP-XX-001.quiz.yaml:1:1: no document sops/SOP-XX-001.mdx beside this quiz: a quiz is named after its document, <DOC-ID>.quiz.yaml in the document's folder [quiz]`,
    ]);
    expect(result.stderr).toContain("3 document(s) and 2 quiz file(s) checked, 3 problem(s).");
    // One quiz file is checked in the context of its content root, like a document.
    const one = runQuire(["validate", path.join(dir, "sops", "SOP-XX-001.quiz.yaml")]);
    expect(one.status).toBe(1);
    expect(one.stdout).toBe(
      `${shown}/sops/SOP-XX-001.quiz.yaml:1:1: no document sops/SOP-XX-001.mdx beside this quiz: a quiz is named after its document, <DOC-ID>.quiz.yaml in the document's folder [quiz]\n`,
    );
    expect(one.stderr).toContain("0 document(s) and 1 quiz file(s) checked, 1 problem(s).");
    // A YAML syntax error: an unquoted colon in a text.
    fs.writeFileSync(
      path.join(dir, "sops", "SOP-TS-001.quiz.yaml"),
      quiz("        correct: true\n").replace("text: That the site", "text: Budget: that the site"),
    );
    const syntax = runQuire(["validate", path.join(dir, "sops")]);
    expect(syntax.status).toBe(1);
    expect(syntax.stdout.trim().split("\n")[0]).toBe(
      `${shown}/sops/SOP-TS-001.quiz.yaml:11:15: YAML: Nested mappings are not allowed in compact mappings [quiz]`,
    );
  });

  it("prints problems as JSON with --json", () => {
    const dir = copyContent();
    fs.appendFileSync(path.join(dir, "sops", "SOP-TS-001.mdx"), '\nSee <DocRef id="SOP-ZZ-404" />.\n');
    const result = runQuire(["validate", "--json", dir]);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { checked: number; problems: { rule: string; line: number }[] };
    expect(report.checked).toBe(3);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ rule: "doc-ref" });
  });

  it("exits 2 for a path that does not exist or is outside a content root", () => {
    const missing = runQuire(["validate", "no/such/folder"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no/such/folder: no such file or folder");
    const outside = runQuire(["validate", "/"]);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain("no job-functions.yaml");
  });

  it("has --help for every command and exits 2 on unknown options", () => {
    for (const args of [["--help"], ["validate", "--help"], ["init", "--help"]]) {
      const r = runQuire(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("Usage: quire");
    }
    expect(runQuire(["validate", "--bogus"]).status).toBe(2);
    expect(runQuire(["no-such-command"]).status).toBe(2);
  });
});
