import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEMO_USERS } from "~/modules/setup/demo-users";

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

const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.id ?? null);

describe("user administration in Chromium", () => {
  let oneTimePassword = "";

  it("an administrator creates a user with the keyboard and sees the one-time password once", async () => {
    await page.goto(server.url + "/admin/users");
    await page.waitForURL(/\/login\?redirectTo=%2Fadmin%2Fusers/);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill("quire-demo-2026");
    await page.keyboard.press("Enter");
    await page.waitForURL(server.url + "/admin/users");
    await page.locator("table.users-table").waitFor();
    await expect(page.title()).resolves.toBe("Users · Quire");
    expect(await page.locator("table.users-table tbody tr").count()).toBe(DEMO_USERS.length);
    await screenshot(page, "users-list");

    // "New user" is a link reachable from the keyboard.
    await page.getByRole("link", { name: "New user" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/admin\/users\/new$/);
    await page.locator("form input[name=username]").waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "username");
    await page.keyboard.type("p.okafor");
    await page.keyboard.press("Tab");
    expect(await focusedName()).toBe("displayName");
    await page.keyboard.type("Priya Okafor");
    await page.keyboard.press("Tab");
    expect(await focusedName()).toBe("email");
    await page.keyboard.type("priya.okafor@example.org");
    // Submitting without a role: the field error names the roles group, nothing is created.
    await page.keyboard.press("Enter");
    await page.locator("#roles-error").waitFor();
    await expect(page.locator("#roles-error").textContent()).resolves.toBe("Choose at least one role: without one the person can open nothing");
    await expect(page.locator(".banner-error").textContent()).resolves.toContain("The account was not created");
    // Focus lands on the field to correct: the first role checkbox.
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "roles");
    await screenshot(page, "user-new-errors");

    // Checkboxes: Tab into the group, Space to tick.
    await page.getByRole("checkbox", { name: /^Staff/ }).focus();
    await page.keyboard.press("Space");
    await page.getByRole("checkbox", { name: "Clinical Research Associate" }).focus();
    await page.keyboard.press("Space");
    await page.getByLabel("Reason (optional)").focus();
    await page.keyboard.type("New CRA, access request AR-2026-40");
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Create user");
    await page.keyboard.press("Enter");

    await page.locator("#one-time-password").waitFor();
    oneTimePassword = (await page.locator("#one-time-password").textContent()) ?? "";
    expect(oneTimePassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    await expect(page.locator("h1").textContent()).resolves.toBe("Account created for Priya Okafor");
    // Focus moves to the result, so a screen reader announces it.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("one-time-heading");
    await expect(page.locator(".one-time-notes").textContent()).resolves.toContain("It is shown only this once.");
    await screenshot(page, "user-created");

    await page.getByRole("link", { name: "Open Priya Okafor's account" }).click();
    await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
    await page.locator("h1", { hasText: "Priya Okafor" }).waitFor();
    await expect(page.locator(".account-summary").textContent()).resolves.toContain("Must change password");
    await expect(page.locator(".audit-events").textContent()).resolves.toContain("New CRA, access request AR-2026-40");
    expect(await page.content()).not.toContain(oneTimePassword);
    await screenshot(page, "user-account");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login\?signedOut=1/);
  });

  it("the new user signs in, must change the password, then sees the library", async () => {
    await page.getByLabel("User name").fill("p.okafor");
    await page.getByLabel("Password").fill(oneTimePassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/account\/password\?required=1$/);
    await expect(page.locator(".banner-warning").textContent()).resolves.toContain("A password change is required before you continue.");
    await expect(page.locator("nav[aria-label=Main] a").count()).resolves.toBe(0);
    await screenshot(page, "password-required");

    // The library stays closed.
    await page.goto(server.url + "/");
    await page.waitForURL(/\/account\/password\?required=1$/);

    await page.getByLabel("Current password").fill(oneTimePassword);
    await page.getByLabel("New password", { exact: true }).fill("short one");
    await page.getByLabel("Confirm new password").fill("short one");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.locator("#password-error").waitFor();
    await expect(page.locator("#password-error").textContent()).resolves.toBe("The new password must be at least 12 characters long.");
    await screenshot(page, "password-errors");

    await page.getByLabel("Current password").fill(oneTimePassword);
    await page.getByLabel("New password", { exact: true }).fill("monitoring visits on tuesdays");
    await page.getByLabel("Confirm new password").fill("monitoring visits on tuesdays");
    await page.getByLabel("Confirm new password").press("Enter");
    await page.waitForURL(server.url + "/?notice=password-changed");
    await page.locator("table.library").waitFor();
    await expect(page.locator(".banner-success").textContent()).resolves.toBe("Your password has been changed.");
    await expect(page.locator(".user-menu").textContent()).resolves.toContain("Priya Okafor");
    await expect(page.locator("nav[aria-label=Main]").textContent()).resolves.toContain("Library");
    await screenshot(page, "library-after-password-change");
  });

  it("the administrator forces a password reset and sees the new one-time password on the account page", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login\?signedOut=1/);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill("quire-demo-2026");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(server.url + "/");
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("link", { name: "p.okafor" }).click();
    await page.waitForURL(/\/admin\/users\/[0-9a-f-]{36}$/);
    await page.locator("#reset-password-reason").fill("Forgotten after holiday");
    await page.getByRole("button", { name: "Reset password" }).click();
    await page.locator("#one-time-password").waitFor();
    const reset = (await page.locator("#one-time-password").textContent()) ?? "";
    expect(reset).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(reset).not.toBe(oneTimePassword);
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("one-time-heading");
    // The one-time password comes with the action's answer; the summary and events with the loaders' revalidation after it.
    await page.locator(".account-summary", { hasText: "Must change password" }).waitFor();
    await page.locator(".audit-events tbody tr").first().filter({ hasText: "Forgotten after holiday" }).waitFor();
    await screenshot(page, "user-password-reset");
  });
});
