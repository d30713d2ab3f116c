import fs from "node:fs";

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchBrowser, screenshot } from "../helpers/browser";
import { copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

// Issue 13: the audit trail filtered by a document, read on a phone (390 px wide): the page itself
// never scrolls sideways (the table scrolls in its own box), and no hash is split across lines.

let server: RunningServer;
let page: Page;
let closeBrowser: () => Promise<void>;

const PHONE = { width: 390, height: 844 };

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
  const browser = await launchBrowser();
  page = browser.page;
  closeBrowser = browser.close;
  await page.goto(server.url + "/login");
  await page.getByLabel("User name").fill("inspector");
  await page.getByLabel("Password").fill("quire-demo-2026");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(server.url + "/");
});
afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

describe("the audit trail of one document, on a phone", () => {
  it("filters by the Document field and keeps the page within 390 px, the table scrolling in its box", async () => {
    await page.setViewportSize(PHONE);
    await page.goto(server.url + "/audit");
    await page.getByLabel("Document", { exact: true }).fill("SOP-CM-001");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/\/audit\?doc=SOP-CM-001$/);
    await page.waitForFunction(
      () =>
        document.querySelector("#result-count")?.textContent?.includes("matching") &&
        !document.querySelector("[data-seq] .object-id")?.textContent?.startsWith("auth"),
    );
    await page.waitForLoadState("networkidle");
    for (const url of [page.url(), server.url + "/audit"]) {
      if (url !== page.url()) await page.goto(url);
      const widths = await page.evaluate(() => {
        const box = document.querySelector<HTMLElement>(".table-scroll")!;
        return { page: document.documentElement.scrollWidth, viewport: window.innerWidth, box: box.clientWidth, table: box.scrollWidth };
      });
      const offenders = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("body *")]
          .filter((e) => {
            if (e.getBoundingClientRect().right <= 390) return false;
            for (let up = e.parentElement; up; up = up.parentElement) if (getComputedStyle(up).overflowX !== "visible") return false;
            return true;
          })
          .map(
            (e) =>
              `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().left)}-${Math.round(e.getBoundingClientRect().right)} ${(e.textContent ?? "").slice(0, 60)}`,
          ),
      );
      expect(offenders, url).toEqual([]);
      expect(widths.viewport, url).toBe(390);
      expect(widths.page, url).toBeLessThanOrEqual(widths.viewport);
      expect(widths.table, url).toBeGreaterThan(widths.box);
    }
    await page.goto(server.url + "/audit?doc=SOP-CM-001");
    // Every shortened hash sits on one line, its whole value in its title.
    const hashes = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>(".audit-table code.hash")].map((c) => ({
        lines: c.getClientRects().length,
        title: c.title,
        text: c.textContent,
      })),
    );
    expect(hashes.length).toBeGreaterThan(0);
    for (const h of hashes) {
      expect(h.lines).toBe(1);
      expect(h.title).toMatch(/^[0-9a-f]{40}$|^[0-9a-f]{64}$/);
      expect(h.text).toBe(`${h.title.slice(0, 12)}…`);
    }
    await page.locator(".result-bar").scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, document.querySelector(".result-bar")!.getBoundingClientRect().top));
    expect(fs.existsSync(await screenshot(page, "audit-document-phone"))).toBe(true);
    await page.locator(".table-scroll").evaluate((box) => box.scrollBy({ left: 560 }));
    expect(fs.existsSync(await screenshot(page, "audit-document-phone-values"))).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.evaluate(() => window.scrollTo(0, document.querySelector(".result-bar")!.getBoundingClientRect().top + window.scrollY));
    expect(fs.existsSync(await screenshot(page, "audit-document-desktop"))).toBe(true);
  });
});
