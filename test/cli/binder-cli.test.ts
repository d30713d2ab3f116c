import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { runQuire } from "../helpers/cli";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { STANDARD_14, fontsOf, infoOf, pageTexts, tool } from "../helpers/pdf-tools";

// The project demo: SOP-CM-001 v1.1 took effect 2025-09-01 and v2.0 2026-04-06; SOP-DC-001 and
// SOP-DM-001 v2.0, WI-CM-001 and WI-DM-001 were all approved in 2026. On 2025-10-01 only the go-live
// versions and SOP-CM-001 v1.1 were in force.
const AS_OF = "2025-10-01";
const NOW = "2026-11-30T12:00:00Z";

let dataDir: string;
let out: string;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  out = tempDir("quire-binder-cli-");
});

function binder(...args: string[]) {
  return runQuire(["binder", ...args], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: NOW });
}

function sha256(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

interface Outline {
  title: string;
  destpageposfrom1: number;
  kids: Outline[];
}

function outlinesOf(file: string): Outline[] {
  return (JSON.parse(tool("qpdf", ["--json=2", "--json-key=outlines", file]).stdout) as { outlines: Outline[] }).outlines;
}

/** The versions in force on a day, straight from the version records (not through the library code the binder uses). */
async function inForceOn(day: string): Promise<{ doc_id: string; version: string; title: string }[]> {
  return queryDataFolder(
    dataDir,
    `SELECT v.doc_id, v.version, v.title FROM document_versions v
      WHERE v.effective_from <= ? AND substr(v.approved_at, 1, 10) <= ?
        AND NOT EXISTS (SELECT 1 FROM document_versions w WHERE w.doc_id = v.doc_id AND w.effective_from <= ? AND w.effective_from > v.effective_from)
        AND NOT EXISTS (SELECT 1 FROM retirements r WHERE r.doc_id = v.doc_id AND r.effective_from <= ?)
      ORDER BY v.doc_id`,
    [day, day, day, day],
  );
}

describe("quire binder (one PDF)", () => {
  let file: string;
  let answer: Record<string, unknown>;
  let pages: string[];
  let progress: string;

  beforeAll(() => {
    file = path.join(out, "binder.pdf");
    const r = binder("--as-of", AS_OF, "--out", file, "--json");
    expect(r.status, r.stderr).toBe(0);
    answer = JSON.parse(r.stdout) as Record<string, unknown>;
    progress = r.stderr;
    pages = pageTexts(file);
  });

  it("answers as JSON with the file's SHA-256, size and page count, and records the export", async () => {
    const inForce = await inForceOn(AS_OF);
    expect(answer).toEqual({
      asOf: AS_OF,
      out: file,
      documents: inForce.length,
      pages: pages.length,
      sha256: sha256(file),
      bytes: fs.statSync(file).size,
    });
    expect(Number(infoOf(file).Pages)).toBe(pages.length);
    const rows = await queryDataFolder<{ username: string; object_id: string; new_values: string; at: string }>(
      dataDir,
      "SELECT username, object_id, new_values, at FROM audit_events WHERE action = 'binder.export'",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.username).toMatch(/^cli:/);
    expect(rows[0]!.object_id).toBe(AS_OF);
    expect(rows[0]!.at).toBe("2026-11-30T12:00:00.000Z");
    expect(JSON.parse(rows[0]!.new_values)).toMatchObject({
      asOf: AS_OF,
      format: "pdf",
      sha256: answer.sha256,
      pages: pages.length,
      documents: inForce.length,
    });
  });

  it("runs in a child process with a heap limit, so its peak memory stays flat (decision 013)", () => {
    // Each process prints its V8 heap limit as it exits: the bin script's, then the binder's own.
    const hook = path.join(tempDir("quire-heap-hook-"), "hook.mjs");
    fs.writeFileSync(
      hook,
      "import v8 from 'node:v8';\nprocess.on('exit', () => process.stderr.write(`heap-limit-mb ${Math.round(v8.getHeapStatistics().heap_size_limit / 1048576)}\\n`));\n",
    );
    const r = runQuire(["binder", "--help"], { NODE_OPTIONS: `--import=${hook}` });
    expect(r.status, r.stderr).toBe(0);
    const limits = [...r.stderr.matchAll(/heap-limit-mb (\d+)/g)].map((m) => Number(m[1]));
    expect(limits).toHaveLength(2);
    expect(Math.min(...limits)).toBeLessThanOrEqual(600);
  });

  it("reports its progress on stderr as plain lines when stderr is not a terminal", () => {
    const lines = progress.trim().split("\n");
    expect(lines[0]).toMatch(/^quire binder: counting pages 1\/(\d+) Cover$/);
    const parts = /\/(\d+) /.exec(lines[0]!)![1];
    expect(lines).toContain(`quire binder: writing ${parts}/${parts} Training records`);
    expect(lines.every((l) => l.startsWith("quire binder: "))).toBe(true);
  });

  it("is well formed, with every font embedded", () => {
    const check = tool("qpdf", ["--check", file]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    // A binder has no structure tree: it must not claim to be a tagged PDF (only a printed copy is).
    expect(infoOf(file).Tagged).toBe("no");
    const fonts = fontsOf(file);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) {
      expect(f.embedded, f.name).toBe(true);
      expect(f.name).not.toMatch(STANDARD_14);
    }
  });

  it("numbers every page in the binder, and each version's pages on their own", () => {
    pages.forEach((text, i) => expect(text, `page ${i + 1}`).toContain(`Binder page ${i + 1} of ${pages.length}`));
    // SOP-CM-001's pages: its header on each, "Page N of M" counting its own pages.
    const cm = pages.map((t, i) => ({ t, i })).filter(({ t }) => t.includes("SOP-CM-001 · Clinical Monitoring"));
    expect(cm.length).toBeGreaterThan(1);
    cm.forEach(({ t }, n) => expect(t).toContain(`Page ${n + 1} of ${cm.length}`));
    expect(cm.map(({ i }) => i)).toEqual(cm.map((_, n) => cm[0]!.i + n));
  });

  it("holds exactly the versions in force that day, each with a bookmark at the page the index gives, and none approved later", async () => {
    const inForce = await inForceOn(AS_OF);
    expect(inForce.find((v) => v.doc_id === "SOP-CM-001")?.version).toBe("1.1");
    const outlines = outlinesOf(file);
    expect(outlines.map((o) => o.title)).toEqual([
      "Cover",
      "Index",
      `Documents in force on ${AS_OF}`,
      "Controlled copy register",
      "Signature manifest",
      `Audit trail to the end of ${AS_OF}`,
      `Training as of ${AS_OF}`,
    ]);
    const documents = outlines[2]!.kids;
    expect(documents.map((d) => d.title).sort()).toEqual(inForce.map((v) => `${v.doc_id} ${v.title}`).sort());
    const index = pages[1]!;
    for (const v of inForce) {
      const mark = documents.find((d) => d.title === `${v.doc_id} ${v.title}`)!;
      const page = pages[mark.destpageposfrom1 - 1]!;
      // The bookmark opens the version's first page; the index names the same page.
      expect(page).toContain(`${v.doc_id} · Version ${v.version}`);
      expect(page).toContain(`Status Effective on ${AS_OF}`);
      expect(index).toContain(`${v.doc_id} v${v.version} ${v.title} ${mark.destpageposfrom1}`);
      // Its headings are bookmarked under it, with the signature page and the revision history.
      expect(mark.kids.map((k) => k.title)).toEqual(expect.arrayContaining(["Signatures", "Revision history"]));
    }
    const all = pages.join("\n");
    // Approved in 2026: neither the versions nor their revision-history lines nor their change requests' signatures.
    for (const later of ["WI-CM-001", "WI-DM-001"]) expect(documents.map((d) => d.title).join()).not.toContain(later);
    expect(all).not.toMatch(/SOP-CM-001 · Version 2\.0|Version 2\.0 · Effective/);
    const cmPages = pages.filter((t) => t.includes("SOP-CM-001 · Clinical Monitoring")).join("\n");
    expect(cmPages).toMatch(/Revision history/);
    expect(cmPages).not.toMatch(/\n2\.0 CR-/);
    const approvedLater = await queryDataFolder<{ cr_id: string }>(
      dataDir,
      "SELECT DISTINCT cr_id FROM document_versions WHERE cr_id IS NOT NULL AND approved_at > ?",
      [`${AS_OF}T23:59:59.999Z`],
    );
    expect(approvedLater.length).toBeGreaterThan(0);
    for (const { cr_id } of approvedLater) expect(all, cr_id).not.toContain(cr_id);
    // No watermark: every version shown was in force that day.
    expect(all).not.toMatch(/S\nU\nP\nE\nR\nS\nE\nD\nE\nD/);
  });

  it("lists every document-control signature up to the end of the day and no later one", async () => {
    const signed = await queryDataFolder<{ n: number; latest: string }>(
      dataDir,
      `SELECT count(*) AS n, max(signed_at) AS latest FROM signatures s JOIN signature_meanings m ON m.meaning = s.meaning
        WHERE m.purpose = 'document-control' AND s.signed_at <= ?`,
      [`${AS_OF}T23:59:59.999Z`],
    );
    const manifest = pages.filter((t) => t.includes("Signature manifest ·")).join("\n");
    expect((manifest.match(/Content SHA-256 [0-9a-f]{64}/g) ?? []).length).toBe(signed[0]!.n);
    const dates = [...manifest.matchAll(/^(\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d /gm)].map((m) => m[1]!);
    expect(dates.length).toBe(signed[0]!.n);
    for (const d of dates) expect(d <= AS_OF).toBe(true);
  });

  it("has the controlled copy register as of the day (none issued yet on this day)", () => {
    const register = pages.filter((t) => t.includes("Controlled copy register ·")).join("\n");
    expect(register).toContain(`Every numbered controlled copy issued by the end of ${AS_OF} (UTC)`);
    expect(register).toContain("No controlled copy had been issued by then.");
  });

  it("has the audit trail up to the end of the day, in order, and stops there", async () => {
    const [row] = await queryDataFolder<{ n: number; last: number }>(dataDir, "SELECT count(*) AS n, max(seq) AS last FROM audit_events WHERE at <= ?", [
      `${AS_OF}T23:59:59.999Z`,
    ]);
    const { n, last } = row!;
    const later = await queryDataFolder<{ n: number }>(dataDir, "SELECT count(*) AS n FROM audit_events WHERE at > ?", [`${AS_OF}T23:59:59.999Z`]);
    expect(later[0]!.n).toBeGreaterThan(0);
    const audit = pages.filter((t) => t.includes("Audit trail ·")).join("\n");
    const rows = [...audit.matchAll(/^(\d+) (\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d /gm)].map((m) => ({ seq: Number(m[1]), day: m[2]! }));
    expect(rows).toHaveLength(n);
    for (const r of rows) expect(r.day <= AS_OF, `seq ${r.seq}`).toBe(true);
    expect(rows.map((r) => r.seq)).toEqual([...rows.map((r) => r.seq)].sort((a, b) => a - b));
    expect(audit).toContain(`Last row to the end of ${AS_OF}: seq ${last}, hash`);
  });

  it("says who was trained on what by the end of the day, as quire trained does", () => {
    const records = pages.filter((t) => t.includes("Training records ·")).join("\n");
    const trained = runQuire(["trained", "--user", "cra1", "--doc", "SOP-CM-001", "--on", AS_OF, "--json"], { QUIRE_DATA_DIR: dataDir });
    const expected = JSON.parse(trained.stdout) as { trained: boolean; acknowledgedAt: string; version: string };
    expect(expected).toMatchObject({ trained: true, version: "1.1" });
    const cra1 = records.slice(records.indexOf("(cra1)"));
    const line = cra1.slice(cra1.indexOf("SOP-CM-001"), cra1.indexOf("SOP-CP-001"));
    expect(line.replace(/\n/g, " ")).toContain(`1.1 yes v1.0 at ${expected.acknowledgedAt.slice(0, 10)} ${expected.acknowledgedAt.slice(11, 19)} UTC`);
    // cra3 and pm1 joined in 2026: no record as of 2025.
    expect(records).not.toContain("(cra3)");
    expect(records).not.toContain("(pm1)");
    const matrix = pages.filter((t) => t.includes("Training matrix ·")).join("\n");
    expect(matrix).toMatch(/SOP-CM-001 1\.1 Clinical Monitoring \d+ \d+/);
  });

  it("gives the same bytes for the same data, day and generation time", () => {
    const again = path.join(out, "binder-again.pdf");
    expect(binder("--as-of", AS_OF, "--out", again).status).toBe(0);
    expect(sha256(again)).toBe(sha256(file));
  });
});

describe("quire binder --zip", () => {
  let file: string;
  let folder: string;
  let manifest: { asOf: string; generatedAt: string; files: { path: string; sha256: string; bytes: number }[] };

  beforeAll(() => {
    file = path.join(out, "binder.zip");
    const r = binder("--as-of", AS_OF, "--out", file, "--zip", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ asOf: AS_OF, out: file, sha256: sha256(file), bytes: fs.statSync(file).size });
    folder = tempDir("quire-binder-unzip-");
    const unzip = spawnSync("unzip", ["-q", file, "-d", folder], { encoding: "utf8" });
    expect(unzip.status, unzip.stderr).toBe(0);
    manifest = JSON.parse(fs.readFileSync(path.join(folder, "manifest.json"), "utf8")) as typeof manifest;
  });

  it("holds one PDF per version in force, the CSVs and a manifest whose SHA-256s and sizes match each file", async () => {
    const listing = spawnSync("unzip", ["-Z1", file], { encoding: "utf8" }).stdout.trim().split("\n");
    const inForce = await inForceOn(AS_OF);
    const pdfs = inForce.map((v) => `documents/${v.doc_id}-${v.version}-uncontrolled-2026-11-30.pdf`);
    expect([...listing].sort()).toEqual(
      [
        ...pdfs,
        "signature-manifest.csv",
        "controlled-copy-register.csv",
        "audit-trail.csv",
        "training-matrix.csv",
        "training-records.csv",
        "manifest.json",
      ].sort(),
    );
    expect(manifest).toMatchObject({ asOf: AS_OF, generatedAt: "2026-11-30T12:00:00.000Z" });
    expect(manifest.files.map((f) => f.path).sort()).toEqual(listing.filter((p) => p !== "manifest.json").sort());
    for (const f of manifest.files) {
      const extracted = path.join(folder, f.path);
      expect(sha256(extracted), f.path).toBe(f.sha256);
      expect(fs.statSync(extracted).size, f.path).toBe(f.bytes);
    }
  });

  it("prints each version exactly as quire pdf --on does at the binder's time", () => {
    const single = path.join(out, "cm.pdf");
    const r = runQuire(["pdf", "--doc", "SOP-CM-001", "--on", AS_OF, "--out", single], { QUIRE_DATA_DIR: dataDir, QUIRE_NOW: NOW });
    expect(r.status, r.stderr).toBe(0);
    expect(sha256(path.join(folder, "documents", "SOP-CM-001-1.1-uncontrolled-2026-11-30.pdf"))).toBe(sha256(single));
  });

  it("has the audit trail to the end of the day in its CSV, every column as stored", async () => {
    const csv = fs.readFileSync(path.join(folder, "audit-trail.csv"), "utf8");
    expect(csv.split("\r\n")[0]).toBe("seq,at,user_id,username,action,object_type,object_id,old_values,new_values,reason,client_address,prev_hash,hash");
    const [row] = await queryDataFolder<{ n: number }>(dataDir, "SELECT count(*) AS n FROM audit_events WHERE at <= ?", [`${AS_OF}T23:59:59.999Z`]);
    const n = row!.n;
    const ats = [...csv.matchAll(/^\d+,(\d{4}-\d\d-\d\dT[^,]+),/gm)].map((m) => m[1]!);
    expect(ats).toHaveLength(n);
    for (const at of ats) expect(at <= `${AS_OF}T23:59:59.999Z`).toBe(true);
    const records = fs.readFileSync(path.join(folder, "training-records.csv"), "utf8");
    expect(records).toMatch(/^2025-10-01,cra1,[^,]+,SOP-CM-001,1\.1,yes,1\.0,2025-/m);
  });

  it("gives the same bytes again", () => {
    const again = path.join(out, "binder-again.zip");
    expect(binder("--as-of", AS_OF, "--out", again, "--zip").status).toBe(0);
    expect(sha256(again)).toBe(sha256(file));
  });
});

describe("quire binder: bad input", () => {
  it("exits 2 with one clear line and leaves no file", () => {
    const folder = tempDir("quire-binder-bad-");
    const target = path.join(folder, "b.pdf");
    const cases: [string[], RegExp][] = [
      [["--as-of", "2025-13-01", "--out", target], /^quire: --as-of must be a date YYYY-MM-DD\n$/],
      [["--as-of", "1 October", "--out", target], /^quire: --as-of must be a date YYYY-MM-DD\n$/],
      [["--as-of", "2024-01-01", "--out", target], /^quire: No document was in force on 2024-01-01; the first took effect 2025-02-03\.\n$/],
      [["--as-of", "2027-01-01", "--out", target], /^quire: --as-of 2027-01-01 is after today \(2026-11-30\)/],
      [["--as-of", AS_OF, "--out", path.join(folder, "missing", "b.pdf")], /^quire: cannot write .*: the folder .* does not exist\n$/],
      [["--as-of", AS_OF, "--out", folder], /^quire: cannot write .*: it is a folder\n$/],
      [["--as-of", AS_OF], /required option '--out <file>'/],
    ];
    for (const [args, message] of cases) {
      const r = binder(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it("has help naming its options and exit codes", () => {
    const help = binder("--help");
    expect(help.status).toBe(0);
    for (const option of ["--as-of <date>", "--out <file>", "--zip", "--json"]) expect(help.stdout).toContain(option);
    expect(help.stdout).toContain("Exit 0");
  });
});
