/**
 * The checkout rules end to end: the merchant saves the options on the real settings page (built app,
 * Debian's Chromium) → the app creates its payment customization in Shopify (simulator's Admin API) with
 * a config metafield equal to the saved settings and the widget's app-data metafield; saving again
 * updates without a duplicate; Shopify's Admin API down → settings still saved, a bilingual warning, the
 * next save syncs. The JSON the app wrote is fed to the function with realistic carts (round trip).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { adminContext, openSettings, submitSettings } from "../helpers/admin-page";
import { seriousAxeViolations } from "../helpers/axe";
import { screenshotPath } from "../helpers/browser";
import type { Stack } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";
import { getShopSettings } from "~/settings/settings.server";
import { checkoutRulesConfig, CONFIG_METAFIELD, WIDGET_METAFIELD } from "~/shopify/payment-customization.server";
import { cartPaymentMethodsTransformRun } from "../../extensions/soisy-payment-customization/src/index.js";

const SHOP = "rules-e2e.myshopify.com";
const SOISY = { id: "gid://shopify/PaymentCustomizationPaymentMethod/3", name: "Paga a rate con Soisy" };
const CARD = { id: "gid://shopify/PaymentCustomizationPaymentMethod/1", name: "Carta di credito" };

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser({ shop: SHOP, adminOAuth: true });
  context = await adminContext(browser, stack, { locale: "it-IT" });
  page = await context.newPage();
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(context, browser, stack));

const admin = () => stack.shopify.adminApi;
const customizations = () => admin().paymentCustomizations(SHOP);
function configJson(): unknown {
  const [c] = customizations();
  const m = c ? admin().metafield(c.id, CONFIG_METAFIELD.namespace, CONFIG_METAFIELD.key) : undefined;
  return m ? JSON.parse(m.value) : undefined;
}
function widgetJson(): unknown {
  const m = admin().metafield(admin().appInstallationId(SHOP), WIDGET_METAFIELD.namespace, WIDGET_METAFIELD.key);
  return m ? JSON.parse(m.value) : undefined;
}

const open = (query = "") => openSettings(page, stack, query);
const submit = (button: Locator) => submitSettings(page, button);

async function saveOptions(values: Record<string, string>, button = "Salva opzioni") {
  await open(button === "Save options" ? "?lang=en" : "");
  for (const [id, value] of Object.entries(values)) await page.locator(`#${id}`).fill(value);
  await submit(page.getByRole("button", { name: button }));
}

const banners = async () => (await page.locator(".Polaris-Banner").allInnerTexts()).join("\n");

function cart(amount: string, country: string | null, product: { hasExcludedTag?: boolean; isGiftCard?: boolean } = {}) {
  return {
    cart: {
      cost: { totalAmount: { amount, currencyCode: "EUR" } },
      deliveryGroups: [{ deliveryAddress: country ? { countryCode: country } : null }],
      lines: [
        { merchandise: { __typename: "ProductVariant", product: { isGiftCard: false, hasExcludedTag: false } } },
        { merchandise: { __typename: "ProductVariant", product: { isGiftCard: false, hasExcludedTag: false, ...product } } },
      ],
    },
    paymentMethods: [CARD, SOISY],
    paymentCustomization: { metafield: { jsonValue: configJson() } },
  };
}
const hidden = (input: ReturnType<typeof cart>) => cartPaymentMethodsTransformRun(input).operations.map((o) => o.paymentMethodHide.paymentMethodId);

describe("checkout rules written to Shopify when the merchant saves the settings", () => {
  it("the first save creates one enabled payment customization whose config equals the saved settings", async () => {
    expect(customizations()).toEqual([]);
    await open();
    await page.locator("#minAmount").fill("150,50");
    await page.locator("#maxAmount").fill("5000");
    await page.locator("#widgetInstalments").fill("10");
    await page.locator("#allowedCountries").fill("it, sm");
    await page.locator("#excludedProductTags").fill("no-soisy, usato");
    await page.locator("#excludeGiftCards").check({ force: true });
    await submit(page.getByRole("button", { name: "Salva opzioni" }));
    await page.getByText("Impostazioni salvate.").first().waitFor();
    expect(await banners()).not.toMatch(/Shopify/);

    const saved = (await getShopSettings(stack.database.db, SHOP))!;
    expect(saved).toMatchObject({ minAmountCents: 15_050, maxAmountCents: 500_000, allowedCountries: ["IT", "SM"], excludedProductTags: ["no-soisy", "usato"], excludeGiftCards: true });
    const list = customizations();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ enabled: true, title: expect.stringContaining("Soisy") });
    expect(admin().functions.find((f) => f.id === list[0]!.functionId)?.handle).toBe("soisy-payment-customization");
    expect(configJson()).toEqual({
      minCents: 15_050,
      maxCents: 500_000,
      currency: "EUR",
      allowedCountries: ["IT", "SM"],
      excludedTags: ["no-soisy", "usato"],
      excludeGiftCards: true,
    });
    expect(configJson()).toEqual(checkoutRulesConfig(saved));
    expect(widgetJson()).toEqual({ ready: true, minCents: 15_050, maxCents: 500_000, instalments: 10 });
    expect(stack.shopify.adminApi.calls.every((c) => c.validationErrors.length === 0 && c.status === 200)).toBe(true);
  });

  it("the function, fed the JSON the app wrote, hides Soisy exactly for the carts the settings exclude", () => {
    expect(hidden(cart("450.00", "IT"))).toEqual([]);
    expect(hidden(cart("150.50", "SM"))).toEqual([]);
    expect(hidden(cart("5000.00", "IT"))).toEqual([]);
    expect(hidden(cart("150.49", "IT"))).toEqual([SOISY.id]);
    expect(hidden(cart("5000.01", "IT"))).toEqual([SOISY.id]);
    expect(hidden(cart("450.00", "FR"))).toEqual([SOISY.id]);
    expect(hidden(cart("450.00", null))).toEqual([]);
    expect(hidden(cart("450.00", "IT", { hasExcludedTag: true }))).toEqual([SOISY.id]);
    expect(hidden(cart("450.00", "IT", { isGiftCard: true }))).toEqual([SOISY.id]);
  });

  it("saving again updates the metafields and keeps one customization", async () => {
    const [before] = customizations();
    await saveOptions({ maxAmount: "3000", excludedProductTags: "" });
    await page.getByText("Impostazioni salvate.").first().waitFor();
    const list = customizations();
    expect(list.map((c) => c.id)).toEqual([before!.id]);
    expect(configJson()).toMatchObject({ maxCents: 300_000, excludedTags: [] });
    expect(widgetJson()).toMatchObject({ maxCents: 300_000 });
    expect(hidden(cart("3500.00", "IT"))).toEqual([SOISY.id]);
    expect(hidden(cart("450.00", "IT", { hasExcludedTag: true }))).toEqual([]);
  });

  it("Shopify's Admin API down: settings saved, a warning in Italian and English; the next save syncs", async () => {
    admin().setFaults({ down: true });
    await saveOptions({ minAmount: "200" });
    await page.getByText("Impostazioni salvate, ma Shopify non è raggiungibile").first().waitFor();
    expect(await banners()).toContain("Impostazioni salvate.");
    expect((await getShopSettings(stack.database.db, SHOP))!.minAmountCents).toBe(20_000);
    expect(configJson()).toMatchObject({ minCents: 15_050 });
    await page.screenshot({ path: screenshotPath("checkout-rules-warning-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await saveOptions({ minAmount: "210" }, "Save options");
    await page.getByText("Settings saved, but Shopify cannot be reached").first().waitFor();
    await page.screenshot({ path: screenshotPath("checkout-rules-warning-en"), fullPage: true });
    expect(stack.appOutput()).not.toContain(stack.accessToken);

    admin().clearFaults();
    await saveOptions({ minAmount: "220" });
    await page.getByText("Impostazioni salvate.").first().waitFor();
    expect(await banners()).not.toMatch(/Shopify/);
    expect(configJson()).toMatchObject({ minCents: 22_000 });
    expect(widgetJson()).toMatchObject({ minCents: 22_000 });
    expect(customizations()).toHaveLength(1);
  });
});
