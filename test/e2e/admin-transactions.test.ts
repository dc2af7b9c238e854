/**
 * The merchant's transactions pages in Debian's Chromium, against the built app, a real database and
 * the Soisy and Shopify simulators: list, filters, search, pagination, detail with the timeline and
 * delivery attempts, refund decisions (asserted in Shopify's simulator and the database), CSV export,
 * the attention banner for dead-lettered messages and flagged payments, it/en, screenshots, axe.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { ADMIN_USER_AGENT as BROWSER_UA, adminContext } from "../helpers/admin-page";
import { seriousAxeViolations } from "../helpers/axe";
import { csvCell } from "../../app/transactions/csv";
import { eventually, type Stack, printAppOutputIfFailed } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const db = () => stack.database.db;

/** The payments created through the stack. */
const ids = { paid: "", live: "", flagged: "" };
const refunds = { full: "", partial: "" };
let flaggedToken = "";
/** UTC day before the test payments were created (the day filter is in UTC days). */
let dayBeforeCreation = "";

beforeAll(async () => {
  dayBeforeCreation = new Date().toISOString().slice(0, 10);
  [stack, browser] = await startStackAndBrowser({ shop: "tx-admin.myshopify.com", adminOAuth: true });
  context = await adminContext(browser, stack, { acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: "it-IT" });
  page = await context.newPage();

  // 1. Paid: the shopper completes, Soisy verifies → resolved, delivered to Shopify.
  const paid = await stack.shopify.startPayment({ shop: stack.shop, amount: "1234.56", test: true, customer: { email: "anna.bianchi@example.com" } });
  // 2. Live payment, the shopper still at Soisy.
  const live = await stack.shopify.startPayment({ shop: stack.shop, amount: "250.00", test: false, customer: { email: "luca.verdi@example.com" } });
  // 3. Amount mismatch: Soisy's loan differs from Shopify's amount → flagged.
  const flagged = await stack.shopify.startPayment({ shop: stack.shop, amount: "900.00", test: true, customer: { email: "=HYPERLINK(\"http://evil\")@example.com" } });
  expect([paid.ok, live.ok, flagged.ok]).toEqual([true, true, true]);
  ids.paid = paid.id;
  ids.live = live.id;
  ids.flagged = flagged.id;

  const token = async (id: string) => (await db().paymentSession.findUniqueOrThrow({ where: { id } })).soisyToken!;
  const paidToken = await token(paid.id);
  flaggedToken = await token(flagged.id);
  await stack.soisy.completeOrder(paidToken);
  await stack.soisy.completeOrder(flaggedToken);
  await stack.soisy.idle();
  stack.soisy.orders.get(flaggedToken)!.amount = 80_000;
  await stack.soisy.fireEvent(paidToken, "LoanWasVerified");
  await stack.soisy.fireEvent(flaggedToken, "LoanWasVerified");
  await stack.soisy.idle();
  await eventually(async () => stack.shopify.paymentSessions.get(paid.id)?.state.code === "RESOLVED", 15_000, "paid resolved");
  await eventually(
    async () => (await db().outboxMessage.findFirst({ where: { paymentSessionId: paid.id, mutation: "paymentSessionResolve", status: "delivered" } })) !== null,
    10_000,
    "resolve delivered",
  );
  await eventually(async () => (await db().paymentSession.findUniqueOrThrow({ where: { id: flagged.id } })).flagReason === "amount_mismatch", 10_000, "flag");

  // Two refunds of the paid payment await the merchant.
  const full = await stack.shopify.startRefund({ shop: stack.shop, paymentId: paid.id, amount: "1000.00" });
  const partial = await stack.shopify.startRefund({ shop: stack.shop, paymentId: paid.id, amount: "234.56" });
  expect([full.ok, partial.ok]).toEqual([true, true]);
  refunds.full = full.id;
  refunds.partial = partial.id;

  // Another shop's payment in the same database: must never show up.
  await db().paymentSession.create({
    data: {
      id: "othershop1",
      gid: "gid://shopify/PaymentSession/othershop1",
      shop: "someone-else.myshopify.com",
      group: "g-other",
      amountCents: 77_700,
      currency: "EUR",
      test: true,
      kind: "sale",
      proposedAt: new Date(),
      environment: "sandbox",
      state: "resolved",
      callbackSecret: "x",
      customerEmail: "anna.bianchi@example.com",
    },
  });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(context, browser, stack));

afterEach((ctx) => printAppOutputIfFailed(ctx, stack));

async function open(path: string) {
  const response = await page.goto(`${stack.appUrl}${path}`);
  expect(response?.status(), path).toBe(200);
  await page.locator("h1").first().waitFor();
}

/** The Shopify session ids shown in the list, top to bottom. */
async function listedIds(): Promise<string[]> {
  return page.locator('table a[href*="/app/transactions/"]').allInnerTexts();
}

async function expectAccessible(name: string) {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
  expect(await seriousAxeViolations(page)).toEqual([]);
}

describe("transactions list", () => {
  it("shows the shop's payments (newest first) with Italian labels and amounts, and the banner for flagged payments", async () => {
    await open("/app/transactions");
    expect(await listedIds()).toEqual([ids.flagged, ids.live, ids.paid]);
    const paidRow = page.locator("tr", { has: page.getByRole("link", { name: ids.paid }) });
    await expect.poll(() => paidRow.innerText()).toContain("€ 1.234,56");
    expect(await paidRow.innerText()).toContain("Pagato");
    expect(await paidRow.innerText()).toContain("anna.bianchi@example.com");
    expect(await page.locator("tr", { has: page.getByRole("link", { name: ids.live }) }).innerText()).toContain("Reale");
    expect(await page.locator("tr", { has: page.getByRole("link", { name: ids.flagged }) }).innerText()).toContain("Da controllare");
    const banner = page.getByTestId("attention-banner");
    expect(await banner.innerText()).toContain("Pagamenti segnalati (importo diverso da Soisy o altri avvisi): 1.");
    expect(await banner.innerText()).not.toContain("non consegnate dopo tutti i tentativi");
    expect(await page.content()).not.toContain("othershop1");
    expect(await page.title()).toBe("Transazioni — Soisy per Shopify");
    await expectAccessible("admin-transactions-list");
  });

  it("filters by state through the form, searches by email, token and id, and by mode and dates", async () => {
    await open("/app/transactions");
    await page.getByLabel("Stato", { exact: true }).selectOption("resolved");
    await Promise.all([page.waitForURL(/state=resolved/), page.getByRole("button", { name: "Applica i filtri" }).click()]);
    await expect.poll(listedIds).toEqual([ids.paid]);

    await page.getByLabel("Stato", { exact: true }).selectOption("");
    await page.getByLabel("Cerca").fill("ANNA.BIANCHI@example.com");
    await Promise.all([page.waitForURL(/q=ANNA/), page.getByRole("button", { name: "Applica i filtri" }).click()]);
    await expect.poll(listedIds).toEqual([ids.paid]);

    await open(`/app/transactions?q=${flaggedToken}`);
    expect(await listedIds()).toEqual([ids.flagged]);
    await open(`/app/transactions?q=${ids.live}`);
    expect(await listedIds()).toEqual([ids.live]);
    await open("/app/transactions?mode=live");
    expect(await listedIds()).toEqual([ids.live]);
    await open("/app/transactions?mode=test");
    expect(await listedIds()).toEqual([ids.flagged, ids.paid]);
    await open("/app/transactions?flagged=1");
    expect(await listedIds()).toEqual([ids.flagged]);
    // The payments were created between these two UTC days (the same day, unless midnight passed).
    const today = new Date().toISOString().slice(0, 10);
    await open(`/app/transactions?from=${dayBeforeCreation}&to=${today}`);
    expect(await listedIds()).toHaveLength(3);
    await open("/app/transactions?from=2020-01-01&to=2020-12-31");
    expect(await listedIds()).toEqual([]);
    expect(await page.getByText("Nessun pagamento corrisponde ai filtri.").count()).toBe(1);
  });

  it("paginates with stable order, both ways", async () => {
    await open("/app/transactions?limit=2");
    expect(await listedIds()).toEqual([ids.flagged, ids.live]);
    await Promise.all([page.waitForURL(/after=/), page.getByRole("link", { name: "Pagina successiva" }).click()]);
    await expect.poll(listedIds).toEqual([ids.paid]);
    await Promise.all([page.waitForURL(/before=/), page.getByRole("link", { name: "Pagina precedente" }).click()]);
    await expect.poll(listedIds).toEqual([ids.flagged, ids.live]);
  });

  it("ignores invalid parameters with a notice instead of failing", async () => {
    await open("/app/transactions?state=robbed&mode=maybe&from=2026-02-30&after=garbage!&limit=-1");
    expect(await listedIds()).toHaveLength(3);
    const notice = await page.getByText(/Alcuni parametri non erano validi/).innerText();
    for (const name of ["state", "mode", "from", "after", "limit"]) expect(notice).toContain(name);
  });

  it("speaks English with ?lang=en", async () => {
    await open("/app/transactions?lang=en");
    expect(await page.locator("h1").first().innerText()).toBe("Transactions");
    const paidRow = page.locator("tr", { has: page.getByRole("link", { name: ids.paid }) });
    expect(await paidRow.innerText()).toContain("€1,234.56");
    expect(await paidRow.innerText()).toContain("Paid");
    expect(await page.getByRole("button", { name: "Apply filters" }).count()).toBe(1);
    expect(await page.getByLabel("Search").count()).toBe(1);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await expectAccessible("admin-transactions-list-en");
  });
});

describe("CSV export", () => {
  it("downloads the filtered rows as an attachment (BOM, quoted, formula-safe)", async () => {
    await open("/app/transactions?mode=test");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Esporta in CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^soisy-transactions-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).split("\r\n").filter(Boolean);
    expect(lines[0]).toMatch(/^shopify_session_id,created_at,state,mode,amount_eur,/);
    // Session ids are random and may start with "-": the CSV writes those formula-safe ("'-…").
    const paidCell = csvCell(ids.paid);
    const flaggedCell = csvCell(ids.flagged);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual([flaggedCell, paidCell]);
    expect(lines.find((l) => l.startsWith(paidCell))).toMatch(/,resolved,test,1234\.56,EUR,/);
    expect(lines.find((l) => l.startsWith(flaggedCell))).toContain(`"'=HYPERLINK(""http://evil"")@example.com"`);
    expect(csv).not.toContain("othershop1");

    const res = await fetch(`${stack.appUrl}/app/transactions.csv?mode=live&state=nonsense`, {
      headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop), "user-agent": BROWSER_UA },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="soisy-transactions-/);
    const live = (await res.text()).split("\r\n").filter(Boolean);
    expect(live.slice(1).map((l) => l.split(",")[0])).toEqual([csvCell(ids.live)]);
  });
});

describe("payment detail", () => {
  it("shows amounts, Soisy's status and the timeline as sentences, each delivery attempt included", async () => {
    await open(`/app/transactions/${ids.paid}`);
    const summary = await page.getByTestId("summary").innerText();
    expect(summary).toContain("€ 1.234,56");
    expect(summary).toContain("Pagato: ordine confermato su Shopify");
    expect(summary).toContain("Approvato da Soisy, in attesa di erogazione");
    expect(summary).not.toContain("waiting_for_disbursement");
    expect(summary).toContain("Test");
    const timeline = page.getByTestId("timeline");
    const text = await timeline.innerText();
    for (const sentence of [
      "Shopify ha chiesto un pagamento a rate di € 1.234,56",
      "Ordine creato su Soisy",
      "Soisy ha verificato il finanziamento",
      // Oversell protection: the app asks Shopify to confirm first; Shopify's answer resolves the payment.
      "Soisy ha verificato il finanziamento: chiesto a Shopify di confermare che gli articoli siano ancora disponibili prima di procedere",
      "L'app ha comunicato a Shopify: richiesta di conferma dell'ordine (consegnata)",
      "Shopify ha confermato che gli articoli sono ancora disponibili",
      "Shopify ha confermato che gli articoli sono disponibili: ordine confermato su Shopify",
      "L'app ha comunicato a Shopify: conferma del pagamento (consegnata)",
      "Consegna a Shopify riuscita: conferma del pagamento",
      "Shopify ha chiesto un rimborso di € 1.000,00: aspetta la tua decisione",
    ]) {
      expect(text).toContain(sentence);
    }
    // No codes in what the merchant reads: they are behind the closed "Dettagli tecnici".
    expect(text).not.toMatch(/\b[a-z]+_[a-z_]+\b|paymentSession|LoanWas|esito:/);
    // The delivered attempts of the confirm and then the resolve: HTTP 200, delivered.
    const attempts = timeline.locator('[data-kind="attempt"]');
    expect(await attempts.count()).toBeGreaterThanOrEqual(2);
    const delivered = timeline.locator('[data-kind="attempt"][data-outcome="delivered"][data-http-status="200"]');
    expect(await delivered.count()).toBe(2);
    await delivered.nth(1).locator("summary").click();
    expect(await delivered.nth(1).innerText()).toMatch(/paymentSessionResolve\s+HTTP 200, esito: delivered, \d+ ms/);
    // Time order (mutations are placed right after the decision that queued them, shown at their own time).
    const rows = await timeline.locator("li").evaluateAll((lis) =>
      lis.map((li) => ({ at: li.querySelector("time")!.getAttribute("datetime")!, kind: li.getAttribute("data-kind")!, text: li.querySelector("[data-sentence]")!.textContent! })),
    );
    const times = rows.filter((r) => r.kind !== "mutation").map((r) => r.at);
    expect(times).toEqual([...times].sort());
    const index = (re: RegExp) => rows.findIndex((r) => re.test(r.text));
    const message = /^L'app ha comunicato a Shopify: conferma del pagamento/;
    expect(index(/^Soisy ha verificato il finanziamento$/)).toBeLessThan(index(message));
    expect(index(/ordine confermato su Shopify$/)).toBeLessThan(index(message));
    expect(index(message)).toBeLessThan(index(/^Consegna a Shopify riuscita: conferma del pagamento/));
    // Refunds awaiting the merchant, with what to do at Soisy.
    expect(await page.locator('[data-refund-state="awaiting_merchant"]').count()).toBe(2);
    expect(await page.getByText(/Soisy non ha un'API per i rimborsi/).count()).toBe(2);
    await expectAccessible("admin-transaction-detail");
  });

  it("shows the amount mismatch and its alert on the flagged payment", async () => {
    await open(`/app/transactions/${ids.flagged}?lang=en`);
    expect(await page.getByText(/Soisy's loan amount differs from the Shopify amount/).count()).toBe(1);
    const summary = await page.getByTestId("summary").innerText();
    expect(summary).toContain("€900.00");
    expect(summary).toContain("€800.00");
    expect(await page.getByTestId("timeline").innerText()).toContain("Loan amount differs from the Shopify amount");
    expect(await page.getByRole("button", { name: "Refunded at Soisy" }).count()).toBe(0);
    await expectAccessible("admin-transaction-detail-flagged-en");
  });

  it("the merchant confirms one refund (refunded at Soisy) and declines the other", async () => {
    await open(`/app/transactions/${ids.paid}`);
    const full = page.locator(`[data-refund="${refunds.full}"]`);
    await Promise.all([page.waitForURL(/done=resolve/), full.getByRole("button", { name: "Rimborsato su Soisy" }).click()]);
    await page.getByText("Rimborso confermato: Shopify ne è stato informato.").waitFor({ timeout: 10_000 });
    await eventually(async () => stack.shopify.refundSessions.get(refunds.full)?.state.code === "RESOLVED", 10_000, "refund resolved at Shopify");
    await eventually(async () => (await db().refundSession.findUniqueOrThrow({ where: { id: refunds.full } })).state === "resolved", 10_000, "refund resolved in the DB");

    const partial = page.locator(`[data-refund="${refunds.partial}"]`);
    await Promise.all([page.waitForURL(/done=reject/), partial.getByRole("button", { name: "Rifiuta" }).click()]);
    await page.getByText("Rimborso rifiutato: Shopify ne è stato informato.").waitFor({ timeout: 10_000 });
    await eventually(async () => stack.shopify.refundSessions.get(refunds.partial)?.state.code === "REJECTED", 10_000, "refund rejected at Shopify");
    const rows = await db().refundSession.findMany({ where: { paymentSessionId: ids.paid }, orderBy: { amountCents: "asc" } });
    expect(rows.map((r) => [r.id, r.amountCents])).toEqual([
      [refunds.partial, 23456],
      [refunds.full, 100000],
    ]);
    await eventually(async () => (await db().refundSession.findUniqueOrThrow({ where: { id: refunds.partial } })).state === "rejected", 10_000, "refund rejected in the DB");
    expect(rows.every((r) => r.decidedBy === `merchant:${stack.shop}`)).toBe(true);

    await open(`/app/transactions/${ids.paid}`);
    expect(await page.getByRole("button", { name: "Rimborsato su Soisy" }).count()).toBe(0);
    expect(await page.locator(`[data-refund="${refunds.full}"]`).innerText()).toContain("Rimborsato");
    expect(await page.locator(`[data-refund="${refunds.partial}"]`).innerText()).toContain("Rifiutato");
    expect(await page.getByTestId("timeline").innerText()).toContain("Rimborso di € 1.000,00 confermato: già rimborsato su Soisy");
    expect(await page.locator(`[data-refund="${refunds.full}"]`).innerText()).toContain("da: Il negozio (tu)");
    await page.screenshot({ path: screenshotPath("admin-transaction-detail-refunds-decided"), fullPage: true });
  });

  it("answers 404 for an unknown payment or another shop's", async () => {
    for (const id of ["does-not-exist", "othershop1"]) {
      const res = await page.goto(`${stack.appUrl}/app/transactions/${id}`);
      expect(res?.status(), id).toBe(404);
    }
    // Decisions are validated and scoped: a bad decision → 400, a refund of another payment → 404.
    const post = (paymentId: string, form: Record<string, string>) =>
      fetch(`${stack.appUrl}/app/transactions/${paymentId}`, {
        method: "POST",
        // Every admin write must come from the app's origin (the authenticate wrapper checks it).
        headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop), "user-agent": BROWSER_UA, origin: stack.appUrl },
        body: new URLSearchParams(form),
        redirect: "manual",
      });
    expect((await post(ids.paid, { refundId: refunds.full, decision: "maybe" })).status).toBe(400);
    expect((await post(ids.live, { refundId: refunds.full, decision: "reject" })).status).toBe(404);
    // Deciding a refund already decided: the page explains it in the merchant's words, not the service's message.
    const again = await post(ids.paid, { refundId: refunds.full, decision: "reject" });
    expect(again.status).toBe(302);
    const location = new URL(again.headers.get("location")!, stack.appUrl);
    expect(location.searchParams.get("error")).toBe("alreadyDecided");
    await open(location.pathname + location.search);
    expect(await page.getByText("Non è stato possibile registrare la decisione: è già stata presa").count()).toBe(1);
    expect(await page.locator(`[data-refund="${refunds.full}"]`).innerText()).toContain("Rimborsato");
  });
});

describe("merchant language and small screens", () => {
  it("tells the paid payment's whole history in English sentences, codes behind the technical details", async () => {
    await open(`/app/transactions/${ids.paid}?lang=en`);
    const summary = await page.getByTestId("summary").innerText();
    expect(summary).toContain("€1,234.56");
    expect(summary).toContain("Approved by Soisy, awaiting payout");
    const timeline = page.getByTestId("timeline");
    const text = await timeline.innerText();
    for (const sentence of [
      "Shopify asked for an instalment payment of €1,234.56",
      "Soisy verified the loan: asked Shopify to confirm the items are still available before going on",
      "Shopify confirmed the items are available: order confirmed on Shopify",
      "The app told Shopify: payment confirmation (delivered)",
      "Refund of €1,000.00 confirmed: already refunded at Soisy",
      "Refund of €234.56 declined",
      "Your shop (you)",
    ]) {
      expect(text).toContain(sentence);
    }
    expect(text).not.toMatch(/\b[a-z]+_[a-z_]+\b|merchant:|paymentSession|refundSession|LoanWas/);
    // One closed disclosure per entry; opened, it shows the recorded code.
    const entries = await timeline.locator("li").count();
    expect(await timeline.locator("li > details:not([open])").count()).toBe(entries);
    const first = timeline.locator("li").first();
    expect(await first.locator("summary").innerText()).toBe("Technical details");
    await first.locator("summary").click();
    expect(await first.innerText()).toContain("shopify · payment_session_received");
    expect(await page.locator(`[data-refund="${refunds.partial}"]`).innerText()).toContain("by: Your shop (you)");
  });

  it("every admin page fits a 360 px screen, in both languages", async () => {
    const phone = await adminContext(browser, stack, { viewport: { width: 360, height: 740 }, locale: "it-IT" });
    const small = await phone.newPage();
    try {
      const pages: [string, string][] = [
        ["login", "/auth/login"],
        ["dashboard", "/app"],
        ["transactions", "/app/transactions"],
        ["transaction", `/app/transactions/${ids.paid}`],
        ["settings", "/app/settings"],
      ];
      const widths: string[] = [];
      for (const lang of ["it", "en"]) {
        for (const [name, path] of pages) {
          const response = await small.goto(`${stack.appUrl}${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
          expect(response?.status(), path).toBe(200);
          await small.locator("h1").first().waitFor();
          const width = await small.evaluate(() => document.scrollingElement!.scrollWidth);
          widths.push(`${name}-${lang}: ${width}`);
          await small.screenshot({ path: screenshotPath(`admin-360-${name}-${lang}`), fullPage: true });
        }
      }
      expect(widths.filter((w) => Number(w.split(": ")[1]) > 360)).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});

describe("attention banner", () => {
  it("appears on the dashboard for a dead-lettered message and links to its payment", async () => {
    await db().outboxMessage.create({
      data: { shop: stack.shop, paymentSessionId: ids.live, mutation: "paymentSessionReject", dedupeKey: `${ids.live}:e2e-dead`, variablesJson: "{}", status: "dead", deadAt: new Date(), attempts: 12, lastError: "HTTP 503" },
    });
    await open("/app");
    const banner = page.getByTestId("attention-banner");
    expect(await banner.innerText()).toContain("Comunicazioni a Shopify non consegnate dopo tutti i tentativi: 1.");
    expect(await banner.innerText()).toContain("Pagamenti segnalati (importo diverso da Soisy o altri avvisi): 1.");
    await expectAccessible("admin-dashboard-banner");
    await Promise.all([page.waitForURL(/dead=1/), banner.getByRole("link", { name: "Vedi i pagamenti con comunicazioni non consegnate" }).click()]);
    await expect.poll(listedIds).toEqual([ids.live]);
    await page.getByRole("link", { name: ids.live }).click();
    await page.waitForURL(new RegExp(`/app/transactions/${ids.live}`));
    await expect.poll(() => page.getByTestId("timeline").innerText()).toContain("non consegnata");
  });
});
