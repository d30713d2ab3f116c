import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { People, screenshot } from "../helpers/browser";
import { TestClock } from "../helpers/clock";
import { copyDataFolder } from "../helpers/data-folder";
import { startServer, type RunningServer } from "../helpers/server";

/**
 * Periodic review and retirement as a quality manager walks them in Chromium: the due/overdue list
 * from the navigation, a signed "no change needed" review of the overdue document (a wrong password
 * first), a retirement from a date a few days ahead, and, once that date has come, what staff see.
 * The same feature over HTTP, with the refusals in detail, is test/http/periodic-review.test.ts.
 *
 * The fixture's demo: QM-001 v1.0 (24 months) and FRM-TS-001 v1.0 (36 months) effective 2025-02-03,
 * SOP-TS-001 v2.0 (12 months) effective 2026-03-02. On 2027-02-10 QM-001's review (2027-02-03) is
 * 7 days overdue, SOP-TS-001's (2027-03-02) due in 20 days, FRM-TS-001's (2028-02-03) not yet due.
 */
const PASSWORD = "quire-demo-2026";
const TODAY = "2027-02-10";
const RETIRE_FROM = "2027-02-15";
const AFTER_RETIREMENT = "2027-02-16";
const COMMENT = "Checked against ICH E6(R3) and the current organisation chart.";
const RETIRE_REASON = "Replaced by the electronic CRF module; the paper form is no longer used.";

let server: RunningServer;
const clock = new TestClock(`${TODAY}T09:00:00Z`);
const people = new People();

beforeAll(async () => {
  const { dataDir } = await copyDataFolder("fixture-demo-review-day"); // set up at TODAY 08:00
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

/** The <dd> that follows the <dt> with exactly this term. */
const definition = (scope: Locator, term: string) => scope.locator(`xpath=.//dt[normalize-space()="${term}"]/following-sibling::dd[1]`);
const nav = (page: Page) => page.getByRole("navigation", { name: "Main" });
/** A table row whose first link is the document ID. */
const docRow = (page: Page, id: string) => page.getByRole("row").filter({ has: page.getByRole("link", { name: id, exact: true }) });
const cellText = (row: Locator, i: number) => row.getByRole("cell").nth(i).innerText();
const reviewIds = (page: Page) => page.locator("table.reviews tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-doc-id")));
const notice = (page: Page, text: string) => page.getByRole("status").filter({ hasText: text });

/** The date `months` calendar months after an ISO date (UTC). */
function addMonths(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

async function openReviews(page: Page): Promise<void> {
  await nav(page).getByRole("link", { name: "Periodic reviews" }).click();
  await page.waitForURL(/\/reviews$/);
  await page.getByRole("heading", { level: 1, name: "Periodic reviews" }).waitFor();
  await expect.poll(() => page.title()).toBe("Periodic reviews · Quire");
}

describe("periodic review and retirement in Chromium, as the quality manager", () => {
  let qa: Page;

  it("the navigation leads to the due and overdue reviews, with counts and a filter", async () => {
    qa = await signIn("qa");
    await openReviews(qa);
    await qa.getByText(`Status on ${TODAY}.`).waitFor();

    const counts = qa.getByRole("list", { name: "Reviews by status" });
    await expect(counts.getByRole("listitem").allInnerTexts()).resolves.toEqual(["1 overdue", "1 due within 60 days", "1 not yet due"]);
    await expect(qa.locator("#result-count").innerText()).resolves.toBe("Showing 2 of 3 documents in force (due and overdue)");
    await expect(reviewIds(qa)).resolves.toEqual(["QM-001", "SOP-TS-001"]);

    const overdue = docRow(qa, "QM-001");
    await expect(cellText(overdue, 1)).resolves.toBe("Test Quality Manual");
    await expect(cellText(overdue, 6)).resolves.toBe("2027-02-03\n7 days overdue");
    await expect(cellText(overdue, 7)).resolves.toBe("Overdue");
    await expect(overdue.getByRole("link", { name: "Review", exact: true }).getAttribute("href")).resolves.toBe("/documents/QM-001/review");
    const due = docRow(qa, "SOP-TS-001");
    await expect(cellText(due, 6)).resolves.toBe("2027-03-02\n20 days left");
    await expect(cellText(due, 7)).resolves.toBe("Due");
    await screenshot(qa, "reviews-due");

    // The filter narrows the list to the overdue document.
    await qa.getByLabel("Show").selectOption({ label: "Overdue only" });
    await qa.getByRole("button", { name: "Show", exact: true }).click();
    await qa.waitForURL(/\/reviews\?status=overdue$/);
    await qa.getByText("Showing 1 of 3 documents in force (overdue only)").waitFor();
    await expect(reviewIds(qa)).resolves.toEqual(["QM-001"]);
  });

  it("signs the overdue document's review: a wrong password signs nothing, the right one restarts the interval", async () => {
    await docRow(qa, "QM-001").getByRole("link", { name: "Review", exact: true }).click();
    await qa.waitForURL(`${server.url}/documents/QM-001/review`);
    await qa.getByRole("heading", { level: 1, name: "Periodic review of Test Quality Manual" }).waitFor();
    await expect.poll(() => qa.title()).toBe("Periodic review of QM-001 · Quire");
    const facts = qa.locator(".review-facts");
    await expect(definition(facts, "Version").innerText()).resolves.toBe("1.0 Effective");
    await expect(definition(facts, "Review interval").innerText()).resolves.toBe("24 months");
    await expect(definition(facts, "Next review").innerText()).resolves.toBe(`2027-02-03 Overdue 7 days overdue on ${TODAY}`);
    await qa.getByText("No periodic review has been recorded yet.").waitFor();
    await expect(qa.getByRole("link", { name: "Open a change request instead" }).getAttribute("href")).resolves.toBe(
      "/changes/new?doc=QM-001&reason=Periodic%20review",
    );

    const form = qa.getByRole("form", { name: "Sign: Periodic review" });
    await expect(form.locator(".signature-meaning").innerText()).resolves.toBe("Signature meaning: Periodic review");
    await expect(definition(form, "Printed name").innerText()).resolves.toBe("Quinn Avery");
    const comment = form.getByLabel("Comment (optional)");
    const password = form.getByLabel("Your password");
    await comment.fill(COMMENT);

    await password.fill("not-my-password");
    await form.getByRole("button", { name: "Sign: no change needed" }).click();
    const error = form.getByRole("alert");
    await error.waitFor();
    await expect(error.innerText()).resolves.toMatch(/^The password is not correct, so nothing was signed\. /);
    // The message sits right under the password field and describes it.
    await expect(password.locator("xpath=following-sibling::*[1]").innerText()).resolves.toBe(await error.innerText());
    await expect(password.getAttribute("aria-describedby")).resolves.toBe(await error.getAttribute("id"));
    // The refused password is cleared and the focus is back in the field; the comment is kept.
    // (Soft, so that the rest of the walk still runs and reports if only this contract breaks.)
    await expect(password.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(await password.inputValue(), "the refused password is cleared").toBe("");
    await expect(comment.inputValue()).resolves.toBe(COMMENT);
    // Nothing recorded: no review, and the list still shows the document overdue.
    expect(qa.url()).toBe(`${server.url}/documents/QM-001/review`);
    await qa.getByText("No periodic review has been recorded yet.").waitFor();
    await openReviews(qa);
    await expect(cellText(docRow(qa, "QM-001"), 7)).resolves.toBe("Overdue");
    await docRow(qa, "QM-001").getByRole("link", { name: "Review", exact: true }).click();
    await qa.waitForURL(`${server.url}/documents/QM-001/review`);
    await qa.getByRole("heading", { level: 1, name: "Periodic review of Test Quality Manual" }).waitFor();

    await form.getByLabel("Comment (optional)").fill(COMMENT);
    await form.getByLabel("Your password").fill(PASSWORD);
    await form.getByRole("button", { name: "Sign: no change needed" }).click();
    await qa.waitForURL(`${server.url}/documents/QM-001/review?notice=periodic-review-signed`);
    await expect(notice(qa, "Periodic review signed").innerText()).resolves.toBe(
      "Periodic review signed: no change needed. The review interval restarts from today.",
    );
    // The next review moves on by the interval from today, and the review is on record.
    const next = addMonths(TODAY, 24);
    expect(next).toBe("2029-02-10");
    await expect(definition(facts, "Last “no change” review").innerText()).resolves.toBe(TODAY);
    await expect(definition(facts, "Next review").innerText()).resolves.toBe(`${next} Not yet due 731 days left on ${TODAY}`);
    await expect(definition(facts, "Version").innerText()).resolves.toBe("1.0 Effective");
    const history = qa.getByRole("region", { name: "Periodic reviews of QM-001" });
    const records = history.getByRole("row");
    await expect(records.count()).resolves.toBe(2); // header + one review
    const record = records.nth(1);
    await expect(cellText(record, 0)).resolves.toBe(TODAY);
    await expect(cellText(record, 1)).resolves.toBe("1.0");
    await expect(cellText(record, 2)).resolves.toBe("No change needed");
    await expect(cellText(record, 3)).resolves.toBe("Quinn Avery (qa)");
    await expect(cellText(record, 4)).resolves.toBe(`${TODAY} 09:00`);
    await expect(cellText(record, 6)).resolves.toBe(COMMENT);
    await screenshot(qa, "review-signed");

    // It has left the due and overdue list; "All documents in force" shows its new date.
    await openReviews(qa);
    await expect(qa.getByRole("list", { name: "Reviews by status" }).getByRole("listitem").allInnerTexts()).resolves.toEqual([
      "0 overdue",
      "1 due within 60 days",
      "2 not yet due",
    ]);
    await expect(reviewIds(qa)).resolves.toEqual(["SOP-TS-001"]);
    await qa.getByLabel("Show").selectOption({ label: "All documents in force" });
    await qa.getByRole("button", { name: "Show", exact: true }).click();
    await qa.waitForURL(/\/reviews\?status=all$/);
    const reviewed = docRow(qa, "QM-001");
    await expect(cellText(reviewed, 5)).resolves.toBe(TODAY);
    await expect(cellText(reviewed, 6)).resolves.toBe(`${next}\n731 days left`);
    await expect(cellText(reviewed, 7)).resolves.toBe("Not yet due");
  });

  it("withdraws another document from a date a few days ahead: the document controller asks, the quality manager signs", async () => {
    const dc = await signIn("dc");
    await nav(dc).getByRole("link", { name: "Library" }).click();
    await dc.waitForURL(server.url + "/");
    await docRow(dc, "FRM-TS-001").getByRole("link", { name: "FRM-TS-001", exact: true }).click();
    await dc.waitForURL(`${server.url}/documents/FRM-TS-001`);
    await dc.getByRole("link", { name: "Withdraw the document" }).click();
    await dc.waitForURL(`${server.url}/documents/FRM-TS-001/retire`);
    await dc.getByRole("heading", { level: 1, name: "Withdraw Test Visit Report Form" }).waitFor();
    // No open change request blocks it.
    await expect(dc.getByText("has an open change request").count()).resolves.toBe(0);
    const request = dc.getByRole("form", { name: "Request the withdrawal" });
    await request.getByLabel("Reason for withdrawal").fill(RETIRE_REASON);
    const from = request.getByLabel("Retired from");
    await expect(from.getAttribute("min")).resolves.toBe(TODAY);
    await expect(from.inputValue()).resolves.toBe(TODAY);
    await from.fill(RETIRE_FROM);
    await request.getByRole("button", { name: "Request withdrawal" }).click();
    await dc.waitForURL(/\/changes\/CR-\d{4}-\d{4}\/withdrawal\?notice=withdrawal-requested$/);
    const requestUrl = dc.url().replace(/\?notice=.*$/, "");
    // The URL changes before React renders the page it leads to: wait for the notice, then count it.
    await notice(dc, "The withdrawal request is open").first().waitFor();
    await expect(notice(dc, "The withdrawal request is open").count()).resolves.toBe(1);
    // The requester does not approve it: no signing form, the reason said instead.
    await expect(dc.getByRole("form", { name: "Sign: Retired" }).count()).resolves.toBe(0);
    await expect(dc.getByText("You requested this withdrawal, so another person approves it.").count()).resolves.toBe(1);

    await qa.goto(requestUrl);
    await qa.getByRole("heading", { level: 1, name: "Withdraw FRM-TS-001 Test Visit Report Form" }).waitFor();
    const form = qa.getByRole("form", { name: "Sign: Retired" });
    await expect(form.locator(".signature-meaning").innerText()).resolves.toBe("Signature meaning: Retired");
    await expect(definition(form, "Printed name").innerText()).resolves.toBe("Quinn Avery");
    // A wrong password retires nothing.
    const password = form.getByLabel("Your password");
    await password.fill("not-my-password");
    await form.getByRole("button", { name: "Sign and retire" }).click();
    await expect(form.getByRole("alert").innerText()).resolves.toMatch(/^The password is not correct, so nothing was signed\. /);
    await expect(password.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    expect(await password.inputValue(), "the refused password is cleared").toBe("");
    expect(qa.url()).toBe(requestUrl);

    await password.fill(PASSWORD);
    await form.getByRole("button", { name: "Sign and retire" }).click();
    await qa.waitForURL(`${server.url}/documents/FRM-TS-001/retire?notice=document-retired`);
    await expect(notice(qa, "The document is retired").innerText()).resolves.toBe(
      "The document is retired with your signed reason. From the retirement date no version is in force.",
    );
    const facts = qa.locator(".review-facts");
    await expect(definition(facts, "Status").innerText()).resolves.toBe("Retiring; version 1.0 in force until then");
    await expect(definition(facts, "Retired from").innerText()).resolves.toBe(RETIRE_FROM);
    await expect(definition(facts, "Reason").innerText()).resolves.toBe(RETIRE_REASON);
    await expect(definition(facts, "Final approval").innerText()).resolves.toBe(`Quinn Avery (qa), ${TODAY} 09:00 UTC, meaning “Retired”`);
    await screenshot(qa, "withdrawal-approved");

    // Until then the version stays in force; the document page and history announce the retirement.
    await qa.locator(".breadcrumb").getByRole("link", { name: "FRM-TS-001" }).click();
    await qa.waitForURL(`${server.url}/documents/FRM-TS-001`);
    const metadata = qa.getByRole("complementary", { name: "Document metadata" });
    await expect(definition(metadata, "Status").innerText()).resolves.toBe(`Effective on ${TODAY}`);
    await expect(definition(metadata, "Retired from").innerText()).resolves.toBe(`${RETIRE_FROM}, signed by Quinn Avery: ${RETIRE_REASON}`);
    await qa.getByRole("link", { name: "History and redlines" }).click();
    await qa.waitForURL(`${server.url}/documents/FRM-TS-001/history`);
    await expect(notice(qa, "Retired from").innerText()).resolves.toBe(
      `Retired from ${RETIRE_FROM}, signed by Quinn Avery on ${TODAY} 09:00 UTC: ${RETIRE_REASON}`,
    );
    const v1 = qa.getByRole("row").filter({ has: qa.getByRole("link", { name: "v1.0", exact: true }) });
    await expect(cellText(v1, 1)).resolves.toBe("Effective");
  });

  it("after the retirement date staff find the document Retired, with no version in force and no signing links", async () => {
    clock.set(`${AFTER_RETIREMENT}T09:00:00Z`);
    const staff = await signIn("cra1");
    const row = docRow(staff, "FRM-TS-001");
    await expect(cellText(row, 4)).resolves.toBe("1.0");
    await expect(cellText(row, 5)).resolves.toBe("Retired");
    await expect(cellText(row, 7)).resolves.toBe("–");
    await row.getByRole("link", { name: "FRM-TS-001", exact: true }).click();
    await staff.waitForURL(`${server.url}/documents/FRM-TS-001`);
    await staff.getByRole("heading", { level: 1, name: "Test Visit Report Form" }).waitFor();
    await expect(notice(staff, "Retired from").innerText()).resolves.toBe(
      `Retired from ${RETIRE_FROM}: no version of this document is in force; shown for reference only.`,
    );
    const metadata = staff.getByRole("complementary", { name: "Document metadata" });
    await expect(definition(metadata, "Status").innerText()).resolves.toBe(`Retired from ${RETIRE_FROM}`);
    await expect(definition(metadata, "Retired from").innerText()).resolves.toBe(`${RETIRE_FROM}, signed by Quinn Avery: ${RETIRE_REASON}`);
    // Staff may read, not sign: no periodic review or retirement links.
    await expect(staff.getByRole("link", { name: "Periodic review", exact: true }).count()).resolves.toBe(0);
    await expect(staff.getByRole("link", { name: "Withdraw the document" }).count()).resolves.toBe(0);
    await screenshot(staff, "retired");

    // A retired document has no review to do; staff see the list without Review links.
    await openReviews(staff);
    await expect(reviewIds(staff)).resolves.toEqual(["SOP-TS-001"]);
    await expect(staff.getByRole("link", { name: "Review", exact: true }).count()).resolves.toBe(0);
  });

  it("a staff member opening a review page directly gets 403 naming document.approve", async () => {
    // A second tab in the staff member's browser (same session). Chromium logs the 403 response as a
    // console error, which the first tab's guard would count as a fault: here it is the one expected.
    const signedIn = await signIn("cra1");
    const staff = await signedIn.context().newPage();
    const problems: string[] = [];
    staff.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    staff.on("console", (m) => {
      if (m.type() === "error" && m.text() !== "Failed to load resource: the server responded with a status of 403 (Forbidden)") problems.push(m.text());
    });
    const response = await staff.goto(`${server.url}/documents/QM-001/review`);
    expect(response?.status()).toBe(403);
    await staff.getByRole("heading", { level: 1, name: "403 Forbidden" }).waitFor();
    await staff.getByText("You do not have the permission document.approve needed for this page or action.").waitFor();
    await expect(staff.getByRole("form", { name: "Sign: Periodic review" }).count()).resolves.toBe(0);
    await staff.close();
    expect(problems).toEqual([]);
  });
});
