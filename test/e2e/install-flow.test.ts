/**
 * Install and auth end to end, in Debian's Chromium: the login page → the app's OAuth begin → the
 * Shopify simulator's consent page (SHOPIFY_ADMIN_URL points the app at it) → the app's callback (code
 * exchange for an expiring offline token) → the dashboard; the refresh grant; logout; invalid domains;
 * axe on the login page.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { headedUserAgent, launchBrowser, screenshotPath } from "../helpers/browser";
import { seriousAxeViolations } from "../helpers/axe";
import { startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { PAYMENTS_APPS_DOCUMENTS } from "../simulators/shopify";
import { ADMIN_COOKIE } from "../helpers/admin-session";
import { parseKeyring } from "~/security/encryption.server";
import { decryptSessionToken } from "~/shopify/session-storage.server";

const SHOP = "nuovo-negozio.myshopify.com";
const SESSION_ID = `offline_${SHOP}`;
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack({ shop: "install-other.myshopify.com", adminOAuth: true }), launchBrowser()]);
  const userAgent = await headedUserAgent(browser);
  context = await browser.newContext({ locale: "it-IT", userAgent });
  page = await context.newPage();
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((ctx) => printAppOutputIfFailed(ctx, stack));

const rawSession = () => stack.database.db.session.findUnique({ where: { id: SESSION_ID } });
/** The stored offline session with its tokens decrypted (they are encrypted at rest). */
async function storedSession() {
  const row = await rawSession();
  if (!row) return row;
  const keyring = parseKeyring(stack.encryptionKey);
  return {
    ...row,
    accessToken: decryptSessionToken(row.accessToken, row.id, "accessToken", keyring),
    refreshToken: row.refreshToken && decryptSessionToken(row.refreshToken, row.id, "refreshToken", keyring),
  };
}

/** paymentsAppConfigure with the given token, straight at the simulator's Payments Apps endpoint. */
async function configureWith(token: string): Promise<{ status: number; userErrors?: unknown }> {
  const res = await fetch(stack.shopify.graphqlUrl(SHOP), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query: PAYMENTS_APPS_DOCUMENTS.paymentsAppConfigure, variables: { externalHandle: SHOP, ready: false } }),
  });
  const body = (await res.json()) as { data?: { paymentsAppConfigure?: { userErrors: unknown } } };
  return { status: res.status, userErrors: body.data?.paymentsAppConfigure?.userErrors };
}

async function sessionCookie(): Promise<string | undefined> {
  return (await context.cookies(stack.appUrl)).find((c) => c.name === ADMIN_COOKIE)?.value;
}

describe("install and auth (non-embedded, OAuth through the Shopify simulator)", () => {
  it("installs on a new shop: login → consent → dashboard, with an expiring offline token Shopify accepts", async () => {
    await page.goto(`${stack.appUrl}/auth/login?lang=it`);
    await expect(page.getByRole("heading", { name: "Accedi a Soisy per Shopify" }).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath("install-login"), fullPage: true });

    await page.getByLabel("Dominio del negozio").fill(SHOP);
    await Promise.all([page.waitForURL(`${stack.shopify.authorizeUrl(SHOP)}?**`), page.getByRole("button", { name: "Accedi" }).click()]);
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get("client_id")).toBe(stack.env.SHOPIFY_API_KEY);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${stack.appUrl}/auth/callback`);
    expect(authorize.searchParams.get("scope")).toBe("write_payment_gateways,write_payment_sessions,write_payment_customizations");
    await expect(page.getByRole("heading", { name: /Installa l'app/ }).isVisible()).resolves.toBe(true);
    await expect(page.getByText("write_payment_sessions").isVisible()).resolves.toBe(true);
    await page.screenshot({ path: screenshotPath("install-consent"), fullPage: true });

    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(`${stack.appUrl}/app`)),
      page.getByRole("button", { name: /Installa l'app/ }).click(),
    ]);
    expect(new URL(page.url()).searchParams.get("shop")).toBe(SHOP);
    await expect(page.getByRole("navigation", { name: "Menu dell'app" }).isVisible()).resolves.toBe(true);
    // The app's own admin session (a random token), not the library's cookie naming the offline session.
    expect(await sessionCookie()).toMatch(/^[A-Za-z0-9%]{40,}$/);
    expect((await context.cookies(stack.appUrl)).map((c) => c.name)).not.toContain("shopify_app_session");

    // One code exchange, asking for an expiring offline token (expiring=1).
    expect(stack.shopify.oauthTokenRequests.map((r) => [r.shop, r.grantType, r.expiring, r.status])).toEqual([
      [SHOP, "authorization_code", true, 200],
    ]);
    const session = await storedSession();
    expect(session).toMatchObject({ shop: SHOP, isOnline: false, scope: "write_payment_gateways,write_payment_sessions,write_payment_customizations" });
    // At rest, both tokens are encrypted.
    const raw = await rawSession();
    expect(raw!.accessToken).toMatch(/^v1\./);
    expect(raw!.refreshToken).toMatch(/^v1\./);
    expect(raw!.accessToken).not.toContain(session!.accessToken);
    expect(session!.accessToken).toBe(stack.shopify.shop(SHOP)!.accessToken);
    expect(session!.refreshToken).toMatch(/^shprt_/);
    expect(session!.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(session!.refreshTokenExpires!.getTime()).toBeGreaterThan(Date.now() + 80 * 24 * 3600_000);

    // The token is accepted by the Payments Apps API for that shop (and a guess is not).
    expect(await configureWith(session!.accessToken)).toEqual({ status: 200, userErrors: [] });
    expect((await configureWith("shpat_guess")).status).toBe(401);

    // afterAuth: the payment customization hiding Soisy at checkout exists, with the granted scope.
    expect(stack.shopify.shop(SHOP)!.scopes).toContain("write_payment_customizations");
    expect(stack.shopify.adminApi.paymentCustomizations(SHOP)).toMatchObject([{ enabled: true }]);
    // afterAuth: the shop's name from the Admin API (`shop { name }`), stored for the shopper pages.
    expect(stack.shopify.shop(SHOP)!.name).toBe("Nuovo Negozio");
    expect(stack.shopify.adminApi.calls.filter((c) => c.shop === SHOP && c.operationName === "SoisyShopProfile").map((c) => [c.status, c.validationErrors])).toEqual([
      [200, []],
    ]);
    expect((await stack.database.db.shopSettings.findUnique({ where: { shop: SHOP } }))?.shopName).toBe("Nuovo Negozio");

    // Without ?shop=, the admin session cookie alone authenticates.
    await page.goto(`${stack.appUrl}/app?lang=en`);
    await expect(page.getByRole("navigation", { name: "App menu" }).isVisible()).resolves.toBe(true);

    // The merchant renames the shop in Shopify: the next options save stores the new name.
    stack.shopify.shop(SHOP)!.name = "Nuovo Negozio di Rossi";
    await page.goto(`${stack.appUrl}/app/settings?lang=it`);
    await page.getByRole("button", { name: "Salva opzioni" }).click();
    await page.getByText("Impostazioni salvate.").first().waitFor({ timeout: 15_000 });
    expect((await stack.database.db.shopSettings.findUnique({ where: { shop: SHOP } }))?.shopName).toBe("Nuovo Negozio di Rossi");
  });

  it("refreshes an expired offline token with the refresh grant (what the payments runtime uses)", async () => {
    const before = await storedSession();
    expect(before?.refreshToken).toBeTruthy();
    await stack.database.db.session.update({ where: { id: SESSION_ID }, data: { expires: new Date(Date.now() - 60_000) } });

    // The app's own code path, in this process against the same database and simulator.
    for (const [key, value] of Object.entries(stack.env)) if (key !== "NODE_ENV" && value !== undefined) process.env[key] = value;
    const { shopAccessToken } = await import("~/shopify/access-token.server");
    const token = await shopAccessToken(SHOP);

    expect(token).not.toBe(before!.accessToken);
    expect(stack.shopify.oauthTokenRequests.at(-1)).toMatchObject({ shop: SHOP, grantType: "refresh_token", status: 200 });
    const after = await storedSession();
    expect(after!.accessToken).toBe(token);
    expect(after!.refreshToken).not.toBe(before!.refreshToken);
    expect(after!.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    // The new token works; the replaced one no longer does.
    expect(await configureWith(token)).toEqual({ status: 200, userErrors: [] });
    expect((await configureWith(before!.accessToken)).status).toBe(401);
    // The merchant's browser session carries on with the refreshed session.
    await page.goto(`${stack.appUrl}/app?lang=it`);
    await expect(page.getByRole("navigation", { name: "Menu dell'app" }).isVisible()).resolves.toBe(true);
  });

  it("refreshes an expired token when the merchant opens the admin (cookie only), instead of failing", async () => {
    const before = await storedSession();
    const refreshes = stack.shopify.oauthTokenRequests.filter((r) => r.grantType === "refresh_token").length;
    await stack.database.db.session.update({ where: { id: SESSION_ID }, data: { expires: new Date(Date.now() - 60_000) } });

    const res = await page.goto(`${stack.appUrl}/app?lang=it`);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/app");
    await expect(page.getByRole("navigation", { name: "Menu dell'app" }).isVisible()).resolves.toBe(true);
    expect(stack.shopify.oauthTokenRequests.filter((r) => r.grantType === "refresh_token" && r.status === 200)).toHaveLength(refreshes + 1);
    const after = await storedSession();
    expect(after!.accessToken).not.toBe(before!.accessToken);
    expect(after!.accessToken).toBe(stack.shopify.shop(SHOP)!.accessToken);
    expect(after!.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
  });

  it("sends the merchant through OAuth again when the expired token cannot be refreshed", async () => {
    await stack.database.db.session.update({
      where: { id: SESSION_ID },
      data: { expires: new Date(Date.now() - 60_000), refreshToken: null, refreshTokenExpires: null },
    });
    await page.goto(`${stack.appUrl}/app?lang=it`);
    expect(page.url().startsWith(stack.shopify.authorizeUrl(SHOP))).toBe(true);
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(`${stack.appUrl}/app`)),
      page.getByRole("button", { name: /Installa l'app/ }).click(),
    ]);
    await expect(page.getByRole("navigation", { name: "Menu dell'app" }).isVisible()).resolves.toBe(true);
    const session = await storedSession();
    expect(session!.refreshToken).toMatch(/^shprt_/);
    expect(session!.accessToken).toBe(stack.shopify.shop(SHOP)!.accessToken);
  });

  it("logs out: back to the login page, /app asks to log in again, the offline session stays", async () => {
    // A cross-site form cannot log the merchant out.
    const forged = await fetch(`${stack.appUrl}/auth/logout`, { method: "POST", headers: { Origin: "https://evil.example" }, redirect: "manual" });
    expect(forged.status).toBe(403);

    await page.goto(`${stack.appUrl}/app?lang=it`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === "/auth/login"),
      page.evaluate(() => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = "/auth/logout?lang=it";
        document.body.append(form);
        form.submit();
      }),
    ]);
    await expect(page.getByRole("heading", { name: "Accedi a Soisy per Shopify" }).isVisible()).resolves.toBe(true);
    expect(await sessionCookie()).toBeUndefined();

    await page.goto(`${stack.appUrl}/app`);
    expect(new URL(page.url()).pathname).toBe("/auth/login");
    const session = await storedSession();
    expect(session?.accessToken).toBe(stack.shopify.shop(SHOP)!.accessToken);
  });

  it("says clearly, in Italian and English, when the shop domain is missing or invalid", async () => {
    const cases = [
      { lang: "it", label: "Dominio del negozio", button: "Accedi", value: "negozio non valido!", error: "Il dominio del negozio non è valido: usa la forma mio-negozio.myshopify.com." },
      { lang: "it", label: "Dominio del negozio", button: "Accedi", value: "", error: "Inserisci il dominio del negozio." },
      { lang: "en", label: "Shop domain", button: "Log in", value: "https://example.com/shop", error: "The shop domain is not valid: use the form my-shop.myshopify.com." },
    ];
    for (const c of cases) {
      await page.goto(`${stack.appUrl}/auth/login?lang=${c.lang}`);
      await page.getByLabel(c.label).fill(c.value);
      await page.getByRole("button", { name: c.button }).click();
      await page.getByText(c.error).waitFor({ timeout: 10_000 });
      expect(new URL(page.url()).pathname).toBe("/auth/login");
      // What the merchant typed stays there to be corrected.
      expect(await page.getByLabel(c.label).inputValue()).toBe(c.value);
      // Polaris ties the error to the field.
      await expect(page.getByLabel(c.label).getAttribute("aria-invalid")).resolves.toBe("true");
    }
    await page.screenshot({ path: screenshotPath("install-login-error"), fullPage: true });
  });

  it("has no serious or critical accessibility violations on the login page (it, en, with an error)", async () => {
    for (const lang of ["it", "en"]) {
      await page.goto(`${stack.appUrl}/auth/login?lang=${lang}`);
      expect(await seriousAxeViolations(page)).toEqual([]);
    }
    await page.getByLabel("Shop domain").fill("bad domain");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("The shop domain is not valid").waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The simulator's consent page too (it stands in for Shopify's).
    await page.goto(`${stack.shopify.authorizeUrl(SHOP)}?client_id=${stack.env.SHOPIFY_API_KEY}&scope=a&redirect_uri=${encodeURIComponent(`${stack.appUrl}/auth/callback`)}&state=x`);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
