/**
 * Integration level 2 end to end, in Debian's Chromium: Shopify simulator checkout → the app's
 * in-store pre-approval page (built app, production server) → Soisy simulator (step 2, check characters
 * verified) → Soisy's webapp or back to checkout. Asserts on the page, on the mutations the Shopify
 * simulator applied, on the Soisy simulator's traffic and on the app's database (nothing typed kept).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "../helpers/axe";
import { launchBrowser, screenshotPath } from "../helpers/browser";
import { eventually, startStack, type Stack, simSession as simSessionOf, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";
import { appliedMutations as appliedMutationsOf, preapprovalForm } from "../helpers/payments";
import { shopifyProofHeaders } from "../../scripts/lib/local-stack";
import { MERCHANT_MESSAGES } from "~/payments/lifecycle";
import { withCheckChar } from "~/preapproval/fiscal-code";

let stack: Stack;
let browser: Browser;

// Valid codes (official check character): the simulator reads RFS… as refused, ADD… as "additional data".
const APPROVED_CODE = withCheckChar("RSSMRA80A01H501"); // RSSMRA80A01H501U
const REFUSED_CODE = withCheckChar("RFSMRA80A01H501");
const ADDITIONAL_CODE = withCheckChar("ADDMRA80A01H501");

beforeAll(async () => {
  [stack, browser] = await Promise.all([
    startStack({ options: { integrationLevel: "preapproval" } }),
    launchBrowser(),
  ]);
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

const db = () => stack.database.db;

const simSession = (id: string) => simSessionOf(stack, id);

const appliedMutations = (id: string) => appliedMutationsOf(stack, id);

/** Soisy step-2 calls for one fiscal code: "request" (POST /requests) and "approval" (POST /requests/{fc}). */
function step2Calls(fiscalCode: string): string[] {
  return stack.soisy.requests
    .filter((r) => r.method === "POST" && r.path.includes("/requests"))
    .filter((r) => r.path.endsWith(`/requests/${fiscalCode}`) || JSON.stringify(r.body ?? {}).includes(fiscalCode))
    .map((r) => (r.path.endsWith("/requests") ? "request" : "approval"));
}

const MOBILE_WIDTH = 360;

/** One step's screenshot (full page, under test-results/screenshots/) after checking it fits 360 px: no horizontal scroll. */
async function shot(page: Page, name: string) {
  expect(page.viewportSize()?.width).toBe(MOBILE_WIDTH);
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${name}: horizontal scroll at ${MOBILE_WIDTH} px`).toBeLessThanOrEqual(MOBILE_WIDTH);
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
}

/** Errors the page logged (e.g. React's hydration mismatch, which would drop what was typed). */
const pageErrors = new WeakMap<Page, string[]>();

async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  // Mobile first: every page is checked at 360 px wide (the narrowest common phone width).
  const context = await browser.newContext({ viewport: { width: MOBILE_WIDTH, height: 740 }, javaScriptEnabled: options.javaScriptEnabled ?? true });
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on("console", (m) => {
    if (m.type() === "error" && /React|hydrat/i.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

/** Checkout in the Shopify simulator; ends on the app's pre-approval page. */
async function checkout(page: Page, amount = "480.00"): Promise<string> {
  await page.goto(`${stack.shopify.url}/checkout`);
  await page.getByLabel(/^Importo/).fill(amount);
  await Promise.all([page.waitForURL(/\/payments\/preapproval\//), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
  return [...stack.shopify.paymentSessions.values()].at(-1)!.id;
}

/** Fills what Shopify could not prefill (the contact and address fields come from the checkout). */
async function fillForm(page: Page, o: { fiscalCode: string; instalments?: number; en?: boolean }) {
  const en = o.en ?? false;
  if (o.instalments) await page.getByLabel(new RegExp(`^${o.instalments} ${en ? "instalments" : "rate"}`)).check();
  await page.getByLabel(en ? /^Italian tax code/ : /^Codice fiscale/).fill(o.fiscalCode);
  await page.getByLabel(en ? "Citizenship" : "Cittadinanza").selectOption("italian");
  await page.getByLabel(en ? "Occupation" : "Occupazione").selectOption("employee_open_ended_contract");
  await page.getByLabel(en ? /^I have read Soisy's privacy notice/ : /^Ho letto l'informativa privacy/).check();
}

async function submit(page: Page, en = false) {
  await page.getByRole("button", { name: en ? /Send the request to Soisy|Continue/ : /Invia la richiesta a Soisy|Continua/ }).click();
}

async function expectNoSeriousAxe(page: Page) {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(pageErrors.get(page) ?? []).toEqual([]);
}

/** Nothing the shopper typed is stored: the fiscal code appears in no row of the session or its timeline. */
async function expectNothingTypedStored(id: string, fiscalCode: string) {
  const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
  expect(JSON.stringify(row)).not.toContain(fiscalCode);
  const events = await db().timelineEvent.findMany({ where: { paymentSessionId: id } });
  expect(JSON.stringify(events)).not.toContain(fiscalCode);
  expect(stack.appOutput()).not.toContain(fiscalCode);
}

describe("in-store pre-approval (level 2, browser)", () => {
  it("approve: live quotes, prefilled data, Soisy approves → webapp → pending → resolved as in level 1", async () => {
    const page = await newPage();
    const id = await checkout(page, "480.00");
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "preapproval", integrationLevel: "preapproval" });
    expect(row.soisyToken).toBeTruthy();

    // No name stored from Shopify's Admin API for this shop (configured, not installed): the handle.
    expect((await db().shopSettings.findUniqueOrThrow({ where: { shop: row.shop } })).shopName).toBeNull();
    await expect.poll(() => page.getByTestId("shop-name").textContent()).toBe("e2e-shop");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Paga a rate con Soisy");
    // Live quotes from Soisy's loan-quotes (the simulator's median profile: TAN 7,90 %).
    const quote12 = await page.getByTestId("quote-12").textContent();
    expect(quote12).toMatch(/^12 rate da €\s[\d.,]+ · TAEG \d+,\d\d%Esempio rappresentativo: .*TAN fisso 7,90%; TAEG \d+,\d\d%; importo totale dovuto/);
    expect(await page.getByTestId("quote-3").textContent()).toMatch(/TAN fisso/);
    expect(await page.getByLabel(/^12 rate/).isChecked()).toBe(true);
    // Prefilled from Shopify's customer data (phone without +39, street and civic number split).
    expect(await page.getByLabel("Email").inputValue()).toBe("alice.rossi@example.com");
    expect(await page.getByLabel("Cellulare").inputValue()).toBe("3331234567");
    expect(await page.getByLabel("Nome", { exact: true }).inputValue()).not.toBe("");
    expect(await page.getByLabel("Via o piazza").inputValue()).not.toBe("");
    expect(await page.getByLabel("Numero civico").inputValue()).not.toBe("");
    expect(await page.getByLabel("CAP").inputValue()).toMatch(/^\d{5}$/);
    await expectNoSeriousAxe(page);
    await shot(page, "preapproval-form-it");

    await fillForm(page, { fiscalCode: APPROVED_CODE.toLowerCase(), instalments: 18 });
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), submit(page)]);
    expect(step2Calls(APPROVED_CODE)).toEqual(["request", "approval"]);
    const approved = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    expect(approved).toMatchObject({ state: "redirected", preapprovalInstalments: 18, preapprovalLockedUntil: null });
    expect(page.url()).toBe(approved.preapprovalRedirectUrl);
    const order = stack.soisy.orders.get(row.soisyToken!)!;
    expect(order).toMatchObject({ status: "request_accepted", instalments: 18, amount: 48000 });
    await page.screenshot({ path: screenshotPath("preapproval-approved-soisy-webapp"), fullPage: true });

    // A refresh of the pre-approval page of an approved session just goes to Soisy again.
    const again = await fetch(`${stack.appUrl}/payments/preapproval/${encodeURIComponent(id)}/${await secretOf(id)}`, { redirect: "manual" });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(approved.preapprovalRedirectUrl);

    await Promise.all([page.waitForURL(new RegExp(`/shops/${stack.shop}/orders/${id}`)), page.getByRole("button", { name: "Completa la richiesta" }).click()]);
    await eventually(async () => simSession(id).state.code === "PENDING", 10_000, "pending");
    await stack.soisy.fireEvent(row.soisyToken!, "LoanWasVerified");
    await eventually(async () => simSession(id).state.code === "RESOLVED", 10_000, "resolve");
    expect(appliedMutations(id)).toEqual(["paymentSessionConfirm", "paymentSessionPending", "paymentSessionResolve"]);

    const timeline = (await db().timelineEvent.findMany({ where: { paymentSessionId: id }, orderBy: { createdAt: "asc" } })).map((e) => e.type);
    expect(timeline).toEqual(expect.arrayContaining(["soisy_order_created", "preapproval_requested", "preapproval_approved", "preapproved", "LoanWasVerified"]));
    await expectNothingTypedStored(id, APPROVED_CODE);
    await page.context().close();
  });

  it("refuse: the session is rejected at once and the shopper goes back to checkout with a kind message", async () => {
    const page = await newPage();
    const id = await checkout(page, "350.00");
    await fillForm(page, { fiscalCode: REFUSED_CODE });
    await Promise.all([page.waitForURL(/\/payments\/preapproval\//), submit(page)]);
    await page.locator("[data-page=preapproval-refused]").waitFor();
    expect(await page.locator("h1").textContent()).toBe("Soisy non ha approvato la richiesta");
    await eventually(async () => simSession(id).state.code === "REJECTED", 10_000, "reject");
    expect(simSession(id).state).toMatchObject({ code: "REJECTED", reason: "INSTRUMENT_DECLINED", merchantMessage: MERCHANT_MESSAGES.preapprovalRefused });
    expect(appliedMutations(id)).toEqual(["paymentSessionReject"]);
    await expectNoSeriousAxe(page);
    await shot(page, "preapproval-refused-it");

    await Promise.all([page.waitForURL(/\/cancelled/), page.getByRole("link", { name: "Torna al checkout" }).click()]);
    expect(page.url()).toBe(simSession(id).cancelUrl);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("rejected");
    const types = (await db().timelineEvent.findMany({ where: { paymentSessionId: id } })).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["preapproval_requested", "preapproval_refused", "rejected"]));
    // The UserWasRejected callback that raced the submit did not change the outcome.
    await stack.soisy.idle();
    expect(appliedMutations(id)).toEqual(["paymentSessionReject"]);
    await expectNothingTypedStored(id, REFUSED_CODE);
    await page.context().close();
  });

  it("additional data: Soisy asks for more, the typed values stay, one request, then approved", async () => {
    const page = await newPage();
    await checkout(page, "620.00");
    await fillForm(page, { fiscalCode: ADDITIONAL_CODE, instalments: 24 });
    await submit(page);
    await page.getByTestId("additional-notice").waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("additional-notice");
    expect(await page.getByLabel(/^Codice fiscale/).inputValue()).toBe(ADDITIONAL_CODE);
    expect(await page.getByLabel(/^24 rate/).isChecked()).toBe(true);
    expect(await page.getByLabel("Occupazione").inputValue()).toBe("employee_open_ended_contract");
    expect(await page.getByLabel(/^Ho letto l'informativa privacy/).isChecked()).toBe(true);
    await expectNoSeriousAxe(page);
    await shot(page, "preapproval-additional-data");

    await page.getByLabel("Abitazione").selectOption("rent");
    await page.getByLabel(/^Vivi a questo indirizzo dal/).fill("03/2019");
    await page.getByLabel("Titolo di studio").selectOption("high_school");
    await page.getByLabel("Figli a carico").fill("1");
    await page.getByLabel("Tipo di reddito").selectOption("salary");
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), submit(page)]);
    expect(step2Calls(ADDITIONAL_CODE)).toEqual(["request", "approval"]);
    const approval = stack.soisy.requests.find((r) => r.path.endsWith(`/requests/${ADDITIONAL_CODE}`))!;
    expect(approval.body).toMatchObject({ residence: "rent", residenceStartDate: "03/2019", educationalQualification: "high_school", children: "1", salaryType: "salary", loanFinality: "ecommerce_shop" });
    await page.context().close();
  });

  it("additional data, then a Soisy field error at approval: the step, its answers and everything typed stay; fixed, one request in all", async () => {
    const fiscalCode = withCheckChar("ADDBNC85M41L219");
    const page = await newPage();
    const id = await checkout(page, "640.00");
    await page.getByLabel("CAP").fill("00000");
    await fillForm(page, { fiscalCode, instalments: 30 });
    await submit(page);
    await page.getByTestId("additional-notice").waitFor();
    await page.getByLabel("Abitazione").selectOption("owner");
    await page.getByLabel(/^Vivi a questo indirizzo dal/).fill("11/2015");
    await page.getByLabel("Titolo di studio").selectOption("degree");
    await page.getByLabel("Figli a carico").fill("2");
    await page.getByLabel("Tipo di reddito").selectOption("salary");
    await Promise.all([page.waitForLoadState("load"), submit(page)]);
    await page.getByTestId("error-summary").waitFor();
    expect(await page.locator("#f-postalCode-error").textContent()).toBe("Soisy non riconosce questo CAP: controllalo.");
    // Still the additional-data step, with its answers and the rest of the form.
    expect(await page.getByRole("button", { name: /^Continua/ }).count()).toBe(1);
    expect(await page.getByLabel("Abitazione").inputValue()).toBe("owner");
    expect(await page.getByLabel(/^Vivi a questo indirizzo dal/).inputValue()).toBe("11/2015");
    expect(await page.getByLabel("Titolo di studio").inputValue()).toBe("degree");
    expect(await page.getByLabel("Figli a carico").inputValue()).toBe("2");
    expect(await page.getByLabel("Tipo di reddito").inputValue()).toBe("salary");
    expect(await page.getByLabel(/^Codice fiscale/).inputValue()).toBe(fiscalCode);
    expect(await page.getByLabel(/^30 rate/).isChecked()).toBe(true);
    await expectNoSeriousAxe(page);
    await shot(page, "preapproval-additional-data-soisy-field-error");

    await page.getByLabel("CAP").fill("20121");
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), submit(page)]);
    // POST /requests once; the approval twice (refused CAP, then accepted).
    expect(step2Calls(fiscalCode)).toEqual(["request", "approval", "approval"]);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("redirected");
    await expectNothingTypedStored(id, fiscalCode);
    await page.context().close();
  });

  it("invalid fiscal code: caught in the browser (nothing sent) and, without JavaScript, by the server", async () => {
    const wrong = APPROVED_CODE.slice(0, 15) + (APPROVED_CODE.endsWith("A") ? "B" : "A");
    const page = await newPage();
    await checkout(page);
    const step2 = () => stack.soisy.requests.filter((r) => r.path.includes("/requests")).length;
    const before = step2();
    await fillForm(page, { fiscalCode: wrong });
    await submit(page);
    const summary = page.getByTestId("error-summary");
    await summary.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("error-summary");
    const input = page.getByLabel(/^Codice fiscale/);
    expect(await input.getAttribute("aria-invalid")).toBe("true");
    expect(await input.getAttribute("aria-describedby")).toContain("f-fiscalCode-error");
    expect(await page.locator("#f-fiscalCode-error").textContent()).toMatch(/non è valido/);
    expect(await input.inputValue()).toBe(wrong);
    expect(step2()).toBe(before);
    await expectNoSeriousAxe(page);
    await shot(page, "preapproval-invalid-fiscal-code-client");
    await page.context().close();

    const noJs = await newPage({ javaScriptEnabled: false });
    await checkout(noJs);
    await fillForm(noJs, { fiscalCode: "RSSMRA80A01H50" });
    await Promise.all([noJs.waitForLoadState("load"), submit(noJs)]);
    await noJs.getByTestId("error-summary").waitFor();
    expect(await noJs.locator("#f-fiscalCode-error").textContent()).toBe("Il codice fiscale ha 16 caratteri.");
    expect(await noJs.getByLabel(/^Codice fiscale/).inputValue()).toBe("RSSMRA80A01H50");
    expect(await noJs.getByLabel("Occupazione").inputValue()).toBe("employee_open_ended_contract");
    expect(step2()).toBe(before);
    await shot(noJs, "preapproval-invalid-fiscal-code-server");
    await noJs.context().close();
  });

  it("Soisy field error: a postal code Soisy does not know is shown next to the field, in both languages, nothing lost", async () => {
    for (const en of [false, true]) {
      const page = await newPage();
      await checkout(page);
      if (en) await page.goto(`${page.url()}?lang=en`);
      await page.getByLabel(en ? /^Postal code/ : "CAP").fill("00000");
      await fillForm(page, { fiscalCode: APPROVED_CODE, en });
      await Promise.all([page.waitForLoadState("load"), submit(page, en)]);
      await page.getByTestId("error-summary").waitFor();
      expect(await page.locator("#f-postalCode-error").textContent()).toBe(
        en ? "Soisy does not recognise this postal code: please check it." : "Soisy non riconosce questo CAP: controllalo.",
      );
      const cap = page.getByLabel(en ? /^Postal code/ : "CAP");
      expect(await cap.getAttribute("aria-invalid")).toBe("true");
      expect(await cap.inputValue()).toBe("00000");
      expect(await page.getByLabel(en ? /^Italian tax code/ : /^Codice fiscale/).inputValue()).toBe(APPROVED_CODE);
      expect(await page.getByLabel(en ? "Citizenship" : "Cittadinanza").inputValue()).toBe("italian");
      await expectNoSeriousAxe(page);
      await shot(page, `preapproval-soisy-field-error-${en ? "en" : "it"}`);
      await page.context().close();
    }
  });

  it("Soisy down: a clear retry message, the typed values still there, and the retry goes through", async () => {
    const page = await newPage();
    const id = await checkout(page);
    await fillForm(page, { fiscalCode: APPROVED_CODE, instalments: 6 });
    stack.soisy.setFaults({ failNext: { count: 1, status: 503 }, match: "/requests" });
    try {
      await Promise.all([page.waitForLoadState("load"), submit(page)]);
      await page.getByTestId("error-summary").waitFor();
      expect(await page.getByTestId("error-summary").textContent()).toContain("Soisy non risponde in questo momento");
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("error-summary");
      expect(await page.getByLabel(/^Codice fiscale/).inputValue()).toBe(APPROVED_CODE);
      expect(await page.getByLabel(/^6 rate/).isChecked()).toBe(true);
      expect(await page.getByLabel(/^Ho letto l'informativa privacy/).isChecked()).toBe(true);
      await shot(page, "preapproval-soisy-down");
    } finally {
      stack.soisy.clearFaults();
    }
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), submit(page)]);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("redirected");
    const types = (await db().timelineEvent.findMany({ where: { paymentSessionId: id } })).map((e) => e.type);
    expect(types).toContain("preapproval_failed");
    await page.context().close();
  });

  it("Soisy hanging while the page loads: the form still shows within seconds, without quote examples, and can be filled", async () => {
    const page = await newPage();
    // A checkout amount no other test uses: its quotes are not cached yet (and their failure is remembered only 30 s).
    await page.goto(`${stack.shopify.url}/checkout`);
    await page.getByLabel(/^Importo/).fill("733.00");
    stack.soisy.setFaults({ latencyMs: 20_000, match: "/loan-quotes" });
    try {
      const started = Date.now();
      await Promise.all([page.waitForURL(/\/payments\/preapproval\//, { timeout: 20_000 }), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
      await page.locator("[data-page=preapproval]").waitFor();
      const elapsed = Date.now() - started;
      // loan-quotes: 3 s per attempt, one retry; the shop info is waited for 2 s at most (≈ 7 s by
      // design, plus navigation on a busy machine). What matters: not Soisy's 20 s.
      expect(elapsed).toBeLessThan(15_000);
      expect(await page.locator("#quote-note").textContent()).toBe("Gli esempi di rata non sono disponibili in questo momento: puoi comunque scegliere il numero di rate.");
      expect(await page.getByTestId("quote-12").textContent()).toBe("Esempio non disponibile in questo momento");
      expect(await page.getByLabel(/^12 rate/).isChecked()).toBe(true);
      await expectNoSeriousAxe(page);
      await shot(page, "preapproval-quotes-unavailable");
    } finally {
      stack.soisy.clearFaults();
    }
    await fillForm(page, { fiscalCode: APPROVED_CODE, instalments: 10 });
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), submit(page)]);
    await page.context().close();
  });

  it("keyboard only (Tab, Space, Enter, arrows in selects): completes the form and reaches Soisy", async () => {
    const page = await newPage();
    const id = await checkout(page);
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? "");
    const tabTo = async (target: string) => {
      for (let i = 0; i < 60; i++) {
        if ((await focusedId()) === target) return;
        await page.keyboard.press("Tab");
      }
      throw new Error(`Tab never reached #${target}`);
    };
    await tabTo("f-fiscalCode");
    await page.keyboard.type(APPROVED_CODE);
    await tabTo("f-citizenship");
    await page.keyboard.press("ArrowDown");
    await tabTo("f-jobDescription");
    await page.keyboard.press("ArrowDown");
    await tabTo("f-privacy");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    // Next: the privacy link, the marketing box, then the submit button.
    for (let i = 0; i < 5 && !(await page.evaluate(() => document.activeElement?.tagName === "BUTTON")); i++) await page.keyboard.press("Tab");
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), page.keyboard.press("Enter")]);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("redirected");
    await page.context().close();
  });

  it("English: the whole page follows ?lang=en (or the shopper's locale), with no serious axe violations", async () => {
    const page = await newPage();
    await checkout(page);
    await page.goto(`${page.url()}?lang=en`);
    expect(await page.locator("h1").textContent()).toBe("Pay in instalments with Soisy");
    expect(await page.getByTestId("quote-12").textContent()).toMatch(/^12 instalments of €[\d.,]+ · APR \(TAEG\) \d+\.\d\d%Representative example: .*fixed borrowing rate \(TAN\) 7\.90%; APR \(TAEG\) \d+\.\d\d%; total amount payable/);
    expect(await page.locator("[lang=en]").count()).toBeGreaterThan(0);
    await expectNoSeriousAxe(page);
    await shot(page, "preapproval-form-en");
    await page.context().close();
  });
});

describe("in-store pre-approval: the shop's name", () => {
  it("shows the name stored from Shopify (as text, escaped) in both languages, and the handle again without one", async () => {
    const shop = "e2e-shop.myshopify.com";
    const NAME = 'Negozio "Rossi" <b>& Figli</b> · Milano';
    await db().shopSettings.update({ where: { shop }, data: { shopName: NAME } });
    try {
      const page = await newPage();
      await checkout(page, "420.00");
      await expect.poll(() => page.getByTestId("shop-name").textContent()).toBe(NAME);
      expect(await page.locator("header").textContent()).toBe(`Negozio: ${NAME}`);
      // Rendered as text: the tags in the name are not elements.
      expect(await page.locator("header b").count()).toBe(0);
      await shot(page, "preapproval-shop-name-it");
      await page.goto(`${page.url().split("?")[0]}?lang=en`);
      await expect.poll(() => page.locator("header").textContent()).toBe(`Shop: ${NAME}`);
      await expectNoSeriousAxe(page);

      await db().shopSettings.update({ where: { shop }, data: { shopName: null } });
      await page.reload();
      await expect.poll(() => page.getByTestId("shop-name").textContent()).toBe("e2e-shop");
      await page.context().close();
    } finally {
      await db().shopSettings.update({ where: { shop }, data: { shopName: null } });
    }
  });
});

describe("in-store pre-approval (HTTP)", () => {
  it("a double submit makes one Soisy request; both answers lead to Soisy's webapp", async () => {
    const page = await newPage();
    const id = await checkout(page);
    const url = page.url();
    await page.context().close();
    const form = preapprovalForm(withCheckChar("DBLSBM80A01H501"));
    stack.soisy.setFaults({ latencyMs: 600, match: "/requests" });
    try {
      const post = () => fetch(url, { method: "POST", body: form, redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" } });
      const [a, b] = await Promise.all([post(), post()]);
      expect([a.status, b.status]).toEqual([303, 303]);
      const locations = [a.headers.get("location")!, b.headers.get("location")!];
      const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
      expect(row.state).toBe("redirected");
      // One went straight to Soisy; the other waited and was sent to the page, which forwards to Soisy.
      expect(locations).toContain(row.preapprovalRedirectUrl);
      for (const location of locations) {
        const res = await fetch(new URL(location, url), { redirect: "manual" });
        if (location !== row.preapprovalRedirectUrl) expect(res.headers.get("location")).toBe(row.preapprovalRedirectUrl);
      }
    } finally {
      stack.soisy.clearFaults();
    }
    expect(step2Calls(withCheckChar("DBLSBM80A01H501"))).toEqual(["request", "approval"]);
  });

  it.each([
    ["approved", APPROVED_CODE],
    ["refused", REFUSED_CODE],
  ] as const)("an approval whose answer was lost (%s at Soisy) is settled from Soisy's order on the next submit", async (outcome, fiscalCode) => {
    // A checkout without a browser: the Shopify simulator answers with the app's pre-approval URL.
    const started = await fetch(`${stack.shopify.url}/checkout`, {
      method: "POST",
      body: new URLSearchParams({ shop: stack.shop, amount: "275.00", currency: "EUR", test: "true" }),
      redirect: "manual",
    });
    const url = started.headers.get("location")!;
    expect(url).toContain("/payments/preapproval/");
    const id = [...stack.shopify.paymentSessions.values()].at(-1)!.id;
    const { soisyToken } = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    // The app's earlier submit reached Soisy, which decided, but the answer never came back: the
    // same two calls made directly leave Soisy's order decided while the session is still in the form.
    const soisyApi = `${stack.soisy.url}/api/shops/partnershop/requests`;
    const headers = { "X-Auth-Token": "partnerkey", "content-type": "application/json" };
    const person = { email: "alice@example.com", firstname: "Alice", lastname: "Rossi", mobilePhone: "3331234567", city: "Milano", province: "MI", address: "Via Roma", civicNumber: "1", postalCode: "20121", citizenship: "italian" };
    expect((await fetch(soisyApi, { method: "POST", headers, body: JSON.stringify({ amount: 27500, instalments: 12, privacy: true, fiscalCode, jobDescription: "retired" }) })).status).toBe(201);
    expect((await fetch(`${soisyApi}/${fiscalCode}`, { method: "POST", headers, body: JSON.stringify({ amount: 27500, instalments: 12, loanFinality: "ecommerce_shop", orderToken: soisyToken, ...person }) })).status).toBe(200);
    await stack.soisy.idle();
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("preapproval");

    const form = new URLSearchParams({ instalments: "12", fiscalCode, jobDescription: "retired", privacy: "on", ...person });
    const res = await fetch(url, { method: "POST", body: form, redirect: "manual" });
    expect(res.status).toBe(303);
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    if (outcome === "approved") {
      expect(row).toMatchObject({ state: "redirected", preapprovalInstalments: 12 });
      expect(res.headers.get("location")).toBe(row.preapprovalRedirectUrl);
    } else {
      expect(row.state).toBe("rejected");
      await eventually(async () => simSession(id).state.code === "REJECTED", 10_000, "reject");
      expect(simSession(id).state).toMatchObject({ reason: "INSTRUMENT_DECLINED", merchantMessage: MERCHANT_MESSAGES.preapprovalRefused });
      const page = await fetch(new URL(res.headers.get("location")!, url));
      expect(await page.text()).toContain("Soisy non ha approvato la richiesta");
    }
  });

  it("Shopify's retries of a level-2 session (same id) get the same pre-approval URL — after a failure, concurrently, after approval — with one Soisy order and one request", async () => {
    const fiscalCode = withCheckChar("RTRSBM80A01H501");
    const ordersBefore = stack.soisy.orders.size;
    // Soisy down for the first two attempts: Shopify retries the same session until the app answers 2xx.
    stack.soisy.setFaults({ failNext: { count: 2, status: 503 }, match: "/orders" });
    let first: Awaited<ReturnType<typeof stack.shopify.startPayment>>;
    try {
      first = await stack.shopify.startPayment({ shop: stack.shop, amount: "410.00", test: true });
    } finally {
      stack.soisy.clearFaults();
    }
    expect(first.ok).toBe(true);
    expect(first.attempts.map((a) => a.status).slice(0, 2)).toEqual([502, 502]);
    expect(first.attempts).toHaveLength(3);
    const url = first.redirectUrl!;
    expect(url).toMatch(new RegExp(`/payments/preapproval/${first.id}/`));
    expect(stack.soisy.orders.size).toBe(ordersBefore + 1);

    // Shopify retries again (its answer was lost): same URL, no second Soisy order.
    const again = await stack.shopify.startPayment({ shop: stack.shop, amount: "410.00", id: first.id });
    expect(again).toMatchObject({ id: first.id, ok: true, redirectUrl: url });
    // 20 identical retries at once.
    const replay = () =>
      fetch(`${stack.appUrl}/payments/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop, "shopify-api-version": "2026-04", ...shopifyProofHeaders(stack.env) },
        body: JSON.stringify(first.request),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { redirect_url?: string } }));
    const answers = await Promise.all(Array.from({ length: 20 }, replay));
    expect(answers.map((a) => a.status).every((st) => st >= 200 && st < 300)).toBe(true);
    expect(new Set(answers.map((a) => a.body.redirect_url))).toEqual(new Set([url]));
    expect(stack.soisy.orders.size).toBe(ordersBefore + 1);
    expect(await db().paymentSession.count({ where: { id: first.id } })).toBe(1);

    // The shopper is approved in the store; a retry after that still answers the same URL, which forwards to Soisy.
    const page = await newPage();
    await page.goto(url);
    await fillForm(page, { fiscalCode });
    await Promise.all([page.waitForURL(/#\/loan-request\?token=/), submit(page)]);
    await page.context().close();
    const approved = await db().paymentSession.findUniqueOrThrow({ where: { id: first.id } });
    expect(approved.state).toBe("redirected");
    const late = await replay();
    expect(late).toMatchObject({ status: 201, body: { redirect_url: url } });
    const forwarded = await fetch(url, { redirect: "manual" });
    expect(forwarded.status).toBe(303);
    expect(forwarded.headers.get("location")).toBe(approved.preapprovalRedirectUrl);
    expect(stack.soisy.orders.size).toBe(ordersBefore + 1);
    expect(step2Calls(fiscalCode)).toEqual(["request", "approval"]);
    expect(await db().timelineEvent.count({ where: { paymentSessionId: first.id, type: "soisy_order_created" } })).toBe(1);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id: first.id } })).state).toBe("redirected");
  });

  it("quotes come from the shared quote cache: 10 concurrent first views make one loan-quotes call per option, later views none", async () => {
    const started = await fetch(`${stack.shopify.url}/checkout`, {
      method: "POST",
      body: new URLSearchParams({ shop: stack.shop, amount: "377.00", currency: "EUR", test: "true" }),
      redirect: "manual",
    });
    const url = started.headers.get("location")!;
    expect(url).toContain("/payments/preapproval/");
    const quoteCalls = () => stack.soisy.requests.filter((r) => r.path.endsWith("/loan-quotes") && r.query.amount === "37700");
    expect(quoteCalls()).toHaveLength(0);
    stack.soisy.setFaults({ latencyMs: 300, match: "/loan-quotes" });
    let pages: string[];
    try {
      pages = await Promise.all(Array.from({ length: 10 }, () => fetch(url).then((r) => r.text())));
    } finally {
      stack.soisy.clearFaults();
    }
    const options = [...pages[0]!.matchAll(/data-testid="quote-(\d+)"/g)].map((m) => Number(m[1]));
    expect(options).toEqual([3, 6, 10, 12, 18, 24, 30, 36, 48, 60]);
    for (const html of pages) expect(html).toContain("TAN fisso <span data-soisy-field=\"tan\">7,90%</span>");
    expect(quoteCalls()).toHaveLength(options.length);
    await fetch(url).then((r) => r.text());
    expect(quoteCalls()).toHaveLength(options.length);
  });

  it("an oversized or non-form post is refused (413 / 415) before anything reaches Soisy or the database", async () => {
    const started = await fetch(`${stack.shopify.url}/checkout`, {
      method: "POST",
      body: new URLSearchParams({ shop: stack.shop, amount: "255.00", currency: "EUR", test: "true" }),
      redirect: "manual",
    });
    const url = started.headers.get("location")!;
    const id = [...stack.shopify.paymentSessions.values()].at(-1)!.id;
    const step2 = () => stack.soisy.requests.filter((r) => r.path.includes("/requests")).length;
    const before = { step2: step2(), events: await db().timelineEvent.count({ where: { paymentSessionId: id } }) };
    const valid = { instalments: "12", fiscalCode: APPROVED_CODE, jobDescription: "retired", citizenship: "italian", privacy: "on" };
    const big = await fetch(url, { method: "POST", body: new URLSearchParams({ ...valid, padding: "x".repeat(20_000) }), redirect: "manual" });
    expect(big.status).toBe(413);
    const multipart = new FormData();
    for (const [k, v] of Object.entries(valid)) multipart.append(k, v);
    const wrongType = await fetch(url, { method: "POST", body: multipart, redirect: "manual" });
    expect(wrongType.status).toBe(415);
    expect(step2()).toBe(before.step2);
    expect(await db().timelineEvent.count({ where: { paymentSessionId: id } })).toBe(before.events);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("preapproval");
  });

  it("Shopify got the app's pre-approval URL (not Soisy's webapp); a forged secret gets 404", async () => {
    const page = await newPage();
    const id = await checkout(page);
    const url = page.url();
    await page.context().close();
    const forged = url.replace(/\/[^/]+$/, "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    const res = await fetch(forged, { redirect: "manual" });
    expect(res.status).toBe(404);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const invalid = await newPage();
    await invalid.goto(forged);
    await shot(invalid, "preapproval-invalid-link");
    await invalid.context().close();
    expect(simSession(id).appRedirectUrl).toBe(url);
    expect(url).toMatch(/\/payments\/preapproval\//);
  });
});

async function secretOf(id: string): Promise<string> {
  const { sessionSecret } = await import("~/payments/url-secrets.server");
  const { parseKeyring } = await import("~/security/encryption.server");
  return sessionSecret(id, parseKeyring(stack.encryptionKey));
}
