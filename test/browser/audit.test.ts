import fs from "node:fs";

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { launchBrowser, screenshot } from "../helpers/browser";
import { parseCsv } from "../helpers/csv";
import { copyDataFolder } from "../helpers/data-folder";
import { HttpClient, signedIn } from "../helpers/http";
import { startServer, type RunningServer } from "../helpers/server";

let server: RunningServer;
let page: Page;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir);
  // Some real traffic to look at: sign-ins and failed attempts.
  for (const user of ["qa", "author", "cra1"]) await signedIn(server.url, user);
  for (const name of ["mallory", "qa"]) await new HttpClient(server.url).post("/login", { username: name, password: "not-it" });
  const browser = await launchBrowser();
  page = browser.page;
  closeBrowser = browser.close;
});
afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const actions = () => page.locator("table.audit-table tbody tr td:nth-child(4)").allTextContents();

describe("an inspector in Chromium", () => {
  it("opens the audit trail from the navigation, filters it by action and exports it as CSV", async () => {
    await page.goto(server.url + "/");
    await page.waitForURL(/\/login/);
    await page.getByLabel("User name").fill("inspector");
    await page.getByLabel("Password").fill("quire-demo-2026");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(server.url + "/");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit trail" }).click();
    await page.waitForURL(/\/audit$/);
    await page.locator("table.audit-table").waitFor();
    await expect(page.title()).resolves.toBe("Audit trail · Quire");
    await expect(page.locator(".chain-status p").first().textContent()).resolves.toMatch(/^Chain intact: rows 1–\d+, head sha256 [0-9a-f]{64}$/);
    // It says what it checked: the first view verifies every row and records a checkpoint.
    await expect(page.locator(".chain-status").textContent()).resolves.toContain("All rows were verified now, from row 1.");
    await expect(page.locator(".anchor-status").textContent()).resolves.toMatch(
      /^Anchored in git: row \d+ still has the hash written into anchor commit [0-9a-f]{12}\.$/,
    );
    const all = await actions();
    expect(new Set(all).size).toBeGreaterThan(2);
    await screenshot(page, "audit-trail");

    await page.getByLabel("Action", { exact: true }).selectOption("auth.signin");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/\?action=auth\.signin$/);
    await page.waitForFunction(() =>
      [...document.querySelectorAll("table.audit-table tbody tr td:nth-child(4)")].every((td) => td.textContent === "auth.signin"),
    );
    const filtered = await actions();
    // qa, author and cra1 before, and the inspector's own sign-in just now.
    expect(filtered).toEqual(["auth.signin", "auth.signin", "auth.signin", "auth.signin"]);
    const users = await page.locator("table.audit-table tbody tr td:nth-child(3)").allTextContents();
    expect(users).toEqual(["inspector", "cra1", "author", "qa"]);
    await expect(page.locator("#result-count").textContent()).resolves.toContain("4 matching events");
    expect(fs.existsSync(await screenshot(page, "audit-trail-filtered"))).toBe(true);

    const link = page.getByRole("link", { name: "Export CSV" });
    await expect(link.getAttribute("href")).resolves.toBe("/audit.csv?action=auth.signin");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^quire-audit-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = parseCsv(fs.readFileSync(await download.path(), "utf8"));
    expect(csv[0]).toEqual([
      "seq",
      "at",
      "user_id",
      "username",
      "action",
      "object_type",
      "object_id",
      "old_values",
      "new_values",
      "reason",
      "client_address",
      "prev_hash",
      "hash",
    ]);
    expect(csv.slice(1).map((r) => [r[3], r[4]])).toEqual([
      ["qa", "auth.signin"],
      ["author", "auth.signin"],
      ["cra1", "auth.signin"],
      ["inspector", "auth.signin"],
    ]);

    // The export is in the trail now, under the inspector's name (the select offers it after a reload).
    await page.reload();
    await page.getByLabel("Action", { exact: true }).selectOption("audit.export");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/\?action=audit\.export$/);
    await page.waitForFunction(() => document.querySelector("table.audit-table tbody tr td:nth-child(4)")?.textContent === "audit.export");
    await expect(page.locator("table.audit-table tbody tr td:nth-child(3)").allTextContents()).resolves.toEqual(["inspector"]);
  });
});
