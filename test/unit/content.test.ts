import { describe, expect, it } from "vitest";

import { checkContent, parseJobFunctions } from "~/modules/content/content";
import { parseFrontmatter } from "~/modules/content/frontmatter";
import { checkMdx, checkMdxSafety } from "~/modules/content/mdx-policy";
import { isSafeUrl } from "~/modules/content/safe-url";

const JOB_FUNCTIONS = "- id: cra\n  name: CRA\n  description: Monitors sites.\n- id: quality-manager\n  name: QM\n  description: Runs the QMS.\n";

function doc(id: string, body: string, extra = ""): string {
  return `---\nid: ${id}\ntitle: Title of ${id}\ntype: sop\nowner: cra\naudience: [cra]\ntraining: required\nreviewIntervalMonths: 24\n${extra}---\n${body}`;
}

const context = { jobFunctions: new Set(["cra"]), documentIds: new Set(["SOP-AA-001"]) };

describe("frontmatter", () => {
  it("parses valid frontmatter and reports the body's first line", () => {
    const parsed = parseFrontmatter("sops/SOP-AA-001.mdx", doc("SOP-AA-001", "\n## Purpose\n"));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.data).toMatchObject({ id: "SOP-AA-001", type: "sop", audience: ["cra"], reviewIntervalMonths: 24 });
    expect(parsed.bodyLine).toBe(10);
  });

  it("names the field and its line for a bad value", () => {
    const parsed = parseFrontmatter("x.mdx", doc("SOP-AA-001", "", "").replace("reviewIntervalMonths: 24", "reviewIntervalMonths: 2"));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      expect.objectContaining({ line: 8, column: 23, rule: "frontmatter", message: expect.stringContaining("reviewIntervalMonths") }),
    ]);
  });

  it("refuses a file without frontmatter, an unclosed block and bad YAML", () => {
    const noFm = parseFrontmatter("a.mdx", "# Title\n");
    const unclosed = parseFrontmatter("b.mdx", "---\nid: X\n");
    const badYaml = parseFrontmatter("c.mdx", "---\nid: [unclosed\n---\n");
    for (const r of [noFm, unclosed, badYaml]) expect(r.ok).toBe(false);
    if (!badYaml.ok) expect(badYaml.problems[0]?.message).toMatch(/^YAML:/);
  });

  it("rejects ids that do not look like document ids", () => {
    const parsed = parseFrontmatter("x.mdx", doc("sop-1", ""));
    expect(parsed.ok).toBe(false);
  });
});

describe("MDX policy", () => {
  it("accepts markdown, GFM tables and registered components", () => {
    const body =
      '\n## A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<Steps>\n<Step title="One" owner="cra">\n\nDo it.\n\n</Step>\n</Steps>\n\nSee <DocRef id="SOP-AA-001" />.\n';
    expect(checkMdx("x.mdx", doc("SOP-BB-001", body), context)).toEqual([]);
  });

  it.each([
    ["export const a = 1", "no-import-export"],
    ["Text {a} here", "no-expression"],
    ['<Callout kind="note" {...props}>\n\nx\n\n</Callout>', "no-expression"],
    ["<>\nx\n</>", "unknown-component"],
    ["<script>alert(1)</script>", "unknown-component"],
    ['<DocRef id="SOP-AA-001">text</DocRef>', "component-nesting"],
    ['<Step title="a" owner="nobody">\n\nx\n\n</Step>', "job-function"],
    ['<Callout kind="">\n\nx\n\n</Callout>', "component-attribute"],
    ["[Read the form](javascript:alert(1))", "unsafe-link"],
    ["[Read the form](<JaVaScRiPt:alert(1)>)", "unsafe-link"],
    ["See [the form][f].\n\n[f]: javascript:alert(1)", "unsafe-link"],
    ["![chart](data:image/svg+xml;base64,PHN2Zz4=)", "unsafe-link"],
    // Policy 2: names found on Object.prototype are not components or attributes.
    ["<constructor />", "unknown-component"],
    ["<toString />", "unknown-component"],
    ['<Callout kind="note" constructor="x">\n\nx\n\n</Callout>', "component-attribute"],
    ['<Definition term="t" hasOwnProperty="x">\n\nx\n\n</Definition>', "component-attribute"],
  ])("refuses %j (%s)", (body, rule) => {
    const problems = checkMdx("x.mdx", doc("SOP-BB-001", `\n${body}\n`), context);
    expect(problems.map((p) => p.rule)).toContain(rule);
    // Every one of these is about safety, so the renderer's context-free check refuses it too.
    if (rule !== "job-function") expect(checkMdxSafety("x.mdx", doc("SOP-BB-001", `\n${body}\n`)).map((p) => p.rule)).toContain(rule);
  });

  it("refuses a first line that opens frontmatter in another language (`---js` runs as code in gray-matter)", () => {
    const source = "---js\nglobalThis.process.exit(1)\n---\n\nBody\n";
    expect(checkMdxSafety("x.mdx", source)).toEqual([
      { path: "x.mdx", line: 1, column: 1, rule: "frontmatter", message: "the first line must be `---` alone, opening YAML frontmatter" },
    ]);
    expect(checkMdxSafety("x.mdx", "----\n\nBody\n")).toEqual([]); // a thematic break, which no reader takes for frontmatter
  });

  it("leaves references to the content check: the safety check needs no context", () => {
    const body = '\n<Step title="a" owner="nobody">\n\nx\n\n</Step>\n\n<DocRef id="SOP-ZZ-999" /> [x](/documents/SOP-ZZ-998) [y](/documents/%E0)\n';
    expect(checkMdx("x.mdx", doc("SOP-BB-001", body), context).map((p) => p.rule)).toEqual([
      "component-nesting",
      "job-function",
      "doc-ref",
      "doc-ref",
      "doc-ref",
    ]);
    expect(checkMdxSafety("x.mdx", doc("SOP-BB-001", body)).map((p) => p.rule)).toEqual(["component-nesting"]);
  });
});

describe("safe URLs", () => {
  it("allows web pages, mail addresses and Quire paths, nothing that runs", () => {
    for (const ok of ["https://ich.org/e6", "http://x.test", "mailto:qa@example.org", "/documents/SOP-AA-001", "#purpose", "../forms/x", "SOP-AA-001"]) {
      expect(isSafeUrl(ok), ok).toBe(true);
    }
    for (const bad of ["javascript:alert(1)", " javascript:alert(1)", "java\nscript:alert(1)", "vbscript:x", "data:text/html,<b>", "file:///etc/passwd"]) {
      expect(isSafeUrl(bad), bad).toBe(false);
    }
  });
});

describe("content checks", () => {
  it("requires job-functions.yaml and validates its entries", () => {
    expect(checkContent([], null).problems[0]?.rule).toBe("job-functions-file");
    const dup = parseJobFunctions("job-functions.yaml", JOB_FUNCTIONS + "- id: cra\n  name: Again\n  description: Twice.\n");
    expect(dup.problems).toEqual([expect.objectContaining({ line: 7, message: "job function cra is defined twice" })]);
    const bad = parseJobFunctions("job-functions.yaml", "- id: Bad Id\n  name: X\n  description: y\n");
    expect(bad.problems[0]?.message).toContain("0.id");
  });

  it("returns the valid documents with their frontmatter", () => {
    const result = checkContent(
      [
        { path: "sops/SOP-AA-001.mdx", source: doc("SOP-AA-001", "\nText.\n") },
        { path: "sops/SOP-BB-001.mdx", source: doc("SOP-BB-001", '\nSee <DocRef id="SOP-AA-001" />.\n') },
      ],
      { path: "job-functions.yaml", source: JOB_FUNCTIONS },
    );
    expect(result.problems).toEqual([]);
    expect(result.documents.map((d) => d.frontmatter.id)).toEqual(["SOP-AA-001", "SOP-BB-001"]);
    expect(result.jobFunctions.map((j) => j.id)).toEqual(["cra", "quality-manager"]);
  });

  it("requires a document to sit in its type's folder", () => {
    const result = checkContent([{ path: "forms/SOP-AA-001.mdx", source: doc("SOP-AA-001", "\n") }], { path: "job-functions.yaml", source: JOB_FUNCTIONS });
    expect(result.problems).toEqual([expect.objectContaining({ rule: "file-name", message: "a sop belongs in the folder sops/, not forms/" })]);
  });
});
