/**
 * Fund on fulfilment and oversell protection (issue 15), end to end in a browser: the shop funds at
 * fulfilment, its Soisy shop has suspended orders, Shopify's oversell protection is on. An authorization
 * paid with Soisy is resolved once Soisy verified the loan (with its expiry), then captured by "Evadi
 * ordine" on Shopify's order page (one match-trigger with the right cents, one captureSessionResolve),
 * partly captured, voided (the merchant confirms in the admin), refused by Soisy (order not suspended),
 * refused as expired (no Soisy call), and an oversold item is rejected before the loan is funded — with
 * Shopify's and Soisy's faults in the middle. Every GraphQL document the app sent was validated by the
 * Shopify simulator against the 2026-04 schema. Screenshots: test-results/screenshots/fulfilment-*.png.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath, waitForHydration } from "../helpers/browser";
import { adminContext } from "../helpers/admin-page";
import { eventually, printAppOutputIfFailed, simSession, type Stack } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";
import { appliedMutations } from "../helpers/payments";
import {
  appliedCount,
  authorizationCheckout,
  completeAtSoisy,
  faultedCalls,
  fundOnFulfilment,
  orderPageShows,
  orderPageUrl,
  resolvedAuthorization,
  settlementsOf,
  SETTLEMENT_TIMEOUT_MS,
  SUSPENDED_SOISY_SHOPS,
  timelineOf,
  triggerRequests,
} from "../helpers/authorization-flow";

let stack: Stack;
let browser: Browser;
let admin: BrowserContext;
const db = () => stack.database.db;
const DAY_MS = 86_400_000;
/** A whole flow (checkout, Soisy, confirmation, verification, capture with the outbox's retries) on a busy 2-core machine. */
const FLOW_TIMEOUT_MS = 120_000;

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser({
    shop: "fulfilment-e2e.myshopify.com",
    adminOAuth: true,
    soisy: { shops: SUSPENDED_SOISY_SHOPS },
    // Short outbox backoff: the retries after a fault come within the tests' bounds on a busy machine.
    appEnv: { OUTBOX_BACKOFF_BASE_MS: "200", OUTBOX_BACKOFF_MAX_MS: "2000" },
  });
  await fundOnFulfilment(stack);
  admin = await adminContext(browser, stack, { viewport: { width: 1280, height: 900 }, locale: "it-IT" });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(admin, browser, stack));

afterEach((context) => {
  printAppOutputIfFailed(context, stack);
  stack.shopify.clearFaults();
  stack.soisy.clearFaults();
});

/** Waits until nothing of a payment is left to send to Shopify (no pending outbox message, Soisy's callbacks answered). */
async function settled(id: string) {
  await stack.soisy.idle();
  await eventually(
    async () => (await db().outboxMessage.count({ where: { paymentSessionId: id, status: "pending" } })) === 0,
    SETTLEMENT_TIMEOUT_MS,
    "no pending outbox message for the payment",
  );
}

/** Presses a button of the order page (a form post answered by a redirect back to it). */
async function pressOnOrderPage(page: Page, id: string, button: RegExp, amount?: string) {
  await page.goto(orderPageUrl(stack, id));
  if (amount !== undefined) await page.getByLabel(/^Importo da incassare/).fill(amount);
  await Promise.all([page.waitForURL(orderPageUrl(stack, id)), page.getByRole("button", { name: button }).click()]);
}

describe("an authorization funded on fulfilment", { timeout: FLOW_TIMEOUT_MS }, () => {
  it("is resolved after Soisy's verification with its expiry, then captured by \"Evadi ordine\" through faults", async () => {
    const page = await browser.newPage();
    const { id, token } = await authorizationCheckout(page, stack, "1890.00");
    await page.screenshot({ path: screenshotPath("fulfilment-soisy-webapp"), fullPage: true });
    // Shopify's first answer to the confirmation is lost (502 after applying it): the app's retry gets the same result.
    const callsBeforeConfirm = stack.shopify.calls.length;
    stack.shopify.setFaults({ failAfterApplyNext: { count: 1, status: 502 } });
    await completeAtSoisy(page);
    await eventually(async () => simSession(stack, id).state.code === "PENDING", SETTLEMENT_TIMEOUT_MS, "pending after the confirmation");
    expect(simSession(stack, id).confirmation?.result).toBe(true);
    expect(faultedCalls(stack, callsBeforeConfirm)).toEqual(["fail_after_apply:PaymentSessionConfirm"]);

    const verifiedAt = Date.now();
    await stack.soisy.fireEvent(token, "LoanWasVerified");
    await eventually(async () => simSession(stack, id).state.code === "RESOLVED", SETTLEMENT_TIMEOUT_MS, "resolved after verification");
    expect(stack.soisy.orders.get(token)?.status).toBe("waiting_for_trigger");
    // Resolved with the authorization's expiry: the verification + the shop's period (30 days by default).
    const expiresAt = simSession(stack, id).authorizationExpiresAt;
    expect(expiresAt).toBeTruthy();
    expect(Math.abs(Date.parse(expiresAt!) - (verifiedAt + 30 * DAY_MS))).toBeLessThan(10 * 60_000);
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    expect(Math.abs(row.authorizationExpiresAt!.getTime() - Date.parse(expiresAt!))).toBeLessThan(1_000);
    expect(appliedMutations(stack, id)).toEqual(["paymentSessionConfirm", "paymentSessionPending", "paymentSessionResolve"]);
    expect(await timelineOf(stack, id, "confirmation_received")).toEqual([{ source: "shopify", detail: { result: true } }]);

    await page.goto(orderPageUrl(stack, id));
    await page.getByTestId("authorization-expires-at").waitFor();
    await page.screenshot({ path: screenshotPath("fulfilment-order-authorized"), fullPage: true });

    // The merchant fulfils: Soisy's first match-trigger fails (503, outcome unknown to the app), and Shopify's
    // GraphQL endpoint fails twice before the resolve goes through.
    const callsBeforeCapture = stack.shopify.calls.length;
    stack.soisy.setFaults({ failNext: { count: 1, status: 503 }, match: "match-trigger" });
    stack.shopify.setFaults({ failNext: { count: 2, status: 503 } });
    await pressOnOrderPage(page, id, /Evadi ordine/);
    await orderPageShows(page, stack, id, '[data-capture-state="RESOLVED"]', "capture resolved on the order page");
    await page.screenshot({ path: screenshotPath("fulfilment-order-captured"), fullPage: true });
    await settled(id);

    const [capture, ...more] = settlementsOf(stack, "capture", id);
    expect(more).toEqual([]);
    expect(capture!.amount).toBe("1890.00");
    expect(appliedCount(capture!, "captureSessionResolve")).toBe(1);
    expect(capture!.mutations.filter((m) => m.name === "captureSessionReject")).toEqual([]);
    // Soisy funded exactly once, the capture's cents.
    expect(stack.soisy.triggers.filter((t) => t.token === token).map((t) => t.amount)).toEqual([189_000]);
    expect(stack.soisy.orders.get(token)?.status).toBe("disbursed");
    // The faults did happen: Soisy's first trigger answered 503, Shopify refused the resolve twice.
    expect(triggerRequests(stack, token).map((r) => r.status)).toEqual([503, 204]);
    expect(faultedCalls(stack, callsBeforeCapture)).toEqual(["fail:CaptureSessionResolve", "fail:CaptureSessionResolve"]);
    const settlement = await db().settlementSession.findUniqueOrThrow({ where: { id: capture!.id } });
    expect(settlement).toMatchObject({ kind: "capture", state: "resolved", amountCents: 189_000, paymentSessionId: id });
    expect(await timelineOf(stack, id, "capture_session_received")).toEqual([{ source: "shopify", detail: expect.objectContaining({ captureId: capture!.id }) }]);
    expect((await timelineOf(stack, id, "capture_triggered")).length).toBe(1);
    // A captured payment can be refunded as a sale (Shopify's refund form is back on the order page).
    await page.getByRole("button", { name: /Rimborsa/ }).waitFor();
    await page.close();
  });

  it("a partial capture (\"Incassa\") funds only the amount typed", async () => {
    const { id, token } = await resolvedAuthorization(browser, stack, "1000.00");
    const page = await browser.newPage();
    await pressOnOrderPage(page, id, /^Incassa/, "400,00");
    await orderPageShows(page, stack, id, '[data-capture-state="RESOLVED"]', "partial capture resolved");
    await settled(id);
    expect(stack.soisy.triggers.filter((t) => t.token === token).map((t) => t.amount)).toEqual([40_000]);
    const [capture] = settlementsOf(stack, "capture", id);
    expect(capture!.amount).toBe("400.00");
    expect(appliedCount(capture!, "captureSessionResolve")).toBe(1);
    await page.close();
  });

  it("a void waits for the merchant to cancel the loan at Soisy, then is resolved once through Shopify's faults", async () => {
    const { id, token } = await resolvedAuthorization(browser, stack, "750.00");
    const page = await browser.newPage();
    await pressOnOrderPage(page, id, /Annulla ordine/);
    await orderPageShows(page, stack, id, '[data-void-state="OPEN"]', "void open on the order page");
    const [voidSession] = settlementsOf(stack, "void", id);
    await eventually(
      async () => (await db().settlementSession.findUnique({ where: { id: voidSession!.id } }))?.state === "awaiting_merchant",
      SETTLEMENT_TIMEOUT_MS,
      "void awaiting the merchant",
    );
    expect(voidSession!.mutations).toEqual([]);

    // The merchant confirms in the admin that the loan is cancelled at Soisy; Shopify fails twice meanwhile.
    const adminPage = await admin.newPage();
    await adminPage.goto(`${stack.appUrl}/app/transactions/${id}`);
    // The void's form posts intent=confirm_void to /app/settlements/:id.
    const confirm = adminPage.locator('form:has(input[name="intent"][value="confirm_void"])').getByRole("button", { name: "Ho annullato il finanziamento su Soisy" });
    await confirm.waitFor();
    await waitForHydration(adminPage);
    await adminPage.screenshot({ path: screenshotPath("fulfilment-admin-void-awaiting"), fullPage: true });
    const callsBeforeConfirm = stack.shopify.calls.length;
    stack.shopify.setFaults({ failNext: { count: 2, status: 503 } });
    await confirm.click();
    await eventually(async () => voidSession!.state.code === "RESOLVED", SETTLEMENT_TIMEOUT_MS, "void resolved at Shopify");
    await settled(id);
    expect(appliedCount(voidSession!, "voidSessionResolve")).toBe(1);
    expect(faultedCalls(stack, callsBeforeConfirm)).toEqual(["fail:VoidSessionResolve", "fail:VoidSessionResolve"]);
    expect(await timelineOf(stack, id, "void_confirmed")).toEqual([{ source: "merchant", detail: expect.objectContaining({ by: expect.any(String) }) }]);
    expect(triggerRequests(stack, token)).toEqual([]);
    await orderPageShows(page, stack, id, '[data-void-state="RESOLVED"]', "void resolved on the order page");
    await page.screenshot({ path: screenshotPath("fulfilment-order-voided"), fullPage: true });
    await adminPage.close();
    await page.close();
  });

  it("a capture Soisy refuses (the order is not suspended) is rejected with Soisy's reason", async () => {
    // The merchant chose "at fulfilment" without Soisy's suspended-orders contract: Soisy funds on verification.
    const { id, token } = await resolvedAuthorization(browser, stack, "620.00", (t) => {
      stack.soisy.orders.get(t)!.suspended = false;
    });
    const page = await browser.newPage();
    await pressOnOrderPage(page, id, /Evadi ordine/);
    await orderPageShows(page, stack, id, '[data-capture-state="REJECTED"]', "capture rejected on the order page");
    await page.screenshot({ path: screenshotPath("fulfilment-capture-refused"), fullPage: true });
    await settled(id);
    const [capture] = settlementsOf(stack, "capture", id);
    expect(capture!.state).toMatchObject({ code: "REJECTED", reason: "PROCESSING_ERROR" });
    // The merchant reads Soisy's reason in Shopify (the app's merchantMessage).
    expect(capture!.state.code === "REJECTED" ? capture!.state.merchantMessage : null).toMatch(/suspended/i);
    expect(appliedCount(capture!, "captureSessionReject")).toBe(1);
    expect(stack.soisy.triggers.filter((t) => t.token === token)).toEqual([]);
    expect((await timelineOf(stack, id, "capture_refused")).length).toBe(1);
    await page.close();
  });

  it("a capture after the authorization expired is rejected AUTHORIZATION_EXPIRED without calling Soisy", async () => {
    const { id, token } = await resolvedAuthorization(browser, stack, "480.00");
    // The authorization period went by (the capture deadline is the app's: it checks its own record).
    await db().paymentSession.update({ where: { id }, data: { authorizationExpiresAt: new Date(Date.now() - 60_000) } });
    const page = await browser.newPage();
    await pressOnOrderPage(page, id, /Evadi ordine/);
    await orderPageShows(page, stack, id, '[data-capture-state="REJECTED"]', "expired capture rejected");
    await settled(id);
    const [capture] = settlementsOf(stack, "capture", id);
    expect(capture!.state).toMatchObject({ code: "REJECTED", reason: "AUTHORIZATION_EXPIRED" });
    expect(appliedCount(capture!, "captureSessionReject")).toBe(1);
    expect(triggerRequests(stack, token)).toEqual([]);
    expect(stack.soisy.orders.get(token)?.status).toBe("waiting_for_trigger");
    await page.close();
  });
});

describe("oversell protection", { timeout: FLOW_TIMEOUT_MS }, () => {
  it("an item sold meanwhile is rejected with CONFIRMATION_REJECTED before the loan is funded", async () => {
    const page = await browser.newPage();
    const { id, token } = await authorizationCheckout(page, stack, "1300.00", "gone");
    // Shopify's GraphQL endpoint is down for the first confirm: the outbox retries it.
    const callsBeforeConfirm = stack.shopify.calls.length;
    stack.shopify.setFaults({ failNext: { count: 1, status: 503 } });
    await completeAtSoisy(page);
    await eventually(async () => simSession(stack, id).state.code === "REJECTED", SETTLEMENT_TIMEOUT_MS, "rejected after the confirmation");
    expect(simSession(stack, id).state).toMatchObject({ code: "REJECTED", reason: "CONFIRMATION_REJECTED" });
    expect(appliedMutations(stack, id)).toEqual(["paymentSessionConfirm", "paymentSessionReject"]);
    expect(faultedCalls(stack, callsBeforeConfirm)).toEqual(["fail:PaymentSessionConfirm"]);
    // The shopper is sent back to choose another payment method.
    await expect.poll(() => page.url(), { timeout: SETTLEMENT_TIMEOUT_MS }).toBe(simSession(stack, id).cancelUrl);
    await page.screenshot({ path: screenshotPath("fulfilment-oversold-cancelled"), fullPage: true });
    await settled(id);
    expect(await timelineOf(stack, id, "confirmation_received")).toEqual([{ source: "shopify", detail: { result: false } }]);
    // The merchant is told to cancel the Soisy application.
    expect((await timelineOf(stack, id, "alert:confirmation_rejected")).length).toBe(1);
    // Soisy's operator verifies later: the loan is never funded through Shopify and the session stays rejected.
    await stack.soisy.fireEvent(token, "LoanWasVerified");
    await settled(id);
    expect(simSession(stack, id).state.code).toBe("REJECTED");
    expect(stack.soisy.triggers.filter((t) => t.token === token)).toEqual([]);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("rejected");
    await page.close();
  });
});

describe("the whole file", () => {
  it("caused nothing Shopify flags, and every document the app sent is valid against the 2026-04 schema", () => {
    expect(stack.shopify.violations).toEqual([]);
    expect(stack.shopify.calls.filter((c) => c.validationErrors.length > 0).map((c) => c.validationErrors)).toEqual([]);
  });
});
