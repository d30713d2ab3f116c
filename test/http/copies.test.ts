import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Database } from "~/db/db.server";
import { DEMO_PASSWORD } from "~/modules/setup/demo-users";

import { parseCsv } from "../helpers/csv";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { pageTexts, tool } from "../helpers/pdf-tools";
import { startServer, type RunningServer } from "../helpers/server";

// Controlled copies over HTTP against the built server (project demo; SOP-DM-001 v2.0 in force on 2026-11-30).
// qa (quality manager) issues and recalls; the inspector reads the register; cra1 (staff) may do neither.

let server: RunningServer;
let dataDir: string;
let qa: HttpClient;
let inspector: HttpClient;
let cra: HttpClient;
/** The last audit row the demo wrote: these tests look at what they cause after it. */
let demoSeq: number;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  demoSeq = (await queryDataFolder<{ seq: number }>(dataDir, "SELECT max(seq) AS seq FROM audit_events"))[0]!.seq;
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-30T12:00:00Z" });
  [qa, inspector, cra] = await Promise.all([signedIn(server.url, "qa"), signedIn(server.url, "inspector"), signedIn(server.url, "cra1")]);
});
afterAll(async () => {
  await server?.stop();
});

async function download(who: HttpClient, pathname: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(server.url + pathname, { headers: who.cookie ? { cookie: who.cookie } : {}, redirect: "manual" });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function auditRows(action: string): Promise<{ username: string; object_id: string | null; new_values: string }[]> {
  return queryDataFolder(dataDir, "SELECT username, object_id, new_values FROM audit_events WHERE action = ? AND seq > ? ORDER BY seq", [action, demoSeq]);
}

const ISSUE = { version: "2.0", recipient: "Dr Jane Site", location: "Site 12, Lyon", reason: "Investigator site without system access", copies: "2" };

describe("issuing controlled copies", () => {
  it("is offered on the document page only to those who may issue", async () => {
    expect((await qa.get("/documents/SOP-DM-001")).text).toContain('href="/documents/SOP-DM-001/copies/new"');
    const asInspector = (await inspector.get("/documents/SOP-DM-001")).text;
    expect(asInspector).not.toContain("/copies/new");
    expect(asInspector).toContain('href="/copies?doc=SOP-DM-001"');
    expect((await cra.get("/documents/SOP-DM-001")).text).not.toContain("/copies");
    const form = await qa.get("/documents/SOP-DM-001/copies/new");
    expect(form.status).toBe(200);
    expect(form.text).toContain("Controlled copy issued");
  });

  it("refuses a wrong password, audits the failed signature and issues nothing", async () => {
    const before = (await auditRows("signature.password.failed")).length;
    const res = await qa.post("/documents/SOP-DM-001/copies/new", { ...ISSUE, password: "not my password" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("The password is not correct, so nothing was signed");
    const failed = await auditRows("signature.password.failed");
    expect(failed).toHaveLength(before + 1);
    expect(failed.at(-1)!.username).toBe("qa");
    expect(await queryDataFolder(dataDir, "SELECT copy_id FROM controlled_copies WHERE copy_id LIKE 'SOP-DM-001-%'")).toEqual([]);
  });

  it("refuses bad input with a message naming it", async () => {
    const tooMany = await qa.post("/documents/SOP-DM-001/copies/new", { ...ISSUE, copies: "51", password: DEMO_PASSWORD });
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain("Issue at most 50 copies at once.");
    const noRecipient = await qa.post("/documents/SOP-DM-001/copies/new", { ...ISSUE, recipient: " ", password: DEMO_PASSWORD });
    expect(noRecipient.status).toBe(400);
    expect(noRecipient.text).toContain("Give the recipient");
    const ended = await qa.post("/documents/SOP-DM-001/copies/new", { ...ISSUE, version: "1.0", password: DEMO_PASSWORD });
    expect(ended.status).toBe(409);
    expect(ended.text).toContain("controlled copies are issued only of a version approved or in force");
  });

  it("issues numbered copies with the password, shows them on the register and in its CSV", async () => {
    const res = await qa.post("/documents/SOP-DM-001/copies/new", { ...ISSUE, password: DEMO_PASSWORD });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/copies?doc=SOP-DM-001");
    const page = await inspector.get("/copies?doc=SOP-DM-001");
    expect(page.status).toBe(200);
    for (const id of ["SOP-DM-001-2.0-C001", "SOP-DM-001-2.0-C002"]) expect(page.text).toContain(`data-copy="${id}"`);
    expect(page.text).toContain("Dr Jane Site");

    const csv = await inspector.get("/copies.csv?doc=SOP-DM-001");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const [header, ...rows] = parseCsv(csv.text);
    const col = (name: string) => header!.indexOf(name);
    expect(rows.map((r) => [r[col("copy_id")], r[col("version")], r[col("copy_status")], r[col("recipient")], r[col("issued_by")]])).toEqual([
      ["SOP-DM-001-2.0-C001", "2.0", "outstanding", "Dr Jane Site", "qa"],
      ["SOP-DM-001-2.0-C002", "2.0", "outstanding", "Dr Jane Site", "qa"],
    ]);
    const register = await queryDataFolder<{ copy_id: string; sha256: string }>(
      dataDir,
      "SELECT copy_id, sha256 FROM controlled_copies WHERE copy_id LIKE 'SOP-DM-001-%' ORDER BY copy_id",
    );
    expect(rows.map((r) => r[col("sha256")])).toEqual(register.map((r) => r.sha256));
    const exports = await auditRows("copies.export");
    expect(exports).toHaveLength(1);
    expect(exports[0]!.username).toBe("inspector");
    expect(JSON.parse(exports[0]!.new_values)).toMatchObject({ doc: "SOP-DM-001", format: "csv", rows: 2 });
    const issued = await auditRows("copy.issue");
    expect(issued).toHaveLength(1);
    expect(JSON.parse(issued[0]!.new_values)).toMatchObject({ docId: "SOP-DM-001", version: "2.0", recipient: "Dr Jane Site", copies: 2 });
  });

  it("downloads a copy rendered again that hashes to the register, with its number in the footer", async () => {
    const res = await download(inspector, "/copies/SOP-DM-001-2.0-C001/pdf");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="SOP-DM-001-2.0-C001.pdf"');
    const [row] = await queryDataFolder<{ sha256: string }>(dataDir, "SELECT sha256 FROM controlled_copies WHERE copy_id = 'SOP-DM-001-2.0-C001'");
    expect(createHash("sha256").update(res.body).digest("hex")).toBe(row!.sha256);
    const file = path.join(tempDir("quire-copies-http-"), "c1.pdf");
    fs.writeFileSync(file, res.body);
    expect(tool("qpdf", ["--check", file]).status).toBe(0);
    const pages = pageTexts(file);
    for (const text of pages) {
      expect(text).toContain("Controlled copy SOP-DM-001-2.0-C001");
      expect(text).not.toContain("Uncontrolled copy");
      expect(text).toContain("Printed by Quinn Avery at 2026-11-30 12:00:00 UTC");
    }
    expect((await auditRows("copy.download")).map((r) => [r.username, r.object_id])).toEqual([["inspector", "SOP-DM-001-2.0-C001"]]);
    expect((await download(inspector, "/copies/SOP-DM-001-2.0-C404/pdf")).status).toBe(404);
  });

  it("refuses a download that no longer hashes to the register", async () => {
    // A register entry whose file cannot be reproduced (here: a copy row written with another hash).
    const db = await Database.open(path.join(dataDir, "quire.db"));
    await db.execScript(
      `DROP TRIGGER controlled_copies_no_update; UPDATE controlled_copies SET sha256 = '${"f".repeat(64)}' WHERE copy_id = 'SOP-DM-001-2.0-C002';`,
    );
    await db.close();
    const res = await download(qa, "/copies/SOP-DM-001-2.0-C002/pdf");
    expect(res.status).toBe(409);
    expect(res.body.toString()).toContain("does not match the register");
    expect((await auditRows("copy.download")).map((r) => r.object_id)).not.toContain("SOP-DM-001-2.0-C002");
  });
});

describe("recall", () => {
  it("is closed by a signed record of destruction, once", async () => {
    const form = { outcome: "destroyed", closedOn: "2026-11-30", note: "Site closed; shredded", password: DEMO_PASSWORD };
    const wrong = await qa.post("/copies/SOP-DM-001-2.0-C001", { ...form, password: "nope nope nope" });
    expect(wrong.status).toBe(400);
    const res = await qa.post("/copies/SOP-DM-001-2.0-C001", form);
    expect(res.status).toBe(302);
    const page = await qa.get("/copies/SOP-DM-001-2.0-C001");
    expect(page.text).toContain("Destroyed on 2026-11-30");
    expect(page.text).not.toContain("Sign and close the copy");
    const again = await qa.post("/copies/SOP-DM-001-2.0-C001", form);
    expect(again.status).toBe(409);
    expect(again.text).toContain("already closed");
    const closed = await inspector.get("/copies?status=closed");
    expect(closed.text).toContain('data-copy="SOP-DM-001-2.0-C001"');
    expect(closed.text).not.toContain('data-copy="SOP-DM-001-2.0-C002"');
    expect((await auditRows("copy.recall")).map((r) => [r.username, r.object_id])).toEqual([["qa", "SOP-DM-001-2.0-C001"]]);
  });

  it("refuses those without the permission before anything else", async () => {
    expect((await cra.get("/copies")).status).toBe(403);
    expect((await cra.get("/copies.csv")).status).toBe(403);
    expect((await cra.get("/copies/SOP-DM-001-2.0-C002/pdf")).status).toBe(403);
    const recall = await inspector.post("/copies/SOP-DM-001-2.0-C002", { outcome: "returned", closedOn: "2026-11-30", password: DEMO_PASSWORD });
    expect(recall.status).toBe(403);
    expect(recall.text).toContain("You do not have the permission copies.issue");
    expect((await inspector.post("/documents/SOP-DM-001/copies/new", { ...ISSUE, password: DEMO_PASSWORD })).status).toBe(403);
    expect(await queryDataFolder(dataDir, "SELECT copy_id FROM copy_recalls WHERE copy_id LIKE 'SOP-DM-001-%'")).toEqual([{ copy_id: "SOP-DM-001-2.0-C001" }]);
  });
});

describe("the demo's register", () => {
  it("shows the site's copies of SOP-CM-001: v1.1 superseded, one returned and one still to recall; v2.0 outstanding", async () => {
    const csv = parseCsv((await inspector.get("/copies.csv?doc=SOP-CM-001")).text);
    const col = (name: string) => csv[0]!.indexOf(name);
    expect(
      csv
        .slice(1)
        .map((r) => [r[col("copy_id")], r[col("copy_status")]])
        .sort(),
    ).toEqual([
      ["SOP-CM-001-1.1-C001", "closed"],
      ["SOP-CM-001-1.1-C002", "to-recall"],
      ["SOP-CM-001-2.0-C001", "outstanding"],
    ]);
    expect((await qa.get("/copies")).text).toContain("1 controlled copy is to recall");
  });
});

describe("the register's filters", () => {
  it("name a bad status or document and answer 400; the CSV exports nothing then", async () => {
    const page = await inspector.get("/copies?status=lost&doc=SOP-CM-001");
    expect(page.status).toBe(400);
    expect(page.text).toContain("The status “lost” was not used: it is one of outstanding, to-recall, closed.");
    const csv = await inspector.get("/copies.csv?doc=not%20an%20id");
    expect(csv.status).toBe(400);
    expect(csv.text).toContain("Nothing was exported: The document “NOT AN ID” was not used");
    expect((await inspector.get("/copies?status=closed")).status).toBe(200);
  });
});
