import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { HttpClient, signedIn } from "../helpers/http";
import { pageTexts, tool, watermarkOf } from "../helpers/pdf-tools";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let dataDir: string;
let client: HttpClient;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-30T12:00:00Z" });
  client = await signedIn(server.url, "cra1");
});
afterAll(async () => {
  await server?.stop();
});

/** GET with the client's session, keeping the body as bytes. */
async function download(who: HttpClient, pathname: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(server.url + pathname, { headers: who.cookie ? { cookie: who.cookie } : {}, redirect: "manual" });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

function saved(body: Buffer, name: string): string {
  const file = path.join(tempDir("quire-pdf-http-"), name);
  fs.writeFileSync(file, body);
  return file;
}

async function exportRows(): Promise<{ username: string; object_id: string; new_values: string }[]> {
  return queryDataFolder(dataDir, "SELECT username, object_id, new_values FROM audit_events WHERE action = 'document.pdf.export' ORDER BY seq");
}

describe("Download PDF (GET /documents/:docId/pdf)", () => {
  it("is offered on the document page and on a version's view", async () => {
    expect((await client.get("/documents/SOP-DM-001")).text).toContain('href="/documents/SOP-DM-001/pdf?version=2.0"');
    expect((await client.get("/documents/SOP-DM-001?version=1.0")).text).toContain('href="/documents/SOP-DM-001/pdf?version=1.0"');
  });

  it("gives a signed-in reader the uncontrolled copy as a PDF attachment, and audits the export", async () => {
    const before = (await exportRows()).length;
    const res = await download(client, "/documents/SOP-DM-001/pdf");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="SOP-DM-001-2.0-uncontrolled-2026-11-30.pdf"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const file = saved(res.body, "dm.pdf");
    expect(tool("qpdf", ["--check", file]).status).toBe(0);
    const pages = pageTexts(file);
    expect(pages[0]).toContain("SOP-DM-001");
    expect(pages[0]).toContain("Data Management and Data Query Handling");
    pages.forEach((text, i) => {
      expect(text).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(text).toContain("Uncontrolled copy: valid on 2026-11-30 only");
      expect(watermarkOf(text)).toBe("");
    });
    // Printed under the reader's name (the demo's cra1).
    const cra1 = await queryDataFolder<{ display_name: string }>(dataDir, "SELECT display_name FROM users WHERE username = 'cra1'");
    expect(pages[0]).toContain(`Printed by ${cra1[0]!.display_name} at 2026-11-30 12:00:00 UTC`);
    const rows = await exportRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.username).toBe("cra1");
    expect(rows.at(-1)!.object_id).toBe("SOP-DM-001");
    expect(JSON.parse(rows.at(-1)!.new_values)).toMatchObject({ version: "2.0", status: "effective", copy: "uncontrolled" });
  });

  it("prints a superseded version watermarked, and answers 404 for an unknown version or document", async () => {
    const old = await download(client, "/documents/SOP-DM-001/pdf?version=1.0");
    expect(old.status).toBe(200);
    expect(old.headers.get("content-disposition")).toContain("SOP-DM-001-1.0-uncontrolled-2026-11-30.pdf");
    for (const text of pageTexts(saved(old.body, "dm-1.0.pdf"))) expect(watermarkOf(text)).toBe("SUPERSEDED");
    expect((await download(client, "/documents/SOP-DM-001/pdf?version=9.9")).status).toBe(404);
    expect((await download(client, "/documents/SOP-XX-999/pdf")).status).toBe(404);
  });

  it("refuses anyone not signed in, and records nothing", async () => {
    const before = (await exportRows()).length;
    const res = await download(new HttpClient(server.url), "/documents/SOP-DM-001/pdf");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
    expect(await exportRows()).toHaveLength(before);
  });
});
