import fs from "node:fs";
import path from "node:path";

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { People, screenshot } from "../helpers/browser";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * KPIs as the quality manager works with them in Chromium (SOP-KP-001, issue 14): a CSV import from
 * the upload form, the dashboard's red tile, the KPI page's chart, month table and breakdown by study
 * (with the new study picked), and both pages on a phone; staff without kpi.read get 403.
 *
 * The project demo on 25 November 2026: the last complete month is October 2026, when the company-wide
 * median query resolution time is 24.6 days against a 15-day target (red). The study imported here,
 * T-9, resolves its queries in 12 days: green on its own, and one site among thirty changes no median
 * enough to turn the company-wide figure from red.
 */
const PHONE = { width: 390, height: 844 };
const KPI = "query-resolution-time";
const KPI_NAME = "Data query resolution time";

let server: RunningServer;
let csv: string;
const people = new People();

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
  csv = path.join(tempDir("quire-kpi-upload-"), "t9-queries.csv");
  fs.writeFileSync(csv, ["kpi,period,study,site,value,numerator,denominator", `${KPI},2026-09,T-9,S-1,13,,`, `${KPI},2026-10,T-9,S-1,12,,`, ""].join("\n"));
});
afterAll(async () => {
  // Each browser reports its page and console errors when closed: close them all, then fail.
  try {
    await people.closeAll();
  } finally {
    await server?.stop();
  }
});

const tile = (page: Page, id: string) => page.locator(`li.kpi-tile[data-kpi="${id}"]`);
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe("KPIs in Chromium, as the quality manager", () => {
  let qa: Page;

  it("imports a CSV file from the upload form, naming its rows", async () => {
    qa = await people.signIn(server.url, "qa");
    await qa.goto(`${server.url}/kpis/import`);
    await qa.getByRole("heading", { level: 1, name: "Import KPI figures" }).waitFor();
    await qa.getByLabel("CSV file").setInputFiles(csv);
    await qa.getByRole("button", { name: "Import", exact: true }).click();
    const success = qa.locator(".banner-success[role=status]");
    await success.waitFor();
    await expect(success.innerText()).resolves.toMatch(/^Imported t9-queries\.csv as import \d+: 2 rows, 2 new, 0 changed, 0 unchanged\./);
    // The import is listed with its file, who imported it and its counts.
    const row = qa.getByRole("row").filter({ hasText: "t9-queries.csv" });
    await expect(row.innerText()).resolves.toContain("qa, 2026-11-25 10:00");
    await expect(row.innerText()).resolves.toContain("2 (2, 0, 0)");
  });

  it("shows the red tile in words on the dashboard, and the KPI's chart and month table behind it", async () => {
    await qa.goto(`${server.url}/kpis`);
    await qa.getByRole("heading", { level: 1, name: "KPI dashboard" }).waitFor();
    const queries = tile(qa, KPI);
    await expect(queries.locator(".badge").innerText()).resolves.toBe("Red: act");
    await expect(queries.locator(".kpi-tile-value strong").innerText()).resolves.toMatch(/^\d+(\.\d)? days$/);
    expect(fs.existsSync(await screenshot(qa, "kpi-dashboard"))).toBe(true);

    await queries.getByRole("link", { name: KPI_NAME }).click();
    await qa.waitForURL(`${server.url}/kpis/${KPI}`);
    await qa.getByRole("heading", { level: 1, name: KPI_NAME }).waitFor();
    const chart = qa.locator("svg.kpi-chart[role=img]");
    await expect(chart.count()).resolves.toBe(1);
    await expect(chart.locator(":scope > title").textContent()).resolves.toBe(KPI_NAME);
    const october = qa
      .getByRole("table", { name: /the data behind the chart/ })
      .getByRole("row")
      .filter({ has: qa.getByRole("rowheader", { name: "2026-10" }) });
    await expect(october.count()).resolves.toBe(1);
    await expect(october.getByRole("cell").nth(1).innerText()).resolves.toBe("Red: act");
    expect(fs.existsSync(await screenshot(qa, "kpi-query-resolution-time"))).toBe(true);
  });

  it("narrows the KPI page to the imported study: T-9 at 12 days, green", async () => {
    await qa.getByRole("combobox", { name: "Study" }).selectOption("T-9");
    await qa.getByRole("button", { name: "Show", exact: true }).click();
    await qa.waitForURL(`${server.url}/kpis/${KPI}?study=T-9`);
    await qa.getByRole("table", { name: `${KPI_NAME} for T-9, the data behind the chart` }).waitFor();
    const byStudy = qa.locator("ul.kpi-by-study li");
    await expect(byStudy.allInnerTexts()).resolves.toEqual(["T-9: 12 days Green: on target"]);
    // The site's figure names the import it came from.
    const site = qa.getByRole("row").filter({ hasText: "S-1" });
    await expect(site.innerText()).resolves.toContain("t9-queries.csv by qa");
    expect(fs.existsSync(await screenshot(qa, "kpi-query-resolution-time-t9"))).toBe(true);
  });

  it("keeps the dashboard and the KPI page within 390 px on a phone", async () => {
    await qa.setViewportSize(PHONE);
    for (const url of [`${server.url}/kpis`, `${server.url}/kpis/${KPI}`]) {
      await qa.goto(url);
      await qa.getByRole("heading", { level: 1 }).waitFor();
      await expect(qa.evaluate(() => window.innerWidth)).resolves.toBe(390);
      await expect(pageWidth(qa), url).resolves.toBeLessThanOrEqual(390);
    }
    expect(fs.existsSync(await screenshot(qa, "kpi-query-resolution-time-phone"))).toBe(true);
    await qa.setViewportSize({ width: 1280, height: 900 });
  });
});

describe("KPIs for staff without kpi.read", () => {
  it("a staff member opening /kpis gets 403 naming kpi.read", async () => {
    // A second tab in the staff member's browser (same session). Chromium logs the 403 response as a
    // console error, which the first tab's guard would count as a fault: here it is the one expected.
    const signedIn = await people.signIn(server.url, "cra1");
    const staff = await signedIn.context().newPage();
    const problems: string[] = [];
    staff.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    staff.on("console", (m) => {
      if (m.type() === "error" && m.text() !== "Failed to load resource: the server responded with a status of 403 (Forbidden)") problems.push(m.text());
    });
    const response = await staff.goto(`${server.url}/kpis`);
    expect(response?.status()).toBe(403);
    await staff.getByRole("heading", { level: 1, name: "403 Forbidden" }).waitFor();
    await staff.getByText("You do not have the permission kpi.read needed for this page or action.").waitFor();
    await expect(staff.locator("li.kpi-tile").count()).resolves.toBe(0);
    await staff.close();
    expect(problems).toEqual([]);
  });
});
