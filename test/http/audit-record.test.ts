import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { csvObjects } from "../helpers/csv";
import { copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

// Issue 13, "A believable record": an inspector reading the project demo's audit trail finds every
// event about a document under its id, and reads each row's values and reason without decoding JSON.

let server: RunningServer;
let dataDir: string;
let inspector: HttpClient;

function query<T>(sql: string, params: (string | number)[] = []): Promise<T[]> {
  return queryDataFolder<T>(dataDir, sql, params);
}

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

interface PageRow {
  seq: number;
  html: string;
  /** seq, time, user, action, object, old values, new values, reason, client address: as text. */
  cells: string[];
}

function auditTable(html: string): PageRow[] {
  const body = /<table class="data-table audit-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr data-seq="(\d+)">([\s\S]*?)<\/tr>/g)].map((row) => ({
    seq: Number(row[1]),
    html: row[2]!,
    cells: [...row[2]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      decode(cell[1]!.replace(/<\/(dt|dd|span|time|code)>/g, " ").replace(/<[^>]+>/g, ""))
        .replace(/\s+/g, " ")
        .trim(),
    ),
  }));
}

const column = { action: 3, object: 4, old: 5, new: 6, reason: 7 };

function totalOf(html: string): number {
  const m = /<strong>([\d,]+)<\/strong> matching events?/.exec(html);
  return m ? Number(m[1]!.replace(/,/g, "")) : -1;
}

/** Every row of a filtered view, all pages. */
async function allRows(query: string): Promise<PageRow[]> {
  const rows: PageRow[] = [];
  for (let page = 1; ; page++) {
    const res = await inspector.get(`/audit?${query}&page=${page}`);
    expect(res.status).toBe(200);
    rows.push(...auditTable(res.text));
    if (!res.text.includes(`Page ${page} of`) || res.text.includes(`Page ${page} of ${page}<`)) return rows;
  }
}

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
  inspector = await signedIn(server.url, "inspector");
});
afterAll(async () => {
  await server?.stop();
});

describe("filtering the audit trail by document (/audit?doc=)", () => {
  it("lists a document's change requests' events and signatures, though they are filed under the change request", async () => {
    const crs = (await query<{ id: string }>("SELECT id FROM change_requests WHERE doc_id = 'SOP-CM-001' ORDER BY id")).map((r) => r.id);
    expect(crs).toEqual(["CR-2025-0001", "CR-2026-0003"]);
    const rows = await allRows("doc=SOP-CM-001&objectType=change-request");
    const byAction = (action: string) =>
      rows
        .filter((r) => r.cells[column.action] === action)
        .map((r) => r.cells[column.object])
        .sort();
    expect(byAction("change-request.open")).toEqual(crs.map((id) => `change-request ${id}`));
    expect(byAction("change-request.submit")).toEqual(crs.map((id) => `change-request ${id}`));
    expect(byAction("change-request.approve")).toEqual(crs.map((id) => `change-request ${id}`));
    // Authored, Reviewed, the CRA lead's function approval and the quality manager's Approved, per change.
    expect(byAction("signature.sign")).toHaveLength(8);
    expect(new Set(rows.map((r) => r.cells[column.object]))).toEqual(new Set(crs.map((id) => `change-request ${id}`)));
  });

  it("lists its versions, training, copies and read-and-understood signatures too", async () => {
    const page = await inspector.get("/audit?doc=SOP-CM-001");
    expect(page.status).toBe(200);
    const [{ n }] = (await query<{ n: number }>(
      "SELECT count(*) AS n FROM audit_events a JOIN training_assignments t ON CAST(t.id AS TEXT) = a.object_id WHERE a.object_type = 'training-assignment' AND t.doc_id = 'SOP-CM-001'",
    )) as [{ n: number }];
    expect(n).toBeGreaterThan(10);
    const completions = await inspector.get("/audit?doc=SOP-CM-001&objectType=training-assignment");
    expect(totalOf(completions.text)).toBe(n);
    const assigned = auditTable((await inspector.get("/audit?doc=SOP-CM-001&action=training.assign")).text);
    expect(assigned.length).toBeGreaterThan(0);
    expect(assigned.every((r) => /^document-version SOP-CM-001 v\d+\.\d+$/.test(r.cells[column.object]!))).toBe(true);
    const copies = auditTable((await inspector.get("/audit?doc=SOP-CM-001&action=copy.")).text);
    expect(copies.map((r) => `${r.cells[column.action]} ${r.cells[column.object]}`)).toEqual([
      "copy.recall controlled-copy SOP-CM-001-1.1-C001",
      "copy.issue document SOP-CM-001",
      "copy.issue document SOP-CM-001",
    ]);
    const recorded = auditTable((await inspector.get("/audit?doc=SOP-CM-001&action=document.version.recorded")).text);
    expect(recorded.map((r) => r.cells[column.object])).toEqual(["document SOP-CM-001"]);
  });

  it("does not list another document's events", async () => {
    const rows = await allRows("doc=SOP-DM-001");
    expect(rows.length).toBeGreaterThan(20);
    const objects = rows.map((r) => r.cells[column.object]!);
    expect(objects.filter((o) => /CR-2025-0001|CR-2026-0003|SOP-CM-001/.test(o))).toEqual([]);
    // Its own change request is there (CR-2026-0005, SOP-DM-001 v2.0), and its training.
    expect(objects).toContain("change-request CR-2026-0005");
    expect(objects.some((o) => o.startsWith("document-version SOP-DM-001 v"))).toBe(true);
    const cmAssignments = new Set(
      (await query<{ id: number }>("SELECT id FROM training_assignments WHERE doc_id = 'SOP-CM-001'")).map((r) => `training-assignment ${r.id}`),
    );
    expect(objects.filter((o) => cmAssignments.has(o))).toEqual([]);
    // A near id is a different document.
    expect(totalOf((await inspector.get("/audit?doc=SOP-CM-00")).text)).toBe(0);
  });

  it("reads a lower-case id as the id, and refuses what is not an id with 400 naming it", async () => {
    expect(totalOf((await inspector.get("/audit?doc=sop-cm-001")).text)).toBe(totalOf((await inspector.get("/audit?doc=SOP-CM-001")).text));
    const bad = await inspector.get(`/audit?doc=${encodeURIComponent("SOP CM' OR 1=1")}`);
    expect(bad.status).toBe(400);
    expect(decode(bad.text)).toContain("Ignored the document “SOP CM' OR 1=1”: not a document id such as SOP-DM-001.");
  });

  it("exports the same rows as CSV, full values kept, and records the filter", async () => {
    const page = await inspector.get("/audit?doc=SOP-CM-001&objectType=change-request");
    const csv = await inspector.get("/audit.csv?doc=SOP-CM-001&objectType=change-request");
    expect(csv.status).toBe(200);
    const { rows: records } = csvObjects(csv.text);
    expect(records).toHaveLength(totalOf(page.text));
    expect(new Set(records.map((r) => r.object_id))).toEqual(new Set(["CR-2025-0001", "CR-2026-0003"]));
    // The export keeps each value exactly as stored: whole 64-character hashes.
    const signature = records.find((r) => r.action === "signature.sign")!;
    expect(JSON.parse(signature.new_values!).contentHash).toMatch(/^[0-9a-f]{64}$/);
    const [exported] = await query<{ new_values: string }>("SELECT new_values FROM audit_events WHERE action = 'audit.export' ORDER BY seq DESC LIMIT 1");
    expect(JSON.parse(exported!.new_values)).toMatchObject({ doc: "SOP-CM-001", objectType: "change-request", rows: records.length });
  });
});

describe("reading a row", () => {
  it("shows values as labelled fields: hashes shortened with the whole in a title, times as UTC, lists joined", async () => {
    const rows = auditTable((await inspector.get("/audit?doc=SOP-CM-001&objectType=change-request&action=signature.sign")).text);
    const approved = rows.find((r) => r.cells[column.new]!.includes("Meaning: Approved"))!;
    const [stored] = await query<{ new_values: string }>("SELECT new_values FROM audit_events WHERE seq = ?", [approved.seq]);
    const values = JSON.parse(stored!.new_values) as { contentHash: string; signedAt: string };
    expect(approved.cells[column.new]).toContain(`Content SHA-256: ${values.contentHash.slice(0, 12)}…`);
    expect(approved.cells[column.new]).toContain(`Signed at: ${values.signedAt.slice(0, 10)} ${values.signedAt.slice(11, 19)} UTC`);
    expect(approved.cells[column.new]).toContain("Document: SOP-CM-001");
    expect(approved.html).toContain(`<code class="hash" title="${values.contentHash}">${values.contentHash.slice(0, 12)}…</code>`);
    // No whole hash is printed as text anywhere on the page: only in titles.
    expect(rows.every((r) => !/[0-9a-f]{40}/.test(r.cells.join(" ")))).toBe(true);

    const created = auditTable((await inspector.get("/audit?action=user.create&objectId=reviewer")).text);
    expect(created[0]!.cells[column.new]).toContain("Roles: reviewer");
    expect(created[0]!.cells[column.new]).toContain("Job functions: qa-auditor, quality-manager");
    expect(created[0]!.cells[column.new]).toContain("Active: yes");
  });

  it("shows the reason given, from the reason column or the values, saying where it is recorded", async () => {
    const [cr] = await query<{ reason: string }>("SELECT reason FROM change_requests WHERE id = 'CR-2026-0003'");
    const opened = auditTable((await inspector.get("/audit?objectId=CR-2026-0003&action=change-request.open")).text)[0]!;
    expect(opened.cells[column.reason]).toBe(`${cr!.reason} recorded in the new values (reason)`);
    // Shown once: the new values do not repeat it.
    expect(opened.cells[column.new]).not.toContain(cr!.reason);
    expect(opened.cells[column.new]).toContain("Proposed effective date: 2026-04-06");

    // The urgent approval's reason column (SOP-ES-001 v1.1).
    const urgent = auditTable((await inspector.get("/audit?doc=SOP-ES-001&action=change-request.approve")).text)[0]!;
    expect(urgent.cells[column.reason]).toMatch(/^Urgent change: The security review SR-2026-04 found/);
    expect(urgent.cells[column.reason]).not.toContain("recorded in the");
    // A row without a reason says so.
    const recorded = auditTable((await inspector.get("/audit?doc=SOP-CM-001&action=document.version.recorded")).text)[0]!;
    expect(recorded.cells[column.reason]).toBe("–");
  });
});
