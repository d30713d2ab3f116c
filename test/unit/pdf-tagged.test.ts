// Quire issue 12: printed copies are tagged PDFs (ISO 32000-1 §14.8), so a screen reader reads the
// headings, paragraphs, lists and tables in order and skips the page furniture. Checked with poppler
// (pdfinfo, its structure tree) and qpdf (the uncompressed content streams).
import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import type { PdfSelector } from "~/modules/pdf/pdf.server";
import { printableVersion, writePdfFile } from "~/modules/pdf/pdf.server";

import { PROJECT_ROOT, tempDir } from "../helpers/data-folder";
import { openCopy } from "../helpers/factories";
import { infoOf, pageTexts, tool } from "../helpers/pdf-tools";

const PRINTED_AT = new Date("2026-11-30T12:00:00Z");
const CRAFTED = fs.readFileSync(path.join(PROJECT_ROOT, "test", "fixtures", "pdf", "every-construct.mdx"), "utf8");

let q: Quire;
let out: string;

beforeAll(async () => {
  // The fixture demo: SOP-TS-001 v1.0 superseded by v2.0, both signed.
  q = await openCopy("fixture-demo", PRINTED_AT.toISOString());
  out = tempDir("quire-pdf-tagged-");
});
afterAll(async () => {
  await q?.db.close();
});

/** A copy of the selected version printed with the crafted body (every construct and component). */
async function printed(selector: PdfSelector, name: string): Promise<{ file: string; pages: number }> {
  const input = await printableVersion(q, selector, { printedAt: PRINTED_AT, printedBy: "Pat Printer", copyId: null });
  const file = path.join(out, name);
  const { pages } = await writePdfFile({ ...input, version: { ...input.version, source: CRAFTED } }, file);
  return { file, pages };
}

/** The structure tree as poppler reads it: one element or quoted text per line, indented by depth. */
function structureOf(file: string): string[] {
  const result = tool("pdfinfo", ["-struct-text", file]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
}

/** The element types of the structure tree, in reading order. */
function elementTypes(tree: string[]): string[] {
  return tree.filter((line) => !line.trim().startsWith('"')).map((line) => line.trim().split(" ")[0]!);
}

/** The PDF's objects uncompressed (qpdf QDF), for reading the content streams' marked content. */
function uncompressed(file: string): string {
  const qdf = `${file}.qdf`;
  const result = tool("qpdf", ["--qdf", "--object-streams=disable", file, qdf]);
  expect(result.status, result.stderr).toBe(0);
  return fs.readFileSync(qdf, "latin1");
}

describe("a printed copy as a tagged PDF", () => {
  let file: string;
  let pages: number;
  let tree: string[];

  beforeAll(async () => {
    ({ file, pages } = await printed({ docId: "SOP-TS-001" }, "effective.pdf"));
    tree = structureOf(file);
  });

  it("is tagged, marked and well formed, with its language and title shown", () => {
    expect(infoOf(file).Tagged).toBe("yes");
    const check = tool("qpdf", ["--check", file]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const pdf = uncompressed(file);
    expect(pdf).toMatch(/\/StructTreeRoot \d+ 0 R/);
    expect(pdf).toMatch(/\/Marked true/);
    expect(pdf).toMatch(/\/Lang \(en\)/);
    expect(pdf).toMatch(/\/DisplayDocTitle true/);
  });

  it("has the title as H1, the sections as H2 and the text as paragraphs, in reading order", () => {
    expect(tree[0]).toBe("Document");
    const text = tree.join("\n");
    expect(text).toMatch(/^ {2}H1 \(block\)\n {4}"Test Monitoring Procedure"$/m);
    expect(text).toMatch(/^ {2}H2 \(block\)\n {4}"Purpose"$/m);
    expect(text).toMatch(/^ {2}H2 \(block\)\n {4}"Signatures"$/m);
    expect(text).toMatch(/^ {2}H2 \(block\)\n {4}"Revision history"$/m);
    expect(text).toMatch(/^ {2}P \(block\)\n {4}"A paragraph with emphasis, strong text/m);
    const types = elementTypes(tree);
    expect(types.indexOf("H1")).toBeLessThan(types.indexOf("H2"));
    const pdf = uncompressed(file);
    expect(pdf).toMatch(/\/S \/H1\b/);
    expect(pdf).toMatch(/\/S \/P\b/);
  });

  it("has lists as L, LI, Lbl and LBody, nested lists inside their item's body", () => {
    const text = tree.join("\n");
    expect(text).toMatch(/^ {2}L \(block\)\n {4}LI \(block\)\n {6}Lbl \(block\)\n {8}"1\."\n {6}LBody \(block\)\n {8}P \(block\)\n {10}"First ordered item"$/m);
    expect(text).toMatch(
      /^ {8}L \(block\)\n {10}LI \(block\)\n {12}Lbl \(block\)\n {14}"•"\n {12}LBody \(block\)\n {14}P \(block\)\n {16}"Nested bullet alpha"$/m,
    );
  });

  it("has tables as Table, TR, TH and TD: the metadata, the body's tables and the revision history", () => {
    const text = tree.join("\n");
    expect(text).toMatch(/^ {4}TR\n {6}TH\n {8}"Document ID"\n {6}TD\n {8}"SOP-TS-001"$/m);
    expect(text).toMatch(/^ {6}TH\n {8}"Change request"$/m);
    expect(elementTypes(tree).filter((t) => t === "Table").length).toBeGreaterThanOrEqual(3);
  });

  it("reads a long table's header row once, its repeats on later pages being pagination artifacts", () => {
    const printedHeaders = pageTexts(file).filter((t) => /^Code Description Retention$/m.test(t)).length;
    expect(printedHeaders).toBeGreaterThanOrEqual(2);
    expect(tree.filter((line) => line.trim() === '"Description"')).toHaveLength(1);
    const pagination = uncompressed(file).match(/\/Artifact <<\s*\/Type \/Pagination\s*>> BDC/g) ?? [];
    // One for each page's header and footer, one for each repeated header row.
    expect(pagination.length).toBe(pages + printedHeaders - 1);
  });

  it("leaves the header and footer out of the structure, as pagination artifacts on every page", () => {
    const text = tree.join("\n");
    expect(text).not.toContain("Page 1 of");
    expect(text).not.toContain("Printed by Pat Printer");
    expect(text).not.toContain("Uncontrolled copy");
    // The header and footer are drawn last on each page, after everything tagged.
    const streams = uncompressed(file)
      .split(/^%% Contents for page \d+$/m)
      .slice(1);
    expect(streams).toHaveLength(pages);
    for (const stream of streams) expect(stream).toMatch(/\/Artifact <<\s*\/Type \/Pagination\s*>> BDC\n(?:(?!BDC)[^])*EMC\s*endstream/);
  });
});

describe("the watermark of a tagged copy", () => {
  it("is an artifact on every page, not text of the document", async () => {
    const { file, pages } = await printed({ docId: "SOP-TS-001", version: "1.0" }, "superseded.pdf");
    expect(structureOf(file).join("\n")).not.toContain("SUPERSEDED");
    const watermarks = uncompressed(file).match(/\/Artifact <<\/Type \/Pagination \/Subtype \/Watermark>> BDC/g) ?? [];
    expect(watermarks.length).toBe(pages);
  });
});
