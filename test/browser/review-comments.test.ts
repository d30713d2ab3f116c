import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { People, screenshot } from "../helpers/browser";
import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * SOP-DC-001 "Review the draft" in Chromium on the demo: the reviewer reads SOP-DV-001's draft as it
 * will read (watermarked DRAFT) beside its redline, comments on a step and signs; the author resolves
 * the comment; the quality manager then sees no open comment holding the approval.
 */
let server: RunningServer;
const clock = new TestClock("2026-11-25T11:00:00Z");
const people = new People();
const CR = "CR-2026-0009";

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("project-demo");
  server = await startServer(dataDir, clock.env);
});
afterAll(async () => {
  try {
    await people.closeAll();
  } finally {
    await server?.stop();
  }
});

describe("reading, commenting on and resolving a draft", () => {
  it("lets the reviewer read the whole draft beside the redline and comment on a step", async () => {
    const page = await people.signIn(server.url, "reviewer");
    await page.goto(`${server.url}/changes/${CR}`);
    const draft = page.getByRole("article", { name: /^Draft of SOP-DV-001/ });
    await draft.waitFor();
    expect(await page.locator(".draft-copy").getAttribute("data-watermark")).toBe("DRAFT");
    expect(await draft.innerText()).toContain("1 working day");
    // The redline beside it marks what changed.
    expect(await page.getByTestId("redline").locator("ins").count()).toBeGreaterThan(0);
    await page.getByRole("heading", { name: "The draft as it will read" }).scrollIntoViewIfNeeded();
    await screenshot(page, "review-draft-and-redline");

    const sections = await page.getByLabel("Section").locator("option").allInnerTexts();
    const step = sections.find((s) => s.startsWith("Step: "))!;
    expect(step).toBeTruthy();
    await page.getByLabel("Section").selectOption(step);
    await page.getByLabel("Add a comment").fill("Say who records a major deviation when the CRA is off site.");
    await page.getByRole("button", { name: "Add comment" }).click();
    const comment = page.locator('li[data-open="yes"]');
    await comment.waitFor();
    expect(await comment.innerText()).toContain(`on “${step}”`);
    expect(await page.getByTestId("open-comments").innerText()).toContain("1 comment(s) to resolve");
    await comment.scrollIntoViewIfNeeded();
    await screenshot(page, "review-comment-open");
  });

  it("lets the author resolve it, and the quality manager sees it closed", async () => {
    const author = await people.signIn(server.url, "author");
    await author.goto(`${server.url}/changes/${CR}`);
    const form = author.getByRole("form", { name: /^Resolve comment / });
    await form.getByLabel("No change needed").check();
    await form.getByLabel("What changed, or why no change is needed").fill("Step 2 already names the CRA, on or off site.");
    await form.getByRole("button", { name: "Resolve comment" }).click();
    const resolution = author.locator('li[data-open="no"] .comment-resolution');
    await resolution.waitFor();
    await resolution.scrollIntoViewIfNeeded();
    await screenshot(author, "review-comment-resolved");

    const qa = await people.signIn(server.url, "qa");
    await qa.goto(`${server.url}/changes/${CR}`);
    const resolved = qa.locator('li[data-open="no"]');
    expect(await resolved.innerText()).toContain("No change needed");
    expect(await qa.getByTestId("open-comments").count()).toBe(0);
  });
});
