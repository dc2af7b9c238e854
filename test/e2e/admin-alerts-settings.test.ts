/**
 * The settings page's "Alerts and Soisy data" card in Chromium, in Italian and English: errors shown
 * inline next to their fields (nothing saved), a valid save stored in ShopSettings, and "send a test
 * e-mail" received by a real SMTP server (the mail simulator) in the shop's alert language.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { adminContext, openSettings, submitSettings, waitForNotice } from "../helpers/admin-page";
import { screenshotPath } from "../helpers/browser";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";
import type { Stack } from "../helpers/stack";
import { freePort, spawnApp, stopProcess } from "../../scripts/lib/local-stack";
import { startMailSimulator, type MailSimulator } from "../simulators/mail/simulator";

const SHOP = "alerts-settings.myshopify.com";
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let mail: MailSimulator;

beforeAll(async () => {
  mail = await startMailSimulator();
  [stack, browser] = await startStackAndBrowser({ shop: SHOP, adminOAuth: true, appEnv: { SMTP_URL: mail.smtpUrl, ALERT_POLL_MS: "600000" } });
  context = await adminContext(browser, stack, { locale: "it-IT" });
  page = await context.newPage();
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await closeAll(context, browser, stack);
  await mail?.close();
});

const stored = () =>
  stack.database.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP }, select: { alertEmail: true, alertLocale: true, alertDigest: true, settleRefundsFromSoisy: true, payoutGraceDays: true } });
const form = () => page.getByRole("form", { name: /Avvisi e dati Soisy|Alerts and Soisy data/ });

/** The error text Polaris shows under a field (linked by aria-describedby). */
async function inlineError(id: string): Promise<string> {
  const described = (await page.locator(`#${id}`).getAttribute("aria-describedby")) ?? "";
  const errorId = described.split(" ").find((d) => d.endsWith("Error"));
  return errorId ? ((await page.locator(`#${errorId}`).textContent()) ?? "").trim() : "";
}

describe("alert settings", () => {
  it("shows Italian errors inline and saves nothing; then saves a valid form (defaults first)", async () => {
    await openSettings(page, stack);
    expect(await stored()).toEqual({ alertEmail: null, alertLocale: "it", alertDigest: false, settleRefundsFromSoisy: true, payoutGraceDays: 7 });
    await expect.poll(() => page.locator("#settleRefundsFromSoisy").isChecked()).toBe(true);
    await page.locator("#alertEmail").fill("non-un-indirizzo");
    await page.locator("#payoutGraceDays").fill("61");
    await submitSettings(page, form().getByRole("button", { name: "Salva" }));
    expect(await inlineError("alertEmail")).toBe("Inserisci un indirizzo e-mail valido, per esempio nome@negozio.it.");
    expect(await inlineError("payoutGraceDays")).toBe("Inserisci un numero di giorni da 1 a 60.");
    expect(await page.locator("#alertEmail").inputValue()).toBe("non-un-indirizzo");
    expect((await stored()).alertEmail).toBeNull();
    await page.screenshot({ path: screenshotPath("alerts-settings-errors-it.png"), fullPage: true });

    await page.locator("#alertEmail").fill("titolare@negozio.example");
    await page.locator("#payoutGraceDays").fill("14");
    await page.locator("#alertLocale").selectOption("en");
    await page.locator("#alertDigest").selectOption("daily");
    await page.locator("#settleRefundsFromSoisy").uncheck({ force: true });
    await submitSettings(page, form().getByRole("button", { name: "Salva" }));
    await waitForNotice(page, "Impostazioni degli avvisi salvate.");
    expect(await stored()).toEqual({ alertEmail: "titolare@negozio.example", alertLocale: "en", alertDigest: true, settleRefundsFromSoisy: false, payoutGraceDays: 14 });
  });

  it("sends a test e-mail to the saved address, in the alert language", async () => {
    await openSettings(page, stack);
    await submitSettings(page, page.getByRole("button", { name: "Invia un'e-mail di prova" }));
    await waitForNotice(page, "E-mail di prova inviata a titolare@negozio.example.");
    const [received] = await mail.waitFor(1);
    expect(received!.to).toEqual(["titolare@negozio.example"]);
    // The shop's name as Shopify's Admin API gave it (the settings page stores it), else its domain.
    const name = (await stack.database.db.shopSettings.findUniqueOrThrow({ where: { shop: SHOP } })).shopName ?? SHOP;
    expect(received!.subject).toBe(`[${name}] Test e-mail from Soisy for Shopify`);
    expect(received!.text).toContain(`The alerts of the shop ${name} will reach this address.`);
  });

  it("shows English errors inline on the English page", async () => {
    await openSettings(page, stack, "?lang=en");
    await page.locator("#alertEmail").fill("owner@");
    await page.locator("#payoutGraceDays").fill("0");
    await submitSettings(page, page.getByRole("form", { name: "Alerts and Soisy data" }).getByRole("button", { name: "Save" }));
    expect(await inlineError("alertEmail")).toBe("Enter a valid e-mail address, for example name@shop.com.");
    expect(await inlineError("payoutGraceDays")).toBe("Enter a number of days from 1 to 60.");
    expect((await stored()).alertEmail).toBe("titolare@negozio.example");
    await page.screenshot({ path: screenshotPath("alerts-settings-errors-en.png"), fullPage: true });
  });

  it("says mails are not configured on a server without SMTP_URL, and offers no test e-mail", async () => {
    // A second instance of the app on the same database, without SMTP (the admin login is the same shop's).
    const port = await freePort();
    const bare = await spawnApp({ port, env: { ...stack.env, SMTP_URL: "" } });
    try {
      await page.goto(`http://127.0.0.1:${port}/app/settings?lang=en`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.getByText("E-mail is not configured on this server (SMTP_URL): alerts stay visible in the app only.").waitFor();
      expect(await page.getByRole("button", { name: "Send a test e-mail" }).count()).toBe(0);
      // The same page with SMTP says nothing of the kind.
      await openSettings(page, stack, "?lang=en");
      expect(await page.locator("[data-mail-not-configured]").count()).toBe(0);
      expect(await page.getByRole("button", { name: "Send a test e-mail" }).count()).toBe(1);
    } finally {
      await stopProcess(bare, "SIGKILL");
    }
  });
});
