import fs from "node:fs";
import path from "node:path";

import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

import { DEMO_PASSWORD } from "~/modules/setup/demo-users";

/**
 * Debian's Chromium (stack.md pitfall 10); QUIRE_CHROMIUM overrides the path. Playwright gives
 * every launch a fresh, temporary profile of its own.
 */
export const CHROMIUM = process.env.QUIRE_CHROMIUM ?? "/usr/bin/chromium";

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, "..", "..", "test-results", "screenshots");

/** Debian's Chromium, headless, with the flags this machine needs (stack.md pitfall 10). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

let shared: Promise<Browser> | null = null;

/**
 * The test file's Chromium, launched at first use and closed after the file (closeSharedChromium, a
 * setup file's afterAll). Each person gets a context of their own on it: a context has its own
 * cookies, storage and cache, as a separate profile would, without a second Chromium start.
 */
function sharedChromium(): Promise<Browser> {
  shared ??= launchChromium();
  return shared;
}

export async function closeSharedChromium(): Promise<void> {
  const browser = shared;
  shared = null;
  if (browser) await (await browser).close();
}

export async function launchBrowser(): Promise<{ browser: Browser; context: BrowserContext; page: Page; close: () => Promise<void> }> {
  const browser = await sharedChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // A page error or console error is a test failure, as on the server side.
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() !== "error" || isRefusedSubmission(m.text(), m.location().url)) return;
    problems.push(`console.error: ${m.text()}`);
  });
  return {
    browser,
    context,
    page,
    close: async () => {
      await context.close();
      if (problems.length > 0) throw new Error(`The browser reported errors:\n${problems.join("\n")}`);
    },
  };
}

/**
 * Chromium logs every 4xx response as a console error. A form submission answered 400 with field
 * errors (a Remix action's data request, `?_data=`) is the intended answer to bad input, not a fault.
 */
function isRefusedSubmission(text: string, url: string): boolean {
  return text.includes("the server responded with a status of 400") && new URL(url || "about:blank").searchParams.has("_data");
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/**
 * The people of a test file, each in a browser context of their own (their own cookies), signed in through
 * the login form. `closeAll` closes every context, then fails with the first error one reported.
 */
export class People {
  private readonly closers: (() => Promise<void>)[] = [];

  async signIn(baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<Page> {
    const browser = await launchBrowser();
    this.closers.push(browser.close);
    const page = browser.page;
    // Fail fast when something expected never shows.
    page.setDefaultTimeout(10_000);
    await page.goto(baseUrl + "/");
    await page.waitForURL(/\/login\?redirectTo=/);
    await page.getByLabel("User name").fill(username);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(baseUrl + "/");
    return page;
  }

  async closeAll(): Promise<void> {
    const failures: unknown[] = [];
    for (const close of this.closers.splice(0)) await close().catch((e: unknown) => failures.push(e));
    if (failures.length > 0) throw failures[0];
  }
}
