import fs from "node:fs";
import path from "node:path";

import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseQuiz, type Quiz } from "~/modules/training/quiz";

import { People, screenshot } from "../helpers/browser";
import { PROJECT_CONTENT, copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * A new project manager (pm1, joined 2026-11-17) trains on SOP-CM-001 on a phone-sized screen:
 * from the menu's count to the knowledge check, one failed attempt, a pass, and the read-and-
 * understood signature with her password. Then the training coordinator sees it in the matrix.
 * The refusals in detail are test/http/training.test.ts.
 */
const PHONE = { width: 390, height: 844 };

let server: RunningServer;
let quiz: Quiz;
const people = new People();

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, { QUIRE_NOW: "2026-11-25T10:00:00Z" });
  const parsed = parseQuiz("sops/SOP-CM-001.quiz.yaml", fs.readFileSync(path.join(PROJECT_CONTENT, "sops", "SOP-CM-001.quiz.yaml"), "utf8"));
  if (!parsed.ok) throw new Error("the demo quiz does not parse");
  quiz = parsed.quiz;
});
afterAll(async () => {
  try {
    await people.closeAll();
  } finally {
    await server?.stop();
  }
});

/** No sideways scrolling: the page fits the phone's width. */
async function fitsWidth(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

async function answer(page: Page, right: boolean): Promise<void> {
  for (const q of quiz.questions) {
    const chosen = right ? q.options.filter((o) => o.correct) : [q.options.find((o) => !o.correct)!];
    const group = page.getByRole("group", { name: q.prompt });
    for (const o of chosen) await group.getByLabel(o.text, { exact: true }).check();
  }
  await page.getByRole("button", { name: "Submit answers" }).click();
}

describe("a trainee on a phone", () => {
  let page: Page;

  it("finds her training from the menu's count", async () => {
    page = await people.signIn(server.url, "pm1");
    await page.setViewportSize(PHONE);
    const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /My training/ });
    await expect(link.innerText()).resolves.toMatch(/My training\s*11/);
    await link.click();
    await page.waitForURL(server.url + "/training");
    await page.getByRole("heading", { name: "To do" }).waitFor();
    await fitsWidth(page);
    await screenshot(page, "training-phone-list");
  });

  it("reads SOP-CM-001, fails the knowledge check once, then passes it", async () => {
    await page.getByRole("listitem").filter({ hasText: "SOP-CM-001" }).getByRole("link", { name: "Read and sign" }).click();
    await page.getByRole("heading", { name: "Clinical Monitoring", level: 1 }).waitFor();
    await page.getByText("Attempt 1 of 3").waitFor();
    await fitsWidth(page);
    await screenshot(page, "training-phone-task");
    // No signature before the knowledge check is passed.
    await expect(page.getByRole("button", { name: "Sign: read and understood" }).count()).resolves.toBe(0);
    await answer(page, false);
    await page.getByRole("status").filter({ hasText: "Not passed: 0%" }).waitFor();
    await page.getByText("Attempt 2 of 3").waitFor();
    await answer(page, true);
    await page.getByRole("status").filter({ hasText: "Passed: 100%" }).waitFor();
    await screenshot(page, "training-phone-passed");
  });

  it("signs read and understood with her password, a wrong one first", async () => {
    const form = page.getByRole("form", { name: "Sign: Read and understood" });
    await form.getByText("I have read and understood this version of the document and will apply it in my work.").waitFor();
    await form.getByLabel("Password").fill("not-my-password");
    await form.getByRole("button", { name: "Sign: read and understood" }).click();
    await form.getByText("The password is not correct, so nothing was signed.").waitFor();
    await form.getByLabel("Password").fill("quire-demo-2026");
    await form.getByRole("button", { name: "Sign: read and understood" }).click();
    await page.waitForURL(`${server.url}/training?notice=training-signed`);
    await page.getByRole("status").filter({ hasText: "Signed: read and understood." }).waitFor();
    const done = page
      .locator("section", { has: page.getByRole("heading", { name: "Completed" }) })
      .getByRole("listitem")
      .filter({ hasText: "SOP-CM-001" });
    await expect(done.innerText()).resolves.toContain("Completed");
    await expect(
      page
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: /My training/ })
        .innerText(),
    ).resolves.toMatch(/My training\s*10/);
    await fitsWidth(page);
    await screenshot(page, "training-phone-signed");
  });
});

describe("the training coordinator at a desk", () => {
  it("sees the signature in the matrix and in pm1's record", async () => {
    const page = await people.signIn(server.url, "trainer");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Training records" }).click();
    await page.getByRole("heading", { name: "Training matrix" }).waitFor();
    const cell = page.locator('tr[data-doc="SOP-CM-001"] td[data-fn="project-manager"]');
    await expect(cell.innerText()).resolves.toBe("1/1");
    await screenshot(page, "training-matrix");
    await page.getByRole("navigation", { name: "Training" }).getByRole("link", { name: "People" }).click();
    await page.getByRole("link", { name: "Priya Nair" }).click();
    await page.getByRole("heading", { name: "Training record of Priya Nair" }).waitFor();
    const row = page.locator("tr", { has: page.getByRole("link", { name: "SOP-CM-001" }) });
    await expect(row.innerText()).resolves.toMatch(/passed, best 100%, 2 attempts/);
    await screenshot(page, "training-transcript");
  });
});
