import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { People, screenshot } from "../helpers/browser";
import { copyDataFolder, tempDir } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * A quality manager's controlled-copy life cycle in Chromium (SOP-DC-001): issue a numbered copy of
 * SOP-DM-001 from its page (signed), download it and find its number in the PDF, find its row on the
 * register; then close the recall of the demo's copy of superseded SOP-CM-001 v1.1 with a signed
 * record of its destruction. The refusals in detail are test/http/copies.test.ts.
 */
const PASSWORD = "quire-demo-2026";

let server: RunningServer;
const people = new People();

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-30T12:00:00Z" });
});
afterAll(async () => {
  try {
    await people.closeAll();
  } finally {
    await server?.stop();
  }
});

const signIn = (username: string): Promise<Page> => people.signIn(server.url, username);

describe("controlled copies in Chromium", () => {
  it("issues a signed, numbered copy, downloads it and finds it on the register", async () => {
    const page = await signIn("qa");
    await page.goto(`${server.url}/documents/SOP-DM-001`);
    await page.getByRole("link", { name: "Issue controlled copy" }).click();
    await page.getByLabel("Recipient (name)").fill("Dr Ana Silva");
    await page.getByLabel("Location or site").fill("Site 207, Lisbon");
    await page.getByLabel("Reason").fill("Investigator site without access to Quire");
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign and issue the copies" }).click();
    await page.waitForURL(/\/copies\?doc=SOP-DM-001/);
    const row = page.locator('tr[data-copy="SOP-DM-001-2.0-C001"]');
    expect(await row.innerText()).toContain("Dr Ana Silva");
    await screenshot(page, "copies-register");

    await row.getByRole("link", { name: "SOP-DM-001-2.0-C001", exact: true }).click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the copy (PDF)" }).click()]);
    const file = path.join(tempDir("quire-copy-download-"), "copy.pdf");
    await download.saveAs(file);
    const text = execFileSync("pdftotext", ["-raw", file, "-"], { encoding: "utf8" });
    expect(text).toContain("SOP-DM-001-2.0-C001");
    expect(fs.statSync(file).size).toBeGreaterThan(1000);
  });

  it("closes the recall of a copy whose version was superseded, with a signed record", async () => {
    const page = await signIn("qa");
    await page.goto(`${server.url}/copies?status=to-recall`);
    await page.getByRole("link", { name: "SOP-CM-001-1.1-C002", exact: true }).click();
    await page.getByLabel("Destroyed (confirmed by the recipient)").check();
    await page.getByLabel("Note (optional)").fill("Destruction confirmed by the site in writing.");
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign and close the copy" }).click();
    // The copy's page, after the signed record: its closing shows (a busy machine may take a while).
    await page.locator("dt", { hasText: "Closed" }).waitFor();
    await page.goto(`${server.url}/copies?doc=SOP-CM-001`);
    const row = page.locator('tr[data-copy="SOP-CM-001-1.1-C002"]');
    expect(await row.innerText()).toMatch(/Closed[\s\S]*destroyed 2026-11-30/);
    expect(await page.content()).not.toContain("is to recall");
    await screenshot(page, "copies-recall-closed");
  });
});
