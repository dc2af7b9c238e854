/**
 * README.md's "The demo, step by step", walked as a newcomer would: the real `npm run demo -- --no-build`
 * (free ports, its own DEMO_DIR), the URLs its banner prints, Debian's Chromium with a normal desktop
 * user agent (Shopify's library answers "HeadlessChrome" with 410). Each step opens the URLs the README
 * names (default ports mapped to the banner's) and checks what the README promises there.
 * Screenshots: test-results/screenshots/readme-step-<n>-*.png.
 */
import { exec } from "node:child_process";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { headedUserAgent, launchBrowser, screenshotPath, waitForHydration } from "../helpers/browser";
import { onDemo, readmeDemoSteps, startDemo, type DemoRun } from "../helpers/demo-run";
import { eventually, repoRoot } from "../helpers/stack";

const SHOP = "soisy-demo.myshopify.com";
const INSTORE_SHOP = "soisy-demo-instore.myshopify.com";
const WIDGET = "[data-soisy-widget]";

let demo: DemoRun;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const steps = readmeDemoSteps();
/** The payment of step 2, followed through steps 3, 4 and 6. */
let paymentId = "";
let orderUrl = "";

/** The URLs (in backticks) README step n names, on the running demo's ports. */
function stepUrls(n: number): string[] {
  return [...steps[n - 1]!.matchAll(/`(http:\/\/[^`\s]+)`/g)].map((m) => onDemo(m[1]!, demo));
}
const shot = (n: number, name: string) => page.screenshot({ path: screenshotPath(`readme-step-${n}-${name}`), fullPage: true });
const quote = () => page.locator(`${WIDGET} [data-soisy-quote]`).textContent();

beforeAll(async () => {
  [demo, browser] = await Promise.all([startDemo(), launchBrowser()]);
  const userAgent = await headedUserAgent(browser);
  context = await browser.newContext({ locale: "it-IT", userAgent, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
}, 150_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await demo?.stop();
});

afterEach((ctx) => {
  if (ctx.task.result?.state === "fail" && demo) console.error(`--- demo output ---\n${demo.output().slice(-4_000)}`);
});

describe("README: the demo, step by step", { timeout: 60_000 }, () => {
  it("has the eight steps this test walks", () => {
    expect(steps.length).toBe(8);
    expect(steps[0]).toMatch(/^\*\*Shopper, product page\*\*/);
    expect(steps[5]).toMatch(/^\*\*Operator\*\*/);
    expect(steps[6]).toMatch(/^\*\*Fund on fulfilment\*\*/);
    expect(steps[7]).toMatch(/^\*\*Money the merchant can follow\*\*/);
  });

  it("1. product page: the widget's instalments, hidden below the minimum, cart quantities, English", async () => {
    const [productUrl] = stepUrls(1);
    expect(productUrl).toBe(demo.urls["Product page with the Soisy widget (Shopify simulator)"]);
    await page.goto(productUrl!);
    await expect.poll(quote, { timeout: 15_000 }).toMatch(/^Paga in 12 rate da €\s\d[\d.]*,\d\d con Soisy/);
    expect(steps[0]).toContain("Paga in 12 rate da € X con Soisy");
    await shot(1, "product");

    // The README's variant: € 49,90 is below the shop's minimum, the widget hides.
    const cheap = await page.locator("#variant option", { hasText: "49,90" }).getAttribute("value");
    await page.selectOption("#variant", cheap!);
    await expect.poll(() => page.locator(WIDGET).evaluate((el) => (el as HTMLElement).hidden), { timeout: 10_000 }).toBe(true);
    await shot(1, "below-minimum");

    // Back to an eligible variant, into the cart, then a quantity change on /cart.
    const first = await page.locator("#variant option").first().getAttribute("value");
    await page.selectOption("#variant", first!);
    await expect.poll(quote, { timeout: 10_000 }).toMatch(/^Paga in 12 rate/);
    await page.getByRole("button", { name: "Aggiungi al carrello" }).click();
    await page.getByText("Aggiunto al carrello").waitFor();
    await page.locator("header").getByRole("link", { name: "Carrello" }).click();
    await page.waitForURL(/\/cart/);
    const total = page.locator("#cart-total");
    const before = await total.textContent();
    const quantity = page.locator(`input[id^="q-"]`).first();
    await quantity.fill("2");
    await quantity.dispatchEvent("change");
    await expect.poll(() => total.textContent(), { timeout: 10_000 }).not.toBe(before);
    await shot(1, "cart");

    // ?locale=en: the storefront and the widget in English.
    expect(steps[0]).toContain("`?locale=en`");
    await page.goto(`${productUrl}?locale=en`);
    await expect.poll(quote, { timeout: 15_000 }).toMatch(/^Pay in 12 instalments of €\s?\d[\d,]*\.\d\d with Soisy/);
    expect(await page.getByRole("button", { name: "Add to cart" }).count()).toBe(1);
    await shot(1, "product-en");
  });

  it("2. checkout → Soisy's page → complete → Shopify's order page says pending", async () => {
    const [checkoutUrl] = stepUrls(2);
    expect(checkoutUrl).toBe(demo.urls["Demo checkout (Shopify simulator)"]);
    await page.goto(checkoutUrl!);
    expect(await page.locator("#f-shop").inputValue()).toBe(SHOP);
    const pay = page.getByRole("button", { name: /Paga a rate con Soisy/ });
    expect(steps[1]).toContain('"Paga a rate con Soisy"');
    await shot(2, "checkout");
    await Promise.all([page.waitForURL((url) => url.origin === demo.soisyUrl && url.hash.startsWith("#/loan-request?token=")), pay.click()]);
    const complete = page.getByRole("button", { name: "Completa la richiesta" });
    await complete.waitFor();
    await shot(2, "soisy");
    await Promise.all([page.waitForURL(new RegExp(`^${demo.shopifyUrl}/shops/${SHOP}/orders/`)), complete.click()]);
    orderUrl = page.url();
    paymentId = decodeURIComponent(orderUrl.split("/orders/")[1]!.split(/[?#]/)[0]!);
    expect(steps[1]).toContain('("pending" while Soisy verifies)');
    await expect.poll(() => page.getByTestId("state").textContent(), { timeout: 15_000 }).toBe("PENDING");
    await shot(2, "order-pending");
  });

  it('3. the operator presses "Verificato" on the demo hub: resolved, and the order page says so', async () => {
    expect(paymentId).not.toBe("");
    const [hubUrl] = stepUrls(3);
    expect(hubUrl).toBe(demo.urls["Demo overview (demo shop, its payments)"]);
    await page.goto(hubUrl!);
    await waitForHydration(page);
    const payment = page.locator(`[data-payment="${paymentId}"]`);
    await shot(3, "hub");
    await payment.getByRole("button", { name: "Verificato" }).click();
    await eventually(
      async () => {
        await page.goto(orderUrl);
        return (await page.getByTestId("state").textContent()) === "RESOLVED";
      },
      20_000,
      "the order page to say RESOLVED",
    );
    await shot(3, "order-resolved");
  });

  it("4. refund on the order page; admin login + consent; Transactions: the refund waits; Settings: keys and rules", async () => {
    expect(paymentId).not.toBe("");
    await page.goto(orderUrl);
    await page.getByRole("button", { name: /^Rimborsa/ }).click();
    await page.locator("[data-refund-state]").first().waitFor();
    await shot(4, "order-refund");

    const [loginUrl] = stepUrls(4);
    expect(loginUrl).toBe(demo.urls["Merchant admin login (Shopify install flow: see README)"]);
    await page.goto(loginUrl!);
    await page.getByLabel("Dominio del negozio").fill(SHOP);
    expect(steps[3]).toContain(`\`${SHOP}\``);
    await Promise.all([page.waitForURL((url) => url.origin === demo.shopifyUrl), page.getByRole("button", { name: "Accedi" }).click()]);
    await shot(4, "consent");
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${demo.appUrl}/app`)), page.getByRole("button", { name: /Installa l'app/ }).click()]);
    const menu = page.getByRole("navigation", { name: "Menu dell'app" });
    await menu.waitFor({ timeout: 15_000 });

    // Transactions → the payment: the refund waits for the merchant's decision.
    await menu.getByRole("link", { name: "Transazioni" }).click();
    await page.getByRole("link", { name: paymentId }).click();
    await page.waitForURL(/\/app\/transactions\/[^?]+/);
    const refund = page.locator('[data-refund-state="awaiting_merchant"]');
    await refund.first().waitFor({ timeout: 15_000 });
    expect(steps[3]).toContain('"Rimborsato su Soisy" / "Refunded at Soisy" or "Rifiuta" / "Decline"');
    expect(await page.getByRole("button", { name: "Rimborsato su Soisy" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Rifiuta" }).count()).toBe(1);
    await shot(4, "transaction-refund-waiting");

    // Settings: the Soisy keys (stored, never shown) and the checkout rules.
    await page.getByRole("navigation", { name: "Menu dell'app" }).getByRole("link", { name: "Impostazioni" }).click();
    await page.locator("#minAmount").waitFor();
    const html = await page.content();
    expect(html).toContain("partnershop");
    expect(html).not.toContain("partnerkey");
    expect(await page.getByText("Chiave API salvata: •••••••• (impostata)").count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#minAmount").inputValue()).toMatch(/^100[.,]00$/);
    expect(await page.locator("#maxAmount").inputValue()).toMatch(/^15\.?000[.,]00$/);
    expect(await page.locator("#allowedCountries").count()).toBe(1);
    await shot(4, "settings");
  });

  it("5. in store: the pre-approval form; the approved code reaches Soisy, the refused one gets the refusal page", async () => {
    const [approved, refused] = [...steps[4]!.matchAll(/`([A-Z0-9]{16})`/g)].map((m) => m[1]!);
    expect([approved, refused]).toEqual(["RSSMRA80A01H501U", "RFSMRA80A01H501H"]);
    expect(demo.output()).toContain(approved);
    expect(demo.output()).toContain(refused);

    const preapproval = async (fiscalCode: string) => {
      await page.goto(demo.urls["Demo checkout (Shopify simulator)"]!);
      await page.locator("#f-shop").selectOption(INSTORE_SHOP);
      await Promise.all([page.waitForURL(/\/payments\/preapproval\//), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
      await page.getByLabel(/^Codice fiscale/).fill(fiscalCode);
      await page.getByLabel("Cittadinanza").selectOption("italian");
      await page.getByLabel("Occupazione").selectOption("employee_open_ended_contract");
      await page.getByLabel(/^Ho letto l'informativa privacy/).check();
    };
    const send = () => page.getByRole("button", { name: /Invia la richiesta a Soisy|Continua/ }).click();

    await preapproval(approved!);
    await shot(5, "preapproval-form");
    await Promise.all([page.waitForURL((url) => url.origin === demo.soisyUrl && url.hash.startsWith("#/loan-request?token=")), send()]);
    const token = new URLSearchParams(new URL(page.url()).hash.split("?")[1]).get("token");
    const orders = (await (await fetch(`${demo.soisyUrl}/_sim/orders`)).json()) as { token: string; fiscalCode: string | null }[];
    expect(orders.find((o) => o.token === token)?.fiscalCode).toBe(approved);
    await shot(5, "approved-soisy");

    await preapproval(refused!);
    await Promise.all([page.waitForURL(/\/payments\/preapproval\//), send()]);
    await page.locator("[data-page=preapproval-refused]").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Soisy non ha approvato la richiesta");
    await shot(5, "refused");
  });

  it("6. the operator CLI line of the banner lists the shop and its payments", async () => {
    expect(paymentId).not.toBe("");
    const command = demo.operatorCommand;
    // The README's line is the banner's, with the default DEMO_DIR's database.
    const readmeCommand = /`(DATABASE_URL=\S+ npm run shop -- show \S+)`/.exec(steps[5]!)?.[1];
    expect(readmeCommand).toBe(command.replace(/^DATABASE_URL=\S+/, "DATABASE_URL=file:./.demo/demo.sqlite"));
    expect(command).toMatch(new RegExp(`^DATABASE_URL=file:${demo.dir}/demo.sqlite npm run shop -- show ${SHOP}$`));
    const { stdout } = await promisify(exec)(command, { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: "warn" }, timeout: 60_000 });
    // The shop, its settings, its payments (step 2's, resolved in step 3) and what needs attention (step 4's refund).
    expect(stdout).toMatch(new RegExp(`^shop: +${SHOP.replace(/\./g, "\\.")}$`, "m"));
    expect(stdout).toMatch(/^sandbox credentials: +shop id partnershop, API key set, verified /m);
    expect(stdout).toMatch(/^amount range: +100\.00 EUR – 15000\.00 EUR$/m);
    // The demo's history (step 8) plus step 2's payment, resolved in step 3.
    const history = Number(/history: (\d+) past payments/.exec(demo.output())?.[1]);
    expect(history).toBeGreaterThan(0);
    const payments = /^payments: +(\d+) \((.*)\)$/m.exec(stdout);
    expect(Number(payments?.[1])).toBe(history + 1);
    expect(payments?.[2]).toMatch(/resolved \d+/);
    expect(stdout).toMatch(/^refunds awaiting: +1$/m);
    // The terminal's output as a page, so the step has its screenshot like the others.
    await page.setContent(`<pre style="font: 13px monospace; padding: 1em">${stdout.replace(/[<&]/g, (c) => (c === "<" ? "&lt;" : "&amp;"))}</pre>`);
    await shot(6, "operator-cli");
  });

  it('7. fund on fulfilment: the hub\'s authorization, "Verificato", then "Evadi ordine" captures it at Soisy', async () => {
    const [hubUrl] = stepUrls(7);
    expect(hubUrl).toBe(demo.urls["Demo overview (demo shop, its payments)"]);
    await page.goto(hubUrl!);
    const shop = page.locator(`[data-shop="${SHOP}"]`);
    expect(steps[6]).toContain(`"Paga a rate, finanziato all'evasione"`);
    await shop.getByRole("link", { name: "Paga a rate, finanziato all'evasione" }).click();
    expect(await page.locator("#f-kind").inputValue()).toBe("authorization");
    const cents = Math.round(Number(await page.getByLabel(/^Importo/).inputValue()) * 100);
    await Promise.all([
      page.waitForURL((url) => url.origin === demo.soisyUrl && url.hash.startsWith("#/loan-request?token=")),
      page.getByRole("button", { name: /Paga a rate con Soisy/ }).click(),
    ]);
    const token = new URLSearchParams(new URL(page.url()).hash.split("?")[1]).get("token")!;
    const order = async () => (await (await fetch(`${demo.soisyUrl}/_sim/orders/${token}`)).json()) as { status: string; orderReference: string; amount: number };
    const id = (await order()).orderReference;
    const authorizationOrder = `${demo.shopifyUrl}/shops/${SHOP}/orders/${id}`;
    // The shopper comes back through the app (its waiting page while Shopify confirms the stock) to the order page.
    await Promise.all([page.waitForURL(authorizationOrder, { timeout: 30_000 }), page.getByRole("button", { name: "Completa la richiesta" }).click()]);
    const orderPageSays = (selector: string, what: string) =>
      eventually(
        async () => {
          await page.goto(authorizationOrder);
          return (await page.locator(selector).count()) > 0;
        },
        30_000,
        what,
      );
    await orderPageSays('[data-state="PENDING"]', "the authorization pending");

    await page.goto(hubUrl!);
    await waitForHydration(page);
    await page.locator(`[data-payment="${id}"]`).getByRole("button", { name: "Verificato" }).click();
    await orderPageSays('[data-testid="authorization-expires-at"]', "the authorization resolved with its capture deadline");
    expect((await order()).status).toBe("waiting_for_trigger");
    await shot(7, "order-authorized");
    await Promise.all([page.waitForURL(authorizationOrder), page.getByRole("button", { name: /Evadi ordine/ }).click()]);
    await orderPageSays('[data-capture-state="RESOLVED"]', "the capture resolved");
    expect(await order()).toMatchObject({ status: "disbursed", amount: cents });
    await shot(7, "order-captured");
  });

  it("8. the dashboard's figures and chart, the Soisy payouts with their differences, the alert e-mail of step 4's refund in the inbox", async () => {
    // Still logged in from step 4: the admin's home is the dashboard.
    await page.goto(`${demo.appUrl}/app`);
    const started = page.locator('[data-metric="started"]');
    await started.waitFor({ timeout: 15_000 });
    // Steps 2, 5 and 7 started (test) payments this month: the demo shop has no live payment, so the
    // dashboard shows its test payments.
    expect(Number((await started.locator("dd[data-value]").textContent())?.replace(/\D/g, ""))).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid="daily-chart"]').count()).toBe(1);
    await shot(8, "dashboard");

    expect(steps[7]).toContain('"Pagamenti Soisy" / "Soisy payouts"');
    await page.getByRole("navigation", { name: "Menu dell'app" }).getByRole("link", { name: "Pagamenti Soisy" }).click();
    await page.waitForURL(/\/app\/payouts/);
    await page.locator("[data-differences]").first().waitFor({ timeout: 15_000 }).catch(() => undefined);
    const differences = await page.locator("[data-differences]").evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-differences"))));
    // The demo's history plants differences (partial funding, a missing payout…): the page lists them.
    expect(differences.reduce((a, b) => a + b, 0), await page.locator("main, body").first().innerText()).toBeGreaterThan(0);
    await shot(8, "payouts");

    const inbox = demo.urls["Merchant alert e-mails (mail simulator inbox)"];
    expect(inbox).toBeTruthy();
    await page.goto(demo.urls["Demo overview (demo shop, its payments)"]!);
    expect(await page.getByTestId("mail-inbox").getAttribute("href")).toBe(inbox);
    // Step 4's refund waits for the merchant: its alert reaches the inbox (the demo polls every 3 s).
    await eventually(
      async () => {
        await page.goto(inbox!);
        return (await page.getByRole("link", { name: /Rimborso da fare su Soisy/ }).count()) > 0;
      },
      30_000,
      "the refund's alert e-mail in the inbox",
    );
    await page.getByRole("link", { name: /Rimborso da fare su Soisy/ }).first().click();
    // What happened and what to do, in Italian, with the link to the payment's page in the admin.
    const mail = page.frameLocator("iframe").locator("body");
    await mail.getByText("Soisy non ha un'API di rimborso", { exact: false }).waitFor({ timeout: 10_000 });
    expect(await mail.locator(`a[href$="/app/transactions/${paymentId}"]`).count()).toBeGreaterThan(0);
    await shot(8, "alert-mail");
  });
});
