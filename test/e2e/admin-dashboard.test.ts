/**
 * The admin's home dashboard in Debian's Chromium, against the built app, a real database and the
 * simulators: one payment paid through Soisy's and Shopify's simulators (its verification on the
 * timeline as the app wrote it) and seeded payments of this month and the previous one; the figures
 * shown in Italian and English equal what this test counts from the database, the chart takes the
 * keyboard and names each day's figures, its data table matches, bad periods fall back with a
 * message (never a 5xx), the open items come first; axe and screenshots in both languages.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { ADMIN_USER_AGENT, adminContext } from "../helpers/admin-page";
import { seriousAxeViolations } from "../helpers/axe";
import { formatEuro } from "~/i18n/money";
import { eventually, printAppOutputIfFailed, type Stack } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const db = () => stack.database.db;

const romeDayOf = (d: Date) => d.toLocaleString("sv-SE", { timeZone: "Europe/Rome" }).slice(0, 10);
let paidId = "";

async function seed(id: string, at: Date, state: string, test: boolean, loanCents: number | null, instalments: number | null, verifiedAfterMs: number | null) {
  await db().paymentSession.create({
    data: {
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop: stack.shop,
      group: `g-${id}`,
      amountCents: 50_000,
      currency: "EUR",
      test,
      kind: "sale",
      proposedAt: at,
      environment: test ? "sandbox" : "production",
      state,
      callbackSecret: "x",
      // No Soisy order behind these rows: the app's reconciliation leaves them alone.
      soisyToken: null,
      soisyLoanAmountCents: loanCents,
      createdAt: at,
    },
  });
  if (instalments !== null) {
    await db().soisyPayout.create({
      data: { shop: stack.shop, environment: test ? "sandbox" : "production", soisyOrderReference: `ref-${id}`, orderReference: id, status: "disbursed", instalments },
    });
  }
  if (verifiedAfterMs !== null) {
    await db().timelineEvent.create({
      data: {
        shop: stack.shop,
        paymentSessionId: id,
        source: "soisy_callback",
        type: "LoanWasVerified",
        detailJson: JSON.stringify({ soisyStatus: "waiting_for_disbursement" }),
        createdAt: new Date(at.getTime() + verifiedAfterMs),
      },
    });
  }
}

beforeAll(async () => {
  // adminOAuth: the merchant logs in through the Shopify simulator's OAuth, as in a real browser.
  [stack, browser] = await startStackAndBrowser({ shop: "dash-admin.myshopify.com", adminOAuth: true });
  context = await browser.newContext({ userAgent: ADMIN_USER_AGENT, extraHTTPHeaders: { "accept-language": "it-IT" }, locale: "it-IT", viewport: { width: 1280, height: 1000 } });
  page = await context.newPage();

  // A test-mode payment paid for real: the shopper completes at Soisy, Soisy verifies, Shopify is told.
  const paid = await stack.shopify.startPayment({ shop: stack.shop, amount: "1234.56", test: true, customer: { email: "anna.bianchi@example.com" } });
  expect(paid.ok).toBe(true);
  paidId = paid.id;
  const token = (await db().paymentSession.findUniqueOrThrow({ where: { id: paid.id } })).soisyToken!;
  await stack.soisy.completeOrder(token);
  await stack.soisy.idle();
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  await stack.soisy.idle();
  await eventually(async () => (await db().paymentSession.findUniqueOrThrow({ where: { id: paid.id } })).state === "resolved", 15_000, "paid resolved");

  // Live payments of this month (Rome time) and of last month; a flagged one is an open item.
  const now = Date.now();
  const monthStart = Date.parse(`${romeDayOf(new Date(now)).slice(0, 7)}-01T00:00:00+01:00`);
  const inMonth = (k: number) => new Date(monthStart + Math.floor(((now - monthStart) * k) / 13) + 1);
  const spec: Array<[string, number, number | null, number | null, number | null]> = [
    ["resolved", 1, 40_000, 12, 3_600_000],
    ["resolved", 2, null, 10, 7_200_500],
    ["resolved", 3, 123_456, null, null],
    ["resolved", 4, 99_900, 6, 86_400_000 + 60_000],
    ["rejected", 5, null, null, null],
    ["rejected", 6, null, null, null],
    ["abandoned", 7, null, null, null],
    ["pending", 8, 50_000, null, 1_800_000],
    ["redirected", 9, null, null, null],
    ["not_eligible", 10, null, null, null],
    ["received", 11, null, null, null],
  ];
  for (const [i, [state, k, loan, inst, verified]] of spec.entries()) await seed(`live-${i}`, inMonth(k), state, false, loan, inst, verified);
  for (let i = 0; i < 4; i++) await seed(`old-${i}`, new Date(monthStart - (i + 1) * 86_400_000), "resolved", false, 70_000, 24, 60_000);
  await db().paymentSession.update({ where: { id: "live-7" }, data: { flagReason: "pending_past_expiry" } });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(context, browser, stack));

afterEach((ctx) => printAppOutputIfFailed(ctx, stack));

/** What the dashboard must show for the shop's payments of `mode` created on Rome days from..to, counted here. */
async function expectedFigures(from: string, to: string, test: boolean) {
  const rows = (await db().paymentSession.findMany({ where: { shop: stack.shop, test } })).filter((p) => romeDayOf(p.createdAt) >= from && romeDayOf(p.createdAt) <= to);
  const started = rows.filter((p) => !["received", "not_eligible"].includes(p.state));
  const approved = started.filter((p) => p.state === "resolved");
  const payouts = await db().soisyPayout.findMany({ where: { shop: stack.shop, orderReference: { in: approved.map((p) => p.id) } } });
  const instalments = payouts.filter((o) => o.instalments !== null).map((o) => o.instalments!);
  const events = await db().timelineEvent.findMany({ where: { paymentSessionId: { in: started.map((p) => p.id) } }, orderBy: { createdAt: "asc" } });
  const seconds = started.flatMap((p) => {
    const first = events.find((e) => e.paymentSessionId === p.id && (e.type === "LoanWasVerified" || /"(waiting_for_disbursement|waiting_for_trigger|disbursed)"/.test(e.detailJson ?? "")));
    return first ? [Math.floor(first.createdAt.getTime() / 1000) - Math.floor(p.createdAt.getTime() / 1000)] : [];
  });
  return {
    started: started.length,
    approved: approved.length,
    refused: started.filter((p) => p.state === "rejected").length,
    abandoned: started.filter((p) => p.state === "abandoned").length,
    inProgress: started.filter((p) => !["resolved", "rejected", "abandoned"].includes(p.state)).length,
    financedCents: approved.reduce((s, p) => s + (p.soisyLoanAmountCents ?? p.amountCents), 0),
    conversionTenths: started.length ? Math.round((approved.length * 1000) / started.length) : null,
    instalmentsTenths: instalments.length ? Math.round((instalments.reduce((a, b) => a + b, 0) * 10) / instalments.length) : null,
    verificationSeconds: seconds.length ? Math.round(seconds.reduce((a, b) => a + b, 0) / seconds.length) : null,
    perDay: started.reduce((m, p) => m.set(romeDayOf(p.createdAt), (m.get(romeDayOf(p.createdAt)) ?? 0) + 1), new Map<string, number>()),
  };
}

async function open(path: string) {
  const response = await page.goto(`${stack.appUrl}${path}`);
  expect(response?.status(), path).toBe(200);
  await page.locator("h1").first().waitFor();
}

const figure = (key: string) => page.locator(`[data-metric="${key}"] dd`).first().innerText();

const tenths = (v: number, lang: "it" | "en") => `${Math.floor(v / 10)}${lang === "it" ? "," : "."}${v % 10}`;

async function expectFiguresShown(e: Awaited<ReturnType<typeof expectedFigures>>, lang: "it" | "en") {
  expect(await figure("started")).toBe(String(e.started));
  expect(await figure("approved")).toBe(String(e.approved));
  expect(await figure("refused")).toBe(String(e.refused));
  expect(await figure("abandoned")).toBe(String(e.abandoned));
  expect(await figure("inProgress")).toBe(String(e.inProgress));
  expect(await figure("financed")).toBe(formatEuro(e.financedCents, lang));
  expect(await figure("conversion")).toBe(e.conversionTenths === null ? "—" : `${tenths(e.conversionTenths, lang)}${lang === "it" ? " %" : "%"}`);
  expect(await figure("instalments")).toBe(e.instalmentsTenths === null ? (lang === "it" ? "non disponibile" : "not available") : tenths(e.instalmentsTenths, lang));
}

describe("the dashboard", () => {
  it("the merchant logs in (login page, Shopify's consent) and lands on the dashboard", async () => {
    await page.goto(`${stack.appUrl}/auth/login?lang=it`);
    await page.getByLabel("Dominio del negozio").fill(stack.shop);
    await Promise.all([page.waitForURL(`${stack.shopify.authorizeUrl(stack.shop)}?**`), page.getByRole("button", { name: "Accedi" }).click()]);
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${stack.appUrl}/app`)), page.getByRole("button", { name: /Installa l'app/ }).click()]);
    await page.getByTestId("figures").waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe("/app");
  });

  it("Italian, this month's live payments by default: the open items first, figures equal to the database's", async () => {
    await open("/app?lang=it");
    const today = romeDayOf(new Date());
    const e = await expectedFigures(`${today.slice(0, 7)}-01`, today, false);
    expect(e.started).toBe(9);
    await expectFiguresShown(e, "it");
    // Seeded verification delays: 1 h, 2 h 0.5 s, 1 d 1 min, 30 min: about 6 h 52 min on average.
    const s = e.verificationSeconds!;
    expect(Math.abs(s - 24_765)).toBeLessThanOrEqual(1);
    expect(await figure("verification")).toBe(`${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`);
    // The banner of what needs the merchant comes before the figures.
    const banner = page.getByTestId("attention-banner");
    await banner.waitFor();
    const [bannerY, figuresY] = await Promise.all([banner.boundingBox(), page.getByTestId("figures").boundingBox()]);
    expect(bannerY!.y).toBeLessThan(figuresY!.y);
    // The chart: one bar per day of the month so far, each with the day's started count.
    const bars = page.locator('[data-testid="daily-chart"] g[tabindex="0"]');
    const days = await bars.evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-day"), Number(g.getAttribute("data-started"))] as const));
    expect(days.length).toBe(Number(today.slice(8)));
    expect(days.filter(([, n]) => n > 0)).toEqual([...e.perDay.entries()].sort());
    await page.screenshot({ path: screenshotPath("dashboard-it"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("the chart takes the keyboard: Tab reaches each bar, which names the day's figures; the data table holds the same", async () => {
    await open("/app?lang=it");
    await page.getByRole("button", { name: "Mostra" }).focus();
    let label: string | null = null;
    for (let i = 0; i < 10 && !label; i++) {
      await page.keyboard.press("Tab");
      label = await page.evaluate(() => (document.activeElement?.closest('[data-testid="daily-chart"]') ? document.activeElement.getAttribute("aria-label") : null));
    }
    expect(label).toMatch(/^1 \S+ \d{4}: \d+ avviati, \d+ approvati, € [\d.]+,\d\d finanziati$/);
    // The focus is visible: the focused day's slot is framed (also for a day without payments).
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!.querySelector("rect.slot")!).stroke)).toBe("rgb(0, 0, 0)");
    await page.locator('[data-testid="daily-chart"]').screenshot({ path: screenshotPath("dashboard-chart-focus-it") });
    await page.keyboard.press("Tab");
    const second = await page.evaluate(() => document.activeElement?.getAttribute("data-day"));
    const today = romeDayOf(new Date());
    if (today.slice(8) !== "01") expect(second).toBe(`${today.slice(0, 8)}02`);
    // The same figures in the table behind the toggle (keyboard: Enter on the summary).
    await page.locator('[data-testid="daily-table"] summary').focus();
    await page.keyboard.press("Enter");
    const rows = page.locator('[data-testid="daily-table"] tbody tr');
    await expect.poll(() => rows.first().isVisible()).toBe(true);
    const table = await rows.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-day"), Number(tr.querySelectorAll("td")[0]!.textContent)] as const));
    const chart = await page.locator('[data-testid="daily-chart"] g[tabindex="0"]').evaluateAll((gs) => gs.map((g) => [g.getAttribute("data-day"), Number(g.getAttribute("data-started"))] as const));
    expect(table).toEqual(chart);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("English, a chosen period of test payments through the form: the payment paid at Soisy, verified on its timeline", async () => {
    await open("/app?lang=en");
    const today = romeDayOf(new Date());
    const from = romeDayOf(new Date(Date.now() - 40 * 86_400_000));
    await page.getByLabel("From").fill(from);
    await page.getByLabel("To").fill(today);
    await page.getByRole("combobox", { name: /^Payments/ }).selectOption("test");
    await Promise.all([page.waitForURL((u) => u.searchParams.get("mode") === "test"), page.getByRole("button", { name: "Show" }).click()]);
    await page.locator("h1").first().waitFor();
    const e = await expectedFigures(from, today, true);
    expect([e.started, e.approved]).toEqual([1, 1]);
    await expectFiguresShown(e, "en");
    expect(await figure("financed")).toBe("€1,234.56");
    // The real payment's verification came from Soisy's callback, as the app recorded it.
    expect(e.verificationSeconds).not.toBeNull();
    expect(await page.locator('[data-metric="verification"]').innerText()).toContain("over 1 verified payments");
    expect(await db().timelineEvent.count({ where: { paymentSessionId: paidId, type: "LoanWasVerified" } })).toBe(1);
    await page.goto(`${stack.appUrl}/app?lang=en&mode=live`);
    await page.locator("h1").first().waitFor();
    const live = await expectedFigures(`${today.slice(0, 7)}-01`, today, false);
    await expectFiguresShown(live, "en");
    expect(await figure("instalments")).toBe(tenths(live.instalmentsTenths!, "en"));
    await page.screenshot({ path: screenshotPath("dashboard-en"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("bad periods fall back to this month with a message, never a 5xx", async () => {
    for (const [query, text] of [
      ["from=2026-02-30&to=2026-03-01", "The dates given are not valid"],
      ["from=2026-03-02&to=2026-03-01", "The start date is after the end date"],
      ["from=2020-01-01&to=2026-01-01", "The period is longer than 366 days"],
      ["from=%00%ff&to=<script>", "The dates given are not valid"],
    ] as const) {
      await open(`/app?lang=en&mode=live&${query}`);
      expect(await page.getByTestId("period-problem").innerText()).toContain(text);
      const today = romeDayOf(new Date());
      expect(await page.getByLabel("From").inputValue()).toBe(`${today.slice(0, 7)}-01`);
    }
  });

  it("fits a 360 px screen in both languages, also over a whole year (month labels on the axis)", async () => {
    const phone = await adminContext(browser, stack, { viewport: { width: 360, height: 740 }, locale: "it-IT" });
    const small = await phone.newPage();
    try {
      const today = romeDayOf(new Date());
      const yearAgo = romeDayOf(new Date(Date.now() - 360 * 86_400_000));
      for (const query of ["lang=it", "lang=en", `lang=it&mode=live&from=${yearAgo}&to=${today}`]) {
        const response = await small.goto(`${stack.appUrl}/app?${query}`);
        expect(response?.status()).toBe(200);
        await small.locator("h1").first().waitFor();
        expect(await small.evaluate(() => document.scrollingElement!.scrollWidth), query).toBeLessThanOrEqual(360);
      }
      expect(await small.locator('[data-testid="daily-chart"] g[tabindex="0"]').count()).toBe(361);
      expect(await small.locator('[data-testid="daily-chart"] text').count()).toBeGreaterThanOrEqual(11);
      await small.screenshot({ path: screenshotPath("dashboard-year-360-it"), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
