import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO_PASSWORD } from "~/modules/setup/demo-users";

import { launchChromium, screenshot } from "../helpers/browser";
import { copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * The document page as a reader sees it in Chromium (issue 13): on a desktop (1280x800) the key facts
 * are all in the first screen with no scroll box of their own; on a phone (390x844) the page never
 * scrolls sideways and a wide table scrolls in its own box; and a page that is not found hydrates
 * without a React error. The project demo on 2026-11-25, read by the quality manager (the longest
 * menu, so the tallest header).
 */

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A signed-in page of the given size (an en-US browser) that records every console error and page error. */
async function signedInPage(viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, locale: "en-US" });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console.error: ${m.text()} (${m.location().url})`);
  });
  await page.goto(server.url + "/login");
  await page.getByLabel("User name").fill("qa");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(server.url + "/");
  return { page, problems };
}

/** Elements of the page's panels (not the body) that scroll inside themselves: their content overflows their box. */
function nestedScrollBoxes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll(".document-layout, .metadata, .metadata *, .document-side, .document-side *")]
      .filter((el) => {
        const style = getComputedStyle(el);
        const scrolls = (v: string) => v === "auto" || v === "scroll";
        return (scrolls(style.overflowY) && el.scrollHeight > el.clientHeight + 1) || (scrolls(style.overflowX) && el.scrollWidth > el.clientWidth + 1);
      })
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  );
}

/** Whether an element lies wholly inside the first screen (no scrolling of the page or of a box). */
async function inFirstScreen(locator: Locator, height: number): Promise<boolean> {
  const box = await locator.boundingBox();
  return box !== null && box.y >= 0 && box.y + box.height <= height;
}

describe("the document page in Chromium", () => {
  it("on a desktop (1280x800), shows status, version, effective date, signatures, versions and contents in the first screen, with no nested scroll box", async () => {
    const { page, problems } = await signedInPage({ width: 1280, height: 800 });
    await page.goto(server.url + "/documents/SOP-CM-001", { waitUntil: "networkidle" });
    await expect(nestedScrollBoxes(page)).resolves.toEqual([]);
    await expect(page.evaluate(() => window.scrollY)).resolves.toBe(0);

    const facts = page.getByRole("complementary", { name: "Document metadata" });
    const contents = page.getByRole("navigation", { name: "Contents" });
    const keyFacts: [string, Locator][] = [
      ["Status", facts.locator("dt", { hasText: /^Status$/ })],
      ["the status", facts.locator("dt:text-is('Status') + dd")],
      ["Version", facts.locator("dt", { hasText: /^Version$/ })],
      ["Effective date", facts.locator("dt:text-is('Effective date') + dd")],
      ["Signatures", facts.getByRole("heading", { name: "Signatures" })],
      ["the first signature", facts.getByTestId("signatures").getByRole("listitem").first()],
      ["the last signature", facts.getByTestId("signatures").getByRole("listitem").last()],
      ["Versions", facts.getByRole("heading", { name: "Versions" })],
      ["the version shown", facts.locator(".versions a[aria-current=page]")],
      ["Contents", contents.getByRole("heading", { name: "Contents" })],
      ["the last heading in the contents", contents.getByRole("link").last()],
    ];
    const outside: string[] = [];
    for (const [name, locator] of keyFacts) if (!(await inFirstScreen(locator, 800))) outside.push(name);
    expect(outside, "key facts below the fold of a 1280x800 screen").toEqual([]);
    await expect(facts.locator("dt:text-is('Status') + dd").innerText()).resolves.toBe("Effective on 2026-11-25");
    expect(await contents.getByRole("link").count()).toBeGreaterThan(5);
    await screenshot(page, "document-desktop");
    expect(problems).toEqual([]);
  });

  it("on a phone (390x844), never scrolls the page sideways: a wide table scrolls inside its own box", async () => {
    const { page, problems } = await signedInPage({ width: 390, height: 844 });
    await page.goto(server.url + "/documents/SOP-CM-001", { waitUntil: "networkidle" });
    await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(390);
    await expect(nestedScrollBoxes(page)).resolves.toEqual([]);
    // The records table is wider than the phone: its own box scrolls, within the screen's width.
    const table = await page.locator(".document-body table.records-table").evaluate((t) => {
      const box = t.parentElement!;
      return {
        overflowX: getComputedStyle(box).overflowX,
        scrollWidth: box.scrollWidth,
        clientWidth: box.clientWidth,
        right: box.getBoundingClientRect().right,
      };
    });
    expect(table.overflowX).toBe("auto");
    expect(table.scrollWidth).toBeGreaterThan(table.clientWidth);
    expect(table.right).toBeLessThanOrEqual(390);
    // The key facts come first on a phone.
    await expect(page.getByRole("complementary", { name: "Document metadata" }).locator("dt:text-is('Status') + dd").isVisible()).resolves.toBe(true);
    await screenshot(page, "document-phone");
    await page.locator(".document-body table.records-table").scrollIntoViewIfNeeded();
    await screenshot(page, "document-phone-table");
    expect(problems).toEqual([]);
  });

  it("keeps the body it was served while hydrating, and a client-side move to another version shows that version's body", async () => {
    const { page, problems } = await signedInPage({ width: 1280, height: 800 });
    await page.goto(server.url + "/documents/SOP-DM-001", { waitUntil: "networkidle" });
    await page.waitForFunction(() => (window as unknown as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized === true);
    const body = page.locator(".document-body");
    const served = await body.innerHTML();
    expect(served).toMatch(/^<h2 id="purpose">Purpose<\/h2>/);
    await page.evaluate(() => Object.assign(window, { stillThisDocument: true }));
    await page.locator(".versions").getByRole("link", { name: "v1.0" }).click();
    await page.waitForURL(server.url + "/documents/SOP-DM-001?version=1.0");
    await page.locator("article.document[data-version='1.0']").waitFor();
    const older = await body.innerHTML();
    expect(older).toMatch(/^<h2 id="purpose">Purpose<\/h2>/);
    expect(older).not.toBe(served);
    await expect(page.evaluate(() => "stillThisDocument" in window)).resolves.toBe(true);
    expect(problems).toEqual([]);
  });

  it("a document or change request that is not found answers 404 and hydrates without a React error", async () => {
    const { page, problems } = await signedInPage({ width: 1280, height: 800 });
    for (const [path, message] of [
      ["/documents/NOPE-001", "There is no controlled document NOPE-001."],
      ["/changes/CR-9999-999", "There is no change request CR-9999-999."],
    ] as const) {
      problems.length = 0;
      const response = await page.goto(server.url + path, { waitUntil: "networkidle" });
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("404 Not Found");
      await expect(page.locator(".error-page").innerText()).resolves.toContain(message);
      // Hydrated: the router is up, and the link back is followed on the client (the marker survives).
      await page.waitForFunction(
        () => (window as unknown as { __remixRouter?: { state: { initialized: boolean } } }).__remixRouter?.state.initialized === true,
      );
      await page.evaluate(() => Object.assign(window, { stillThisDocument: true }));
      await page.getByRole("link", { name: "Back to the document library" }).click();
      await page.waitForURL(server.url + "/");
      await page.locator("table.library").waitFor();
      await expect(page.evaluate(() => "stillThisDocument" in window)).resolves.toBe(true);
      // Chromium logs the page's own 404 as a failed resource; anything else (a hydration error) fails the test.
      const pageUrl = server.url + path;
      expect(problems.filter((p) => !(p.includes("the server responded with a status of 404") && p.endsWith(`(${pageUrl})`)))).toEqual([]);
    }
  });
});
