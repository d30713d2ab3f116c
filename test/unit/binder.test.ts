import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { BinderRequestError } from "~/modules/binder/binder";
import { buildBinder } from "~/modules/binder/binder.server";

import { tempDir } from "../helpers/data-folder";
import { openCopy } from "../helpers/factories";
import { pageTexts, tool } from "../helpers/pdf-tools";

// The fixture demo: SOP-TS-001 v1.0 from 2025-02-03, v2.0 from 2026-03-02 (approved through CR-2026-0001).
const GENERATED_AT = new Date("2026-11-30T12:00:00Z");
const run = (asOf: string) => ({ asOf, generatedAt: GENERATED_AT, generatedBy: "Ingrid Inspector" });

let q: Quire;
beforeAll(async () => {
  q = await openCopy("fixture-demo", GENERATED_AT.toISOString());
});
afterAll(async () => {
  await q?.db.close();
});

describe("the inspection binder, in process", () => {
  it("holds the version in force on the day and not the one approved later; after it took effect, the later one", async () => {
    const folder = tempDir("quire-binder-unit-");
    const before = await buildBinder(q, run("2025-06-01"), path.join(folder, "before.pdf"));
    const after = await buildBinder(q, run("2026-06-01"), path.join(folder, "after.pdf"));
    const beforeText = pageTexts(before.out).join("\n");
    const afterText = pageTexts(after.out).join("\n");
    expect(beforeText).toContain("SOP-TS-001 · Version 1.0");
    expect(beforeText).not.toContain("SOP-TS-001 · Version 2.0");
    expect(beforeText).not.toContain("CR-2026-0001");
    expect(afterText).toContain("SOP-TS-001 · Version 2.0");
    expect(afterText).not.toContain("SOP-TS-001 · Version 1.0");
    // v2.0's revision history lists v1.0 as superseded, as of that day.
    expect(afterText).toMatch(/1\.0 – Initial issue\. 2025-02-03 to\s+2026-03-02\s+Superseded\s+2\.0 CR-2026-0001/);
    expect(tool("qpdf", ["--check", after.out]).status).toBe(0);
    expect(before.counts.documents).toBe(after.counts.documents);
  });

  it("refuses a day before anything was in force, and leaves nothing behind when the build fails midway", async () => {
    const folder = tempDir("quire-binder-unit-fail-");
    await expect(buildBinder(q, run("2024-12-31"), path.join(folder, "b.pdf"))).rejects.toThrow(BinderRequestError);
    // The content repository disappears after the record was read: the versions cannot be laid out.
    const content = path.join(q.config.dataDir, "content");
    fs.renameSync(content, `${content}.away`);
    try {
      await expect(buildBinder(q, run("2025-06-01"), path.join(folder, "b.pdf"))).rejects.toThrow();
      await expect(buildBinder(q, run("2025-06-01"), path.join(folder, "b.zip"), { zip: true })).rejects.toThrow();
    } finally {
      fs.renameSync(`${content}.away`, content);
    }
    expect(fs.readdirSync(folder)).toEqual([]);
  });
});
