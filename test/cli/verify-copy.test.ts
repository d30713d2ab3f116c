import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { open } from "~/context.server";
import { approveChange } from "~/modules/change-control/change-control.server";
import { issueCopies, recordRecall, renderIssuedCopy } from "~/modules/copies/copies.server";
import { getCopy } from "~/modules/copies/register.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";
import { verifySigner } from "~/modules/signatures/signatures.server";

import { runQuire } from "../helpers/cli";
import { configFor, copyDataFolder, tempDir } from "../helpers/data-folder";
import { changeInReview } from "../helpers/factories";
import { tool } from "../helpers/pdf-tools";

// The fixture demo: SOP-TS-001 v2.0 in force. Copies C001 and C002 of v2.0 are issued on 2026-11-30
// through the copies module (as the issue form does); v3.0 is then approved, effective 2026-12-14,
// so the same copies are current before that day and to recall from it. C002 is later destroyed.

let dataDir: string;
let out: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("fixture-demo"));
  out = tempDir("quire-verify-copy-");
  const q = await open({ ...configFor(dataDir), fixedNow: "2026-11-30T09:00:00Z" });
  try {
    const qa = await verifySigner(q, { username: "qa", clientAddress: null }, DEMO_PASSWORD);
    const request = { docId: "SOP-TS-001", version: "2.0", recipient: "Dr Jane Site", location: "Site 12", reason: "No system access", copies: 2 };
    await issueCopies(q, qa, request, new Date("2026-11-30T09:00:00Z"));
    for (const id of ["SOP-TS-001-2.0-C001", "SOP-TS-001-2.0-C002"]) {
      files[id] = path.join(out, `${id}.pdf`);
      fs.writeFileSync(files[id], await renderIssuedCopy(q, (await getCopy(q.db, id, "2026-11-30"))!));
    }
    const { crId, who } = await changeInReview(q, { at: new Date("2026-11-30T10:00:00Z"), revision: "major" });
    await approveChange(q, who("qa"), crId, "2026-12-14", new Date("2026-11-30T10:10:00Z"));
    await recordRecall(
      q.db,
      qa,
      { copyId: "SOP-TS-001-2.0-C002", outcome: "destroyed", closedOn: "2026-11-30", note: "Site closed" },
      "2026-11-30",
      new Date("2026-11-30T11:00:00Z"),
    );
  } finally {
    await q.db.close();
  }
});

function verifyCopy(file: string, on: string, ...args: string[]) {
  return runQuire(["verify-copy", file, ...args], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: `${on}T12:00:00Z` });
}

function json(r: { stdout: string }): Record<string, unknown> {
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe("quire verify-copy", () => {
  it("exits 0 for a genuine controlled copy of the version in force, naming the copy and version", () => {
    const r = verifyCopy(files["SOP-TS-001-2.0-C001"]!, "2026-12-01", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({
      file: files["SOP-TS-001-2.0-C001"],
      genuine: true,
      copyId: "SOP-TS-001-2.0-C001",
      doc: "SOP-TS-001",
      version: "2.0",
      status: "effective",
      current: true,
      problems: [],
    });
    const text = verifyCopy(files["SOP-TS-001-2.0-C001"]!, "2026-12-01");
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("genuine controlled copy SOP-TS-001-2.0-C001 of SOP-TS-001 v2.0");
  });

  it("exits 1 for a genuine copy once its version is superseded, and for a recalled copy", () => {
    const superseded = verifyCopy(files["SOP-TS-001-2.0-C001"]!, "2026-12-20", "--json");
    expect(superseded.status, superseded.stderr).toBe(1);
    expect(json(superseded)).toMatchObject({ genuine: true, status: "superseded", current: false, copyStatus: "to-recall" });
    const recalled = verifyCopy(files["SOP-TS-001-2.0-C002"]!, "2026-12-01");
    expect(recalled.status).toBe(1);
    expect(recalled.stdout).toContain("It was destroyed on 2026-11-30");
  });

  it("exits 2 for an edited copy: a flipped byte, and a rewrite that keeps its metadata", () => {
    const flipped = path.join(out, "flipped.pdf");
    const bytes = fs.readFileSync(files["SOP-TS-001-2.0-C001"]!);
    const at = bytes.indexOf("stream") + 20;
    bytes[at] = bytes[at]! ^ 0xff;
    fs.writeFileSync(flipped, bytes);
    const r = verifyCopy(flipped, "2026-12-01", "--json");
    expect(r.status).toBe(2);
    expect(json(r)).toMatchObject({ genuine: false, copyId: "SOP-TS-001-2.0-C001" });
    expect((json(r).problems as string[])[0]).toMatch(/SHA-256 .* differs from the one the register holds for SOP-TS-001-2.0-C001.*altered/);

    const rewritten = path.join(out, "first-page-only.pdf");
    const qpdf = tool("qpdf", [files["SOP-TS-001-2.0-C001"]!, "--pages", ".", "1", "--", rewritten]);
    expect(qpdf.status, qpdf.stderr).toBe(0);
    const again = verifyCopy(rewritten, "2026-12-01");
    expect(again.status).toBe(2);
    expect(again.stdout).toContain("claims to be controlled copy SOP-TS-001-2.0-C001, but is NOT genuine");
  });

  it("exits 2 for a PDF Quire did not print, a file that is not a PDF, and a missing file", () => {
    const foreign = path.join(out, "foreign.pdf");
    expect(tool("qpdf", ["--empty", "--pages", files["SOP-TS-001-2.0-C001"]!, "1", "--", foreign]).status).toBe(0);
    const r = verifyCopy(foreign, "2026-12-01", "--json");
    expect(r.status).toBe(2);
    expect(json(r)).toMatchObject({ genuine: false, copyId: null });
    expect((json(r).problems as string[])[0]).toMatch(/no Quire copy number/);

    const text = path.join(out, "notes.pdf");
    fs.writeFileSync(text, "just some notes\n");
    const notPdf = verifyCopy(text, "2026-12-01");
    expect(notPdf.status).toBe(2);
    expect(notPdf.stdout).toContain("not a PDF");

    const missing = verifyCopy(path.join(out, "nowhere.pdf"), "2026-12-01");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("there is no file");
    expect(missing.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it("recognises an uncontrolled printout by its SHA-256 in the audit trail", () => {
    const file = path.join(out, "uncontrolled.pdf");
    const printed = runQuire(["pdf", "--doc", "SOP-TS-001", "--version", "2.0", "--out", file], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: "2026-12-01T12:00:00Z" });
    expect(printed.status, printed.stderr).toBe(0);
    const r = verifyCopy(file, "2026-12-01", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ genuine: true, kind: "uncontrolled", copyId: null, doc: "SOP-TS-001", version: "2.0", current: true });
    expect(verifyCopy(file, "2026-12-20").status).toBe(1);
    fs.appendFileSync(file, "% appended\n");
    const appended = verifyCopy(file, "2026-12-01");
    expect(appended.status).toBe(2);
  });
});
