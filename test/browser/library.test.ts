import fs from "node:fs";

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchBrowser, screenshot } from "../helpers/browser";
import { copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let page: Page;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25" });
  const browser = await launchBrowser();
  page = browser.page;
  closeBrowser = browser.close;
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
