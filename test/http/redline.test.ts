import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { copyDataFolder } from "../helpers/data-folder";
import { type HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let client: HttpClient;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25" });
  client = await signedIn(server.url, "qa");
});
afterAll(async () => {
  await server?.stop();
});

/** The redline's own markup (the component's root element to the end of the page's section). */
function redlineOf(html: string): string {
  const at = html.indexOf('data-testid="redline"');
  expect(at).toBeGreaterThan(-1);
  return html.slice(at, html.indexOf("</section>", at));
}

/** What a reader reads: tags dropped, entities decoded. */
function readable(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, " ");
}

describe("the redline between two versions", () => {
  it("shows the document's structure: headings as headings, table rows as cells, no Markdown or pipes", async () => {
    const { status, text } = await client.get("/documents/SOP-CM-001/redline?from=1.1&to=2.0");
    expect(status).toBe(200);
    const redline = redlineOf(text);
    expect(redline).toMatch(/<h2 class="redline-heading[^"]*">Purpose<\/h2>/);
    expect(redline).toMatch(/<h2 class="redline-heading[^"]*">Procedure<\/h2>/);
    expect(readable(redline)).not.toContain("##");
    expect(readable(redline)).not.toContain("|");
    // A new KPI row, cell by cell: the <Kpi>'s first cell holds its name and id.
    expect(redline).toMatch(/<tr class="redline-row[^"]*redline-added"><td><ins>Overdue site actions overdue-site-actions<\/ins><\/td><td>/);
    expect(text).toMatch(/\d+ words inserted, \d+ deleted, in \d+ places/);
  });

  it("keeps a step's title and its owner apart", async () => {
    const redline = redlineOf((await client.get("/documents/SOP-CM-001/redline?from=1.1&to=2.0")).text);
    expect(redline).toMatch(/<p class="redline-step-title[^"]*"><span class="redline-label">Step 1: <\/span><strong>Write the monitoring plan<\/strong><\/p>/);
    expect(redline).toMatch(/<p class="redline-step-owner[^"]*"><span class="redline-label">Performed by: <\/span>Clinical Project Manager<\/p>/);
    expect(readable(redline)).not.toMatch(/Write the monitoring plan ?Clinical Project Manager/);
  });

  it("shows a rewritten sentence deleted whole, then inserted whole", async () => {
    const redline = redlineOf((await client.get("/documents/SOP-CM-001/redline?from=1.1&to=2.0")).text);
    expect(redline).toContain(
      "<del>Important deviations are reported to the project manager within the timelines of that procedure.</del> <ins>Critical deviations and suspected serious breaches are reported to the project manager the same working day; major deviations are recorded within 2 working days.</ins>",
    );
  });

  it("folds unchanged passages into <details> whose full text is in the page", async () => {
    const redline = redlineOf((await client.get("/documents/SOP-CM-001/redline?from=1.1&to=2.0")).text);
    const folds = [...redline.matchAll(/<details class="redline-unchanged"><summary>([^<]*)<\/summary>([\s\S]*?)<\/details>/g)];
    expect(folds.length).toBeGreaterThan(0);
    for (const [, summary] of folds) expect(summary).toMatch(/^\d+ unchanged /);
    // The unchanged close-out step is folded, and readable when opened.
    expect(folds.map((f) => f[2]).join("")).toContain("the CRA performs a close-out visit");
  });
});

describe("the redline of a change request", () => {
  it("shows the draft against its base with the changed words in place and the word count", async () => {
    const list = await client.get("/changes");
    const crId = new RegExp(`href="/changes/(CR-\\d{4}-\\d{4})"[^<]*</a>[\\s\\S]{0,400}?SOP-DV-001`).exec(list.text)?.[1];
    expect(crId).toBeDefined();
    const { status, text } = await client.get(`/changes/${crId}`);
    expect(status).toBe(200);
    const redline = redlineOf(text);
    // Two words changed: marked in place (issue 13's "21 working daysday" came from words of a cell and the next line run together).
    expect(redline).toContain("major deviations: recorded within <del>2</del><ins>1</ins> working <del>days</del><ins>day</ins> of discovery;");
    // The step the change sits in stays visible above it, its neighbours folded.
    expect(redline).toMatch(/<strong>Report the deviation<\/strong><\/p>(?:(?!<details)[\s\S])*?redline-changed/);
    expect(redline).toMatch(/<li class="redline-item[^"]*redline-changed">/);
    expect(text).toMatch(/2 inserted, 2 deleted, in\s+1 place\./);
    expect(redline).toContain('<details class="redline-unchanged">');
  });
});
