/**
 * Fund on fulfilment in the merchant's admin (issue 15), in Debian's Chromium against the built app
 * and a real database: the setting "When Soisy funds" / "Days to capture" saved, refused inline and
 * shown again; a resolved authorization's page with its expiry, Shopify's inventory answer and its
 * captures and voids (rows written directly: the capture and void services are their own work) — a
 * void awaiting the merchant carries the instruction and a form for /app/settlements/:id; the list's
 * filters and badges; the CSV columns. Italian and English, screenshots, axe.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adminContext, openSettings, submitSettings, waitForNotice } from "../helpers/admin-page";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { ADMIN_USER_AGENT } from "../helpers/admin-page";
import { seriousAxeViolations } from "../helpers/axe";
import { screenshotPath } from "../helpers/browser";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";
import { printAppOutputIfFailed, type Stack } from "../helpers/stack";
import { getShopSettings } from "~/settings/settings.server";
import { formatDateTime } from "~/transactions/format";

const SHOP = "fof-admin.myshopify.com";
const AUTH = "fof-auth-1";
const SALE = "fof-sale-1";
const VOID = "fof-void-1";
const CAPTURE_OK = "fof-capture-ok";
const CAPTURE_REFUSED = "fof-capture-refused";
/** An authorization not captured, whose void the merchant confirms by pressing the button. */
const AUTH2 = "fof-auth-2";
const VOID2 = "fof-void-2";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const db = () => stack.database.db;
const expiresAt = new Date(Date.now() + 20 * 86_400_000);
const answeredAt = new Date(Date.now() - 30_000);

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser({ shop: SHOP, adminOAuth: true });
  context = await adminContext(browser, stack, { viewport: { width: 1280, height: 900 }, locale: "it-IT" });
  page = await context.newPage();

  const base = { shop: SHOP, currency: "EUR", test: true, proposedAt: new Date(), environment: "sandbox", callbackSecret: "x" };
  // A resolved authorization: Soisy verified it, Shopify confirmed the goods, capturable for 20 more days.
  await db().paymentSession.create({
    data: {
      ...base,
      id: AUTH,
      gid: `gid://shopify/PaymentSession/${AUTH}`,
      group: "g-auth",
      amountCents: 150_000,
      kind: "authorization",
      state: "resolved",
      soisyToken: "tok-fof-auth",
      soisyStatus: "waiting_for_disbursement",
      soisyLoanAmountCents: 150_000,
      resolvedAt: new Date(),
      authorizationExpiresAt: expiresAt,
      confirmationRequestedAt: new Date(Date.now() - 60_000),
      confirmationResult: true,
      confirmationAnsweredAt: answeredAt,
      createdAt: new Date(Date.now() - 120_000),
    },
  });
  await db().paymentSession.create({
    data: { ...base, id: SALE, gid: `gid://shopify/PaymentSession/${SALE}`, group: "g-sale", amountCents: 30_000, kind: "sale", state: "resolved", createdAt: new Date(Date.now() - 240_000) },
  });
  await db().paymentSession.create({
    data: {
      ...base,
      id: AUTH2,
      gid: `gid://shopify/PaymentSession/${AUTH2}`,
      group: "g-auth2",
      amountCents: 80_000,
      kind: "authorization",
      state: "resolved",
      soisyToken: "tok-fof-auth2",
      soisyStatus: "waiting_for_disbursement",
      resolvedAt: new Date(),
      authorizationExpiresAt: expiresAt,
      createdAt: new Date(Date.now() - 300_000),
    },
  });
  await db().settlementSession.create({
    data: { id: VOID2, gid: `gid://shopify/VoidSession/${VOID2}`, shop: SHOP, paymentSessionId: AUTH2, kind: "void", state: "awaiting_merchant", test: true, proposedAt: new Date() },
  });
  const settlement = { shop: SHOP, paymentSessionId: AUTH, test: true, proposedAt: new Date() };
  await db().settlementSession.create({
    data: { ...settlement, id: CAPTURE_REFUSED, gid: `gid://shopify/CaptureSession/${CAPTURE_REFUSED}`, kind: "capture", amountCents: 200_000, currency: "EUR", state: "rejected", rejectCode: "PROCESSING_ERROR", rejectReason: "Soisy refused the capture", soisyResult: "refused:amount_exceeds_loan", createdAt: new Date(Date.now() - 50_000) },
  });
  await db().settlementSession.create({
    data: { ...settlement, id: CAPTURE_OK, gid: `gid://shopify/CaptureSession/${CAPTURE_OK}`, kind: "capture", amountCents: 100_050, currency: "EUR", state: "resolved", soisyResult: "triggered", createdAt: new Date(Date.now() - 40_000) },
  });
  await db().settlementSession.create({
    data: { ...settlement, id: VOID, gid: `gid://shopify/VoidSession/${VOID}`, kind: "void", state: "awaiting_merchant", createdAt: new Date(Date.now() - 20_000) },
  });
  const event = (source: string, type: string, detail: Record<string, unknown>, ago: number) =>
    db().timelineEvent.create({ data: { shop: SHOP, paymentSessionId: AUTH, source, type, detailJson: JSON.stringify(detail), createdAt: new Date(Date.now() - ago) } });
  await event("shopify", "confirmation_received", { result: true }, 30_000);
  await event("shopify", "capture_session_received", { captureId: CAPTURE_OK, amountCents: 100_050 }, 40_000);
  await event("soisy", "capture_triggered", { captureId: CAPTURE_OK }, 39_000);
  await event("shopify", "void_session_received", { voidId: VOID }, 20_000);
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(context, browser, stack));

afterEach((ctx) => printAppOutputIfFailed(ctx, stack));

async function open(path: string) {
  const response = await page.goto(`${stack.appUrl}${path}`);
  expect(response?.status(), path).toBe(200);
  await page.locator("h1").first().waitFor();
}

async function expectAccessible(name: string) {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
  expect(await seriousAxeViolations(page)).toEqual([]);
}

describe("setting: when Soisy funds", () => {
  it("is 'when Soisy approves' by default; 'at fulfilment' with 14 days is saved, said and shown again", async () => {
    await openSettings(page, stack);
    expect(await page.locator("#fundOn").inputValue()).toBe("approval");
    expect(await page.locator("#authorizationDays").inputValue()).toBe("30");
    const fundOnLabel = page.locator('label[for="fundOn"]');
    expect(await fundOnLabel.innerText()).toBe("Quando Soisy finanzia");
    expect(await page.locator("#fundOn option").allInnerTexts()).toEqual(["All'approvazione di Soisy (predefinito)", "All'evasione dell'ordine"]);
    expect(await page.getByText("richiede il contratto Soisy per gli ordini sospesi").count()).toBeGreaterThan(0);

    await page.locator("#fundOn").selectOption("fulfilment");
    await page.locator("#authorizationDays").fill("14");
    await submitSettings(page, page.getByRole("button", { name: "Salva opzioni" }));
    await waitForNotice(page, "Impostazioni salvate.");
    await waitForNotice(page, "lo dirà il primo incasso");
    expect(await getShopSettings(db(), SHOP)).toMatchObject({ fundOn: "fulfilment", authorizationDays: 14 });

    await openSettings(page, stack);
    expect(await page.locator("#fundOn").inputValue()).toBe("fulfilment");
    expect(await page.locator("#authorizationDays").inputValue()).toBe("14");
    await expectAccessible("fund-on-settings-it");
  });

  it("refuses 45 days inline, in the merchant's language, and saves nothing", async () => {
    await openSettings(page, stack, "?lang=en");
    expect(await page.locator('label[for="fundOn"]').innerText()).toBe("When Soisy funds");
    expect(await page.locator("#fundOn option").allInnerTexts()).toEqual(["When Soisy approves (default)", "When the order is fulfilled"]);
    expect(await page.locator('label[for="authorizationDays"]').innerText()).toBe("Days to capture");
    await page.locator("#authorizationDays").fill("45");
    await submitSettings(page, page.getByRole("button", { name: "Save options" }));
    await waitForNotice(page, "Enter a number of days between 1 and 30.");
    expect(await page.locator("#authorizationDays").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#authorizationDays").inputValue()).toBe("45");
    expect(await getShopSettings(db(), SHOP)).toMatchObject({ fundOn: "fulfilment", authorizationDays: 14 });
    await expectAccessible("fund-on-settings-error-en");
  });
});

describe("an authorization's page", () => {
  it("shows the kind, the capture deadline, Shopify's answer, captures and voids with Soisy's reason; the void asks the merchant to confirm", async () => {
    await open(`/app/transactions/${AUTH}`);
    const summary = await page.getByTestId("summary").innerText();
    expect(summary).toContain("Autorizzazione, finanziata all'evasione");
    expect(summary).toContain(`Da incassare entro il ${formatDateTime(expiresAt, "it")}`);
    expect(summary).toContain(`Confermata da Shopify il ${formatDateTime(answeredAt, "it")}`);

    const section = (id: string) => page.locator(`[data-settlement="${id}"]`);
    expect(await section(CAPTURE_OK).innerText()).toContain("Incasso di € 1.000,50");
    expect(await section(CAPTURE_OK).innerText()).toContain("Incassato: Soisy finanzia l'ordine");
    expect(await section(CAPTURE_REFUSED).innerText()).toContain("Incasso di € 2.000,00");
    expect(await section(CAPTURE_REFUSED).innerText()).toContain("Motivo: l'importo supera il finanziamento concesso");
    const voidText = await section(VOID).innerText();
    expect(voidText).toContain("Annullamento dell'autorizzazione");
    expect(voidText).toContain("Annulla il finanziamento su Soisy, poi conferma qui");

    // The confirm form (the route behind it confirms the void to Shopify): action, method and fields.
    const form = section(VOID).locator("form");
    expect(await form.count()).toBe(1);
    expect(await form.getAttribute("method")).toBe("post");
    expect(await form.getAttribute("action")).toBe(`/app/settlements/${VOID}?lang=it`);
    expect(await form.locator('input[type="hidden"]').evaluateAll((inputs) => inputs.map((i) => [(i as HTMLInputElement).name, (i as HTMLInputElement).value]))).toEqual([
      ["intent", "confirm_void"],
    ]);
    expect(await form.getByRole("button", { name: "Ho annullato il finanziamento su Soisy" }).isEnabled()).toBe(true);
    // Only the void waiting for the merchant has a form.
    expect(await page.locator("[data-settlement] form").count()).toBe(1);

    const timeline = await page.locator("body").innerText();
    expect(timeline).toContain("Shopify ha confermato che la merce è ancora disponibile");
    expect(timeline).toContain("Shopify ha chiesto di incassare € 1.000,50");
    expect(timeline).toContain("Soisy ha accettato di finanziare l'ordine: incasso confermato");
    expect(timeline).toContain("Shopify ha chiesto di annullare l'autorizzazione");
    await expectAccessible("fund-on-detail-it");

    await open(`/app/transactions/${AUTH}?lang=en`);
    const en = await page.locator("body").innerText();
    expect(en).toContain("Authorization, funded at fulfilment");
    expect(en).toContain(`Capture by ${formatDateTime(expiresAt, "en")}`);
    expect(en).toContain("Captures and voids");
    expect(en).toContain("Captured: Soisy funds the order");
    expect(en).toContain("Reason: the amount is above the loan granted");
    expect(en).toContain("Cancel the loan at Soisy, then confirm here");
    expect(await page.locator(`[data-settlement="${VOID}"] form`).getAttribute("action")).toBe(`/app/settlements/${VOID}?lang=en`);
    await expectAccessible("fund-on-detail-en");
  });

  it("the merchant presses the button: the void is confirmed (route of the settlement service) and the page says so, without the form", async () => {
    await open(`/app/transactions/${AUTH2}`);
    await page.getByRole("button", { name: "Ho annullato il finanziamento su Soisy" }).click();
    await page.getByText("Annullamento confermato: l'app lo comunica a Shopify.").waitFor({ timeout: 20_000 });
    expect(page.url()).toContain(`/app/transactions/${AUTH2}?done=confirm_void`);
    expect(["resolving", "resolved"]).toContain((await db().settlementSession.findUniqueOrThrow({ where: { id: VOID2 } })).state);
    expect(await page.locator(`[data-settlement="${VOID2}"] form`).count()).toBe(0);
    expect(await page.locator(`[data-settlement="${VOID2}"]`).innerText()).toMatch(/Confermato: comunicazione a Shopify in corso|Annullato/);
  });

  it("says so when the void confirmation brings the merchant back", async () => {
    // Where POST /app/settlements/:id redirects after recording the merchant's confirmation.
    await open(`/app/transactions/${AUTH}?done=confirm_void&lang=en`);
    expect(await page.locator(".Polaris-Banner").allInnerTexts()).toContain("Void confirmed: the app tells Shopify.");
    await open(`/app/transactions/${AUTH}?done=something`);
    expect(await page.locator(".Polaris-Banner").count()).toBe(0);
  });

  it("a sale's page has no captures and voids section", async () => {
    await open(`/app/transactions/${SALE}`);
    expect(await page.locator("body").innerText()).not.toContain("Incassi e annullamenti");
    expect(await page.getByTestId("summary").innerText()).not.toContain("Autorizzazione");
  });
});

describe("the list and the CSV", () => {
  it("filters authorizations and voids waiting for the merchant, with badges and the attention banner", async () => {
    await open("/app/transactions");
    expect(await page.getByTestId("attention-banner").innerText()).toContain("Annullamenti che aspettano te: 1");
    const authRow = page.locator("tr", { has: page.getByRole("link", { name: AUTH }) });
    expect(await authRow.innerText()).toContain("Autorizzazione");
    expect(await authRow.innerText()).toContain("Annullamento da confermare");
    const ids = () => page.locator('table a[href*="/app/transactions/"]').allInnerTexts();
    expect(await ids()).toEqual([AUTH, SALE, AUTH2]);

    await page.getByLabel("Tipo di pagamento").selectOption("authorization");
    await page.getByRole("button", { name: "Applica i filtri" }).click();
    await expect.poll(ids, { timeout: 20_000 }).toEqual([AUTH, AUTH2]);
    await open("/app/transactions?kind=sale");
    expect(await ids()).toEqual([SALE]);
    await page.getByTestId("attention-banner").getByRole("link", { name: "Mostra gli annullamenti" }).click();
    await expect.poll(() => page.url(), { timeout: 20_000 }).toContain("settle=merchant");
    await expect.poll(ids, { timeout: 20_000 }).toEqual([AUTH]);
    await expectAccessible("fund-on-list-it");
  });

  it("exports kind, expiry, captured amount and the capture's and void's state", async () => {
    const res = await fetch(`${stack.appUrl}/app/transactions.csv`, {
      headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, SHOP), "user-agent": ADMIN_USER_AGENT },
    });
    expect(res.status).toBe(200);
    const lines = (await res.text()).slice(1).split("\r\n").filter(Boolean);
    expect(lines[0]).toMatch(/,kind,authorization_expires_at,captured_amount_eur,capture_state,void_state$/);
    expect(lines.find((l) => l.startsWith(AUTH))).toMatch(new RegExp(`,authorization,${expiresAt.toISOString().replace(/\./g, "\\.")},1000\\.50,resolved,awaiting_merchant$`));
    expect(lines.find((l) => l.startsWith(SALE))).toMatch(/,sale,,,,$/);
  });
});
