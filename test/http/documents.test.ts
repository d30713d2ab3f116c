import fs from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { readContentFolder } from "~/modules/content/folder.server";

import { PROJECT_CONTENT, copyDataFolder } from "../helpers/data-folder";
import { queryDataFolder } from "../helpers/db";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let dataDir: string;
let client: HttpClient;
const sample = readContentFolder(PROJECT_CONTENT).documents;

beforeAll(async () => {
  ({ dataDir } = await copyDataFolder("project-demo"));
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25" });
  client = await signedIn(server.url, "cra1");
});
afterAll(async () => {
  await server?.stop();
});

function get(pathname: string) {
  return client.get(pathname);
}

/** The library table's rows as [id, title, type, owner, version, status, effective, next review]. */
function libraryRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
      cell[1]!
        .replace(/<[^>]+>/g, "")
        .replace(/&amp;/g, "&")
        .trim(),
    ),
  );
}

function frontmatterOf(source: string, key: string): string {
  return new RegExp(`^${key}: (.*)$`, "m").exec(source)?.[1]?.trim() ?? "";
}

describe("document library (GET /)", () => {
  it("lists every controlled document with id, title, type, owner, version, status and effective date", async () => {
    const { status, text } = await get("/");
    expect(status).toBe(200);
    const rows = libraryRows(text);
    expect(rows.map((r) => r[0]).sort()).toEqual(sample.map((d) => frontmatterOf(d.source, "id")).sort());
    const dm = rows.find((r) => r[0] === "SOP-DM-001")!;
    expect(dm.slice(1, 7)).toEqual(["Data Management and Data Query Handling", "SOP", "Data Manager", "2.0", "Effective", "2026-05-04"]);
    expect(rows.find((r) => r[0] === "QM-001")).toEqual(expect.arrayContaining(["Manual", "1.0", "Effective", "2025-02-03"]));
    expect(text).toContain(`Showing ${sample.length} of ${sample.length} documents`);
  });

  it("filters by type, by job function and by search text", async () => {
    const forms = libraryRows((await get("/?type=form")).text);
    expect(forms.length).toBeGreaterThan(0);
    expect(forms.every((r) => r[2] === "Form")).toBe(true);

    const dm = libraryRows((await get("/?fn=data-manager")).text).map((r) => r[0]);
    const expected = sample
      .filter((d) => /audience:[\s\S]*?(?:\n[a-zA-Z]|$)/.exec(d.source)?.[0]?.includes("data-manager"))
      .map((d) => frontmatterOf(d.source, "id"));
    expect(dm.sort()).toEqual(expected.sort());
    expect(dm).toContain("SOP-DM-001");
    expect(dm).not.toContain("SOP-SS-001");

    const search = libraryRows((await get("/?q=sop-dm")).text).map((r) => r[0]);
    expect(search).toEqual(["SOP-DM-001"]);
    const none = await get("/?q=no-such-thing-anywhere");
    expect(none.text).toContain("No document matches these filters.");
  });

  it("names a filter value it does not know (400) and lists the library without it, instead of failing", async () => {
    const { status, text } = await get("/?type=spreadsheet");
    expect(status).toBe(400);
    expect(text).toContain("The type “spreadsheet” was not used");
    expect(libraryRows(text)).toHaveLength(sample.length);
  });
});

describe("document page (GET /documents/:id)", () => {
  it("renders the MDX with its headings and the metadata panel", async () => {
    const { status, text } = await get("/documents/SOP-DM-001");
    expect(status).toBe(200);
    const source = fs.readFileSync(path.join(PROJECT_CONTENT, "sops", "SOP-DM-001.mdx"), "utf8");
    const headings = [...source.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.trim());
    expect(headings.length).toBeGreaterThan(5);
    const rendered = [...text.matchAll(/<h2 id="[^"]+">([\s\S]*?)<\/h2>/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
    expect(rendered).toEqual(headings);
    for (const label of ["Document ID", "Version", "Status", "Effective date", "Owner", "Next review", "Audience"]) {
      expect(text).toContain(`<dt>${label}</dt>`);
    }
    expect(text).toContain('data-version="2.0"');
    expect(text).toContain("<dd>2026-05-04</dd>");
    expect(text).not.toContain("reviewIntervalMonths");
    // The body is sent once: in the markup, not again in the hydration data.
    expect(text.split('<h2 id="procedure">').length - 1).toBe(1);
  });

  it("serves a version's rendered body for client-side navigation", async () => {
    const body = await get("/documents/SOP-DM-001/body?version=1.0");
    expect(body.status).toBe(200);
    expect(body.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(body.text).toMatch(/^<h2 id="purpose">Purpose<\/h2>/);
    expect(body.text).not.toContain("<html");
    expect((await get("/documents/SOP-XX-999/body")).status).toBe(404);
  });

  it("shows an older version as superseded, with a link to the version in force", async () => {
    const { status, text } = await get("/documents/SOP-DM-001?version=1.0");
    expect(status).toBe(200);
    expect(text).toContain('data-version="1.0"');
    expect(text).toContain("Superseded on 2026-05-04");
    expect(text).toContain("Open the version in force (2.0)");
  });

  it("never shows one user's page to another, though pages are rendered once per URL and data", async () => {
    const qa = await signedIn(server.url, "qa");
    for (let round = 0; round < 2; round++) {
      const mine = await client.get("/documents/SOP-DC-001");
      const theirs = await qa.get("/documents/SOP-DC-001");
      // The user menu names who is signed in; only quality managers get the periodic-review link.
      expect(mine.text).toContain('Chloe Martin <span class="muted-inverse">(cra1)</span>');
      expect(mine.text).not.toContain("(qa)</span>");
      expect(mine.text).not.toContain("Periodic review</a>");
      expect(theirs.text).toContain('Quinn Avery <span class="muted-inverse">(qa)</span>');
      expect(theirs.text).toContain("Periodic review</a>");
      expect(theirs.text).not.toContain("(cra1)</span>");
    }
  });

  it("answers 404 with a message for an unknown document or version", async () => {
    const unknown = await get("/documents/SOP-XX-999");
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("There is no controlled document SOP-XX-999.");
    const version = await get("/documents/SOP-DM-001?version=9.9");
    expect(version.status).toBe(404);
    expect(version.text).toContain("Document SOP-DM-001 has no version 9.9.");
  });

  it("sends the QMS manual's navigation entry to the manual", async () => {
    const res = await get("/manual");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/documents/QM-001");
    expect((await get("/")).text).toContain('href="/manual"');
  });

  it("sets security headers on pages and assets", async () => {
    const page = await get("/");
    const css = /href="(\/build\/[^"]+\.css)"/.exec(page.text)![1]!;
    for (const res of [page, await get(css)]) {
      expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("same-origin");
      expect(res.headers.get("x-powered-by")).toBeNull();
    }
  });
});

describe("npm start without a data folder", () => {
  it("exits 2 with a message naming the folder and the command that creates it", async () => {
    const missing = path.join(path.dirname(dataDir), "nothing-here");
    await expect(startServer(missing)).rejects.toThrow(/exited with 2[\s\S]*No Quire data folder at .*nothing-here[\s\S]*npx quire init/);
  });
});

describe("history, redline and point in time", () => {
  it("lists every version of a document with its period, reason and git record", async () => {
    const { status, text } = await get("/documents/SOP-CM-001/history");
    expect(status).toBe(200);
    const rows = [...text.matchAll(/<tr data-version="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => [
      m[1],
      m[2]!
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    ]);
    expect(rows.map((r) => r[0])).toEqual(["2.0", "1.1", "1.0"]);
    expect(rows[0]![1]).toContain("Effective 2026-04-06");
    expect(rows[1]![1]).toContain("Superseded 2025-09-01 – 2026-04-06");
    expect(rows[2]![1]).toMatch(/tag SOP-CM-001\/v1\.0 commit [0-9a-f]{12}/);
    expect((await get("/documents/SOP-XX-999/history")).status).toBe(404);
  });

  it("shows a word-level redline between two versions", async () => {
    const { status, text } = await get("/documents/SOP-DM-001/redline?from=1.0&to=2.0");
    expect(status).toBe(200);
    const inserted = [...text.matchAll(/<ins>([\s\S]*?)<\/ins>/g)].map((m) => m[1]!).join(" ");
    const deleted = [...text.matchAll(/<del>([\s\S]*?)<\/del>/g)].map((m) => m[1]!).join(" ");
    // v2.0 replaced the "queries closed within 30 days" indicator (content/.demo/history.yaml).
    expect(deleted).toMatch(/30/);
    expect(inserted.length).toBeGreaterThan(200);
    expect(text).toMatch(/\d+ words inserted, \d+ deleted/);
    const missing = await get("/documents/SOP-DM-001/redline?from=1.0&to=7.0");
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("Document SOP-DM-001 has no version 7.0");
  });

  it("answers 'what was effective on date D' for a document and for the whole library", async () => {
    const doc = await get("/documents/SOP-CM-001?on=2025-10-01");
    expect(doc.status).toBe(200);
    expect(doc.text).toContain('data-version="1.1"');
    expect(doc.text).toContain("As it stood on 2025-10-01: version 1.1 was in force that day (superseded on 2026-04-06)");
    const none = await get("/documents/SOP-CM-001?on=2024-12-31");
    expect(none.status).toBe(404);
    expect(none.text).toContain("No version of SOP-CM-001 was effective on 2024-12-31; the first took effect 2025-02-03.");
    expect((await get("/documents/SOP-CM-001?on=31/12/2024")).status).toBe(400);

    const library = libraryRows((await get("/?on=2025-10-01")).text);
    const cm = library.find((r) => r[0] === "SOP-CM-001")!;
    expect(cm.slice(4, 7)).toEqual(["1.1", "Effective", "2025-09-01"]);
    // Work instructions first issued in 2026 did not exist yet.
    expect(library.map((r) => r[0])).not.toContain("WI-CM-001");
    expect((await get("/?on=2025-10-01")).text).toContain('Controlled documents in force on <time dateTime="2025-10-01">2025-10-01</time>');
  });
});

describe("unapproved text (SOP-DC-001: drafts must not be used to perform work)", () => {
  it("is not shown to staff who only read and train; approved changes are; authors, reviewers, approvers and inspectors read drafts", async () => {
    const [draft] = await queryDataFolder<{ id: string }>(dataDir, "SELECT id FROM change_requests WHERE state IN ('draft', 'in-review') ORDER BY id LIMIT 1");
    const [approved] = await queryDataFolder<{ id: string }>(dataDir, "SELECT id FROM change_requests WHERE state = 'approved' ORDER BY id LIMIT 1");
    const refused = await client.get(`/changes/${draft!.id}`);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("drafts are read only by authors, reviewers, approvers and inspectors");
    expect((await client.get("/changes")).status).toBe(403);
    expect((await client.get(`/changes/${approved!.id}`)).status).toBe(200);
    // The menu does not offer them either.
    expect((await client.get("/")).text).not.toContain('href="/changes"');
    for (const name of ["author", "reviewer", "qa", "inspector"]) {
      const reader = await signedIn(server.url, name);
      expect((await reader.get(`/changes/${draft!.id}`)).status, name).toBe(200);
    }
  });
});

describe("the library's filters", () => {
  it("answer a bad date, type or an over-long search with 400 and a message naming it, not silently something else", async () => {
    const badDate = await client.get("/?on=garbage");
    expect(badDate.status).toBe(400);
    expect(badDate.text).toContain("The date “garbage” was not used: A date is written YYYY-MM-DD.");
    const long = await client.get(`/?q=${"x".repeat(101)}`);
    expect(long.status).toBe(400);
    expect(long.text).toContain("A search is at most 100 characters");
    expect((await client.get("/?type=memo")).status).toBe(400);
    expect((await client.get("/?on=2026-03-01&type=sop")).status).toBe(200);
  });
});

describe("full-text search (issue 13: words in the body, not only id and title)", () => {
  it("finds a word from the body, shows the passage with the word marked, and survives FTS syntax", async () => {
    const { status, text } = await client.get("/?q=vendor");
    expect(status).toBe(200);
    const row = /<tr data-doc-id="SOP-DM-001">([\s\S]*?)<\/tr>/.exec(text);
    expect(row).not.toBeNull();
    expect(row![1]).toMatch(/<p class="search-passage small">[\s\S]*<mark>vendors?<\/mark>/i);
    // Stemming: "monitors" finds monitoring.
    expect((await client.get("/?q=monitors")).text).toContain('data-doc-id="SOP-CM-001"');
    const odd = await client.get(`/?q=${encodeURIComponent('" OR NEAR( *')}`);
    expect(odd.status).toBe(200);
    // A word in no document lists nothing.
    expect((await client.get("/?q=zyxwvut")).text).toContain("Showing 0 of");
  });
});

describe("the document register (CSV)", () => {
  it("exports what the library lists for the same filters and day, audited; a bad filter exports nothing", async () => {
    const res = await client.get("/documents.csv?type=sop&on=2026-03-01");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="document-register-2026-03-01.csv"');
    const lines = res.text.trim().split("\r\n");
    expect(lines[0]).toBe(
      "doc_id,title,type,owner,version,status,effective_from,next_review,retired_from,upcoming_version,upcoming_effective_from,audience,training",
    );
    const page = libraryRows((await get("/?type=sop&on=2026-03-01")).text).map((r) => r[0]);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(page);
    // On 2026-03-01 SOP-DC-001 v1.0 was in force (v2.0 took effect on 2026-03-02).
    expect(lines.find((l) => l.startsWith("SOP-DC-001,"))).toContain(",1.0,effective,");
    const [audit] = await queryDataFolder<{ username: string; new_values: string }>(
      dataDir,
      "SELECT username, new_values FROM audit_events WHERE action = 'documents.export' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit!.username).toBe("cra1");
    expect(JSON.parse(audit!.new_values)).toMatchObject({ type: "sop", on: "2026-03-01", rows: page.length });
    const bad = await client.get("/documents.csv?on=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Nothing was exported: The date “yesterday” was not used");
  });
});

describe("overdue in words", () => {
  it("says a periodic review is overdue in the library, not by colour alone", async () => {
    const rows = libraryRows((await get("/")).text);
    const overdue = rows.filter((r) => r[7]?.endsWith("overdue"));
    expect(overdue.map((r) => r[0])).toContain("POL-QA-001");
    expect(rows.filter((r) => !r[7]?.endsWith("overdue")).length).toBeGreaterThan(0);
  });
});
