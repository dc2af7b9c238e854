/**
 * Credit advertising (docs/compliance.md), in Debian's Chromium, on every surface that shows an
 * instalment figure — the product page's and the cart's widget and its dialog, the settings preview,
 * the in-store pre-approval page and its refusal — in Italian and English, at 360 px and 1280 px:
 * the warning is visible without opening anything, every field of the representative example is
 * there and adds up, the figures are the same on every surface for the same amount, the TAEG is at
 * least as prominent as the instalment (getComputedStyle), and the lender comes from LENDER_*.
 * Screenshots of each surface under test-results/screenshots/credit-ad-*.png.
 */
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { saveShopOptions } from "~/settings/settings.server";
import { withCheckChar } from "~/preapproval/fiscal-code";
import { DEFAULT_SHOP_OPTIONS } from "~/settings/shop-defaults";
import { adminSessionCookies } from "../helpers/admin-session";
import { launchBrowser, screenshotPath, waitForHydration } from "../helpers/browser";
import { expectedExample } from "../helpers/expected-quote";
import { eventually, startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";

const SHOP = "credit-ad-e2e.myshopify.com";
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
/** The storefront's "Divano letto Milano", grey fabric (variant 41001): € 1.234,56. */
const AMOUNT = 123_456;
const N = DEFAULT_SHOP_OPTIONS.widgetInstalments;
const REFUSED_CODE = withCheckChar("RFSMRA80A01H501");
const LENDER = {
  LENDER_NAME: "Prestiti Prova S.p.A.",
  LENDER_REGISTRATION: "iscritta al registro di prova n. 42",
  LENDER_TRANSPARENCY_URL: "https://lender.example/trasparenza",
  LENDER_PRIVACY_URL: "https://lender.example/privacy",
  LENDER_CONTACT_URL: "https://lender.example/contatti",
};
const FIELDS = ["price", "advance", "credit", "months", "n", "instalment", "tan", "taeg", "total", "interest", "fees"];

type Lang = "it" | "en";
interface Figure {
  text: string;
  size: number;
  weight: number;
}
interface Line {
  text: string;
  fields: Record<string, Figure>;
}
interface Offer {
  headline: Line;
  example: Line;
}

let stack: Stack;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startStack({ shop: SHOP, adminOAuth: true, options: { integrationLevel: "preapproval" }, appEnv: LENDER }),
    launchBrowser(),
  ]);
}, STACK_SETUP_TIMEOUT_MS);

afterEach((context) => printAppOutputIfFailed(context, stack));

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Independent of the widget's code: Intl with forced grouping, a no-break space after "€" in Italian. */
function eur(cents: number, lang: Lang): string {
  const n = new Intl.NumberFormat(lang === "it" ? "it-IT" : "en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" }).format(cents / 100);
  return lang === "it" ? `€\u00a0${n}` : `€${n}`;
}
function pct(x: number, lang: Lang): string {
  const s = x.toFixed(2);
  return `${lang === "it" ? s.replace(".", ",") : s}%`;
}
/** "€ 1.304,08" / "€1,304.08" → 130408 (both formats carry two decimals). */
const cents = (text: string) => Number(text.replace(/[^\d]/g, ""));
const rate = (text: string) => Number(text.replace("%", "").replace(",", "."));

/** Every figure the page shows for one offer, formatted as the shopper must read it. */
function expectedFigures(amount: number, n: number, lang: Lang, zero = false): Record<string, string> {
  const e = expectedExample(amount, n, zero);
  return {
    price: eur(e.cashPrice, lang),
    advance: eur(e.advance, lang),
    credit: eur(e.credit, lang),
    months: String(e.months),
    n: String(e.instalments),
    instalment: eur(e.instalment, lang),
    tan: pct(e.tan, lang),
    taeg: pct(e.taeg, lang),
    total: eur(e.total, lang),
    interest: eur(e.interest, lang),
    fees: eur(e.fees, lang),
  };
}

async function newPage(width: number, lang: Lang): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: width < 500 ? 740 : 900 },
    locale: lang === "it" ? "it-IT" : "en-GB",
    userAgent: USER_AGENT,
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return page;
}

/** The headline (or the option's title) and the example line of one offer, with each figure's computed style. */
function readOffer(root: Locator): Promise<Offer> {
  return root.evaluate((el) => {
    const line = (selector: string) => {
      const node = el.querySelector(selector);
      const fields: Record<string, { text: string; size: number; weight: number }> = {};
      node?.querySelectorAll("[data-soisy-field]").forEach((f) => {
        const style = getComputedStyle(f);
        fields[f.getAttribute("data-soisy-field")!] = { text: f.textContent ?? "", size: parseFloat(style.fontSize), weight: Number(style.fontWeight) };
      });
      return { text: node?.textContent ?? "", fields };
    };
    return { headline: line("[data-soisy-quote]"), example: line("[data-soisy-example]") };
  });
}

/** The rules every surface must meet for one offer. */
function expectCompliant(surface: string, offer: Offer, want: Record<string, string>, zero = false) {
  const figures = Object.fromEntries(Object.entries(offer.example.fields).map(([k, f]) => [k, f.text]));
  // Every field of the representative example, with the simulator's median-profile figures.
  expect(Object.keys(figures).sort(), `${surface}: the example's fields`).toEqual([...FIELDS].sort());
  expect(figures, `${surface}: the example's figures`).toEqual(want);
  // The headline carries the instalment and the TAEG of the same loan (and the TAN at zero interest).
  expect(offer.headline.fields.instalment?.text, `${surface}: headline instalment`).toBe(want.instalment);
  expect(offer.headline.fields.taeg?.text, `${surface}: headline TAEG`).toBe(want.taeg);
  if (zero) expect(offer.headline.fields.tan?.text, `${surface}: headline TAN at zero interest`).toBe(want.tan);
  // The figures belong to one loan: n × instalment + fees = total (within a cent per instalment), credit + interest + fees = total.
  const n = Number(figures.n);
  const total = cents(figures.total!);
  expect(Math.abs(n * cents(figures.instalment!) + cents(figures.fees!) - total), `${surface}: instalments add up`).toBeLessThan(n);
  expect(cents(figures.credit!) + cents(figures.interest!) + cents(figures.fees!), `${surface}: credit + costs`).toBe(total);
  expect(cents(figures.credit!) + cents(figures.advance!), `${surface}: cash price`).toBe(cents(figures.price!));
  if (zero) expect([rate(figures.tan!), rate(figures.taeg!), total], `${surface}: tasso zero`).toEqual([0, 0, cents(figures.price!)]);
  // Prominence: on each line the TAEG is at least as large and as heavy as the instalment.
  for (const line of [offer.headline, offer.example]) {
    const { instalment, taeg } = line.fields;
    expect(taeg!.size, `${surface}: TAEG size ≥ instalment size in "${line.text}"`).toBeGreaterThanOrEqual(instalment!.size);
    expect(taeg!.weight, `${surface}: TAEG weight ≥ instalment weight in "${line.text}"`).toBeGreaterThanOrEqual(instalment!.weight);
  }
}

const WARNING: Record<Lang, string> = {
  it: "Attenzione! Prendere denaro in prestito costa denaro.",
  en: "Caution! Borrowing money costs money.",
};

async function expectWarning(surface: string, warning: Locator, lang: Lang) {
  expect(await warning.isVisible(), `${surface}: the warning is visible`).toBe(true);
  expect((await warning.textContent())?.trim(), `${surface}: the warning`).toBe(WARNING[lang]);
  // "Clear and prominent": at least the size of the text around it, bold.
  const { size, weight, bodySize } = await warning.evaluate((el) => ({
    size: parseFloat(getComputedStyle(el).fontSize),
    weight: Number(getComputedStyle(el).fontWeight),
    bodySize: parseFloat(getComputedStyle(el.parentElement!).fontSize),
  }));
  expect(size, `${surface}: warning size`).toBeGreaterThanOrEqual(bodySize);
  expect(weight, `${surface}: warning weight`).toBeGreaterThanOrEqual(600);
}

async function fitsWidth(page: Page, surface: string) {
  const width = page.viewportSize()!.width;
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${surface}: no horizontal scroll at ${width} px`).toBeLessThanOrEqual(width);
}

const storefront = (path: string, lang: Lang) => `${stack.shopify.url}/shops/${SHOP}${path}${lang === "en" ? "?locale=en" : ""}`;

/** The storefront widget on a page: its offer once shown, its warning, its dialog (lender and documents). */
async function widgetSurface(page: Page, surface: string, lang: Lang, want: Record<string, string>, shot: string) {
  const widget = page.locator("[data-soisy-widget].soisy-w--on").first();
  await widget.waitFor({ timeout: 15_000 });
  await eventually(async () => (await widget.locator("[data-soisy-example] [data-soisy-field=total]").textContent()) === want.total, 15_000, `${surface}: the offer`);
  await expectWarning(surface, widget.locator("[data-soisy-warning]"), lang);
  const offer = await readOffer(widget);
  expectCompliant(surface, offer, want);
  await fitsWidth(page, surface);
  await widget.scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath(`credit-ad-${shot}`), fullPage: true });
  // The dialog: the configured lender and its documents, never a lender baked into the widget.
  await widget.locator("[data-soisy-open]").click();
  const dialog = widget.locator("dialog");
  await eventually(() => dialog.evaluate((d) => (d as HTMLDialogElement).open), 5_000, `${surface}: dialog open`);
  const legal = await dialog.locator("[data-soisy-legal]").textContent();
  expect(legal).toContain(`${LENDER.LENDER_NAME}, ${LENDER.LENDER_REGISTRATION}`);
  expect(await dialog.locator("[data-soisy-doc=transparency]").getAttribute("href")).toBe(LENDER.LENDER_TRANSPARENCY_URL);
  expect(await dialog.locator("[data-soisy-doc=privacy]").getAttribute("href")).toBe(LENDER.LENDER_PRIVACY_URL);
  await page.screenshot({ path: screenshotPath(`credit-ad-${shot}-dialog`) });
  await page.keyboard.press("Escape");
  return offer;
}

/** Checkout at the Shopify simulator for an amount: ends on the app's pre-approval page. */
async function preapprovalPage(page: Page, amount: number, lang: Lang) {
  await page.goto(`${stack.shopify.url}/checkout?shop=${SHOP}&amount=${(amount / 100).toFixed(2)}&currency=EUR`);
  await Promise.all([page.waitForURL(/\/payments\/preapproval\//), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
  if (lang === "en") await page.goto(`${page.url().split("?")[0]}?lang=en`);
  await page.locator("[data-page=preapproval]").waitFor();
}

describe("credit advertising on every surface", () => {
  it.each([
    ["it", 360],
    ["en", 360],
    ["it", 1280],
    ["en", 1280],
  ] as const)("%s at %i px: warning, every field, the same figures everywhere, TAEG as prominent as the instalment", async (lang, width) => {
    const want = expectedFigures(AMOUNT, N, lang);
    const tag = `${lang}-${width}`;
    const texts: Record<string, string> = {};

    const product = await newPage(width, lang);
    await product.goto(storefront("/products/divano-letto", lang));
    texts.product = (await widgetSurface(product, `product page (${tag})`, lang, want, `product-${tag}`)).example.text;

    stack.shopify.storefront.clearCart(SHOP);
    stack.shopify.storefront.addToCart(SHOP, 41001, 1);
    const cart = await newPage(width, lang);
    await cart.goto(storefront("/cart", lang));
    texts.cart = (await widgetSurface(cart, `cart (${tag})`, lang, want, `cart-${tag}`)).example.text;

    const admin = await newPage(width, lang);
    await admin.context().addCookies(adminSessionCookies(stack.appUrl, stack.env.SHOPIFY_API_SECRET!, SHOP));
    await admin.goto(`${stack.appUrl}/app/settings${lang === "en" ? "?lang=en" : ""}`);
    // The sample amount is React state: typed before hydration, it would be lost.
    await waitForHydration(admin, 30_000);
    await admin.locator("#widgetPreviewAmount").fill(lang === "it" ? "1.234,56" : "1,234.56");
    texts.preview = (await widgetSurface(admin, `settings preview (${tag})`, lang, want, `preview-${tag}`)).example.text;

    const shop = await newPage(width, lang);
    await preapprovalPage(shop, AMOUNT, lang);
    await expectWarning(`pre-approval (${tag})`, shop.locator("main [data-soisy-warning]"), lang);
    const option = shop.locator(`[data-soisy-offer="${N}"]`);
    const offer = await readOffer(option);
    expectCompliant(`pre-approval option ${N} (${tag})`, offer, want);
    // Every other option is a complete example too (its own figures, from the same formatter).
    for (const other of [3, 24]) expectCompliant(`pre-approval option ${other} (${tag})`, await readOffer(shop.locator(`[data-soisy-offer="${other}"]`)), expectedFigures(AMOUNT, other, lang));
    texts.preapproval = offer.example.text;
    // The lender, its documents and the automated-decision notice before the shopper submits.
    expect(await shop.locator("[data-soisy-legal]").textContent()).toContain(`${LENDER.LENDER_NAME}, ${LENDER.LENDER_REGISTRATION}`);
    expect(await shop.locator("[data-soisy-legal] a").getAttribute("href")).toBe(LENDER.LENDER_TRANSPARENCY_URL);
    const notice = shop.getByTestId("decision-notice");
    expect(await notice.textContent()).toMatch(lang === "it" ? /mezzi automatizzati.*intervento di una persona.*spiegazione/ : /automated means.*human intervention.*explanation/);
    expect(await notice.evaluate((el) => el.compareDocumentPosition(document.querySelector("button[type=submit]")!) & Node.DOCUMENT_POSITION_FOLLOWING)).toBeTruthy();
    await fitsWidth(shop, `pre-approval (${tag})`);
    await shop.screenshot({ path: screenshotPath(`credit-ad-preapproval-${tag}`), fullPage: true });

    // The same amount reads the same on every surface.
    expect(new Set(Object.values(texts)).size, JSON.stringify(texts, null, 2)).toBe(1);

    // Refusal: the decision may have been automated, the shopper's rights, and how to reach the lender.
    await shop.getByLabel(lang === "it" ? /^Codice fiscale/ : /^Italian tax code/).fill(REFUSED_CODE);
    await shop.getByLabel(lang === "it" ? "Cittadinanza" : "Citizenship").selectOption("italian");
    await shop.getByLabel(lang === "it" ? "Occupazione" : "Occupation").selectOption("employee_open_ended_contract");
    await shop.locator("#f-privacy").check();
    await Promise.all([
      shop.waitForURL(/\/payments\/preapproval\//),
      shop.getByRole("button", { name: lang === "it" ? /Invia la richiesta a Soisy/ : /Send the request to Soisy/ }).click(),
    ]);
    await shop.locator("[data-page=preapproval-refused]").waitFor();
    const refusal = shop.getByTestId("decision-notice");
    expect(await refusal.textContent()).toMatch(lang === "it" ? /può essere stata presa con mezzi automatizzati.*Prestiti Prova S\.p\.A\./ : /may have been taken by automated means.*Prestiti Prova S\.p\.A\./);
    expect(await shop.getByTestId("lender-contact").getAttribute("href")).toBe(LENDER.LENDER_CONTACT_URL);
    await fitsWidth(shop, `refusal (${tag})`);
    await shop.screenshot({ path: screenshotPath(`credit-ad-refusal-${tag}`), fullPage: true });

    for (const p of [product, cart, admin, shop]) await p.context().close();
    expect(pageErrors).toEqual([]);
  });

  it("zero interest (tasso zero): TAN 0 % and TAEG 0 % stated, total = cash price, same rules, on the widget and in the shop", async () => {
    await saveShopOptions(stack.database.db, SHOP, { ...DEFAULT_SHOP_OPTIONS, integrationLevel: "preapproval", zeroInterest: true });
    try {
      for (const [lang, width] of [
        ["it", 360],
        ["en", 1280],
      ] as const) {
        const want = expectedFigures(AMOUNT, N, lang, true);
        // The app keeps a shop's settings a few seconds: wait (outside the browser, whose HTTP cache keeps
        // quotes 60 s) until the storefront's quote endpoint answers with the zero-interest offer.
        await eventually(
          async () => {
            const res = await fetch(`${stack.shopify.url}/shops/${SHOP}/apps/soisy/quote?amount=${AMOUNT}&locale=${lang}`);
            return res.ok && ((await res.json()) as { zeroInterest?: boolean }).zeroInterest === true;
          },
          20_000,
          "the zero-interest offer at the quote endpoint",
        );
        const page = await newPage(width, lang);
        await page.goto(storefront("/products/divano-letto", lang));
        const widget = page.locator("[data-soisy-widget].soisy-w--on").first();
        await widget.waitFor({ timeout: 15_000 });
        expect(await widget.locator("[data-soisy-quote]").textContent()).toContain(lang === "it" ? "a tasso zero" : "interest-free");
        await expectWarning(`zero-interest widget (${lang})`, widget.locator("[data-soisy-warning]"), lang);
        expectCompliant(`zero-interest widget (${lang})`, await readOffer(widget), want, true);
        await page.screenshot({ path: screenshotPath(`credit-ad-zero-product-${lang}-${width}`), fullPage: true });

        await preapprovalPage(page, AMOUNT, lang);
        const option = page.locator(`[data-soisy-offer="${N}"]`);
        const offer = await readOffer(option);
        expectCompliant(`zero-interest pre-approval (${lang})`, { headline: offer.headline, example: offer.example }, want, true);
        await page.screenshot({ path: screenshotPath(`credit-ad-zero-preapproval-${lang}-${width}`), fullPage: true });
        await page.context().close();
      }
    } finally {
      await saveShopOptions(stack.database.db, SHOP, { ...DEFAULT_SHOP_OPTIONS, integrationLevel: "preapproval" });
    }
    expect(pageErrors).toEqual([]);
  });
});
