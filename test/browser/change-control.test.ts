import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { People, screenshot } from "../helpers/browser";
import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * The document-control path as people walk it in Chromium, one browser per person: the author
 * opens a change request and edits the draft (live validation with line:column problems, live
 * preview), signs it as Authored (a wrong password first); the reviewer signs Reviewed; QA sets
 * the effective date and signs Approved; the document's history lists the three signatures.
 * The same path over HTTP, with the refusals in detail, is test/http/change-control.test.ts.
 */
const PASSWORD = "quire-demo-2026";
const TODAY = "2026-11-25";
const PROPOSED = "2026-11-30";
const EFFECTIVE = "2026-12-01";
const REASON = "Add the monitoring visit follow-up letter step required by the sponsor.";
const SENTENCE = "The monitor sends a follow-up letter within 5 working days of each visit.";

let server: RunningServer;
const clock = new TestClock(`${TODAY}T09:00:00Z`);
const people = new People();

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("fixture-demo-early"); // set up at TODAY 08:00
  server = await startServer(dataDir, clock.env);
});
afterAll(async () => {
  // Each browser reports its page and console errors when closed: close them all, then fail.
  try {
    await people.closeAll();
  } finally {
    await server?.stop();
  }
});

/** A fresh Chromium (its own cookies) for one person, signed in through the login form. */
const signIn = (username: string): Promise<Page> => people.signIn(server.url, username);

/** From anywhere: Change requests in the main navigation, then the change request's row. */
async function openFromList(page: Page, crId: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Change requests" }).click();
  await page.waitForURL(/\/changes$/);
  await page.getByRole("table", { name: "Change requests" }).getByRole("link", { name: crId, exact: true }).click();
  await page.waitForURL(`${server.url}/changes/${crId}`);
  await page.getByRole("heading", { level: 1, name: "SOP-TS-001 Test Monitoring Procedure" }).waitFor();
}

const stateBadge = (page: Page, label: string) => page.locator(".page-heading").getByText(label, { exact: true });
const signatureTable = (page: Page) => page.getByRole("table", { name: /^Electronic signatures on this change/ });
const signatureRow = (page: Page, meaning: string) =>
  signatureTable(page)
    .getByRole("row")
    .filter({ has: page.getByRole("cell", { name: meaning, exact: true }) });
/** The <dd> that follows the <dt> with exactly this term. */
const definition = (scope: Locator, term: string) => scope.locator(`xpath=.//dt[normalize-space()="${term}"]/following-sibling::dd[1]`);
const printedNameOn = (form: Locator) => definition(form, "Printed name").textContent();
const caretLine = (page: Page) =>
  page.evaluate(() => {
    const ta = document.querySelector<HTMLTextAreaElement>("textarea#source")!;
    return ta.value.slice(0, ta.selectionStart).split("\n").length;
  });

let crId = "";

describe("a change request in Chromium, from the author's draft to QA's approval", () => {
  let author: Page;

  it("the author opens a change request from the navigation and lands on the editor", async () => {
    author = await signIn("author");
    await author.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Change requests" }).click();
    await author.waitForURL(/\/changes$/);
    // Client-side navigation: the URL changes first, then the page renders and sets its title.
    await author.getByRole("heading", { level: 1, name: "Change requests" }).waitFor();
    await expect.poll(() => author.title()).toBe("Change requests · Quire");
    await author.getByRole("link", { name: "New change request" }).click();
    await author.waitForURL(/\/changes\/new$/);
    await author.getByRole("heading", { level: 1, name: "New change request" }).waitFor();

    await author.getByRole("radio", { name: "A revision of an existing document" }).check();
    await author.getByLabel("Document ID").fill("SOP-TS-001");
    await author.getByLabel("Reason for change").fill(REASON);
    await author
      .getByRole("group", { name: "Revision" })
      .getByRole("radio", { name: /^Major/ })
      .check();
    await author.getByRole("group", { name: "Retraining needed" }).getByRole("radio", { name: /^Yes/ }).check();
    const proposed = author.getByLabel("Proposed effective date");
    await expect(proposed.getAttribute("min")).resolves.toBe(TODAY);
    await proposed.fill(PROPOSED);
    const reviewers = author.getByRole("group", { name: "Reviewers" });
    // The author is not offered as a reviewer of their own change.
    await expect(reviewers.getByRole("checkbox", { name: /Ayesha Rahman/ }).count()).resolves.toBe(0);
    await reviewers.getByRole("checkbox", { name: /Rafael Ortiz/ }).check();
    await screenshot(author, "cr-new");

    await author.getByRole("button", { name: "Open change request" }).click();
    await author.waitForURL(/\/changes\/CR-2026-\d{4}\/edit$/);
    crId = /\/changes\/(CR-2026-\d{4})\/edit$/.exec(author.url())![1]!;
    await author.getByRole("heading", { level: 1, name: "Edit SOP-TS-001 Test Monitoring Procedure" }).waitFor();
    await expect(author.getByLabel("MDX source").inputValue()).resolves.toContain("id: SOP-TS-001");
  });

  it("the editor marks an invalid component with line:column, jumps to it, and previews the fixed draft", async () => {
    const source = author.getByLabel("MDX source");
    const preview = author.getByTestId("preview");
    // The first preview of the unchanged draft: the page is hydrated and the live preview works.
    await preview.getByRole("heading", { name: "Purpose" }).waitFor();
    const headBefore = await author.getByTestId("head").textContent();

    await source.click();
    await author.keyboard.press("Control+End");
    await author.keyboard.type("\n<Nope />\n");
    const text = await source.inputValue();
    const line = text.split("\n").indexOf("<Nope />") + 1;
    expect(line).toBeGreaterThan(10);

    const problems = author.getByRole("list", { name: "Problems in the draft" });
    const jump = problems.getByRole("button", { name: `${line}:1`, exact: true });
    await jump.waitFor();
    await expect(problems.getByRole("listitem").first().textContent()).resolves.toContain("component <Nope> is not allowed; use one of");
    await expect(author.locator(".gutter .gutter-problem").allTextContents()).resolves.toEqual([String(line)]);
    await author.getByText("Fix the problems listed to see the preview; the last valid text is shown below, dimmed.").waitFor();
    await expect(preview.getAttribute("class")).resolves.toContain("stale");
    await screenshot(author, "cr-editor");

    // Clicking line:column puts the caret at the start of that line.
    await source.press("Control+Home");
    expect(await caretLine(author)).toBe(1);
    await jump.click();
    await expect(author.evaluate(() => document.activeElement?.id)).resolves.toBe("source");
    expect(await caretLine(author)).toBe(line);

    // Replace the bad line with a sentence: the problems go and the preview shows the sentence.
    await author.keyboard.press("Shift+End");
    await author.keyboard.type(SENTENCE);
    await author.getByText("No problems: the validator accepts this draft.").waitFor();
    await preview.getByText(SENTENCE).waitFor();
    await expect(author.locator(".gutter .gutter-problem").count()).resolves.toBe(0);
    await preview.getByText(SENTENCE).scrollIntoViewIfNeeded();
    await screenshot(author, "cr-editor-preview");

    await author.getByRole("button", { name: "Save draft" }).click();
    await author.waitForURL(`${server.url}/changes/${crId}/edit?notice=draft-saved`);
    await expect(author.getByRole("status").filter({ hasText: "The draft is saved" }).textContent()).resolves.toBe(
      "The draft is saved as a commit on the change request's branch.",
    );
    await expect(source.inputValue()).resolves.toContain(`\n${SENTENCE}\n`);
    await expect(author.getByTestId("head").textContent()).resolves.not.toBe(headBefore);
    // Saved, so leaving loses nothing.
    await author.getByRole("link", { name: "Back to the change request" }).click();
    await author.waitForURL(`${server.url}/changes/${crId}`);
  });

  it("the author signs Authored: a wrong password signs nothing, the right one submits for review", async () => {
    await author.getByRole("heading", { level: 1, name: "SOP-TS-001 Test Monitoring Procedure" }).waitFor();
    await stateBadge(author, "Draft").waitFor();
    // The redline against v2.0 shows the new sentence as inserted.
    await author.getByRole("insertion").filter({ hasText: SENTENCE }).waitFor();
    await author.getByText("No signatures yet.").waitFor();

    const form = author.getByRole("form", { name: "Sign: Authored" });
    await expect(form.locator(".signature-meaning").textContent()).resolves.toBe("Signature meaning: Authored");
    await expect(form.textContent()).resolves.toContain("I am the author of this content and submit it for review.");
    await expect(printedNameOn(form)).resolves.toBe("Ayesha Rahman");
    const password = form.getByLabel("Your password");

    await password.fill("not-my-password");
    await form.getByRole("button", { name: "Sign and submit" }).click();
    const error = form.getByRole("alert");
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain("The password is not correct, so nothing was signed");
    // The message sits right under the password field and describes it.
    await expect(password.locator("xpath=following-sibling::*[1]").textContent()).resolves.toBe(await error.textContent());
    await expect(password.getAttribute("aria-describedby")).resolves.toBe(await error.getAttribute("id"));
    // The refused password is cleared and the focus is back in the field, ready for another try.
    await expect(password.inputValue()).resolves.toBe("");
    await expect(password.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(author.url()).toBe(`${server.url}/changes/${crId}`);
    await stateBadge(author, "Draft").waitFor();
    await author.getByText("No signatures yet.").waitFor();

    await password.fill(PASSWORD);
    await form.getByRole("button", { name: "Sign and submit" }).click();
    await author.waitForURL(`${server.url}/changes/${crId}?notice=cr-submitted`);
    await stateBadge(author, "In review").waitFor();
    await expect(author.getByRole("status").filter({ hasText: "Submitted for review" }).textContent()).resolves.toBe(
      "Submitted for review and signed as Authored. The named reviewers can now review it.",
    );
    const authored = signatureRow(author, "Authored");
    await expect(authored.textContent()).resolves.toMatch(/Ayesha Rahman \(author\).*Valid/);
    await expect(signatureTable(author).getByRole("row").count()).resolves.toBe(2); // header + Authored
    await expect(author.getByRole("form", { name: "Sign: Authored" }).count()).resolves.toBe(0);
    await author
      .getByRole("status")
      .filter({ hasText: "Before approval:" })
      .filter({ hasText: "1 named reviewer(s) have not signed the current content as reviewed." })
      .waitFor();
    await signatureTable(author).scrollIntoViewIfNeeded();
    await screenshot(author, "cr-submitted");
  });

  it("the reviewer signs Reviewed; QA sets the effective date and approves version 3.0", async () => {
    const reviewer = await signIn("reviewer");
    await reviewer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Change requests" }).click();
    await reviewer.waitForURL(/\/changes$/);
    await expect(reviewer.getByRole("row").filter({ hasText: crId }).textContent()).resolves.toContain("awaits your review");
    // The reviewer's task list names it too.
    await reviewer.getByRole("region", { name: "Your tasks" }).getByRole("link", { name: crId, exact: true }).waitFor();
    await openFromList(reviewer, crId);
    await expect(reviewer.getByRole("form", { name: "Sign: Approved" }).count()).resolves.toBe(0);
    const review = reviewer.getByRole("form", { name: "Sign: Reviewed" });
    await expect(review.locator(".signature-meaning").textContent()).resolves.toBe("Signature meaning: Reviewed");
    await expect(printedNameOn(review)).resolves.toBe("Rafael Ortiz");
    await review.getByLabel("Your password").fill(PASSWORD);
    await review.getByRole("button", { name: "Sign as reviewed" }).click();
    await reviewer.waitForURL(`${server.url}/changes/${crId}?notice=cr-reviewed`);
    await expect(signatureRow(reviewer, "Reviewed").textContent()).resolves.toMatch(/Rafael Ortiz \(reviewer\).*Valid/);
    await stateBadge(reviewer, "In review").waitFor();

    const qa = await signIn("qa");
    await openFromList(qa, crId);
    await stateBadge(qa, "In review").waitFor();
    // Authored and Reviewed both stand on the current content: nothing blocks approval.
    await expect(qa.getByRole("status").filter({ hasText: "Before approval:" }).count()).resolves.toBe(0);
    const approve = qa.getByRole("form", { name: "Sign: Approved" });
    await expect(approve.locator(".signature-meaning").textContent()).resolves.toBe("Signature meaning: Approved");
    await expect(printedNameOn(approve)).resolves.toBe("Quinn Avery");
    const effective = approve.getByLabel("Effective date");
    await expect(effective.inputValue()).resolves.toBe(PROPOSED);
    await effective.fill(EFFECTIVE);
    await approve.getByLabel("Your password").fill(PASSWORD);
    await approve.getByRole("button", { name: "Sign and approve" }).click();
    await qa.waitForURL(`${server.url}/changes/${crId}?notice=cr-approved`);
    await stateBadge(qa, "Approved").waitFor();
    await qa.getByText("This change request is approved: nothing more can be signed on it.").waitFor();
    await expect(signatureRow(qa, "Approved").textContent()).resolves.toMatch(/Quinn Avery \(qa\).*Valid/);
    const version = qa.getByRole("link", { name: "SOP-TS-001 v3.0", exact: true });
    await version.waitFor();
    await screenshot(qa, "cr-approved");

    // The approved version, then its history with the three signatures.
    await version.click();
    await qa.waitForURL(`${server.url}/documents/SOP-TS-001?version=3.0`);
    await qa.getByText(`Approved, effective from ${EFFECTIVE}: not yet in force.`).waitFor();
    await qa.getByRole("link", { name: "History and redlines" }).click();
    await qa.waitForURL(`${server.url}/documents/SOP-TS-001/history`);
    const v3 = qa.getByRole("row").filter({ has: qa.getByRole("link", { name: "v3.0", exact: true }) });
    await v3.waitFor();
    const signatures = await v3.getByRole("listitem").allTextContents();
    expect(signatures).toEqual([
      expect.stringMatching(/^Authored: Ayesha Rahman, 2026-11-25 09:00$/),
      expect.stringMatching(/^Reviewed: Rafael Ortiz, 2026-11-25 09:00$/),
      expect.stringMatching(/^Approved: Quinn Avery, 2026-11-25 09:00$/),
    ]);
    await expect(v3.textContent()).resolves.toContain(REASON);
    await expect(v3.getByRole("link", { name: crId }).count()).resolves.toBe(1);
    await screenshot(qa, "history-signatures");
  });

  it("on the effective date a reader finds version 3.0 in force and version 2.0 superseded", async () => {
    clock.set(`${EFFECTIVE}T08:00:00Z`);
    const reader = await signIn("cra1");
    const row = reader.getByRole("row").filter({ has: reader.getByRole("link", { name: "SOP-TS-001", exact: true }) });
    await expect(row.getByRole("cell").nth(4).textContent()).resolves.toBe("3.0");
    await row.getByRole("link", { name: "SOP-TS-001", exact: true }).click();
    await reader.waitForURL(`${server.url}/documents/SOP-TS-001`);
    await reader.getByRole("article").getByText(SENTENCE).waitFor();
    const metadata = reader.getByRole("complementary", { name: "Document metadata" });
    await expect(definition(metadata, "Version").textContent()).resolves.toBe("3.0");
    await reader.getByRole("link", { name: "History and redlines" }).click();
    await reader.waitForURL(`${server.url}/documents/SOP-TS-001/history`);
    const version = (v: string) => reader.getByRole("row").filter({ has: reader.getByRole("link", { name: `v${v}`, exact: true }) });
    await expect(version("3.0").getByRole("cell").nth(1).textContent()).resolves.toBe("Effective");
    await expect(version("2.0").getByRole("cell").nth(1).textContent()).resolves.toBe("Superseded");
    await expect(version("2.0").getByRole("cell").nth(2).textContent()).resolves.toMatch(new RegExp(`– ${EFFECTIVE}$`));
  });
});
