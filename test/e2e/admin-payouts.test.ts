/**
 * "Pagamenti Soisy" / "Soisy payouts" in Debian's Chromium against the built app, a real database and
 * the Soisy simulator's order list: "sync now" reads Soisy's CSV (both environments point at the same
 * simulated Soisy shop: each order counts once), the planted differences are shown and only them with
 * "only differences", the CSV has the same lines with exact decimal amounts and neutralised formulas,
 * another shop's rows never show; 100 lines a page, the filters kept from page to page, the totals and
 * the CSV counting every line; screenshots in Italian and English, axe.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { ADMIN_USER_AGENT, adminContext } from "../helpers/admin-page";
import { seriousAxeViolations } from "../helpers/axe";
import { eventually, printAppOutputIfFailed, type Stack } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";
import { seedHistory } from "../simulators/soisy/orders-list";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const DAY = 86_400_000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * DAY);
const FORMULA_TOKEN = '=HYPERLINK("http://evil")';

/** A payment session of the test's shop, confirmed `days` ago, with its Soisy token. */
const row = (id: string, amountCents: number, days: number, state = "resolved", shop = stack.shop) => ({
  id,
  gid: `gid://shopify/PaymentSession/${id}`,
  shop,
  group: `g-${id}`,
  amountCents,
  currency: "EUR",
  test: true,
  kind: "sale",
  proposedAt: ago(days),
  environment: "sandbox",
  state,
  soisyToken: `tok-${id}`,
  callbackSecret: "x",
  createdAt: ago(days),
  resolvedAt: state === "resolved" ? ago(days) : null,
});

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser({ shop: "payouts-admin.myshopify.com", adminOAuth: true });
  context = await adminContext(browser, stack, { acceptDownloads: true, viewport: { width: 1400, height: 900 }, locale: "it-IT" });
  page = await context.newPage();
  const db = stack.database.db;
  await db.paymentSession.createMany({
    data: [row("fine1", 123_456, 12), row("partial1", 100_000, 11), row("missing1", 50_000, 10), row("refund1", 80_000, 9), row("recent1", 20_000, 1), row("other1", 99_900, 5, "resolved", "other.myshopify.com")],
  });
  await db.refundSession.create({ data: { id: "r1", gid: "gid://shopify/RefundSession/r1", shop: stack.shop, paymentSessionId: "refund1", amountCents: 10_000, currency: "EUR", test: true, proposedAt: ago(8), state: "resolved" } });
  const base = { shopId: "partnershop", status: "disbursed" } as const;
  seedHistory(stack.soisy, [
    { ...base, token: "tok-fine1", orderReference: "fine1", amountCents: 123_456, feeCents: 3_703, createdAt: ago(12), disbursedAt: ago(11) },
    { ...base, token: "tok-partial1", orderReference: "partial1", amountCents: 90_000, feeCents: 2_700, createdAt: ago(11), disbursedAt: ago(10) },
    { ...base, token: "tok-refund1", orderReference: "refund1", amountCents: 80_000, feeCents: 2_400, createdAt: ago(9), disbursedAt: ago(8) },
    { ...base, token: FORMULA_TOKEN, orderReference: null, amountCents: 30_000, feeCents: 900, createdAt: ago(7), disbursedAt: ago(6) },
    { ...base, status: "waiting_for_disbursement", token: "tok-missing1", orderReference: "missing1", amountCents: 50_000, createdAt: ago(10), disbursedAt: null },
  ]);
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(context, browser, stack));
afterEach((ctx) => printAppOutputIfFailed(ctx, stack));

async function open(path: string) {
  const response = await page.goto(`${stack.appUrl}${path}`);
  expect(response?.status(), path).toBe(200);
  await page.locator("h1").first().waitFor();
}

describe("payouts page", () => {
  it("sync now reads Soisy's list; the planted differences are shown, and only them with the filter", async () => {
    await open("/app/payouts");
    await expect(page.getByRole("link", { name: "Pagamenti Soisy" }).count()).resolves.toBe(1);
    await page.getByText("I dati di Soisy non sono ancora stati letti").waitFor();
    await page.getByRole("button", { name: "Sincronizza ora" }).click();
    await page.getByText("Lettura completata").waitFor({ timeout: 20_000 });
    await page.getByText("Sandbox: ultima lettura riuscita").waitFor();

    const rows = page.locator("table tbody tr");
    expect(await rows.count()).toBe(6);
    const text = await page.locator("table").innerText();
    expect(text).not.toContain("other1");
    expect(text).toContain("Finanziamento diverso dall'ordine (−€ 100,00)");
    expect(text).toContain("Accredito mancante dopo 7 giorni (−€ 500,00)");
    expect(text).toContain("Rimborsato al cliente (−€ 100,00)");
    expect(text).toContain(`Ordine Soisy ${FORMULA_TOKEN}`);
    expect(text).toContain("Ordine Soisy sconosciuto all'app (+€ 291,00)");
    expect(await page.locator("[data-differences]").count()).toBe(4);

    await open("/app/payouts?diff=1");
    expect(await page.locator("table tbody tr").count()).toBe(4);
    expect(await page.getByLabel("Solo righe con differenze").isChecked()).toBe(true);
    await page.screenshot({ path: screenshotPath("payouts-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await open("/app/payouts?lang=en");
    await page.getByText("Loan differs from the order (−€100.00)").waitFor();
    await page.getByText("Production: last successful read").waitFor();
    await page.screenshot({ path: screenshotPath("payouts-en"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("the CSV has the same lines, exact decimal amounts, neutralised formulas, and follows the filters", async () => {
    const get = (query: string) =>
      fetch(`${stack.appUrl}/app/payouts.csv${query}`, {
        headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop), "user-agent": ADMIN_USER_AGENT },
      });
    const res = await get("");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="soisy-payouts-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.subarray(3).toString("utf8");
    const lines = csv.split("\r\n").filter(Boolean);
    expect(lines[0]).toBe(
      "date,shopify_session_id,payment_state,soisy_order_reference,soisy_status,order_amount_eur,loan_amount_eur,net_paid_eur,fee_eur,refunded_eur,disbursed_at,differences,difference_total_eur",
    );
    expect(lines).toHaveLength(7);
    const fine = lines.find((l) => l.includes(",fine1,"))!;
    expect(fine).toContain(",resolved,tok-fine1,disbursed,1234.56,1234.56,1197.53,37.03,0.00,");
    expect(lines.find((l) => l.includes(",partial1,"))).toMatch(/,loan_differs:-100\.00,-100\.00$/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).not.toContain("other1");
    const diffOnly = (await (await get("?diff=1")).text()).split("\r\n").filter(Boolean);
    expect(diffOnly).toHaveLength(5);
    const day = new Date(now).toISOString().slice(0, 10);
    const recent = (await (await get(`?from=${day}&to=${day}`)).text()).split("\r\n").filter(Boolean);
    expect(recent.slice(1).map((l) => l.split(",")[1])).toEqual([]);
    const lastWeek = (await (await get(`?from=${ago(2).toISOString().slice(0, 10)}&diff=nonsense`)).text()).split("\r\n").filter(Boolean);
    expect(lastWeek.slice(1).map((l) => l.split(",")[1])).toEqual(["recent1"]);
  });

  it("the app's schedule reads Soisy's list by itself (PAYOUT_SYNC_INTERVAL_MS)", async () => {
    const key = { shop_environment: { shop: stack.shop, environment: "sandbox" } };
    const before = (await stack.database.db.payoutSync.findUniqueOrThrow({ where: key })).lastSuccessAt!;
    seedHistory(stack.soisy, [{ shopId: "partnershop", status: "disbursed", token: "tok-recent1", orderReference: "recent1", amountCents: 20_000, createdAt: ago(1), disbursedAt: new Date() }]);
    await stack.stopApp();
    stack.env.PAYOUT_SYNC_INTERVAL_MS = "1000";
    await stack.startApp();
    await eventually(async () => ((await stack.database.db.payoutSync.findUniqueOrThrow({ where: key })).lastSuccessAt?.getTime() ?? 0) > before.getTime(), 20_000, "scheduled payout sync");
    await eventually(async () => (await stack.database.db.soisyPayout.findFirst({ where: { shop: stack.shop, soisyOrderReference: "tok-recent1", disbursedAt: { not: null } } })) !== null, 10_000, "new payout stored");
  });

  it("100 lines a page: previous / next keep the filters, the totals and the CSV count every line, a bad or too high page is harmless", async () => {
    // 150 older payments Soisy has not paid out (missing payouts): 156 lines, 154 with differences.
    await stack.database.db.paymentSession.createMany({ data: Array.from({ length: 150 }, (_, k) => row(`bulk${String(k).padStart(3, "0")}`, 10_000 + k, 20 + k / 10)) });
    const rows = page.locator("table tbody tr");
    const ids = async () => (await page.locator("table tbody tr td:nth-child(2)").allInnerTexts()).map((s) => s.trim());

    await open("/app/payouts");
    expect(await rows.count()).toBe(100);
    await page.getByText("Righe 1–100 di 156").waitFor();
    await page.getByText("Pagina 1 di 2").waitFor();
    await page.getByText("Righe in tutto (tutte le pagine): 156, con differenze: 154.").waitFor();
    expect(await page.getByRole("button", { name: "Pagina precedente" }).isDisabled()).toBe(true);
    const first = await ids();
    expect(first.slice(0, 2)).toEqual(["recent1", "Ordine Soisy " + FORMULA_TOKEN]);
    expect(first.at(-1)).toBe("bulk093");

    await page.getByRole("link", { name: "Pagina successiva" }).click();
    await page.waitForURL(/[?&]page=2/);
    await page.getByText("Righe 101–156 di 156").waitFor();
    const second = await ids();
    expect(second).toHaveLength(56);
    expect(second[0]).toBe("bulk094");
    expect(second.at(-1)).toBe("bulk149");
    expect(await page.getByRole("button", { name: "Pagina successiva" }).isDisabled()).toBe(true);
    await page.getByText("Righe in tutto (tutte le pagine): 156, con differenze: 154.").waitFor();
    await page.screenshot({ path: screenshotPath("payouts-page2-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "Pagina precedente" }).click();
    await page.getByText("Righe 1–100 di 156").waitFor();
    expect(await ids()).toEqual(first);

    // Only differences, in English: the filter and the language follow the page links.
    await open("/app/payouts?diff=1&lang=en");
    await page.getByText("Lines 1–100 of 154").waitFor();
    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2" && url.searchParams.get("diff") === "1" && url.searchParams.get("lang") === "en");
    await page.getByText("Lines 101–154 of 154").waitFor();
    await page.getByText("Page 2 of 2").waitFor();
    expect(await rows.count()).toBe(54);
    expect(await page.locator("[data-differences]").count()).toBe(54);
    expect(await page.getByLabel("Only lines with differences").isChecked()).toBe(true);
    await page.getByText("Lines in all (every page): 154, with differences: 154.").waitFor();

    // Past the end: the last page. Not a page number: ignored (page 1). Never an error.
    await open("/app/payouts?page=99");
    await page.getByText("Righe 101–156 di 156").waitFor();
    for (const bad of ["0", "-1", "abc", "1.5", "9".repeat(40), ""]) {
      await open(`/app/payouts?page=${encodeURIComponent(bad)}`);
      await page.getByText("Righe 1–100 di 156").waitFor();
    }

    // The CSV has every line, whatever the page.
    const csv = await fetch(`${stack.appUrl}/app/payouts.csv?page=2`, {
      headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop), "user-agent": ADMIN_USER_AGENT },
    });
    expect((await csv.text()).split("\r\n").filter(Boolean)).toHaveLength(157);
  });
});
