/**
 * The merchant's settings page in Debian's Chromium: credentials (write-only keys), verify, options
 * with field-level validation in Italian and English, readiness at Shopify, language switch,
 * screenshots, axe, and the API key never leaving the server in clear.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Locator, Page, Response } from "playwright-core";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { ADMIN_USER_AGENT, adminContext, openSettings, submitSettings, waitForNotice } from "../helpers/admin-page";
import { seriousAxeViolations } from "../helpers/axe";
import { screenshotPath } from "../helpers/browser";
import type { Stack } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";
import { parseKeyring } from "~/security/encryption.server";
import { getShopSettings, soisyCredentials } from "~/settings/settings.server";

const SHOP = "settings-e2e.myshopify.com";
/** A key Soisy (the simulator) refuses, unique enough to be searched for everywhere. */
const CANARY_KEY = "canary-KEY-7d41c9e2b8-never-in-clear";
const GOOD_KEY = "partnerkey";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every body the browser received from the app (documents, loader/action JSON, assets). */
const bodies: Array<{ method: string; url: string; body: string }> = [];
const pendingBodies: Array<Promise<void>> = [];

function record(response: Response) {
  if (!response.url().startsWith(stack.appUrl)) return;
  pendingBodies.push(
    response
      .text()
      .then((body) => void bodies.push({ method: response.request().method(), url: response.url(), body }))
      .catch(() => undefined),
  );
}

async function newContext(locale: string): Promise<BrowserContext> {
  const ctx = await adminContext(browser, stack, { locale });
  ctx.on("response", record);
  return ctx;
}

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser({ shop: SHOP, adminOAuth: true, appEnv: { LOG_LEVEL: "debug" } });
  context = await newContext("it-IT");
  page = await context.newPage();
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(context, browser, stack));

const settings = async () => (await getShopSettings(stack.database.db, SHOP))!;
const sim = () => stack.shopify.shop(SHOP)!;

const open = (query = "") => openSettings(page, stack, query);
const submit = (button: Locator) => submitSettings(page, button);
const banner = (text: string) => waitForNotice(page, text);

/** The tones of the notices (banners) the last action put on the page, in order. */
async function noticeTones(): Promise<string[]> {
  return page.locator("[data-notice-tone]").evaluateAll((els) => els.map((el) => el.getAttribute("data-notice-tone") ?? ""));
}

/** The status badge of one environment's credentials card: its visible label and tone. */
async function credentialsBadge(env: "sandbox" | "production"): Promise<{ text: string; critical: boolean; success: boolean }> {
  const card = page.locator(".Polaris-Card, .Polaris-ShadowBevel").filter({ has: page.getByRole("form", { name: env === "sandbox" ? /Sandbox/ : /Produzione|Production/ }) }).last();
  const badge = card.locator(".Polaris-Badge").first();
  const cls = (await badge.getAttribute("class")) ?? "";
  // The visible label only: Polaris adds the tone's name for screen readers ("Critico", "Operazione riuscita").
  const text = await badge.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll("[class*='visuallyHidden']").forEach((hidden) => hidden.remove());
    return (copy.textContent ?? "").trim();
  });
  return { text, critical: cls.includes("Polaris-Badge--toneCritical"), success: cls.includes("Polaris-Badge--toneSuccess") };
}

const storefrontProduct = () => `${stack.shopify.url}/shops/${SHOP}/products/divano-letto`;
/** Whether the simulated storefront's product page renders the Soisy widget (the theme block reads the app's metafield). */
async function storefrontHasWidget(): Promise<boolean> {
  const html = await (await fetch(storefrontProduct())).text();
  return html.includes("data-soisy-widget");
}
/** The app-data metafield the theme widget reads ({ready, …}), as the app last wrote it. */
function widgetMetafield(): { ready?: boolean } | undefined {
  const admin = stack.shopify.adminApi;
  const raw = admin.metafield(admin.appInstallationId(SHOP), "soisy", "widget")?.value;
  return raw ? (JSON.parse(raw) as { ready?: boolean }) : undefined;
}

/** The error text Polaris shows under a field (referenced by the input's aria-describedby). */
async function fieldError(id: string): Promise<string> {
  expect(await page.locator(`#${id}`).getAttribute("aria-invalid")).toBe("true");
  return (await page.locator(`#${id}Error`).innerText()).trim();
}

async function saveCredentials(env: "sandbox" | "production", shopId: string, apiKey: string) {
  await page.locator(`#${env}-soisyShopId`).fill(shopId);
  await page.locator(`#${env}-apiKey`).fill(apiKey);
  await submit(page.getByRole("form", { name: env === "sandbox" ? /Sandbox/ : /Produzione|Production/ }).getByRole("button"));
}

describe("settings page (non-embedded admin)", () => {
  it("starts consistent: both environments verified, ready, no contradiction on the page", async () => {
    const s = await settings();
    expect(s.ready).toBe(true);
    expect(s.credentials.sandbox.verifiedAt).toBeInstanceOf(Date);
    expect(s.credentials.production.verifiedAt).toBeInstanceOf(Date);
    await open();
    await page.getByText("Pronto", { exact: true }).waitFor();
    expect((await credentialsBadge("sandbox")).text).toBe("Verificate");
    expect((await credentialsBadge("production")).text).toBe("Verificate");
    expect(await page.getByText("Le credenziali di produzione non sono ancora verificate").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Aggiorna Shopify" }).count()).toBe(0);
  });

  it("shows the settings in Italian, keys masked, screenshot and axe clean", async () => {
    await open();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("Impostazioni");
    await expect.poll(() => page.locator("#production-soisyShopId").inputValue()).toBe("partnershop");
    await expect.poll(() => page.locator("#production-apiKey").inputValue()).toBe("");
    await page.getByText("Chiave API salvata: •••••••• (impostata)").first().waitFor();
    expect(await page.getByRole("link", { name: "Apri le impostazioni dei pagamenti in Shopify" }).getAttribute("href")).toBe("https://admin.shopify.com/store/settings-e2e/settings/payments");
    expect(await page.content()).not.toContain(GOOD_KEY);
    await page.screenshot({ path: screenshotPath("admin-settings-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("speaks English with ?lang=en, with Accept-Language, and after the language switch (kept on posts)", async () => {
    const en = await newContext("en-GB");
    const enPage = await en.newPage();
    await enPage.goto(`${stack.appUrl}/app/settings`);
    await expect.poll(() => enPage.getByRole("heading", { level: 1 }).innerText()).toBe("Settings");
    await en.close();

    await open();
    await page.getByRole("link", { name: "English" }).click();
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("Settings");
    expect(new URL(page.url()).searchParams.get("lang")).toBe("en");
    await submit(page.getByRole("button", { name: "Save options" }));
    await banner("Settings saved.");
    expect(new URL(page.url()).searchParams.get("lang")).toBe("en");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).innerText()).toBe("Settings");
    await page.screenshot({ path: screenshotPath("admin-settings-en"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("saves the options exactly and shows them after a reload", async () => {
    await open();
    await page.locator("#minAmount").fill("150,50");
    await page.locator("#maxAmount").fill("9999.99");
    await page.locator("#integrationLevel").selectOption("preapproval");
    await page.locator("#resolveOn").selectOption("disbursed");
    await page.locator("#pendingExpiryDays").fill("2");
    await page.locator("#widgetInstalments").fill("10");
    await page.locator("#allowedCountries").fill("it, sm");
    await page.locator("#excludedProductTags").fill("no-soisy, gift ,  ");
    await page.locator("#zeroInterest").check({ force: true });
    await page.locator("#excludeGiftCards").uncheck({ force: true });
    await page.locator("#autoResolveRefunds").check({ force: true });
    await submit(page.getByRole("button", { name: "Salva opzioni" }));
    await banner("Impostazioni salvate.");

    const s = await settings();
    expect(s).toMatchObject({
      minAmountCents: 15050,
      maxAmountCents: 999999,
      integrationLevel: "preapproval",
      resolveOn: "disbursed",
      pendingExpiryDays: 2,
      widgetInstalments: 10,
      allowedCountries: ["IT", "SM"],
      excludedProductTags: ["no-soisy", "gift"],
      zeroInterest: true,
      excludeGiftCards: false,
      autoResolveRefunds: true,
    });

    await page.reload();
    // Amounts as Italians write them, with the admin's money format beside them.
    await expect.poll(() => page.locator("#minAmount").inputValue()).toBe("150,50");
    await expect.poll(() => page.locator("#maxAmount").inputValue()).toBe("9999,99");
    expect(await page.locator("#minAmountHelpText").innerText()).toBe("Importo: € 150,50. Per esempio 150,50; tra € 1,00 e € 30.000,00.");
    expect(await page.locator("#maxAmountHelpText").innerText()).toContain("Importo: € 9.999,99.");
    await expect.poll(() => page.locator("#integrationLevel").inputValue()).toBe("preapproval");
    await expect.poll(() => page.locator("#resolveOn").inputValue()).toBe("disbursed");
    await expect.poll(() => page.locator("#pendingExpiryDays").inputValue()).toBe("2");
    await expect.poll(() => page.locator("#widgetInstalments").inputValue()).toBe("10");
    await expect.poll(() => page.locator("#allowedCountries").inputValue()).toBe("IT, SM");
    await expect.poll(() => page.locator("#excludedProductTags").inputValue()).toBe("no-soisy, gift");
    expect(await page.locator("#zeroInterest").isChecked()).toBe(true);
    expect(await page.locator("#excludeGiftCards").isChecked()).toBe(false);
    expect(await page.locator("#autoResolveRefunds").isChecked()).toBe(true);
  });

  it("shows field-level errors in Italian and English and saves nothing", async () => {
    const before = await settings();

    await open();
    await page.locator("#minAmount").fill("12,5.3");
    await page.locator("#allowedCountries").fill("IT, XX");
    await page.locator("#pendingExpiryDays").fill("1"); // valid, but must not be saved alone
    await submit(page.getByRole("button", { name: "Salva opzioni" }));
    await banner("Non salvato: correggi i campi evidenziati.");
    expect(await fieldError("minAmount")).toBe("Importo non valido: usa cifre con al massimo due decimali, per esempio 150,50.");
    expect(await fieldError("allowedCountries")).toBe("Codice paese sconosciuto: XX. Usa i codici ISO a due lettere (IT, SM, …).");
    await expect.poll(() => page.locator("#minAmount").inputValue()).toBe("12,5.3"); // what was typed stays
    await expect.poll(() => page.locator("#maxAmountError").count()).toBe(0);

    await page.locator("#minAmount").fill("500");
    await page.locator("#maxAmount").fill("200");
    await page.locator("#allowedCountries").fill("IT");
    await submit(page.getByRole("button", { name: "Salva opzioni" }));
    expect(await fieldError("minAmount")).toBe("L'importo minimo deve essere inferiore al massimo.");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await open("?lang=en");
    await page.locator("#minAmount").fill("12,5.3");
    await page.locator("#allowedCountries").fill("it, xx, zz");
    await submit(page.getByRole("button", { name: "Save options" }));
    await banner("Not saved: fix the highlighted fields.");
    expect(await fieldError("minAmount")).toBe("Invalid amount: use digits with at most two decimals, for example 150.50.");
    expect(await fieldError("allowedCountries")).toBe("Unknown country code: XX, ZZ. Use two-letter ISO codes (IT, SM, …).");

    await page.locator("#minAmount").fill("20000");
    await page.locator("#maxAmount").fill("20000.00");
    await page.locator("#allowedCountries").fill("IT");
    await submit(page.getByRole("button", { name: "Save options" }));
    await expect.poll(() => page.locator("#minAmountError").textContent()).toBe("The minimum amount must be lower than the maximum.");

    expect(await settings()).toEqual(before);
  });

  it("verifies credentials: Soisy refuses a wrong key (403), accepts the right one", async () => {
    await open();
    await saveCredentials("sandbox", "partnershop", CANARY_KEY);
    await banner("Soisy ha rifiutato le credenziali sandbox (ha risposto 403)");
    // Refused credentials: one critical notice saying what to check, no green "saved".
    expect(await noticeTones()).toEqual(["critical"]);
    await banner("Controlla che l'ID negozio e la chiave API siano quelli sandbox che ti ha dato Soisy");
    expect((await settings()).credentials.sandbox.verifiedAt).toBeNull();
    expect((await settings()).credentials.sandbox.rejectedAt).toBeInstanceOf(Date);
    await expect.poll(() => credentialsBadge("sandbox")).toEqual({ text: "Rifiutate da Soisy", critical: true, success: false });
    await page.getByText(/Soisy ha rifiutato queste credenziali il /).first().waitFor();
    // The app really sent the new key to Soisy (and only there).
    expect(stack.soisy.requests.some((r) => r.headers["x-auth-token"] === CANARY_KEY)).toBe(true);

    await submit(page.getByRole("button", { name: /^Verifica: .*Sandbox/ }));
    await expect.poll(() => page.getByText(/Soisy ha rifiutato le credenziali sandbox/).count()).toBe(1);
    expect(await noticeTones()).toEqual(["critical"]);
    await expect.poll(() => credentialsBadge("sandbox")).toEqual({ text: "Rifiutate da Soisy", critical: true, success: false });

    // English: the same state, in English.
    await open("?lang=en");
    await expect.poll(() => credentialsBadge("sandbox")).toEqual({ text: "Rejected by Soisy", critical: true, success: false });
    await page.getByText(/Soisy rejected these credentials on /).first().waitFor();
    await open();

    // Blank key = keep the stored one: changing only... the key must change here, so type it.
    await saveCredentials("sandbox", "partnershop", GOOD_KEY);
    await banner("Credenziali sandbox verificate: Soisy le ha accettate.");
    expect(await noticeTones()).toEqual(["success", "success"]);
    expect((await settings()).credentials.sandbox.verifiedAt).toBeInstanceOf(Date);
    expect((await settings()).credentials.sandbox.rejectedAt).toBeUndefined();
    await expect.poll(() => credentialsBadge("sandbox")).toEqual({ text: "Verificate", critical: false, success: true });

    // Verify with the stored key (blank field) in English.
    await open("?lang=en");
    await submit(page.getByRole("button", { name: /^Verify: .*Sandbox/ }));
    await banner("The sandbox credentials are verified: Soisy accepted them.");
    await page.getByText(/Verified on /).first().waitFor();
  });

  it("says when Soisy fails instead of pretending (and a temporary failure keeps the earlier verification)", async () => {
    const verifiedAt = (await settings()).credentials.sandbox.verifiedAt;
    expect(verifiedAt).toBeInstanceOf(Date);
    stack.soisy.setFaults({ failNext: { count: 10, status: 503 } });
    try {
      await open("?lang=en");
      await submit(page.getByRole("button", { name: /^Verify: .*Sandbox/ }));
      await banner("Soisy answered with an internal error: the sandbox credentials were not verified. Try again later.");
      await expect.poll(() => page.getByText("The sandbox credentials are verified").count()).toBe(0);
    } finally {
      stack.soisy.clearFaults();
    }
    expect((await settings()).credentials.sandbox.verifiedAt).toEqual(verifiedAt);
  });

  it("readiness: verified production credentials → paymentsAppConfigure(ready: true); invalid or removed → ready: false", async () => {
    await open();
    await saveCredentials("production", "partnershop", GOOD_KEY);
    await banner("Credenziali di produzione verificate: Soisy le ha accettate.");
    await banner("Shopify aggiornato: Soisy è pronto per essere attivato.");
    expect(sim().configuration).toEqual({ externalHandle: "partnershop", ready: true });
    await page.getByText("Pronto", { exact: true }).waitFor();

    expect(widgetMetafield()?.ready).toBe(true);
    expect(await storefrontHasWidget()).toBe(true);

    // A key Soisy refuses: rejected, red, not ready, said as a warning — never as good news.
    await saveCredentials("production", "partnershop", CANARY_KEY);
    await banner("Soisy ha rifiutato le credenziali di produzione (ha risposto 403)");
    await banner("Shopify aggiornato: Soisy non è più pronto.");
    const tones = await noticeTones();
    expect(tones).not.toContain("success");
    expect(tones.slice(0, 2)).toEqual(["critical", "warning"]);
    expect(sim().configuration).toEqual({ externalHandle: "partnershop", ready: false });
    expect((await settings()).ready).toBe(false);
    expect((await settings()).credentials.production.rejectedAt).toBeInstanceOf(Date);
    await expect.poll(() => credentialsBadge("production")).toEqual({ text: "Rifiutate da Soisy", critical: true, success: false });
    await page.getByText("Non pronto", { exact: true }).waitFor();
    await page.getByText("Soisy ha rifiutato le credenziali di produzione: correggi l'ID negozio o la chiave API e premi «Salva e verifica».").waitFor();
    // The storefront follows: the widget's metafield says not ready and the theme block renders no widget.
    expect(widgetMetafield()?.ready).toBe(false);
    expect(await storefrontHasWidget()).toBe(false);
    // "Verifica" again with the stored wrong key: still rejected, still no success banner.
    await submit(page.getByRole("button", { name: /^Verifica: .*Produzione/ }));
    await banner("Soisy ha rifiutato le credenziali di produzione (ha risposto 403)");
    expect(await noticeTones()).not.toContain("success");
    expect((await settings()).ready).toBe(false);

    await saveCredentials("production", "partnershop", GOOD_KEY);
    await banner("Shopify aggiornato: Soisy è pronto per essere attivato.");
    expect(sim().configuration?.ready).toBe(true);
    expect((await settings()).credentials.production.rejectedAt).toBeUndefined();
    await expect.poll(() => credentialsBadge("production")).toEqual({ text: "Verificate", critical: false, success: true });
    await page.getByText("Pronto", { exact: true }).waitFor();
    expect(widgetMetafield()?.ready).toBe(true);
    expect(await storefrontHasWidget()).toBe(true);

    // Shopify unreachable while removing: said on the page, not recorded as done; retry works.
    stack.shopify.setFaults({ failNext: { count: 1, status: 503 } });
    const calls = sim().configurationHistory.length;
    await submit(page.getByRole("button", { name: /^Rimuovi credenziali: .*Produzione/ }));
    await banner("Credenziali di produzione rimosse.");
    await banner("Shopify non è raggiungibile: lo stato di attivazione non è stato aggiornato.");
    expect(sim().configurationHistory.length).toBe(calls);
    expect((await settings()).ready).toBe(true); // what Shopify last accepted
    await page.getByText("Shopify non è ancora stato aggiornato con lo stato attuale.").waitFor();
    await page.getByText("Mancano le credenziali Soisy di produzione.").waitFor();

    await submit(page.getByRole("button", { name: "Aggiorna Shopify" }));
    await banner("Shopify aggiornato: Soisy non è più pronto.");
    // No longer ready is never announced as good news.
    expect(await noticeTones()).not.toContain("success");
    expect((await noticeTones())[0]).toBe("warning");
    expect(sim().configuration).toEqual({ externalHandle: null, ready: false });
    expect(sim().configurationHistory.map((c) => c.ready)).toEqual([true, false, false, true, false]);
    expect((await settings()).ready).toBe(false);
    await expect.poll(() => page.getByRole("button", { name: "Aggiorna Shopify" }).count()).toBe(0);
    await page.getByText("Non pronto", { exact: true }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("refuses a POST from another origin (CSRF) and without an Origin", async () => {
    const before = await settings();
    const cookie = adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, SHOP);
    const headers = {
      cookie,
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": ADMIN_USER_AGENT,
    };
    const body = new URLSearchParams({ intent: "removeCredentials", environment: "sandbox" }).toString();
    const url = `${stack.appUrl}/app/settings?lang=en&_data=routes%2Fapp.settings`;
    const foreign = await fetch(url, { method: "POST", headers: { ...headers, origin: "https://evil.example" }, body, redirect: "manual" });
    expect(foreign.status).toBe(403);
    const none = await fetch(url, { method: "POST", headers, body, redirect: "manual" });
    expect(none.status).toBe(403);
    expect(await settings()).toEqual(before);
    // The same request from the app's origin goes through (so the checks above can fail).
    const own = await fetch(url, { method: "POST", headers: { ...headers, origin: stack.appUrl }, body, redirect: "manual" });
    expect(own.status).toBe(200);
    expect((await settings()).credentials.sandbox.apiKeySet).toBe(false);
  });

  it("never lets the API key reach a response body, a log line or the database in clear", async () => {
    // Loader JSON (client-side navigation and revalidation) is among the recorded responses.
    await open();
    await saveCredentials("sandbox", "partnershop", CANARY_KEY);
    await banner("Soisy ha rifiutato le credenziali sandbox");
    await Promise.all(pendingBodies);

    const loaderJson = bodies.filter((b) => b.method === "GET" && /[?&]_data=routes%2Fapp\.settings/.test(b.url));
    expect(loaderJson.length).toBeGreaterThan(0);
    expect(bodies.filter((b) => b.body.includes("apiKeySet")).length).toBeGreaterThan(0);
    for (const { url, body } of bodies) {
      expect(body.includes(CANARY_KEY), url).toBe(false);
      expect(body.includes(GOOD_KEY), url).toBe(false);
    }

    // Logs: the app logged the checks (debug level) but never the key.
    const output = stack.appOutput();
    expect(output).toContain("soisy credentials checked");
    expect(output).not.toContain(CANARY_KEY);
    expect(output).not.toContain(GOOD_KEY);

    // Database: the key is stored (it decrypts) but only encrypted.
    const stored = await soisyCredentials(stack.database.db, SHOP, "sandbox", parseKeyring(stack.encryptionKey));
    expect(stored?.apiKey).toBe(CANARY_KEY);
    const raw = await databaseText();
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.includes(CANARY_KEY)).toBe(false);
    expect(raw.includes(GOOD_KEY)).toBe(false);
  });
});

/** Everything the test database holds, as text (SQLite: the files; PostgreSQL: every row). */
async function databaseText(): Promise<string> {
  const t = stack.database;
  if (t.kind === "sqlite") {
    await t.db.$queryRawUnsafe("PRAGMA wal_checkpoint(PASSIVE)").catch(() => undefined);
    const files = [t.file!, `${t.file}-wal`, `${t.file}-journal`].filter((f) => existsSync(f));
    return Buffer.concat(files.map((f) => readFileSync(f))).toString("latin1");
  }
  const tables = await t.db.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await t.db.$queryRawUnsafe<Array<{ row: string }>>(`SELECT row_to_json(x)::text AS row FROM "${name.replace(/"/g, '""')}" x`);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join("\n");
}
