/** Debian's Chromium driven by playwright-core (no browser download). */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = path.resolve(import.meta.dirname, "../../test-results/screenshots");

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/**
 * The browser's own user agent without "Headless": Shopify's library answers bots on OAuth begin with
 * 410, and "HeadlessChrome" is one.
 */
export async function headedUserAgent(browser: Browser): Promise<string> {
  const probe = await browser.newPage();
  const userAgent = (await probe.evaluate(() => navigator.userAgent)).replace("HeadlessChrome", "Chrome");
  await probe.close();
  return userAgent;
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, `${name.replace(/[^a-z0-9-]+/gi, "-")}.png`);
}

/** Waits until React has hydrated the page (app/root.tsx marks <html data-hydrated>): clicks that need JavaScript are not lost. */
export async function waitForHydration(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: timeoutMs });
}
