/**
 * The demo story on a phone (360 px): the /demo hub in Italian and English with working links, the
 * storefront's product → cart → checkout with the cart's total, Soisy's page, the operator's button on
 * the hub, the order page; and the decline texts for an amount out of range and a non-EUR currency.
 * On each page: no horizontal overflow and the main button visible and not covered by anything.
 * Screenshots: test-results/screenshots/demo-*.png.
 */
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotPath, waitForHydration } from "../helpers/browser";
import { eventually, startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { configureShop } from "../../scripts/lib/local-stack";
import { parseKeyring } from "~/security/encryption.server";
import { withCheckChar } from "~/preapproval/fiscal-code";

const INSTORE_SHOP = "e2e-instore.myshopify.com";
const PHONE = { width: 360, height: 740 };

let stack: Stack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ adminOAuth: true, appEnv: { DEMO_MODE: "true" } }), launchBrowser()]);
  const token = "shpat_e2e_instore";
  await configureShop(stack.database.db, parseKeyring(stack.encryptionKey), INSTORE_SHOP, token, { options: { integrationLevel: "preapproval" } });
  stack.shopify.addShop({ domain: INSTORE_SHOP, accessToken: token });
  context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: "it-IT" });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => printAppOutputIfFailed(ctx, stack));

/** The page fits 360 px and `button` is on screen with nothing over its centre; then a screenshot. */
async function fitsPhone(page: Page, button: Locator, name: string) {
  await button.waitFor();
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth), `${name}: page width`).toBeLessThanOrEqual(PHONE.width);
  await button.scrollIntoViewIfNeeded();
  const hit = await button.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { onTop: !!top && (top === el || el.contains(top)), left: r.left, right: r.right, top: r.top, bottom: r.bottom, covering: top?.outerHTML.slice(0, 120) ?? null };
  });
  expect(hit.onTop, `${name}: the button is covered by ${hit.covering}`).toBe(true);
  expect(hit.left >= 0 && hit.right <= PHONE.width && hit.top >= 0 && hit.bottom <= PHONE.height, `${name}: the button is on screen`).toBe(true);
  await page.screenshot({ path: screenshotPath(`demo-${name}`), fullPage: true });
}

async function answers200(page: Page, href: string | null) {
  expect(href).toBeTruthy();
  const res = await page.request.get(new URL(href!, page.url()).toString());
  expect(res.status(), href!).toBe(200);
}

describe("demo hub", () => {
  it("Italian and English, every demo surface linked and answering, example fiscal codes", async () => {
    const page = await context.newPage();
    await page.goto(`${stack.appUrl}/demo`);
    await expect.poll(() => page.locator("h1").textContent()).toContain("Demo offline");
    const online = page.locator(`[data-shop="${stack.shop}"]`);
    const links = {
      product: online.getByRole("link", { name: "Prodotti con il widget Soisy" }),
      cart: online.getByRole("link", { name: "Carrello" }),
      checkout: online.getByRole("link", { name: "Checkout di Shopify" }),
      admin: page.getByRole("link", { name: "Accesso all'admin dell'app" }),
      instore: page.locator(`[data-shop="${INSTORE_SHOP}"]`).getByRole("link", { name: "Checkout del negozio fisico" }),
    };
    for (const link of Object.values(links)) await answers200(page, await link.getAttribute("href"));
    expect(await links.checkout.getAttribute("href")).toBe(`${stack.shopify.url}/checkout?shop=${encodeURIComponent(stack.shop)}`);
    const codes = await page.getByTestId("fiscal-codes").textContent();
    for (const first15 of ["RSSMRA80A01H501", "RFSMRA80A01H501", "ADDMRA80A01H501"]) expect(codes).toContain(withCheckChar(first15));
    expect(codes).toMatch(/approvato.*rifiutato/s);
    await fitsPhone(page, links.checkout, "hub-it");

    // The language switch.
    await page.getByRole("link", { name: "English" }).click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Offline demo");
    expect(await page.getByTestId("fiscal-codes").textContent()).toMatch(/approved.*refused/s);
    await fitsPhone(page, page.getByRole("link", { name: "Log in to the app's admin" }), "hub-en");
    // The in-store link opens the checkout with that shop chosen.
    await page.getByRole("link", { name: "In-store shop checkout" }).click();
    expect(await page.locator("#f-shop").inputValue()).toBe(INSTORE_SHOP);
    await page.close();

    // Without ?lang the browser's language decides, like the shopper pages.
    const english = await fetch(`${stack.appUrl}/demo`, { headers: { "accept-language": "en-GB,en;q=0.9" } });
    expect(await english.text()).toContain("Offline demo");
  });

  it("fund on fulfilment and oversell protection: the hub's authorization and sold-out checkouts, Italian and English", async () => {
    const db = stack.database.db;
    const page = await context.newPage();
    await page.goto(`${stack.appUrl}/demo`);
    const online = page.locator(`[data-shop="${stack.shop}"]`);
    // At approval (the default) only the sold-out checkout: a sale whose items Shopify says are gone.
    expect(await online.getByTestId("authorization-checkout").count()).toBe(0);
    const checkout = `${stack.shopify.url}/checkout?shop=${encodeURIComponent(stack.shop)}`;
    expect(await online.getByRole("link", { name: "Articolo esaurito nel frattempo" }).getAttribute("href")).toBe(`${checkout}&inventory=gone`);

    await db.shopSettings.update({ where: { shop: stack.shop }, data: { fundOn: "fulfilment" } });
    try {
      await page.goto(`${stack.appUrl}/demo`);
      expect(await online.textContent()).toContain("finanziato all'evasione");
      const authorization = online.getByRole("link", { name: "Paga a rate, finanziato all'evasione" });
      expect(await authorization.getAttribute("href")).toBe(`${checkout}&kind=authorization`);
      expect(await online.getByTestId("oversold-checkout").getAttribute("href")).toBe(`${checkout}&kind=authorization&inventory=gone`);
      await fitsPhone(page, authorization, "hub-fulfilment-it");
      await page.goto(`${stack.appUrl}/demo?lang=en`);
      expect(await online.getByRole("link", { name: "Pay in instalments, funded on fulfilment" }).count()).toBe(1);
      await online.getByRole("link", { name: "Item sold out meanwhile" }).click();
      await page.waitForURL(/\/checkout\?/);
      expect(await page.locator("#f-kind").inputValue()).toBe("authorization");
      expect(await page.locator("#f-inventory").inputValue()).toBe("gone");
      await fitsPhone(page, page.getByRole("button", { name: /Paga a rate con Soisy/ }), "checkout-oversold");
    } finally {
      await db.shopSettings.update({ where: { shop: stack.shop }, data: { fundOn: "approval" } });
    }
    await page.close();
  });

  it("the story at 360 px: product → cart → checkout with the cart's total → Soisy → operator on the hub → order page", async () => {
    const page = await context.newPage();
    await page.goto(`${stack.appUrl}/demo`);
    await page.locator(`[data-shop="${stack.shop}"]`).getByRole("link", { name: "Prodotti con il widget Soisy" }).click();
    await page.getByRole("link", { name: "Divano letto Milano" }).click();
    const add = page.getByRole("button", { name: "Aggiungi al carrello" });
    await fitsPhone(page, add, "product");
    await add.click();
    await page.getByText("Aggiunto al carrello").waitFor();
    await page.locator("header").getByRole("link", { name: "Carrello" }).click();
    await page.locator("#q-41001").fill("2");
    await page.locator("#q-41001").dispatchEvent("change");
    await expect.poll(() => page.locator("#cart-total").textContent()).toBe("€ 2.469,12");
    const checkOut = page.getByRole("button", { name: "Vai al checkout" });
    await fitsPhone(page, checkOut, "cart");
    await checkOut.click();
    await page.waitForURL(/\/checkout\?/);
    expect(await page.getByLabel(/^Importo/).inputValue()).toBe("2469.12");
    expect(await page.locator("#f-shop").inputValue()).toBe(stack.shop);
    const pay = page.getByRole("button", { name: /Paga a rate con Soisy/ });
    await fitsPhone(page, pay, "checkout");

    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), pay.click()]);
    const complete = page.getByRole("button", { name: "Completa la richiesta" });
    await page.locator("#loan").waitFor();
    await fitsPhone(page, complete, "soisy");
    const id = [...stack.shopify.paymentSessions.values()].at(-1)!.id;
    expect(stack.shopify.paymentSessions.get(id)?.amount).toBe("2469.12");
    await Promise.all([page.waitForURL(new RegExp(`/orders/${id}`)), complete.click()]);
    await expect.poll(() => page.locator("[data-state]").first().getAttribute("data-state")).toBe("PENDING");

    // Soisy's operator verifies the loan from the hub.
    await page.goto(`${stack.appUrl}/demo`);
    // No secret reaches the hub: Soisy's order token, the API key, Shopify's token, the URL secrets' key.
    const html = await page.content();
    const row = await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } });
    for (const secret of [row.soisyToken!, "partnerkey", stack.accessToken, stack.encryptionKey]) expect(html).not.toContain(secret);
    const payment = page.locator(`[data-payment="${id}"]`);
    const verified = payment.getByRole("button", { name: "Verificato" });
    await fitsPhone(page, verified, "hub-operator");
    await waitForHydration(page);
    await verified.click();
    await eventually(async () => stack.shopify.paymentSessions.get(id)?.state.code === "RESOLVED", 15_000, "resolved after the operator's button");
    await page.goto(`${stack.appUrl}/demo`);
    expect(await page.locator(`[data-payment="${id}"]`).getByTestId("demo-payment-state").textContent()).toBe("Pagato");
    await page.locator(`[data-payment="${id}"]`).getByRole("link", { name: "Pagina dell'ordine" }).click();
    expect(await page.getByTestId("state").textContent()).toBe("RESOLVED");
    await fitsPhone(page, page.getByRole("button", { name: /^Rimborsa/ }), "order");
    await page.close();
  });
});

describe("decline texts say why", () => {
  async function declined(page: Page, amount: string, currency: string): Promise<void> {
    await page.goto(`${stack.shopify.url}/checkout?shop=${encodeURIComponent(stack.shop)}&amount=${amount}&currency=${currency}`);
    await Promise.all([page.waitForURL(/\/payments\/not-eligible\//), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
  }

  it("€50: the amount range, Italian and English; back to checkout shows the app's reason", async () => {
    const page = await context.newPage();
    await declined(page, "50.00", "EUR");
    expect(await page.getByTestId("decline-reason").textContent()).toBe("Soisy finanzia acquisti da € 100,00 a € 15.000,00: questo ordine è di € 50,00.");
    const back = page.getByRole("link", { name: "Scegli un altro metodo di pagamento" });
    await fitsPhone(page, back, "decline-amount-it");
    const url = page.url();
    await page.goto(`${url}?lang=en`);
    expect(await page.getByTestId("decline-reason").textContent()).toBe("Soisy finances purchases from €100.00 to €15,000.00: this order is €50.00.");
    await page.getByRole("link", { name: "Choose another payment method" }).click();
    await page.waitForURL(/\/checkouts\/.*\/cancelled/);
    expect(await page.getByTestId("reject-reason").textContent()).toContain("below the Soisy minimum of €100.00");
    await fitsPhone(page, page.getByRole("link", { name: /Torna al checkout/ }), "decline-cancelled");
    await page.close();
  });

  it("USD: euros only, Italian and English", async () => {
    const page = await context.newPage();
    await declined(page, "200.00", "USD");
    expect(await page.getByTestId("decline-reason").textContent()).toBe("Soisy accetta solo pagamenti in euro: questo ordine è in USD.");
    await page.goto(`${page.url()}?lang=en`);
    expect(await page.getByTestId("decline-reason").textContent()).toBe("Soisy only accepts payments in euros: this order is in USD.");
    await fitsPhone(page, page.getByRole("link", { name: "Choose another payment method" }), "decline-currency-en");
    await page.close();
  });
});

describe("outside the demo", () => {
  it("/demo does not exist without DEMO_MODE (page and operator action)", async () => {
    stack.env.DEMO_MODE = "false";
    await stack.stopApp();
    await stack.startApp();
    try {
      expect((await fetch(`${stack.appUrl}/demo`)).status).toBe(404);
      const post = await fetch(`${stack.appUrl}/demo`, { method: "POST", body: new URLSearchParams({ id: "x", decision: "verified" }) });
      expect(post.status).toBe(404);
    } finally {
      stack.env.DEMO_MODE = "true";
      await stack.stopApp();
      await stack.startApp();
    }
  });
});
