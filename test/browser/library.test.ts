import fs from "node:fs";

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchBrowser, screenshot } from "../helpers/browser";
import { copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let page: Page;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25" });
  const launched = await launchBrowser();
  ({ page, browser } = launched);
  closeBrowser = launched.close;
});
afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const rowIds = () => page.locator("table.library tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-doc-id")));

describe("a reader in Chromium", () => {
  it("signs in, opens the library, filters it, opens a document and reads it", async () => {
    await page.goto(server.url + "/");
    await page.waitForURL(/\/login\?redirectTo=%2F/);
    await page.getByLabel("User name").fill("cra1");
    await page.getByLabel("Password").fill("quire-demo-2026");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(server.url + "/");
    await page.locator("table.library").waitFor();
    await expect(page.title()).resolves.toBe("Document library · Quire");
    await expect(page.locator(".user-menu").textContent()).resolves.toContain("Chloe Martin");
    const all = await rowIds();
    expect(all.length).toBeGreaterThan(15);
    expect(fs.existsSync(await screenshot(page, "library"))).toBe(true);

    // Filter by type with the keyboard-reachable select: the list updates without a reload.
    await page.getByLabel("Type").selectOption("form");
    await page.waitForURL(/type=form/);
    await page.waitForFunction(() => [...document.querySelectorAll("table.library tbody tr")].every((r) => r.getAttribute("data-doc-id")?.startsWith("FRM-")));
    const forms = await rowIds();
    expect(forms.length).toBeGreaterThan(0);
    expect(forms.length).toBeLessThan(all.length);

    // "/" focuses the search box; typing narrows by id, title or words in the body (title matches first).
    await page.getByLabel("Type").selectOption("");
    await page.waitForURL((url) => !url.search.includes("type=form"));
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("/");
    await expect(page.evaluate(() => document.activeElement?.getAttribute("name"))).resolves.toBe("q");
    await page.keyboard.type("monitoring");
    await page.waitForURL(/q=monitoring/);
    await page.waitForFunction(() => document.querySelector("table.library tbody tr")?.getAttribute("data-doc-id") === "SOP-CM-001");
    const matches = await rowIds();
    expect(matches[0]).toBe("SOP-CM-001");
    // Documents that mention it in their body follow, with the passage and the word marked.
    expect(await page.locator("table.library .search-passage mark").first().textContent()).toMatch(/monitor/i);
    await screenshot(page, "library-filtered");

    // Filter by job function.
    await page.getByLabel("Search id, title or text").fill("");
    await page.getByLabel("Job function").selectOption("data-manager");
    await page.waitForURL(/fn=data-manager/);
    await page.waitForFunction(() => !new URL(location.href).searchParams.get("q"));
    expect(await rowIds()).toContain("SOP-DM-001");

    // Open a document from the list with the keyboard.
    await page.locator('a[href="/documents/SOP-DM-001"]').first().focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/documents\/SOP-DM-001$/);
    await page.locator('article[data-doc-id="SOP-DM-001"]').waitFor();
    await expect(page.locator("h1").textContent()).resolves.toBe("Data Management and Data Query Handling");
    await expect(page.locator(".metadata").textContent()).resolves.toContain("Next review");
    const headings = await page.locator(".document-body h2").allTextContents();
    expect(headings).toContain("Procedure");
    expect(await page.locator(".document-body .step").count()).toBeGreaterThan(3);
    await screenshot(page, "document");

    // The QMS manual has its own entry in the navigation.
    await page.getByRole("link", { name: "QMS manual" }).click();
    await page.waitForURL(/\/documents\/QM-001$/);
    await page.locator('article[data-doc-id="QM-001"]').waitFor();
    await expect(page.locator(".doc-kicker").textContent()).resolves.toContain("Manual");
  });

  it("prints without navigation, filters or table of contents", async () => {
    await page.goto(server.url + "/documents/SOP-DM-001", { waitUntil: "networkidle" });
    // After hydration the body is still there (it is not carried in the hydration data).
    expect(await page.locator(".document-body h2").count()).toBeGreaterThan(5);
    await page.emulateMedia({ media: "print" });
    const hidden = await page.evaluate(() => [".site-header", ".toc"].map((sel) => getComputedStyle(document.querySelector(sel)!).display));
    expect(hidden).toEqual(["none", "none"]);
    await expect(page.evaluate(() => getComputedStyle(document.querySelector(".print-footer")!).display)).resolves.toBe("block");
    await page.emulateMedia({ media: "screen" });
  });
});

/**
 * A second reader in a context of its own (a phone, or an en-US desktop browser), signed in, whose
 * console errors are collected like launchBrowser's: a 400 answering a data request is the answer
 * to a bad filter, not a fault.
 */
async function readerIn(options: { viewport: { width: number; height: number }; locale?: string }): Promise<{ reader: Page; problems: string[] }> {
  const context = await browser.newContext(options);
  const reader = await context.newPage();
  reader.setDefaultTimeout(10_000);
  const problems: string[] = [];
  reader.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  reader.on("console", (m) => {
    const refused = m.text().includes("status of 400") && new URL(m.location().url || "about:blank").searchParams.has("_data");
    if (m.type() === "error" && !refused) problems.push(`console.error: ${m.text()}`);
  });
  await reader.goto(server.url + "/login");
  await reader.getByLabel("User name").fill("cra1");
  await reader.getByLabel("Password").fill("quire-demo-2026");
  await reader.getByRole("button", { name: "Sign in" }).click();
  await reader.waitForURL(server.url + "/");
  return { reader, problems };
}

const pageWidth = (p: Page) => p.evaluate(() => document.documentElement.scrollWidth);

describe("the library on a phone (390x844)", () => {
  it("never scrolls sideways: search and filters fit the screen and work, the table scrolls in its own box", async () => {
    const { reader, problems } = await readerIn({ viewport: { width: 390, height: 844 } });
    await reader.locator("table.library").waitFor();
    await expect(pageWidth(reader)).resolves.toBeLessThanOrEqual(390);
    for (const label of ["Search id, title or text", "Type", "Job function", "In force on"]) {
      const box = await reader.getByLabel(label).boundingBox();
      expect(box, label).not.toBeNull();
      expect(box!.x, label).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width, label).toBeLessThanOrEqual(390);
      expect(box!.width, `${label} is wide enough to use`).toBeGreaterThan(250);
    }
    const table = await reader.locator(".library-scroll").evaluate((box) => ({ scrollWidth: box.scrollWidth, clientWidth: box.clientWidth }));
    expect(table.scrollWidth).toBeGreaterThan(table.clientWidth);
    await screenshot(reader, "library-phone");

    await reader.getByLabel("Search id, title or text").fill("monitoring");
    await reader.waitForURL(/q=monitoring/);
    await reader.waitForFunction(() => document.querySelector("table.library tbody tr")?.getAttribute("data-doc-id") === "SOP-CM-001");
    await reader.getByLabel("Type").selectOption("sop");
    await reader.waitForURL(/type=sop/);
    await reader.waitForFunction(() =>
      [...document.querySelectorAll("table.library tbody tr")].every((r) => r.getAttribute("data-doc-id")?.startsWith("SOP-")),
    );
    await expect(pageWidth(reader)).resolves.toBeLessThanOrEqual(390);
    await screenshot(reader, "library-phone-filtered");
    await reader.context().close();
    expect(problems).toEqual([]);
  });
});

describe("dates in an en-US browser", () => {
  it("are shown and typed as YYYY-MM-DD, never mm/dd/yyyy; a day that does not exist gets the server's message", async () => {
    const { reader, problems } = await readerIn({ viewport: { width: 1280, height: 900 }, locale: "en-US" });
    await expect(reader.evaluate(() => navigator.language)).resolves.toBe("en-US");
    // Every request the filter sends carries a whole date: nothing is sent while one is half typed.
    const sent: string[] = [];
    reader.on("request", (r) => {
      const on = new URL(r.url()).searchParams.get("on");
      if (on !== null) sent.push(on);
    });
    const field = reader.getByLabel("In force on");
    await expect(field.getAttribute("placeholder")).resolves.toBe("YYYY-MM-DD");
    await expect(field.getAttribute("type")).resolves.toBe("text");

    await field.click();
    await reader.keyboard.type("2025-10-01");
    await reader.waitForURL(/on=2025-10-01/);
    await reader.locator(".page-heading time", { hasText: "2025-10-01" }).waitFor();
    await expect(field.inputValue()).resolves.toBe("2025-10-01");

    // On a phone's number pad there is no "-": eight digits read as the date.
    await field.fill("");
    await reader.waitForURL((url) => !url.searchParams.get("on"));
    await field.click();
    await reader.keyboard.type("20260101");
    await expect(field.inputValue()).resolves.toBe("2026-01-01");
    await reader.waitForURL(/on=2026-01-01/);
    await reader.locator(".page-heading time", { hasText: "2026-01-01" }).waitFor();

    // A date of the right shape that does not exist is the server's to refuse, with its message.
    await field.fill("");
    await reader.waitForURL((url) => !url.searchParams.get("on"));
    await field.click();
    await reader.keyboard.type("2026-02-30");
    await expect(reader.getByRole("alert").innerText()).resolves.toBe("The date “2026-02-30” was not used: A date is written YYYY-MM-DD.");
    await screenshot(reader, "library-date-refused");
    expect(sent.filter((on) => on !== "" && !/^\d{4}-\d{2}-\d{2}$/.test(on))).toEqual([]);

    // The document page's point-in-time field is the same kind: it shows the day asked for as written.
    await reader.goto(server.url + "/documents/SOP-DM-001?on=2025-10-01");
    const asOf = reader.getByLabel("Effective on date");
    await expect(asOf.getAttribute("placeholder")).resolves.toBe("YYYY-MM-DD");
    await expect(asOf.inputValue()).resolves.toBe("2025-10-01");
    await reader.context().close();
    expect(problems).toEqual([]);
  });
});
