/**
 * The instalment widget in Debian's Chromium: the Shopify simulator's storefront renders the real
 * app blocks (extensions/soisy-widget) and forwards /apps/soisy/* to the built app through the
 * simulated app proxy (signed); the app asks the Soisy simulator. Also the settings page's preview.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { adminSessionCookies } from "../helpers/admin-session";
import { seriousAxeViolations } from "../helpers/axe";
import { launchBrowser, screenshotPath, waitForHydration } from "../helpers/browser";
import { ADMIN_USER_AGENT } from "../helpers/admin-page";
import { eventually, startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { computeQuotes } from "../simulators/soisy";

const SHOP = "widget-e2e.myshopify.com";
/** Not "HeadlessChrome": the Shopify library answers bots' admin requests with 410. */
const USER_AGENT = ADMIN_USER_AGENT;
const WIDGET = "[data-soisy-widget]";

let stack: Stack;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

/** Independent of the widget's code: Intl with forced grouping. */
function eur(cents: number, lang: "it" | "en"): string {
  const n = new Intl.NumberFormat(lang === "it" ? "it-IT" : "en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" }).format(cents / 100);
  return lang === "it" ? `€\u00a0${n}` : `€${n}`;
}
function pct(x: number, lang: "it" | "en"): string {
  const s = x.toFixed(2);
  return `${lang === "it" ? s.replace(".", ",") : s}%`;
}
/** The texts the widget must show for an amount: the Soisy simulator's median profile, one loan. */
function expected(amount: number, lang: "it" | "en", n = 12) {
  const q = computeQuotes(amount, n, false).median;
  const e = (c: number) => eur(c, lang);
  const p = (x: number) => pct(x, lang);
  return lang === "it"
    ? {
        quote: `Paga in ${n} rate da ${e(q.instalmentAmount)} con Soisy · TAEG ${p(q.apr)}`,
        example: `Esempio rappresentativo: prezzo in contanti ${e(amount)}, anticipo ${e(0)}; importo totale del credito ${e(amount)}; durata ${n} mesi, ${n} rate mensili da ${e(q.instalmentAmount)}; TAN fisso ${p(q.interestRate)}; TAEG ${p(q.apr)}; importo totale dovuto ${e(q.totalRepaid)}, che comprende interessi ${e(q.interest)} e imposta di bollo e spese ${e(q.fee)}.`,
      }
    : {
        quote: `Pay in ${n} instalments of ${e(q.instalmentAmount)} with Soisy · APR (TAEG) ${p(q.apr)}`,
        example: `Representative example: cash price ${e(amount)}, advance ${e(0)}; total amount of credit ${e(amount)}; duration ${n} months, ${n} monthly instalments of ${e(q.instalmentAmount)}; fixed borrowing rate (TAN) ${p(q.interestRate)}; APR (TAEG) ${p(q.apr)}; total amount payable ${e(q.totalRepaid)}, including interest ${e(q.interest)} and stamp duty and fees ${e(q.fee)}.`,
      };
}

async function newPage(locale = "it-IT"): Promise<Page> {
  const context = await browser.newContext({ locale, userAgent: USER_AGENT, viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  // Layout shifts without recent input, from the first paint (buffered).
  await context.addInitScript(() => {
    const w = window as unknown as { __cls: number; __shifts: string[] };
    w.__cls = 0;
    w.__shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: Array<{ node?: Node }> }>) {
        if (entry.hadRecentInput) continue;
        w.__cls += entry.value;
        w.__shifts.push(`${entry.value.toFixed(4)} ${(entry.sources ?? []).map((s) => (s.node as Element | undefined)?.outerHTML?.slice(0, 80)).join(" | ")}`);
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  return page;
}

const storefront = (path: string) => `${stack.shopify.url}/shops/${SHOP}${path}`;
const quoteText = (page: Page) => page.locator(`${WIDGET} [data-soisy-quote]`).textContent();
const exampleText = async (page: Page) => (await page.locator(`${WIDGET} [data-soisy-example]`).textContent())?.trim();
/** Visible = not [hidden] and not visibility:hidden (the reserved-but-empty state). */
const widgetShown = (page: Page) =>
  page.locator(WIDGET).evaluate((el) => !(el as HTMLElement).hidden && getComputedStyle(el).visibility === "visible" && getComputedStyle(el).display !== "none");

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ shop: SHOP, adminOAuth: true }), launchBrowser()]);
}, STACK_SETUP_TIMEOUT_MS);

afterEach((context) => {
  stack.soisy.clearFaults();
  stack.shopify.storefront.setProxyFault(null);
  printAppOutputIfFailed(context, stack);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.close();
});

describe("product page", () => {
  it("shows the quote for the selected variant (Soisy simulator's numbers), no layout shift, no serious axe violation (it)", async () => {
    const page = await newPage();
    await page.goto(storefront("/products/divano-letto"));
    const want = expected(123_456, "it");
    await eventually(async () => (await quoteText(page)) === want.quote, 10_000, "the Italian quote");
    expect(await exampleText(page)).toBe(want.example);
    expect(await widgetShown(page)).toBe(true);
    // The quote came through the simulated app proxy, signed, and the app accepted it.
    const proxied = stack.shopify.storefront.proxyRequests.filter((r) => r.url.includes("amount=123456"));
    expect(proxied.length).toBeGreaterThan(0);
    expect(proxied.every((r) => r.status === 200 && /[?&]signature=[0-9a-f]{64}/.test(r.url) && r.url.includes("/proxy/quote?"))).toBe(true);

    await page.waitForTimeout(500);
    const { cls, shifts } = await page.evaluate(() => {
      const w = window as unknown as { __cls: number; __shifts: string[] };
      return { cls: w.__cls, shifts: w.__shifts };
    });
    console.log(`product page CLS on first load: ${cls.toFixed(4)}${shifts.length ? ` (${shifts.join("; ")})` : ""}`);
    // Any shift at all fails (without the reserved min-height the content below moves: ~0.0007 here).
    expect(shifts).toEqual([]);
    expect(cls).toBe(0);

    // The warning is visible without opening the dialog; the dialog names the configured lender.
    expect(await page.locator(`${WIDGET} [data-soisy-warning]`).isVisible()).toBe(true);
    expect(await page.locator(`${WIDGET} [data-soisy-legal]`).textContent()).toContain("Soisy S.p.A.");
    await page.screenshot({ path: screenshotPath("widget-product-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("updates on a variant change and hides below the shop's minimum, without a reload", async () => {
    const page = await newPage();
    await page.goto(storefront("/products/divano-letto"));
    await eventually(async () => (await quoteText(page)) === expected(123_456, "it").quote, 10_000, "first quote");
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));

    await page.selectOption("#variant", "41002");
    await eventually(async () => (await quoteText(page)) === expected(249_900, "it").quote, 10_000, "quote of the second variant");
    expect(await exampleText(page)).toBe(expected(249_900, "it").example);
    expect(page.url()).toContain("variant=41002");

    await page.selectOption("#variant", "41003"); // € 49,90 < € 100 minimum
    await eventually(() => page.locator(WIDGET).evaluate((el) => (el as HTMLElement).hidden), 10_000, "widget hidden below the minimum");
    expect(await widgetShown(page)).toBe(false);
    await page.screenshot({ path: screenshotPath("widget-product-below-minimum"), fullPage: true });

    await page.selectOption("#variant", "41001");
    await eventually(async () => (await widgetShown(page)) && (await quoteText(page)) === expected(123_456, "it").quote, 10_000, "shown again");
    // Same document all along: no reload.
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it("the info dialog works with the keyboard only and focus returns to the button", async () => {
    const page = await newPage();
    await page.goto(storefront("/products/divano-letto"));
    await eventually(async () => (await quoteText(page)) === expected(123_456, "it").quote, 10_000, "quote");
    const button = page.locator(`${WIDGET} [data-soisy-open]`);
    expect(await button.getAttribute("aria-controls")).toBeTruthy();
    expect((await button.textContent())?.trim()).toContain("Come funziona");

    let reached = false;
    for (let i = 0; i < 25 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await button.evaluate((el) => el === document.activeElement);
    }
    expect(reached, "the info button is reachable with Tab").toBe(true);
    await page.keyboard.press("Enter");
    const dialog = page.locator(`${WIDGET} dialog`);
    await eventually(() => dialog.evaluate((d) => (d as HTMLDialogElement).open), 5_000, "dialog open");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    const labelledBy = await dialog.getAttribute("aria-labelledby");
    expect(await page.locator(`#${labelledBy}`).textContent()).toBe("Paga a rate con Soisy");
    expect(await dialog.textContent()).toContain("Messaggio pubblicitario con finalità promozionale");
    await page.screenshot({ path: screenshotPath("widget-dialog-it") });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.keyboard.press("Escape");
    await eventually(async () => !(await dialog.evaluate((d) => (d as HTMLDialogElement).open)), 5_000, "dialog closed");
    expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);

    // Again, closing with the dialog's own button (Tab to it, Enter).
    await page.keyboard.press("Enter");
    await eventually(() => dialog.evaluate((d) => (d as HTMLDialogElement).open), 5_000, "dialog open again");
    const close = dialog.locator("button");
    for (let i = 0; i < 5 && !(await close.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await eventually(async () => !(await dialog.evaluate((d) => (d as HTMLDialogElement).open)), 5_000, "dialog closed by its button");
    expect(await button.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("reserves enough room on a phone too: no layout shift at 360 px, in both languages", async () => {
    for (const [lang, path] of [["it", "/products/divano-letto?variant=41002"], ["en", "/products/divano-letto?variant=41002&locale=en"]] as const) {
      const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      contexts.push(context);
      await context.addInitScript(() => {
        const w = window as unknown as { __cls: number };
        w.__cls = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean }>) if (!e.hadRecentInput) w.__cls += e.value;
        }).observe({ type: "layout-shift", buffered: true });
      });
      const page = await context.newPage();
      page.on("pageerror", (error) => pageErrors.push(error.message));
      await page.goto(storefront(path));
      await eventually(async () => (await quoteText(page)) === expected(249_900, lang).quote, 10_000, `${lang} quote on a phone`);
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as unknown as { __cls: number }).__cls), `${lang} CLS at 360 px`).toBe(0);
      await page.screenshot({ path: screenshotPath(`widget-product-mobile-${lang}`), fullPage: true });
    }
    expect(pageErrors).toEqual([]);
  });

  it("takes the full width of a theme's flex column (container queries must not collapse the box)", async () => {
    const page = await newPage();
    await page.goto(storefront("/products/divano-letto"));
    await eventually(async () => (await quoteText(page)) === expected(123_456, "it").quote, 10_000, "the quote");
    // Themes often lay the product info out as a flex column with items aligned to the start.
    const { parent, box } = await page.locator(WIDGET).evaluate((el) => {
      const host = el.parentElement!;
      Object.assign(host.style, { display: "flex", flexDirection: "column", alignItems: "flex-start" });
      const style = getComputedStyle(host);
      return { parent: host.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight), box: el.getBoundingClientRect().width };
    });
    expect(parent).toBeGreaterThan(300);
    expect(box).toBeCloseTo(parent, 0);
    expect(pageErrors).toEqual([]);
  });

  it("starts a box the theme re-rendered (section rendering after a variant change)", async () => {
    const page = await newPage();
    await page.goto(storefront("/products/divano-letto"));
    await eventually(async () => (await quoteText(page)) === expected(123_456, "it").quote, 10_000, "first quote");
    // What Dawn does: fetch the section's HTML for the new variant and swap it in.
    await page.evaluate(async (url) => {
      const html = await (await fetch(url)).text();
      const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-soisy-widget]")!;
      document.querySelector("[data-soisy-widget]")!.replaceWith(document.importNode(fresh, true));
    }, storefront("/products/divano-letto?variant=41002"));
    await eventually(async () => (await quoteText(page)) === expected(249_900, "it").quote, 10_000, "the re-rendered box's quote");
    expect(pageErrors).toEqual([]);
  });

  it("speaks English with ?locale=en (€1,234.56)", async () => {
    const page = await newPage("en-GB");
    await page.goto(storefront("/products/divano-letto?locale=en"));
    const want = expected(123_456, "en");
    await eventually(async () => (await quoteText(page)) === want.quote, 10_000, "the English quote");
    expect(await exampleText(page)).toBe(want.example);
    expect(await page.locator(`${WIDGET} [data-soisy-open]`).textContent()).toContain("How paying in instalments with Soisy works");
    expect(await page.locator(`${WIDGET} dialog`).textContent()).toContain("Advertising message for promotional purposes");
    await page.screenshot({ path: screenshotPath("widget-product-en"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("hides itself when Soisy is down, with no page error and no layout shift; the page keeps working", async () => {
    stack.soisy.setFaults({ failNext: { count: 1_000, status: 500 }, match: "loan-quotes" });
    const page = await newPage();
    await page.goto(storefront("/products/bici-elettrica")); // an amount no earlier test has quoted (no cache)
    await eventually(
      async () => stack.shopify.storefront.proxyRequests.some((r) => r.url.includes("amount=189000") && r.status !== null),
      10_000,
      "the proxied quote request",
    );
    expect(stack.shopify.storefront.proxyRequests.filter((r) => r.url.includes("amount=189000")).map((r) => r.status)).toContain(503);
    await eventually(() => page.locator(WIDGET).evaluate((el) => el.classList.contains("soisy-w--off")), 5_000, "widget off");
    expect(await widgetShown(page)).toBe(false);
    expect(await quoteText(page)).toBe("");
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __cls: number }).__cls)).toBe(0);
    // The theme still works (the widget wraps fetch): add to cart.
    await page.click("button[type=submit]");
    await eventually(async () => (await page.locator("#added").textContent()) === "Aggiunto al carrello", 5_000, "added to cart");
    await page.screenshot({ path: screenshotPath("widget-soisy-down"), fullPage: true });
    expect(pageErrors).toEqual([]);
    stack.shopify.storefront.clearCart(SHOP);
  });

  it("hides itself when the app proxy fails (502)", async () => {
    stack.shopify.storefront.setProxyFault({ status: 502 });
    const page = await newPage();
    await page.goto(storefront("/products/divano-letto?variant=41002&locale=en"));
    await eventually(() => page.locator(WIDGET).evaluate((el) => el.classList.contains("soisy-w--off")), 10_000, "widget off");
    expect(await widgetShown(page)).toBe(false);
    expect(pageErrors).toEqual([]);
  });
});

describe("cart page", () => {
  it("follows quantity changes without a reload: hidden below the minimum, the quote of the new total above it", async () => {
    stack.shopify.storefront.clearCart(SHOP);
    stack.shopify.storefront.addToCart(SHOP, 43001, 1); // € 59,90
    const page = await newPage();
    await page.goto(storefront("/cart"));
    // Below the minimum: the box keeps its space but shows nothing.
    await eventually(
      async () => stack.shopify.storefront.proxyRequests.some((r) => r.url.includes("amount=5990") && r.status === 200),
      10_000,
      "the cart's quote request",
    );
    await eventually(() => page.locator(WIDGET).evaluate((el) => el.classList.contains("soisy-w--off")), 5_000, "widget off");
    expect(await widgetShown(page)).toBe(false);

    await page.fill("#q-43001", "3"); // € 179,70
    await page.locator("#q-43001").dispatchEvent("change");
    await eventually(async () => (await widgetShown(page)) && (await quoteText(page)) === expected(17_970, "it").quote, 10_000, "quote of 3 lamps");
    expect(await exampleText(page)).toBe(expected(17_970, "it").example);
    expect(await page.locator("#cart-total").textContent()).toBe("€ 179,70");
    await page.screenshot({ path: screenshotPath("widget-cart-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.fill("#q-43001", "1");
    await page.locator("#q-43001").dispatchEvent("change");
    await eventually(() => page.locator(WIDGET).evaluate((el) => (el as HTMLElement).hidden), 10_000, "hidden again");
    expect(pageErrors).toEqual([]);
  });

  it("follows a cart change made by another script's fetch (/cart/add.js) and a theme event", async () => {
    stack.shopify.storefront.clearCart(SHOP);
    stack.shopify.storefront.addToCart(SHOP, 41001, 1);
    const page = await newPage("en-GB");
    await page.goto(storefront("/cart?locale=en"));
    await eventually(async () => (await quoteText(page)) === expected(123_456, "en").quote, 10_000, "quote of the cart");
    await page.evaluate(async (url) => {
      await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: 43001, quantity: 1 }) });
    }, storefront("/cart/add.js"));
    await eventually(async () => (await quoteText(page)) === expected(123_456 + 5_990, "en").quote, 10_000, "quote after /cart/add.js");
    // A change the widget did not see (another tab), announced by a theme event.
    stack.shopify.storefront.addToCart(SHOP, 43001, 1);
    await page.evaluate(() => document.dispatchEvent(new CustomEvent("cart:updated")));
    await eventually(async () => (await quoteText(page)) === expected(123_456 + 2 * 5_990, "en").quote, 10_000, "quote after cart:updated");
    expect(pageErrors).toEqual([]);
    stack.shopify.storefront.clearCart(SHOP);
  });
});

describe("settings page: widget preview", () => {
  async function adminPage(locale = "it-IT"): Promise<Page> {
    const page = await newPage(locale);
    await page.context().addCookies(adminSessionCookies(stack.appUrl, stack.env.SHOPIFY_API_SECRET!, SHOP));
    return page;
  }
  const preview = "[data-widget-preview] [data-soisy-widget]";
  const previewQuote = (page: Page) => page.locator(`${preview} [data-soisy-quote]`).textContent();

  it("keeps an amount typed before the widget's script has loaded (a slow connection)", async () => {
    const page = await adminPage();
    // The script is held until the amount is typed and the preview's debounce has run (the page's clock
    // is moved on by hand), then let through: the box must start with the typed amount, not the initial one.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/widget-assets\/soisy-widget\.js/, async (route) => {
      await held;
      await route.continue();
    });
    await page.clock.install();
    await page.goto(`${stack.appUrl}/app/settings`, { waitUntil: "domcontentloaded" });
    await waitForHydration(page, 30_000);
    await page.locator("#widgetPreviewAmount").fill("2.500");
    await page.clock.runFor(1_000);
    expect(await page.evaluate(() => typeof (window as { SoisyWidget?: unknown }).SoisyWidget)).toBe("undefined");
    release();
    await eventually(async () => (await previewQuote(page)) === expected(250_000, "it").quote, 15_000, "preview quote for the typed € 2.500");
    await page.close();
  });

  it("shows the real widget with the shop's settings for a sample amount (€ 1.000), editable; hides out of range (it)", async () => {
    const page = await adminPage();
    await page.goto(`${stack.appUrl}/app/settings`);
    await page.getByRole("heading", { name: "Anteprima del widget" }).waitFor();
    expect(await page.locator("#widgetPreviewAmount").inputValue()).toBe("1.000,00");
    await eventually(async () => (await previewQuote(page)) === expected(100_000, "it").quote, 15_000, "preview quote for € 1.000");
    expect((await page.locator(`${preview} [data-soisy-example]`).textContent())?.trim()).toBe(expected(100_000, "it").example);
    // The storefront's own script and stylesheet, from the app.
    const assets = await page.evaluate(() => ({
      script: document.querySelector<HTMLScriptElement>("script[data-soisy-preview]")?.src ?? "",
      style: [...document.querySelectorAll<HTMLLinkElement>("link[rel=stylesheet]")].map((l) => l.href).find((h) => h.includes("soisy-widget.css")) ?? "",
    }));
    expect(assets.script).toMatch(/\/widget-assets\/soisy-widget\.js\?v=[0-9a-f]{8}$/);
    expect(assets.style).toMatch(/\/widget-assets\/soisy-widget\.css\?v=[0-9a-f]{8}$/);
    expect(await page.locator(`${preview} .soisy-w__row`).evaluate((el) => parseFloat(getComputedStyle(el).minHeight))).toBeGreaterThan(40);

    await page.locator("#widgetPreviewAmount").fill("2.500");
    await eventually(async () => (await previewQuote(page)) === expected(250_000, "it").quote, 15_000, "preview quote for € 2.500");

    await page.locator("#widgetPreviewAmount").fill("50");
    await page.getByText("Fuori dagli importi ammessi (€ 100,00 – € 15.000,00)", { exact: false }).waitFor();
    await eventually(() => page.locator(preview).evaluate((el) => getComputedStyle(el).visibility === "hidden"), 15_000, "preview hidden below the minimum");

    await page.locator("#widgetPreviewAmount").fill("1000");
    await eventually(async () => (await page.locator(preview).evaluate((el) => getComputedStyle(el).visibility === "visible")) && (await previewQuote(page)) === expected(100_000, "it").quote, 15_000, "shown again");

    // The dialog works here too.
    await page.locator(`${preview} [data-soisy-open]`).focus();
    await page.keyboard.press("Enter");
    await eventually(() => page.locator(`${preview} dialog`).evaluate((d) => (d as HTMLDialogElement).open), 5_000, "dialog open");
    await page.screenshot({ path: screenshotPath("widget-preview-dialog-it") });
    await page.keyboard.press("Escape");
    await eventually(() => page.locator(`${preview} [data-soisy-open]`).evaluate((el) => el === document.activeElement), 5_000, "focus back");

    await page.locator(preview).scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath("widget-preview-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("follows saved settings (instalments) and speaks English", async () => {
    const page = await adminPage("en-GB");
    await page.goto(`${stack.appUrl}/app/settings?lang=en`);
    await page.getByRole("heading", { name: "Widget preview" }).waitFor();
    await eventually(async () => (await previewQuote(page)) === expected(100_000, "en").quote, 15_000, "English preview quote");
    await page.locator("#widgetInstalments").fill("6");
    const marker = page.locator("[data-settings-idle]");
    const before = await marker.getAttribute("data-settings-idle");
    await page.getByRole("button", { name: "Save options" }).click();
    await eventually(async () => {
      const v = await marker.getAttribute("data-settings-idle");
      return !!v && v !== before;
    }, 15_000, "options saved");
    await eventually(async () => (await previewQuote(page)) === expected(100_000, "en", 6).quote, 15_000, "6 instalments in the preview");
    expect((await page.locator(`${preview} [data-soisy-example]`).textContent())?.trim()).toBe(expected(100_000, "en", 6).example);
    await page.screenshot({ path: screenshotPath("widget-preview-en"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The storefront's block (no instalments set in the theme editor) follows the saved setting too, at once.
    const shopper = await newPage("en-GB");
    await shopper.goto(storefront("/products/divano-letto?locale=en"));
    await eventually(async () => (await quoteText(shopper)) === expected(123_456, "en", 6).quote, 10_000, "6 instalments on the product page");
    expect(await exampleText(shopper)).toBe(expected(123_456, "en", 6).example);
    expect(pageErrors).toEqual([]);
  });

  it("serves the extension's assets with strong caching, and the preview endpoint needs the admin session and a valid amount", async () => {
    const { readFileSync } = await import("node:fs");
    const page = await adminPage();
    await page.goto(`${stack.appUrl}/app/settings`);
    const src = await page.locator("script[data-soisy-preview]").getAttribute("src");
    const js = await fetch(`${stack.appUrl}${src}`);
    expect(js.status).toBe(200);
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(await js.text()).toBe(readFileSync(new URL("../../extensions/soisy-widget/assets/soisy-widget.js", import.meta.url), "utf8"));
    const etag = js.headers.get("etag")!;
    expect((await fetch(`${stack.appUrl}${src}`, { headers: { "If-None-Match": etag } })).status).toBe(304);
    expect((await fetch(`${stack.appUrl}/widget-assets/soisy-widget.js?v=old`)).headers.get("cache-control")).toContain("must-revalidate");
    expect((await fetch(`${stack.appUrl}/widget-assets/secrets.json`)).status).toBe(404);

    const anonymous = await fetch(`${stack.appUrl}/app/widget-preview?amount=100000`, { redirect: "manual" });
    expect(anonymous.status).not.toBe(200);
    const api = (query: string) =>
      page.evaluate(async (url) => {
        const r = await fetch(url);
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      }, `${stack.appUrl}/app/widget-preview?${query}`);
    const bad = await api("amount=12.5");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("invalid_request");
    const low = await api("amount=5000&instalments=12");
    expect(low).toEqual({ status: 200, body: { available: false, reason: "out_of_range", minAmount: 10_000, maxAmount: 1_500_000 } });
    const ok = await api("amount=100000&instalments=12");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ available: true, amount: 100_000, instalments: 12, example: { instalment: computeQuotes(100_000, 12, false).median.instalmentAmount } });
  });
});
