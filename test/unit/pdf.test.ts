import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { COMPONENT_NAMES } from "~/modules/content/components";
import { PDF_DRAWERS } from "~/modules/pdf/components";
import type { ComponentDrawers } from "~/modules/pdf/draw-context";
import { keptSyntaxTrees, layoutPdf } from "~/modules/pdf/layout";
import type { PdfInput, PrintRun } from "~/modules/pdf/pdf";
import { PdfRequestError, printableVersion, renderPdfBuffer, writePdfFile } from "~/modules/pdf/pdf.server";

import { PROJECT_ROOT, tempDir } from "../helpers/data-folder";
import { openCopy } from "../helpers/factories";
import { STANDARD_14, fontsOf, infoOf, pageTexts, tool, watermarkOf } from "../helpers/pdf-tools";

const PRINTED_AT = new Date("2026-11-30T12:00:00Z");
const CRAFTED = fs.readFileSync(path.join(PROJECT_ROOT, "test", "fixtures", "pdf", "every-construct.mdx"), "utf8");

let q: Quire;
let out: string;

beforeAll(async () => {
  // The fixture demo: SOP-TS-001 v1.0 (2025-02-03) superseded by v2.0 (2026-03-02), both signed.
  q = await openCopy("fixture-demo", PRINTED_AT.toISOString());
  out = tempDir("quire-pdf-");
});
afterAll(async () => {
  await q?.db.close();
});

function run(printedAt: Date = PRINTED_AT): PrintRun {
  return { printedAt, printedBy: "Pat Printer", copyId: null };
}

/** SOP-TS-001 as the database and git have it, with the crafted body that uses every construct and component. */
async function craftedInput(printedAt: Date = PRINTED_AT): Promise<PdfInput> {
  const input = await printableVersion(q, { docId: "SOP-TS-001" }, run(printedAt));
  return { ...input, version: { ...input.version, source: CRAFTED } };
}

async function written(input: PdfInput, name: string): Promise<{ file: string; pages: number }> {
  const file = path.join(out, name);
  const result = await writePdfFile(input, file);
  return { file, pages: result.pages };
}

describe("the PDF engine on a body with every construct and component", () => {
  let file: string;
  let pages: number;
  let texts: string[];
  let input: PdfInput;

  beforeAll(async () => {
    input = await craftedInput();
    ({ file, pages } = await written(input, "crafted.pdf"));
    texts = pageTexts(file);
  });

  it("has a drawer for every Quire component", () => {
    expect(Object.keys(PDF_DRAWERS).sort()).toEqual([...COMPONENT_NAMES].sort());
    // The registry's type is the guard: a map without a component's drawer does not compile (tsc checks this line).
    const { DocRef: _docRef, ...withoutDocRef } = PDF_DRAWERS;
    // @ts-expect-error DocRef has no drawer
    const incomplete: ComponentDrawers = withoutDocRef;
    expect(Object.keys(incomplete)).not.toContain("DocRef");
  });

  it("is a well-formed PDF (qpdf --check) with its metadata", () => {
    const check = tool("qpdf", ["--check", file]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const info = infoOf(file);
    expect(info.Title).toBe(`SOP-TS-001 v${input.version.version}: ${input.version.title}`);
    expect(info.Author).toBe("Quire");
    expect(info.Creator).toBe("Quire");
    expect(info.Keywords).toContain("SOP-TS-001");
    expect(info.Subject).toContain("Uncontrolled copy: valid on 2026-11-30 only");
    expect(Number(info.Pages)).toBe(pages);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it("embeds every font it uses, all DejaVu, none of the standard 14", () => {
    const fonts = fontsOf(file);
    expect(fonts.length).toBeGreaterThanOrEqual(4);
    for (const f of fonts) {
      expect(f.embedded, f.name).toBe(true);
      expect(f.name).toMatch(/DejaVu/);
      expect(f.name).not.toMatch(STANDARD_14);
    }
  });

  it("prints Page N of M, the header and the uncontrolled-copy footer on every page", () => {
    expect(texts).toHaveLength(pages);
    texts.forEach((text, i) => {
      expect(text, `page ${i + 1}`).toContain(`Page ${i + 1} of ${pages}`);
      expect(text).toContain(`SOP-TS-001 · ${input.version.title}`);
      expect(text).toContain(`Version ${input.version.version} · Effective`);
      expect(text).toContain("Uncontrolled copy: valid on 2026-11-30 only");
      expect(text).toContain("Printed by Pat Printer at 2026-11-30 12:00:00 UTC");
      expect(text).toContain(`sha256:${input.version.contentHash.slice(0, 12)}`);
    });
  });

  it("lays out the markdown constructs", () => {
    // Lines wrap where the page ends them: compare with the line breaks read as spaces.
    const all = texts.join("\n").replace(/\s+/g, " ");
    for (const expected of [
      "Purpose",
      "A paragraph with emphasis, strong text, both at once, inline code, a link to the regulation",
      "(https://www.ecfr.gov/current/title-21/part-11)",
      "A soft line break continues the paragraph.",
      "1. First ordered item",
      "• Nested bullet alpha",
      "1. Deeper numbered one",
      "3. Third ordered item",
      "A level three heading",
      "A block quote that says something important about quality.",
      "code block line 1",
      "The last paragraph.",
    ]) {
      expect(all).toContain(expected);
    }
    expect(all).not.toContain("reviewIntervalMonths");
  });

  it("draws every component as the screen shows it", () => {
    const all = texts.join("\n");
    expect(all).toContain("SOP-DM-001 in the same line"); // DocRef inline
    expect(all).toContain("21 CFR Part 11\nElectronic records must be trustworthy."); // Callout with title
    expect(all).toContain("Warning\nMind the gap."); // Callout's default label
    expect(all).toMatch(/Responsibilities\nClinical Research Associate\nKeeps the data clean\./); // role's job function name
    expect(all).toContain("Query\nA request to a site to confirm a data point."); // Definition
    expect(all).toContain("1. Prepare the plan (Clinical Research Associate)"); // Step number and owner
    expect(all).toContain("2. Lock the database");
    expect(all).toContain("Record Retention Location Notes\nData management plan 25 years eTMF Signed copy.");
    expect(all).toContain("Query log 25 years Exported from the EDC.");
  });

  it("repeats a long table's header row on every page it continues on", () => {
    const withRows = texts.filter((t) => /^R-0\d\d /m.test(t));
    expect(withRows.length).toBeGreaterThanOrEqual(2);
    for (const t of withRows) expect(t).toContain("Code Description Retention");
    const rows = texts.join("\n").match(/^R-\d{3} Row \d+ of the long table/gm) ?? [];
    expect(rows).toHaveLength(70);
  });

  it("ends with the signature page and the revision history from the records", () => {
    const signaturePage = texts.findIndex((t) => /^Signatures$/m.test(t));
    expect(signaturePage).toBeGreaterThan(0);
    expect(input.signatures.length).toBeGreaterThan(0);
    const rest = texts.slice(signaturePage).join("\n");
    for (const s of input.signatures) {
      expect(rest).toContain(`${s.meaning}: ${s.printedName}`);
      expect(rest).toContain(s.statement);
      expect(rest.replace(/\s+/g, " ")).toContain(s.contentHash);
    }
    expect(rest).toContain("Revision history");
    const flat = rest.replace(/\s+/g, " ");
    expect(flat).toMatch(/ 1\.0 – Initial issue\. 2025-02-03 to 2026-03-02 Superseded /);
    expect(flat).toMatch(/ 2\.0 CR-\d{4}-\d{4} .{0,80} from 2026-03-02 Effective /);
  });

  it("has a bookmark for each heading", () => {
    const { stdout } = tool("qpdf", ["--json", "--json-key=outlines", file]);
    const outlines = (JSON.parse(stdout) as { outlines: { title: string; kids: { title: string }[] }[] }).outlines;
    const titles = outlines.map((o) => o.title);
    expect(titles).toEqual(expect.arrayContaining(["Purpose", "Scope", "Procedure", "Long table", "Signatures", "Revision history"]));
    expect(outlines.find((o) => o.title === "Scope")?.kids.map((k) => k.title)).toEqual(["A level three heading"]);
  });
});

describe("the watermark", () => {
  it("is absent from the version in force on the print day", async () => {
    const { file } = await written(await printableVersion(q, { docId: "SOP-TS-001" }, run()), "effective.pdf");
    for (const text of pageTexts(file)) expect(watermarkOf(text)).toBe("");
  });

  it("says SUPERSEDED on every page of a superseded version", async () => {
    const input = await printableVersion(q, { docId: "SOP-TS-001", version: "1.0" }, run());
    expect(input.version.status).toBe("superseded");
    const { file } = await written(input, "superseded.pdf");
    for (const text of pageTexts(file)) expect(watermarkOf(text)).toBe("SUPERSEDED");
  });

  it("says APPROVED NOT YET EFFECTIVE before the effective date", async () => {
    const input = await printableVersion(q, { docId: "SOP-TS-001", version: "2.0" }, run(new Date("2026-03-01T09:00:00Z")));
    expect(input.version.status).toBe("approved");
    const { file } = await written(input, "approved.pdf");
    for (const text of pageTexts(file)) expect(watermarkOf(text)).toBe("APPROVEDNOTYETEFFECTIVE");
  });

  it("says RETIRED and DRAFT for those statuses", async () => {
    const base = await printableVersion(q, { docId: "SOP-TS-001" }, run());
    for (const status of ["retired", "draft"] as const) {
      const { file } = await written({ ...base, version: { ...base.version, status } }, `${status}.pdf`);
      for (const text of pageTexts(file)) expect(watermarkOf(text)).toBe(status.toUpperCase());
    }
  });
});

describe("determinism", () => {
  it("gives byte-identical PDFs for the same version, copy and print time, and different bytes for another time", async () => {
    const first = await renderPdfBuffer(await craftedInput());
    const second = await renderPdfBuffer(await craftedInput());
    expect(second.buffer.equals(first.buffer)).toBe(true);
    expect(second.sha256).toBe(first.sha256);
    const later = await renderPdfBuffer(await craftedInput(new Date(PRINTED_AT.getTime() + 1000)));
    expect(later.sha256).not.toBe(first.sha256);
  });
});

describe("the parsed body kept between prints", () => {
  async function bytesOf(input: PdfInput, keepTree: boolean): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of layoutPdf(input, { keepTree }).doc) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  it("is kept for a copy, not for a binder's one-off print, and either way gives the same bytes", async () => {
    const input = await craftedInput();
    // A body no other test prints, so the cache cannot already hold it.
    const body: PdfInput = { ...input, version: { ...input.version, source: `${CRAFTED}\nA paragraph only this test prints.\n` } };
    const before = keptSyntaxTrees();
    const oneOff = await bytesOf(body, false);
    expect(keptSyntaxTrees()).toBe(before);
    const kept = await bytesOf(body, true);
    expect(keptSyntaxTrees()).toBe(Math.min(before + 1, 64));
    expect(kept.equals(oneOff)).toBe(true);
  });
});

describe("choosing the version and writing the file", () => {
  it("names unknown documents, versions and dates before any version was in force", async () => {
    await expect(printableVersion(q, { docId: "SOP-NO-999" }, run())).rejects.toThrow(new PdfRequestError("There is no controlled document SOP-NO-999."));
    await expect(printableVersion(q, { docId: "SOP-TS-001", version: "7.0" }, run())).rejects.toThrow(/has no version 7\.0/);
    await expect(printableVersion(q, { docId: "SOP-TS-001", on: "2024-01-01" }, run())).rejects.toThrow(
      "No version of SOP-TS-001 was in force on 2024-01-01; the first took effect 2025-02-03.",
    );
    const then = await printableVersion(q, { docId: "SOP-TS-001", on: "2025-06-01" }, run());
    expect([then.version.version, then.version.status]).toEqual(["1.0", "superseded"]);
  });

  it("refuses an output path it cannot write and leaves nothing behind", async () => {
    const input = await printableVersion(q, { docId: "SOP-TS-001" }, run());
    const folder = tempDir("quire-pdf-out-");
    await expect(writePdfFile(input, path.join(folder, "missing", "x.pdf"))).rejects.toThrow(/does not exist/);
    await expect(writePdfFile(input, folder)).rejects.toThrow(/it is a folder/);
    expect(fs.readdirSync(folder)).toEqual([]);
    // A failure while rendering (here: a body that is not valid MDX) leaves no file, temporary or final.
    const broken = { ...input, version: { ...input.version, source: '<Callout kind="note">\n\nnever closed' } };
    await expect(writePdfFile(broken, path.join(folder, "broken.pdf"))).rejects.toThrow();
    expect(fs.readdirSync(folder)).toEqual([]);
    await writePdfFile(input, path.join(folder, "ok.pdf"));
    expect(fs.readdirSync(folder)).toEqual(["ok.pdf"]);
  });
});
