import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { open, type Quire } from "~/context.server";
import { createMdxRenderer, quireMdxComponents } from "~/mdx-renderer.server";
import { documentControlRulesIn } from "~/modules/change-control/document-control-rules";
import { SOP_DC_001_RULES, type DocumentControlRules } from "~/modules/change-control/routing";
import { documentControlRules } from "~/modules/change-control/routing.server";
import { openWithdrawal, signWithdrawal } from "~/modules/change-control/withdrawal.server";
import { checkContent } from "~/modules/content/content";
import { readContentFolder } from "~/modules/content/folder.server";
import { parseMdxTree } from "~/modules/content/mdx-policy";
import { formatProblem } from "~/modules/content/problems";
import { compareDocuments } from "~/modules/documents/redline";
import { printableVersion, writePdfFile } from "~/modules/pdf/pdf.server";
import { ContentInvalid, initDataFolder } from "~/modules/setup/init.server";

import { FIXTURE_CONTENT, PROJECT_CONTENT, configFor, copyContent, copyDataFolder, tempDir } from "../helpers/data-folder";
import { peopleOf } from "../helpers/factories";
import { pageTexts } from "../helpers/pdf-tools";

/**
 * Document control's rules are components in SOP-DC-001's text (decision 017): read from it, checked
 * by the content check (as `quire validate`, init and the change-request editor run it), shown on
 * screen and on paper as sentences and a table, and taken from the version in force on a day.
 */

const SOP_DC_001 = fs.readFileSync(path.join(PROJECT_CONTENT, "sops", "SOP-DC-001.mdx"), "utf8");
const FIXTURE_QM = "manual/QM-001.mdx";

/** The test fixture's rules (test/fixtures/content/manual/QM-001.mdx): one quality approval, no reviewer requirement, no training period. */
const FIXTURE_RULES: DocumentControlRules = {
  approval: {
    manual: ["quality-manager"],
    policy: ["quality-manager"],
    sop: ["quality-manager"],
    "work-instruction": ["quality-manager"],
    form: ["quality-manager"],
  },
  reviewersInclude: null,
  reviewerMayGiveFinalApproval: false,
  minimumTrainingWorkingDays: 0,
  periodicReviewNoticeDays: 60,
};

function lineOf(source: string, text: string): number {
  const index = source.indexOf(text);
  if (index < 0) throw new Error(`not in the source: ${text}`);
  return source.slice(0, index).split("\n").length;
}

describe("reading the rules from a document", () => {
  it("reads SOP-DC-001's rules from the project's content: they are SOP_DC_001_RULES", () => {
    const stated = documentControlRulesIn(parseMdxTree(SOP_DC_001), "sops/SOP-DC-001.mdx", null);
    expect(stated.problems).toEqual([]);
    expect(stated.rules).toEqual(SOP_DC_001_RULES);
    expect(stated.at?.line).toBe(lineOf(SOP_DC_001, "<ApprovalRoutes>"));
  });

  it("reads the fixture's rules, `none` meaning no reviewer requirement", () => {
    const source = fs.readFileSync(path.join(FIXTURE_CONTENT, FIXTURE_QM), "utf8");
    expect(documentControlRulesIn(parseMdxTree(source), FIXTURE_QM, null).rules).toEqual(FIXTURE_RULES);
  });

  it("finds no rules in a document that states none", () => {
    expect(documentControlRulesIn(parseMdxTree("## Purpose\n\nText.\n"), "sops/SOP-X.mdx", null)).toEqual({ at: null, rules: null, problems: [] });
  });
});

describe("the content check on the rules", () => {
  /** The fixture's content with QM-001's text changed, checked as `quire validate` checks it. */
  function problemsWith(change: (source: string) => string, extra: { path: string; source: string }[] = []): string[] {
    const folder = readContentFolder(FIXTURE_CONTENT);
    const documents = folder.documents.map((d) => (d.path === FIXTURE_QM ? { ...d, source: change(d.source) } : d));
    return checkContent([...documents, ...extra], folder.jobFunctions).problems.map(formatProblem);
  }
  const source = fs.readFileSync(path.join(FIXTURE_CONTENT, FIXTURE_QM), "utf8");
  /** file:line:column of the element whose tag holds `text`. */
  const at = (text: string) => {
    const index = source.indexOf(text);
    return `${FIXTURE_QM}:${lineOf(source, text)}:${index - source.lastIndexOf("\n", index) - (index - source.lastIndexOf("<", index))}`;
  };

  it("passes the fixture and the project's content", () => {
    expect(problemsWith((s) => s)).toEqual([]);
    const project = readContentFolder(PROJECT_CONTENT);
    expect(checkContent([...project.documents, ...project.quizzes], project.jobFunctions).problems).toEqual([]);
  });

  it("refuses unknown values: a document type, a yes/no, a number, a signer list", () => {
    expect(problemsWith((s) => s.replace('type="form"', 'type="record"'))).toEqual([
      `${at('type="form"')}: <ApprovalRoute> attribute \`type\` must be one of manual, policy, sop, work-instruction, form, not "record" [component-attribute]`,
    ]);
    expect(problemsWith((s) => s.replace('allowed="no"', 'allowed="maybe"'))).toEqual([
      `${at('allowed="no"')}: <ReviewerFinalApproval> attribute \`allowed\` must be one of yes, no, not "maybe" [component-attribute]`,
    ]);
    expect(problemsWith((s) => s.replace('workingDays="0"', 'workingDays="ten"'))).toEqual([
      `${at('workingDays="0"')}: <MinimumTrainingPeriod> attribute \`workingDays\` must be a whole number such as 10, not "ten" [component-attribute]`,
    ]);
    expect(problemsWith((s) => s.replace('type="sop" signers="quality-manager"', 'type="sop" signers="Quality Manager"'))).toEqual([
      `${at('type="sop"')}: <ApprovalRoute> attribute \`signers\` must be job function ids or owner separated by spaces (e.g. "owner quality-manager"), not "Quality Manager" [component-attribute]`,
    ]);
  });

  it("refuses a job function that does not exist, in a route or as the reviewers' function", () => {
    expect(problemsWith((s) => s.replace('type="sop" signers="quality-manager"', 'type="sop" signers="cra qa-boss"'))).toEqual([
      `${at('type="sop"')}: <ApprovalRoute type="sop"> signers: "qa-boss" is not a defined job function [document-control-rules]`,
    ]);
    expect(problemsWith((s) => s.replace('jobFunction="none"', 'jobFunction="auditor"'))).toEqual([
      `${at('jobFunction="none"')}: <ReviewersInclude> jobFunction: "auditor" is not a defined job function [document-control-rules]`,
    ]);
  });

  it("refuses `owner` as the last signer", () => {
    expect(problemsWith((s) => s.replace('type="policy" signers="quality-manager"', 'type="policy" signers="quality-manager owner"'))).toEqual([
      `${at('type="policy"')}: <ApprovalRoute type="policy"> signers: the final approval of a policy must name a job function (the quality approval), not \`owner\` [document-control-rules]`,
    ]);
  });

  it("refuses a type routed twice and a type not routed", () => {
    expect(problemsWith((s) => s.replace('type="form"', 'type="sop"'))).toEqual([
      `${at('type="form"')}: <ApprovalRoute type="sop"> routes sop a second time (first at line ${lineOf(source, 'type="sop"')}); each document type has one route [document-control-rules]`,
      `${at("<ApprovalRoutes>")}: <ApprovalRoutes> has no <ApprovalRoute> for form; every document type needs its route [document-control-rules]`,
    ]);
    expect(problemsWith((s) => s.replace('<ApprovalRoute type="work-instruction" signers="quality-manager" />\n', ""))).toEqual([
      `${at("<ApprovalRoutes>")}: <ApprovalRoutes> has no <ApprovalRoute> for work-instruction; every document type needs its route [document-control-rules]`,
    ]);
  });

  it("refuses a rule missing or stated twice in the document that states them", () => {
    expect(problemsWith((s) => s.replace(' <PeriodicReviewNotice days="60" />', " sixty days"))).toEqual([
      `${at("<ApprovalRoutes>")}: this document states document control's rules, so it must state them all: <PeriodicReviewNotice> missing [document-control-rules]`,
    ]);
    expect(problemsWith((s) => `${s}\nAgain: <MinimumTrainingPeriod workingDays="5" />.\n`)).toEqual([
      `${FIXTURE_QM}:${source.split("\n").length + 1}:8: <MinimumTrainingPeriod> appears a second time (first at line ${lineOf(source, "<MinimumTrainingPeriod")}); each of document control's rules is stated once [document-control-rules]`,
    ]);
    expect(problemsWith((s) => s.replace('days="60"', 'days="0"'))).toEqual([
      `${at('days="60"')}: <PeriodicReviewNotice> days: must be at least 1 day [document-control-rules]`,
    ]);
  });

  it("refuses the rules stated in two documents, naming the first; a draft is the one told", () => {
    const rules = source.slice(source.indexOf("<ApprovalRoutes>"));
    const second = `---
id: SOP-XX-001
title: Second rules
type: sop
owner: quality-manager
audience: [cra]
training: read-only
reviewIntervalMonths: 12
---

${rules}`;
    const expected = `sops/SOP-XX-001.mdx:11:1: document control's rules are already stated in ${FIXTURE_QM} at line ${lineOf(source, "<ApprovalRoutes>")}; one document states them (SOP-DC-001) [document-control-rules]`;
    expect(problemsWith((s) => s, [{ path: "sops/SOP-XX-001.mdx", source: second }])).toEqual([expected]);
    // Checking a draft (as the change-request editor does): the approved document is the context.
    const folder = readContentFolder(FIXTURE_CONTENT);
    const draft = checkContent([...folder.documents, { path: "sops/SOP-XX-001.mdx", source: second }], folder.jobFunctions, new Set(["sops/SOP-XX-001.mdx"]));
    expect(draft.problems.map(formatProblem)).toEqual([expected]);
  });

  it("makes init refuse content whose rules are wrong, with nothing created", async () => {
    const content = copyContent();
    const file = path.join(content, FIXTURE_QM);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('type="sop" signers="quality-manager"', 'type="sop" signers="quality-manager owner"'));
    const dataDir = path.join(tempDir(), "data");
    const init = initDataFolder({
      components: quireMdxComponents,
      config: configFor(dataDir),
      seedDir: content,
      demo: false,
      now: new Date("2026-11-25T09:00:00Z"),
    });
    await expect(init).rejects.toThrow(ContentInvalid);
    await expect(init).rejects.toMatchObject({
      problems: [expect.objectContaining({ path: FIXTURE_QM, rule: "document-control-rules", message: expect.stringContaining("not `owner`") })],
    });
    expect(fs.existsSync(path.join(dataDir, "quire.db"))).toBe(false);
  });
});

describe("the rules as a reader sees them", () => {
  const names = new Map([
    ["quality-manager", "Quality Manager"],
    ["executive-management", "Executive Management"],
  ]);

  it("shows the routes as a table and the other rules inside their sentences, on screen", async () => {
    const { html } = await createMdxRenderer(null, names).preview(SOP_DC_001);
    const text = html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
    expect(html).toContain('<th scope="col">Document type</th><th scope="col">Approved by (in order)</th>');
    expect(html).toContain(
      '<tr data-route-type="manual"><th scope="row">Manual</th><td>Owner function, then Executive Management, then Quality Manager</td></tr>',
    );
    expect(html).toContain('<tr data-route-type="sop"><th scope="row">SOP</th><td>Owner function, then Quality Manager</td></tr>');
    expect(text).toContain("Reviewers always include a Quality Manager and at least one representative");
    expect(text).toContain("A person who reviewed the change does not also give its final approval; another approver does.");
    expect(text).toContain("The effective date is set no less than 10 working days after approval");
    expect(text).toContain("Quire notifies the document owner 60 days before the due date.");
  });

  it("shows a changed route or number in the redline a reviewer reads", async () => {
    const renderer = createMdxRenderer(null, names);
    const changed = SOP_DC_001.replace('type="sop" signers="owner quality-manager"', 'type="sop" signers="owner executive-management quality-manager"').replace(
      'workingDays="10"',
      'workingDays="15"',
    );
    const redline = compareDocuments((await renderer.preview(SOP_DC_001)).html, (await renderer.preview(changed)).html);
    const marked = redline.entries.flatMap((e) => (e.op === "changed" ? [...e.segments, ...(e.cells ?? []).flat()] : [])).filter((s) => s.kind !== "same");
    expect(marked.map((m) => `${m.kind} ${m.text.trim()}`)).toEqual(
      expect.arrayContaining([
        "removed Owner function, then Quality Manager",
        "added Owner function, then Executive Management, then Quality Manager",
        "removed 10",
        "added 15",
      ]),
    );
  });

  it("prints the same on paper", async () => {
    const { config } = await copyDataFolder("project-demo");
    const q = await open({ ...config, fixedNow: "2026-11-30T12:00:00Z" });
    try {
      const input = await printableVersion(q, { docId: "SOP-DC-001" }, { printedAt: new Date("2026-11-30T12:00:00Z"), printedBy: "Pat Printer", copyId: null });
      const file = path.join(tempDir("quire-pdf-"), "SOP-DC-001.pdf");
      await writePdfFile(input, file);
      const all = pageTexts(file).join("\n").replace(/\s+/g, " ");
      expect(all).toContain("Document type Approved by (in order)");
      expect(all).toContain("Policy Owner function, then Executive Management, then Quality Manager");
      expect(all).toContain("Work instruction Owner function, then Quality Manager");
      expect(all).toContain("Reviewers always include a Quality Manager and at least one");
      expect(all).toContain("does not also give its final approval; another approver does.");
      expect(all).toContain("no less than 10 working days after approval");
      expect(all).toContain("Quire notifies the document owner 60 days before the due date.");
    } finally {
      await q.db.close();
    }
  });
});

describe("the rules in force on a day", () => {
  let q: Quire;
  beforeAll(async () => {
    // The fixture's demo: QM-001 v1.0, which states the fixture's rules, effective from go-live (2025-02-03).
    const { config } = await copyDataFolder("fixture-demo");
    q = await open({ ...config, fixedNow: "2026-11-30T12:00:00Z" });
  });
  afterAll(async () => {
    await q?.db.close();
  });

  it("reads them from the version in force, today by default", async () => {
    expect(await documentControlRules(q)).toEqual(FIXTURE_RULES);
    expect(await documentControlRules(q, "2025-02-03")).toEqual(FIXTURE_RULES);
  });

  it("falls back to SOP-DC-001's rules as written where no version in force states them: before go-live, after a retirement", async () => {
    expect(await documentControlRules(q, "2025-02-02")).toEqual(SOP_DC_001_RULES);
    const who = await peopleOf(q.db);
    const at = new Date("2026-11-30T12:00:00Z");
    const crId = await openWithdrawal(
      q,
      who("author"),
      "QM-001",
      { reason: "Replaced by the quality manual of the merged company.", effectiveFrom: "2027-01-04" },
      at,
    );
    await signWithdrawal(q, who("qa"), { mayReview: true, mayApprove: true }, crId, at);
    expect(await documentControlRules(q, "2027-01-03")).toEqual(FIXTURE_RULES);
    expect(await documentControlRules(q, "2027-01-04")).toEqual(SOP_DC_001_RULES);
  });
});
