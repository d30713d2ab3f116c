import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Quire } from "~/context.server";
import { verifyAuditTrail } from "~/modules/audit/audit.server";
import {
  KpiImportRefused,
  importKpiCsv,
  kpiImport,
  kpiImports,
  kpiObservations,
  kpiStudies,
  kpiValueHistory,
  type KpiImport,
  type KpiImportOptions,
  type KpiImportOutcome,
} from "~/modules/kpi/kpi-import.server";
import type { Actor } from "~/modules/users/actor";

import { tempDir } from "../helpers/data-folder";
import { createTestUser, openCopy } from "../helpers/factories";
import { TEST_KPIS } from "../helpers/kpi-definitions";

// Importing KPI values from trial systems' CSV files (SOP-KP-001, "Collect and check the data"; issue
// 14) into a real SQLite file: all or nothing, re-imports that change nothing, changed figures that
// supersede and keep the old one with its import, the audit row with the file's SHA-256.

const NOW = new Date("2026-11-30T12:00:00Z");
let q: Quire;
let dir: string;
let reporter: Actor;
let staff: Actor;

beforeAll(async () => {
  q = await openCopy("fixture-plain", NOW.toISOString());
  dir = tempDir("quire-kpi-");
  const r = await createTestUser(q, "reporter", { roles: ["kpi-reporter"] });
  const s = await createTestUser(q, "staffer", { roles: ["staff"] });
  reporter = { userId: r.id, username: "reporter", clientAddress: "127.0.0.1" };
  staff = { userId: s.id, username: "staffer", clientAddress: "127.0.0.1" };
});
afterAll(async () => {
  await q?.db.close();
});

let fileCount = 0;
function csvFile(lines: string[], name = `kpi-${++fileCount}.csv`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function sha256Of(file: string): string {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

function options(extra: Partial<KpiImportOptions> = {}): KpiImportOptions {
  return { definitions: TEST_KPIS, actor: reporter, now: NOW, ...extra };
}

function imported(outcome: KpiImportOutcome): KpiImport {
  if (outcome.status !== "imported") throw new Error(`rejected:\n${outcome.problems.map((p) => p.message).join("\n")}`);
  return outcome.import;
}

async function tableCounts(): Promise<{ imports: number; values: number; audits: number }> {
  const row = await q.db.get<{ imports: number; values: number; audits: number }>(
    `SELECT (SELECT count(*) FROM kpi_imports) AS imports, (SELECT count(*) FROM kpi_values) AS "values",
            (SELECT count(*) FROM audit_events WHERE action = 'kpi.import') AS audits`,
  );
  return row!;
}

const HEADER = "kpi,period,study,site,value,numerator,denominator";
const FIRST = [
  HEADER,
  "query-resolution-time,2026-10,STUDY-001,FR-012,12.5,,",
  "query-resolution-time,2026-10,STUDY-001,FR-013,8,,",
  "sdv-completion,2026-10,STUDY-001,FR-012,95,190,200",
  "sdv-completion,2026-11,STUDY-001,FR-012,90,180,200",
  "sdv-completion,2026-11,STUDY-002,DE-001,50,1,2",
];

describe("importing a file", () => {
  let first: KpiImport;
  let firstFile: string;

  it("stores every row as a current value linked to its import, with the import row and its audit row", async () => {
    firstFile = csvFile(FIRST, "edc-october.csv");
    first = imported(await importKpiCsv(q.db, firstFile, options()));
    expect(first).toMatchObject({
      sha256: sha256Of(firstFile),
      fileName: "edc-october.csv",
      importedBy: reporter.userId,
      importedByUsername: "reporter",
      importedAt: NOW.toISOString(),
      rows: 5,
      new: 5,
      changed: 0,
      unchanged: 0,
    });
    expect(await kpiImport(q.db, first.id)).toEqual(first);

    expect(await kpiObservations(q.db, "sdv-completion", { from: "2026-01", to: "2026-12" })).toEqual([
      { period: "2026-10", study: "STUDY-001", site: "FR-012", value: 95, numerator: 190, denominator: 200, importId: first.id },
      { period: "2026-11", study: "STUDY-001", site: "FR-012", value: 90, numerator: 180, denominator: 200, importId: first.id },
      { period: "2026-11", study: "STUDY-002", site: "DE-001", value: 50, numerator: 1, denominator: 2, importId: first.id },
    ]);
    expect(await kpiObservations(q.db, "query-resolution-time", { from: "2026-10", to: "2026-10" })).toEqual([
      { period: "2026-10", study: "STUDY-001", site: "FR-012", value: 12.5, numerator: null, denominator: null, importId: first.id },
      { period: "2026-10", study: "STUDY-001", site: "FR-013", value: 8, numerator: null, denominator: null, importId: first.id },
    ]);

    const audit = await q.db.get<{
      user_id: string;
      username: string;
      object_type: string;
      object_id: string;
      new_values: string;
      at: string;
      client_address: string;
    }>(
      "SELECT user_id, username, object_type, object_id, new_values, at, client_address FROM audit_events WHERE action = 'kpi.import' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit).toMatchObject({
      user_id: reporter.userId,
      username: "reporter",
      object_type: "kpi-import",
      object_id: String(first.id),
      at: NOW.toISOString(),
    });
    expect(audit?.client_address).toBe("127.0.0.1");
    expect(JSON.parse(audit!.new_values)).toEqual({
      sha256: sha256Of(firstFile),
      fileName: "edc-october.csv",
      rows: 5,
      new: 5,
      changed: 0,
      unchanged: 0,
      kpis: ["query-resolution-time", "sdv-completion"],
      periods: "2026-10..2026-11",
    });
    expect((await verifyAuditTrail(q.db)).ok).toBe(true);
  });

  it("filters by month range, study and site, and lists the study/site pairs", async () => {
    expect((await kpiObservations(q.db, "sdv-completion", { from: "2026-11", to: "2026-11" })).map((r) => r.site)).toEqual(["FR-012", "DE-001"]);
    expect((await kpiObservations(q.db, "sdv-completion", { from: "2026-01", to: "2026-12", study: "STUDY-002" })).map((r) => r.value)).toEqual([50]);
    expect((await kpiObservations(q.db, "sdv-completion", { from: "2026-01", to: "2026-12", site: "FR-012" })).map((r) => r.period)).toEqual([
      "2026-10",
      "2026-11",
    ]);
    expect(await kpiObservations(q.db, "sdv-completion", { from: "2025-01", to: "2025-12" })).toEqual([]);
    expect(await kpiStudies(q.db, "sdv-completion")).toEqual([
      { study: "STUDY-001", site: "FR-012" },
      { study: "STUDY-002", site: "DE-001" },
    ]);
    await expect(kpiObservations(q.db, "sdv-completion", { from: "2026-1", to: "2026-12" })).rejects.toThrow("Not a range of months");
  });

  it("re-imported unchanged adds an import with 0 new and 0 changed, and no values", async () => {
    const before = await tableCounts();
    // The same figures written differently ("12.50", "8.0", spaces around cells) are the same figures.
    const again = csvFile(FIRST.map((l) => l.replace("12.5,", "12.50,").replace(",8,", ", 8.0 ,")));
    const second = imported(await importKpiCsv(q.db, again, options()));
    expect(second).toMatchObject({ rows: 5, new: 0, changed: 0, unchanged: 5 });
    const after = await tableCounts();
    expect(after).toEqual({ imports: before.imports + 1, values: before.values, audits: before.audits + 1 });
    expect((await kpiObservations(q.db, "sdv-completion", { from: "2026-01", to: "2026-12" })).every((r) => r.importId === first.id)).toBe(true);
  });

  it("a changed figure supersedes the old one, which is kept with its import (provenance)", async () => {
    const changedFile = csvFile([
      HEADER,
      "sdv-completion,2026-10,STUDY-001,FR-012,96,192,200", // changed value
      "sdv-completion,2026-11,STUDY-001,FR-012,90,180,200", // unchanged
      "sdv-completion,2026-11,STUDY-002,DE-001,50,2,4", // same value, other numerator/denominator: changed
      "query-resolution-time,2026-11,STUDY-001,FR-012,7,,", // new key
    ]);
    const third = imported(await importKpiCsv(q.db, changedFile, options({ fileName: "ctms-november.csv" })));
    expect(third).toMatchObject({ fileName: "ctms-november.csv", rows: 4, new: 1, changed: 2, unchanged: 1 });

    expect(await kpiObservations(q.db, "sdv-completion", { from: "2026-10", to: "2026-11" })).toEqual([
      { period: "2026-10", study: "STUDY-001", site: "FR-012", value: 96, numerator: 192, denominator: 200, importId: third.id },
      { period: "2026-11", study: "STUDY-001", site: "FR-012", value: 90, numerator: 180, denominator: 200, importId: first.id },
      { period: "2026-11", study: "STUDY-002", site: "DE-001", value: 50, numerator: 2, denominator: 4, importId: third.id },
    ]);
    expect(await kpiValueHistory(q.db, { kpi: "sdv-completion", period: "2026-10", study: "STUDY-001", site: "FR-012" })).toEqual([
      {
        importId: first.id,
        line: 4,
        value: 95,
        numerator: 190,
        denominator: 200,
        supersededBy: third.id,
        sha256: sha256Of(firstFile),
        fileName: "edc-october.csv",
        importedByUsername: "reporter",
        importedAt: NOW.toISOString(),
      },
      {
        importId: third.id,
        line: 2,
        value: 96,
        numerator: 192,
        denominator: 200,
        supersededBy: null,
        sha256: sha256Of(changedFile),
        fileName: "ctms-november.csv",
        importedByUsername: "reporter",
        importedAt: NOW.toISOString(),
      },
    ]);
    // Back to the first figure: a new value again, the history keeps all three.
    const back = imported(await importKpiCsv(q.db, csvFile([HEADER, "sdv-completion,2026-10,STUDY-001,FR-012,95,190,200"]), options()));
    expect(back).toMatchObject({ new: 0, changed: 1, unchanged: 0 });
    const history = await kpiValueHistory(q.db, { kpi: "sdv-completion", period: "2026-10", study: "STUDY-001", site: "FR-012" });
    expect(history.map((h) => [h.importId, h.value, h.supersededBy])).toEqual([
      [first.id, 95, third.id],
      [third.id, 96, back.id],
      [back.id, 95, null],
    ]);
    expect((await kpiImports(q.db)).map((i) => i.id).slice(0, 2)).toEqual([back.id, third.id]);
    expect((await verifyAuditTrail(q.db)).ok).toBe(true);
  });

  it("gives the writer its page cache back after an import (the import enlarges it for its transaction)", async () => {
    const cacheSize = () => q.db.transaction((tx) => tx.get<{ cache_size: number }>("PRAGMA cache_size"));
    const before = await cacheSize();
    imported(await importKpiCsv(q.db, csvFile([HEADER, "protocol-deviations,2026-06,S1,001,3,,"]), options()));
    expect(await cacheSize()).toEqual(before);
  });

  it("the CLI (no Quire account) imports as the account holding the data folder", async () => {
    const cli: Actor = { userId: null, username: "cli:someone", clientAddress: null };
    const done = imported(await importKpiCsv(q.db, csvFile([HEADER, "protocol-deviations,2026-09,S1,001,3,,"]), options({ actor: cli })));
    expect(done).toMatchObject({ importedBy: null, importedByUsername: "cli:someone", new: 1 });
  });
});

describe("a file with problems imports nothing", () => {
  async function rejected(lines: string[], extra: Partial<KpiImportOptions> = {}): Promise<{ messages: string[]; truncated: boolean }> {
    const before = await tableCounts();
    const outcome = await importKpiCsv(q.db, csvFile(lines), options(extra));
    if (outcome.status !== "rejected") throw new Error("the file was imported");
    expect(await tableCounts()).toEqual(before);
    return { messages: outcome.problems.map((p) => p.message), truncated: outcome.truncated };
  }

  it("one bad row among good ones: no value, no import row, no audit row", async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `query-resolution-time,2026-0${1 + (i % 9)},S-${i},001,${i},,`);
    rows.splice(12, 0, "query-resolution-time,2026-05,S-X,001,12,5,");
    expect(await rejected([HEADER, ...rows])).toEqual({
      messages: ['line 14, column denominator: "" is empty but the numerator is given: give both or neither'],
      truncated: false,
    });
    expect((await rejected([HEADER.replace(",numerator,denominator", ""), 'query-resolution-time,2026-05,S-X,001,"12,5"'])).messages).toEqual([
      'line 2, column value: "12,5" is not a number',
    ]);
  });

  it("the same key twice, naming both lines", async () => {
    expect(
      (
        await rejected([
          HEADER,
          "query-resolution-time,2026-05,S1,001,3,,",
          "query-resolution-time,2026-05,S1,002,3,,",
          "query-resolution-time,2026-05,S1,001,4,,",
        ])
      ).messages,
    ).toEqual(["line 4: repeats line 2: the same kpi, period, study and site (query-resolution-time, 2026-05, S1, 001) twice in one file"]);
  });

  it("a wrong header, an empty file, a header alone, text that is not CSV", async () => {
    expect((await rejected(["kpi;period;study;site;value", "x;2026-01;S1;001;3"])).messages).toEqual([
      'line 1: the header must be exactly kpi,period,study,site,value or kpi,period,study,site,value,numerator,denominator, not "kpi;period;study;site;value"',
    ]);
    expect((await rejected([])).messages).toEqual([
      "line 1: the file is empty: it must start with the header kpi,period,study,site,value (optionally ,numerator,denominator)",
    ]);
    expect((await rejected([HEADER])).messages).toEqual(["line 2: the file has a header but no rows"]);
    const notCsv = await rejected([HEADER, "query-resolution-time,2026-05,S1,001,3,,", 'query-resolution-time,2026-05,"S2,001,3,,']);
    expect(notCsv.messages).toHaveLength(1);
    expect(notCsv.messages[0]).toMatch(/^line 3: not readable as CSV: Quote Not Closed: /);
  });

  it("a computed KPI and a month in the future (by the `now` given)", async () => {
    expect((await rejected([HEADER, "training-on-time,2026-10,S1,001,90,9,10", "query-resolution-time,2026-12,S1,001,3,,"])).messages).toEqual([
      'line 2, column kpi: "training-on-time" is computed by Quire from its own records, so it cannot be imported (defined in SOP-KP-001)',
      'line 3, column period: "2026-12" is in the future: the latest month that can be reported is 2026-11',
    ]);
    const december = await importKpiCsv(
      q.db,
      csvFile([HEADER, "query-resolution-time,2026-12,S1,001,3,,"]),
      options({ now: new Date("2026-12-01T00:00:00Z") }),
    );
    expect(december.status).toBe("imported");
  });

  it("stops after 50 problems and says so", async () => {
    const bad = Array.from({ length: 80 }, (_, i) => `query-resolution-time,2026-05,S${i},001,x,,`);
    const { messages, truncated } = await rejected([HEADER, ...bad]);
    expect(messages).toHaveLength(50);
    expect(messages[49]).toBe('line 51, column value: "x" is not a number');
    expect(truncated).toBe(true);
  });

  it("a file changed between the check and the write is refused, nothing written", async () => {
    const file = csvFile([HEADER, "protocol-deviations,2026-08,S1,001,3,,"]);
    const before = await tableCounts();
    // Hold the writer so the import's first pass (outside any transaction) ends before its second.
    let release!: () => void;
    const held = q.db.transaction(() => new Promise<void>((resolve) => (release = resolve)));
    const outcome = importKpiCsv(q.db, file, options());
    await new Promise((resolve) => setTimeout(resolve, 500));
    fs.appendFileSync(file, "protocol-deviations,2026-08,S1,002,4,,\n");
    release();
    await held;
    await expect(outcome).rejects.toThrow(/changed while it was being imported: nothing was imported/);
    expect(await tableCounts()).toEqual(before);
  });
});

describe("who may import", () => {
  it("needs kpi.import: a user without it is refused before anything is read", async () => {
    const before = await tableCounts();
    const file = csvFile([HEADER, "protocol-deviations,2026-07,S1,001,3,,"]);
    await expect(importKpiCsv(q.db, file, options({ actor: staff }))).rejects.toThrow(
      new KpiImportRefused("staffer does not have the permission kpi.import needed to import KPI values."),
    );
    expect(await tableCounts()).toEqual(before);
    expect((await importKpiCsv(q.db, file, options({ actor: reporter }))).status).toBe("imported");
  });

  it("a file that cannot be read is a refusal, not a stack trace", async () => {
    await expect(importKpiCsv(q.db, path.join(dir, "missing.csv"), options())).rejects.toThrow(
      new KpiImportRefused("missing.csv cannot be read: there is no such file, or it may not be read."),
    );
  });
});

describe("the tables are records", () => {
  it("values and imports are never edited or deleted; a value is superseded once", async () => {
    const current = await q.db.get<{ id: number; superseded_by: number | null }>(
      "SELECT id, superseded_by FROM kpi_values WHERE superseded_by IS NULL LIMIT 1",
    );
    const superseded = await q.db.get<{ id: number }>("SELECT id FROM kpi_values WHERE superseded_by IS NOT NULL LIMIT 1");
    const importId = (await kpiImports(q.db))[0]!.id;
    const attempt = (sql: string, params: (string | number)[]) => q.db.transaction((tx) => tx.run(sql, params));
    await expect(attempt("UPDATE kpi_values SET value = 1 WHERE id = ?", [current!.id])).rejects.toThrow(/KPI values are records: never updated/);
    await expect(attempt("UPDATE kpi_values SET import_id = ? WHERE id = ?", [importId, current!.id])).rejects.toThrow(/never updated/);
    await expect(attempt("DELETE FROM kpi_values WHERE id = ?", [current!.id])).rejects.toThrow(/KPI values are records: never deleted/);
    await expect(attempt("UPDATE kpi_values SET superseded_by = ? WHERE id = ?", [importId, superseded!.id])).rejects.toThrow(/superseded once/);
    await expect(attempt("UPDATE kpi_values SET superseded_by = NULL WHERE id = ?", [superseded!.id])).rejects.toThrow(/superseded once/);
    await expect(attempt("UPDATE kpi_imports SET rows_new = 0 WHERE id = ?", [importId])).rejects.toThrow(/KPI imports are records: never updated/);
    await expect(attempt("DELETE FROM kpi_imports WHERE id = ?", [importId])).rejects.toThrow(/KPI imports are records: never deleted/);
  });

  it("allow one current value per key", async () => {
    const row = await q.db.get<{ import_id: number; kpi: string; period: string; study: string; site: string }>(
      "SELECT import_id, kpi, period, study, site FROM kpi_values WHERE superseded_by IS NULL LIMIT 1",
    );
    await expect(
      q.db.transaction((tx) =>
        tx.run("INSERT INTO kpi_values (import_id, line, kpi, period, study, site, value) VALUES (?, 2, ?, ?, ?, ?, 1)", [
          row!.import_id,
          row!.kpi,
          row!.period,
          row!.study,
          row!.site,
        ]),
      ),
    ).rejects.toThrow(/UNIQUE constraint failed/);
  });

  it("the dashboard's read of one KPI over months is a range search of the current-value index", async () => {
    const plan = await q.db.all<{ detail: string }>(
      "EXPLAIN QUERY PLAN SELECT period, study, site, value FROM kpi_values WHERE kpi = $kpi AND period BETWEEN $from AND $to AND superseded_by IS NULL ORDER BY period, study, site",
      { kpi: "sdv-completion", from: "2025-01", to: "2026-12" },
    );
    expect(plan.map((p) => p.detail)).toEqual(["SEARCH kpi_values USING INDEX kpi_values_current (kpi=? AND period>? AND period<?)"]);
  });
});
