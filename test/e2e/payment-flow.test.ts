/**
 * The payment end to end: Shopify simulator → the app (built, served by its production server) → Soisy
 * simulator → back, with a real browser (Debian's Chromium) on the shopper's path. Each test asserts
 * on the mutations the Shopify simulator recorded and on the app's database; every GraphQL document
 * the app sent was validated against Shopify's schema by the simulator.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { screenshotPath } from "../helpers/browser";
import { eventually, type Stack, simSession as simSessionOf, printAppOutputIfFailed } from "../helpers/stack";
import { closeAll, STACK_SETUP_TIMEOUT_MS, startStackAndBrowser } from "../helpers/browser-stack";
import { appliedMutations as appliedMutationsOf, resolvedPayment as resolvedPaymentOf } from "../helpers/payments";
import { shopifyProofHeaders } from "../../scripts/lib/local-stack";
import { createOutboxWorker } from "~/payments/outbox-worker.server";
import { decideRefund } from "~/payments/refund-service.server";
import { defaultSoisyClientFactory, type PaymentDeps } from "~/payments/payment-deps.server";
import { logger } from "~/logger.server";
import { parseKeyring } from "~/security/encryption.server";

let stack: Stack;
let browser: Browser;

/**
 * The outbox backoff of this stack: short, so waiting for a delivery after Shopify recovers has a bound
 * derived from it (a busy 2-core machine could otherwise see the default backoff outgrow a fixed wait).
 */
const BACKOFF_MAX_MS = 2_000;
/** Enough for several backoff periods, worker polls and a slow machine. */
const AFTER_RECOVERY_MS = 6 * BACKOFF_MAX_MS + 10_000;

beforeAll(async () => {
  [stack, browser] = await startStackAndBrowser({ appEnv: { OUTBOX_BACKOFF_BASE_MS: "200", OUTBOX_BACKOFF_MAX_MS: String(BACKOFF_MAX_MS) } });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(() => closeAll(browser, stack));

afterEach((context) => printAppOutputIfFailed(context, stack));

const db = () => stack.database.db;

const simSession = (id: string) => simSessionOf(stack, id);

const appliedMutations = (id: string) => appliedMutationsOf(stack, id);

function assertAllDocumentsValid() {
  const invalid = stack.shopify.calls.filter((c) => c.validationErrors.length > 0);
  expect(invalid.map((c) => c.validationErrors)).toEqual([]);
}

async function checkout(page: Page, amount: string, options: { test?: boolean } = {}): Promise<string> {
  await page.goto(`${stack.shopify.url}/checkout`);
  await page.getByLabel(/^Importo/).fill(amount);
  const test = page.getByLabel(/^Modalità test/);
  if ((options.test ?? true) !== (await test.isChecked())) await test.click();
  await Promise.all([page.waitForURL(/#\/loan-request\?token=/), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
  const id = [...stack.shopify.paymentSessions.values()].at(-1)!.id;
  return id;
}

/** The app's requests to Soisy to create an order for a session (its id is the order reference). */
function soisyOrderRequests(id: string) {
  return stack.soisy.requests.filter((r) => r.method === "POST" && r.path.endsWith("/orders") && r.rawBody.includes(id));
}

/**
 * Waits until nothing more can reach Shopify for a session: every callback Soisy sent is answered and no
 * outbox message of the session is still pending (a delivered or dead message is never sent again). A test
 * can then assert that something did not happen, without a fixed sleep.
 */
async function settled(id: string) {
  await stack.soisy.idle();
  await eventually(
    async () => (await db().outboxMessage.count({ where: { paymentSessionId: id, status: "pending" } })) === 0,
    20_000,
    "no pending outbox message for the session",
  );
}

async function soisyToken(id: string): Promise<string> {
  const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
  expect(row.soisyToken).toBeTruthy();
  return row.soisyToken!;
}

const resolvedPayment = (amount: string) => resolvedPaymentOf(stack, amount);

describe("shopper pays in instalments (browser)", () => {
  it("approve: pending on return, resolved when Soisy verifies the loan", async () => {
    const page = await browser.newPage();
    const id = await checkout(page, "1234.56");
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ state: "redirected", amountCents: 123456, currency: "EUR", test: true, environment: "sandbox" });
    const order = stack.soisy.orders.get(row.soisyToken!);
    expect(order?.amount).toBe(123456);
    expect(order?.orderReference).toBe(id);

    await page.getByText(/Importo/).first().waitFor();
    await page.screenshot({ path: screenshotPath("payment-soisy-webapp"), fullPage: true });
    await Promise.all([page.waitForURL(new RegExp(`/shops/${stack.shop}/orders/${id}`)), page.getByRole("button", { name: "Completa la richiesta" }).click()]);
    await expect.poll(() => page.locator("[data-state]").first().getAttribute("data-state")).toMatch(/pending/i);
    await page.screenshot({ path: screenshotPath("payment-order-pending"), fullPage: true });

    const pending = await db().paymentSession.findUniqueOrThrow({ where: { id } });
    expect(pending.state).toBe("pending");
    // Oversell protection: Shopify confirmed the items before the first pending (its callback answered true).
    expect(appliedMutations(id)).toEqual(["paymentSessionConfirm", "paymentSessionPending"]);
    expect(pending.confirmationResult).toBe(true);
    expect(simSession(id).state).toMatchObject({ code: "PENDING", reason: "PARTNER_ACTION_REQUIRED" });

    // Soisy's operator verifies the loan (sandbox: by hand) → callback → resolve.
    await stack.soisy.fireEvent(row.soisyToken!, "LoanWasVerified");
    await eventually(async () => simSession(id).state.code === "RESOLVED", 10_000, "resolve");
    expect(appliedMutations(id)).toEqual(["paymentSessionConfirm", "paymentSessionPending", "paymentSessionResolve"]);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("resolved");
    const timeline = await db().timelineEvent.findMany({ where: { paymentSessionId: id }, orderBy: { createdAt: "asc" } });
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(["payment_session_received", "soisy_order_created", "LoanWasApproved", "RequestCompleted", "LoanWasVerified"]));
    assertAllDocumentsValid();
    await page.close();
  });

  it("reject: Soisy refuses → the session is rejected and the shopper goes back to checkout", async () => {
    const page = await browser.newPage();
    const id = await checkout(page, "250.00");
    await page.getByRole("button", { name: "Rifiuta" }).click();
    await eventually(async () => simSession(id).state.code === "REJECTED", 10_000, "reject");
    expect(simSession(id).state).toMatchObject({ code: "REJECTED", reason: "INSTRUMENT_DECLINED" });
    expect(appliedMutations(id)).toEqual(["paymentSessionReject"]);
    await page.waitForLoadState("load");
    expect(page.url()).not.toContain("/payments/return/");
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("rejected");
    assertAllDocumentsValid();
    await page.close();
  });

  it("abandon: back to Shopify's cancel_url, no reject", async () => {
    const page = await browser.newPage();
    const id = await checkout(page, "300.00");
    await Promise.all([page.waitForURL(/\/checkouts\/.*\/cancelled/), page.getByRole("button", { name: "Abbandona" }).click()]);
    await page.screenshot({ path: screenshotPath("payment-abandoned"), fullPage: true });
    expect(page.url()).toBe(simSession(id).cancelUrl);
    expect(appliedMutations(id)).toEqual([]);
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("abandoned");
    await page.close();
  });

  it("not eligible (amount too small): rejected with AMOUNT_TOO_SMALL, shopper told why and sent back", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.shopify.url}/checkout`);
    await page.getByLabel(/^Importo/).fill("50.00");
    await page.getByRole("button", { name: /Paga a rate con Soisy/ }).click();
    const id = [...stack.shopify.paymentSessions.values()].at(-1)!.id;
    await eventually(async () => simSession(id).state.code === "REJECTED", 10_000, "reject");
    expect(simSession(id).state).toMatchObject({ code: "REJECTED", reason: "AMOUNT_TOO_SMALL" });
    // The app's page says why (test/e2e/demo-hub.test.ts checks the words); its button goes back to Shopify.
    await page.getByTestId("decline-reason").waitFor();
    await page.getByRole("link", { name: "Scegli un altro metodo di pagamento" }).click();
    await expect.poll(() => page.url(), { timeout: 10_000 }).not.toContain("/payments/not-eligible/");
    expect((await db().paymentSession.findUniqueOrThrow({ where: { id } })).state).toBe("not_eligible");
    await page.close();
  });
});

describe("not eligible, each reason (HTTP)", () => {
  it.each([
    [{ amount: "50.00" }, "AMOUNT_TOO_SMALL"],
    [{ amount: "15000.01" }, "AMOUNT_TOO_LARGE"],
    [{ amount: "200.00", currency: "USD" }, "INVALID_CURRENCY"],
    [{ amount: "200.00", customer: { billing_address: { country_code: "FR" }, shipping_address: { country_code: "FR" } } }, "PAYMENT_METHOD_UNSUPPORTED"],
    [{ amount: "200.00", test: false, unready: true }, "PROCESSING_ERROR"],
  ] as const)("%j → %s", async (input, code) => {
    const unready = "unready" in input && input.unready;
    if (unready) await db().shopSettings.update({ where: { shop: stack.shop }, data: { ready: false } });
    try {
      const result = await stack.shopify.startPayment({
        shop: stack.shop,
        amount: input.amount,
        ...("currency" in input ? { currency: input.currency } : {}),
        ...("customer" in input ? { customer: input.customer } : {}),
        test: "test" in input ? input.test : true,
      });
      expect(result.ok).toBe(true);
      expect(result.redirectUrl).toContain("/payments/not-eligible/");
      // The shopper follows the redirect: the page pushes the reject and forwards them.
      const res = await fetch(result.redirectUrl!, { redirect: "manual" });
      expect([200, 302]).toContain(res.status);
      await eventually(async () => simSession(result.id).state.code === "REJECTED", 10_000, "reject");
      expect(simSession(result.id).state).toMatchObject({ code: "REJECTED", reason: code });
      // No Soisy order was asked for this session (the rejection above is the end of its path).
      expect(soisyOrderRequests(result.id)).toEqual([]);
    } finally {
      if (unready) await db().shopSettings.update({ where: { shop: stack.shop }, data: { ready: true } });
    }
  });
});

describe("failures and retries", () => {
  it("Soisy down when creating the order: non-2xx, then Shopify's retry succeeds with one Soisy order", async () => {
    const ordersBefore = stack.soisy.orders.size;
    stack.soisy.setFaults({ failNext: { count: 2, status: 503 }, match: "/orders" });
    const result = await stack.shopify.startPayment({ shop: stack.shop, amount: "400.00", test: true });
    stack.soisy.clearFaults();
    expect(result.ok).toBe(true);
    expect(result.attempts.length).toBe(3);
    expect(result.attempts.slice(0, 2).map((a) => a.status)).toEqual([502, 502]);
    expect(result.redirectUrl).toContain("#/loan-request?token=");
    expect(stack.soisy.orders.size).toBe(ordersBefore + 1);
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id: result.id } });
    expect(row.state).toBe("redirected");
    const failures = await db().timelineEvent.count({ where: { paymentSessionId: result.id, type: "soisy_order_failed" } });
    expect(failures).toBe(2);
    // The filter the not-eligible tests rely on does see a session's order requests.
    expect(soisyOrderRequests(result.id)).toHaveLength(3);
  });

  it("50 concurrent identical session requests → one Soisy order, 50 identical answers", async () => {
    const first = await stack.shopify.startPayment({ shop: stack.shop, amount: "500.00", test: true, mutateBody: (b) => b });
    // Replay that exact request 50 times at once (a fresh id so nothing exists yet).
    const body = structuredClone(first.request) as Record<string, unknown>;
    const id = `concurrent${Date.now()}`;
    body.id = id;
    body.gid = `gid://shopify/PaymentSession/${id}`;
    const ordersBefore = stack.soisy.orders.size;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${stack.appUrl}/payments/sessions`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "shopify-shop-domain": stack.shop,
            "shopify-request-id": `req-${i}`,
            "shopify-api-version": "2026-04",
            ...shopifyProofHeaders(stack.env),
          },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { redirect_url?: string } })),
      ),
    );
    expect(answers.every((a) => a.status >= 200 && a.status < 300)).toBe(true);
    expect(new Set(answers.map((a) => a.body.redirect_url)).size).toBe(1);
    expect(stack.soisy.orders.size).toBe(ordersBefore + 1);
    expect(await db().paymentSession.count({ where: { id } })).toBe(1);
  });

  it("malformed and oversized requests are refused with a clear error and nothing written", async () => {
    const count = await db().paymentSession.count();
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.appUrl}/payments/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json", "shopify-shop-domain": stack.shop, ...shopifyProofHeaders(stack.env), ...headers },
        body,
      });
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/JSON/);
    const missing = await post(JSON.stringify({ id: "x" }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(/gid|amount/);
    const amount = await post(JSON.stringify({ ...(stack.shopify.sessionRequests[0]?.body as object), id: "amt1", gid: "gid://shopify/PaymentSession/amt1", amount: "12,50" }));
    expect(amount.status).toBe(400);
    const big = await post(JSON.stringify({ padding: "x".repeat(70 * 1024) }));
    expect(big.status).toBe(413);
    const noShop = await post(JSON.stringify({}), { "shopify-shop-domain": "" });
    expect(noShop.status).toBe(400);
    expect(await db().paymentSession.count()).toBe(count);
  });

  it("Shopify down at resolution: the outbox delivers after recovery, also across an app restart", async () => {
    const result = await stack.shopify.startPayment({ shop: stack.shop, amount: "600.00", test: true });
    const token = await soisyToken(result.id);
    await stack.soisy.completeOrder(token);
    await stack.soisy.idle();
    // Shopify holds its confirmation answer (sent by hand below) so the outage starts after the confirm.
    stack.shopify.setConfirmationBehaviour(result.id, { drop: true });
    await stack.soisy.fireEvent(token, "LoanWasVerified");
    await eventually(async () => simSession(result.id).state.code === "CONFIRMING", 10_000, "confirm delivered");
    // Shopify's API fails for a long while: the resolve stays in the outbox.
    stack.shopify.setFaults({ failNext: { count: 1_000, status: 503 } });
    expect(await stack.shopify.sendConfirmationCallback(result.id)).toMatchObject({ ok: true, status: 200 });
    await eventually(async () => (await db().paymentSession.findUniqueOrThrow({ where: { id: result.id } })).state === "resolved", 10_000, "resolved in the app");
    const message = await db().outboxMessage.findUniqueOrThrow({ where: { dedupeKey: `${result.id}:paymentSessionResolve` } });
    expect(message.status).toBe("pending");
    expect(simSession(result.id).state.code).not.toBe("RESOLVED");

    await stack.stopApp();
    stack.shopify.clearFaults();
    await stack.startApp();
    await eventually(async () => simSession(result.id).state.code === "RESOLVED", AFTER_RECOVERY_MS, "delivery after restart");
    // Shopify has applied it; the worker records the delivery right after the answer.
    const delivered = await eventually(async () => {
      const row = await db().outboxMessage.findUniqueOrThrow({ where: { id: message.id }, include: { attemptsLog: true } });
      return row.status === "delivered" ? row : null;
    }, 10_000, "delivery recorded");
    expect(delivered.attemptsLog.length).toBeGreaterThan(1);
    expect(appliedMutations(result.id).filter((m) => m === "paymentSessionResolve")).toHaveLength(1);
    assertAllDocumentsValid();
  });
});

describe("callbacks", () => {
  it("a forged callback (wrong secret, wrong token) changes nothing", async () => {
    const result = await stack.shopify.startPayment({ shop: stack.shop, amount: "700.00", test: true });
    const token = await soisyToken(result.id);
    const before = await db().paymentSession.findUniqueOrThrow({ where: { id: result.id } });
    const eventsBefore = await db().timelineEvent.count({ where: { paymentSessionId: result.id } });
    const form = new URLSearchParams({ eventId: "LoanWasVerified", eventMessage: "x", eventDate: "2026-11-23", orderToken: token, orderReference: result.id });
    const forged = await fetch(`${stack.appUrl}/soisy/callback/${result.id}/${"A".repeat(43)}`, { method: "POST", body: form });
    expect(forged.status).toBe(404);
    const secret = (await db().paymentSession.findUniqueOrThrow({ where: { id: result.id } })).callbackSecret;
    const wrongToken = new URLSearchParams({ ...Object.fromEntries(form), orderToken: "not-the-token" });
    const mismatched = await fetch(`${stack.appUrl}/soisy/callback/${result.id}/${secret}`, { method: "POST", body: wrongToken });
    expect(mismatched.status).toBe(400);
    // A genuine-looking callback whose claim Soisy does not confirm (order still a quote) moves nothing.
    const unconfirmed = await fetch(`${stack.appUrl}/soisy/callback/${result.id}/${secret}`, { method: "POST", body: form });
    expect(unconfirmed.status).toBe(200);
    const after = await db().paymentSession.findUniqueOrThrow({ where: { id: result.id } });
    expect(after.state).toBe(before.state);
    expect(appliedMutations(result.id)).toEqual([]);
    expect(await db().timelineEvent.count({ where: { paymentSessionId: result.id, type: { not: "LoanWasVerified" } } })).toBe(eventsBefore);
  });

  it("duplicated and out-of-order callbacks are applied once", async () => {
    stack.soisy.setFaults({ duplicateCallbacks: true, outOfOrderCallbacks: true });
    try {
      const result = await stack.shopify.startPayment({ shop: stack.shop, amount: "800.00", test: true });
      const token = await soisyToken(result.id);
      await stack.soisy.completeOrder(token);
      await stack.soisy.fireEvent(token, "LoanWasDisbursed");
      await stack.soisy.fireEvent(token, "LoanWasVerified");
      await stack.soisy.fireEvent(token, "LoanWasVerified");
      await stack.soisy.idle();
      await eventually(async () => simSession(result.id).state.code === "RESOLVED", 10_000, "resolve");
      await settled(result.id);
      expect(appliedMutations(result.id)).toEqual(["paymentSessionConfirm", "paymentSessionResolve"]);
      const resolves = simSession(result.id).mutations.filter((m) => m.name === "paymentSessionResolve");
      expect(resolves.length).toBeLessThanOrEqual(2); // at most a repeat of the same mutation
      // One confirm, one resolve: the duplicates changed nothing.
      expect(await db().outboxMessage.count({ where: { paymentSessionId: result.id } })).toBe(2);
      const verified = await db().timelineEvent.count({ where: { paymentSessionId: result.id, type: "LoanWasVerified" } });
      expect(verified).toBe(1);
    } finally {
      stack.soisy.clearFaults();
    }
  });

  it("amount mismatch: flagged for the merchant, never resolved", async () => {
    const result = await stack.shopify.startPayment({ shop: stack.shop, amount: "900.00", test: true });
    const token = await soisyToken(result.id);
    await stack.soisy.completeOrder(token);
    // Soisy reports a loan of another amount than the Shopify session's €900.00.
    stack.soisy.orders.get(token)!.amount = 80_000;
    await stack.soisy.fireEvent(token, "LoanWasVerified");
    await stack.soisy.idle();
    await eventually(async () => (await db().paymentSession.findUniqueOrThrow({ where: { id: result.id } })).flagReason === "amount_mismatch", 10_000, "flag");
    await settled(result.id);
    expect(appliedMutations(result.id)).not.toContain("paymentSessionResolve");
    const row = await db().paymentSession.findUniqueOrThrow({ where: { id: result.id } });
    expect(row.state).not.toBe("resolved");
    expect(await db().timelineEvent.count({ where: { paymentSessionId: result.id, type: "alert:amount_mismatch" } })).toBe(1);
  });
});

describe("refunds", () => {
  it("are answered 201 with an empty body and stored once, partial amounts kept", async () => {
    const payment = await resolvedPayment("1000.00");
    const refund = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "250.50" });
    expect(refund.ok).toBe(true);
    expect(refund.attempts.at(-1)?.status).toBe(201);
    expect(refund.attempts.at(-1)?.responseBody).toBe("");
    const again = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "250.50", id: refund.id });
    expect(again.attempts.at(-1)?.status).toBe(201);
    const rows = await db().refundSession.findMany({ where: { paymentSessionId: payment.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ amountCents: 25050, state: "awaiting_merchant" });
  });

  it("the merchant confirms one refund (refunded at Soisy) and declines another", async () => {
    // The admin route calls decideRefund; here the test is the merchant, with the app's own services.
    const keyring = parseKeyring(stack.encryptionKey);
    const worker = createOutboxWorker({
      db: db(),
      tokenProvider: async () => stack.accessToken,
      endpointFor: (shop) => `${stack.shopify.paymentsApiUrlTemplate.replace("{shop}", shop)}/payments_apps/api/2026-04/graphql.json`,
      logger,
    });
    const deps: PaymentDeps = {
      db: db(),
      keyring,
      appUrl: stack.appUrl,
      soisyClient: defaultSoisyClientFactory(db(), keyring, logger),
      deliverNow: (id) => worker.deliverNow(id),
      now: () => new Date(),
      logger,
    };
    const payment = await resolvedPayment("1200.00");
    const partial = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "200.00" });
    const other = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "50.00" });

    // The app's own outbox worker runs too: whichever worker claims the message delivers it, so the first
    // answer may still say "resolving"; the resolve then reaches Shopify and the row either way.
    const first = await decideRefund(deps, stack.shop, partial.id, "resolve", "merchant@example.com");
    expect(first.ok && ["resolving", "resolved"].includes(first.state)).toBe(true);
    await eventually(async () => stack.shopify.refundSessions.get(partial.id)?.state.code === "RESOLVED", 20_000, "the refund resolved at Shopify");
    await eventually(async () => (await db().refundSession.findUnique({ where: { id: partial.id } }))?.state === "resolved", 20_000, "the refund row resolved");
    // Repeating the same decision is harmless; the opposite one is refused.
    expect(await decideRefund(deps, stack.shop, partial.id, "resolve", "merchant@example.com")).toEqual({ ok: true, state: "resolved" });
    expect(await decideRefund(deps, stack.shop, partial.id, "reject", "merchant@example.com")).toMatchObject({ ok: false, status: 409 });

    const declined = await decideRefund(deps, stack.shop, other.id, "reject", "merchant@example.com", "Loan already closed");
    expect(declined.ok && ["rejecting", "rejected"].includes(declined.state)).toBe(true);
    await eventually(async () => stack.shopify.refundSessions.get(other.id)?.state.code === "REJECTED", 20_000, "the refund rejected at Shopify");
    expect(stack.shopify.refundSessions.get(other.id)?.state).toMatchObject({ code: "REJECTED", reason: "PROCESSING_ERROR", merchantMessage: "Loan already closed" });
    await eventually(async () => (await db().refundSession.findUnique({ where: { id: other.id } }))?.state === "rejected", 20_000, "the refund row rejected");
    expect(await decideRefund(deps, "another-shop.myshopify.com", other.id, "resolve", "x")).toMatchObject({ ok: false, status: 404 });

    const rows = await db().refundSession.findMany({ where: { paymentSessionId: payment.id }, orderBy: { amountCents: "asc" } });
    expect(rows.map((r) => [r.amountCents, r.state, r.decidedBy])).toEqual([
      [5000, "rejected", "merchant@example.com"],
      [20000, "resolved", "merchant@example.com"],
    ]);
    assertAllDocumentsValid();
    await worker.stop();
  });

  it("the merchant refunds a resolved order from (simulated) Shopify's order page: the refund reaches the app", async () => {
    const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "1300.00", test: true });
    const token = await soisyToken(payment.id);
    await stack.soisy.completeOrder(token);
    await stack.soisy.fireEvent(token, "LoanWasVerified");
    await eventually(async () => simSession(payment.id).state.code === "RESOLVED", 10_000, "resolve");
    const page = await browser.newPage();
    await page.goto(`${stack.shopify.url}/shops/${stack.shop}/orders/${payment.id}`);
    await page.getByLabel(/^Importo da rimborsare/).fill("300.00");
    await page.getByRole("button", { name: /Rimborsa/ }).click();
    await page.locator("[data-refund-state]").first().waitFor();
    const rows = await db().refundSession.findMany({ where: { paymentSessionId: payment.id } });
    expect(rows.map((r) => [r.amountCents, r.state])).toEqual([[30000, "awaiting_merchant"]]);
    await page.close();
  });

  it("auto-resolve refunds when the shop says so", async () => {
    await db().shopSettings.update({ where: { shop: stack.shop }, data: { autoResolveRefunds: true } });
    try {
      const payment = await resolvedPayment("1100.00");
      const refund = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "100.00" });
      expect(refund.ok).toBe(true);
      await eventually(async () => stack.shopify.refundSessions.get(refund.id)?.state.code === "RESOLVED", 10_000, "refund resolve");
      await eventually(async () => (await db().refundSession.findUniqueOrThrow({ where: { id: refund.id } })).state === "resolved", 10_000, "refund recorded");
    } finally {
      await db().shopSettings.update({ where: { shop: stack.shop }, data: { autoResolveRefunds: false } });
    }
  });
});
