/**
 * The merchant's admin in a browser, shared by the e2e files that drive it: a logged-in browser context
 * and the settings page (open it, submit a form and wait for the answer, wait for a notice).
 */
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { adminSessionCookies } from "./admin-session";
import type { Stack } from "./stack";

/** Chromium's usual user agent: the Shopify library answers "HeadlessChrome" as a bot (410). */
export const ADMIN_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

/** How long one settings action (save, verify, the calls to Shopify it makes) may take on a busy machine. */
export const SETTINGS_ACTION_TIMEOUT_MS = 20_000;

/**
 * A browser context logged in to the stack's admin as `shop` (default: the stack's shop), in `locale`
 * (also sent as Accept-Language), with the usual user agent.
 */
export async function adminContext(
  browser: Browser,
  stack: Stack,
  { locale = "it-IT", shop = stack.shop, ...options }: BrowserContextOptions & { locale?: string; shop?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ userAgent: ADMIN_USER_AGENT, extraHTTPHeaders: { "accept-language": locale }, ...options, locale });
  await context.addCookies(adminSessionCookies(stack.appUrl, stack.env.SHOPIFY_API_SECRET!, shop));
  return context;
}

/** Opens the settings page (`query` such as "?lang=en") and waits for its heading. */
export async function openSettings(page: Page, stack: Stack, query = ""): Promise<void> {
  await page.goto(`${stack.appUrl}/app/settings${query}`);
  await page.getByRole("heading", { level: 1 }).waitFor();
}

/** Clicks a settings submit button and waits until the action answered and the page revalidated. */
export async function submitSettings(page: Page, button: Locator): Promise<void> {
  const marker = page.locator("[data-settings-idle]");
  const before = await marker.getAttribute("data-settings-idle");
  await button.click();
  await expect
    .poll(() => marker.getAttribute("data-settings-idle"), { timeout: SETTINGS_ACTION_TIMEOUT_MS })
    .toSatisfy((v: string | null) => !!v && v !== before);
}

/** Waits for a notice (or any text) containing `text` on the page. */
export async function waitForNotice(page: Page, text: string): Promise<void> {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: SETTINGS_ACTION_TIMEOUT_MS });
}
