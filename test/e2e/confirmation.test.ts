/**
 * Oversell protection end to end (issue 15): the built app, the Shopify simulator (oversell protection
 * on, as the deployed extension declares) and the Soisy simulator. Before the first resolve or pending
 * the app asks `paymentSessionConfirm`; Shopify's confirmation callback (`/payments/confirmations`)
 * settles the session: confirmed → resolved; items gone → rejected with CONFIRMATION_REJECTED and the
 * merchant told to cancel the Soisy application. The callback is idempotent; an unknown session is 404.
 * The shop funds at fulfilment, so authorization sessions are accepted, resolved with their expiry, and
 * captured through the app's capture route.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { shopifyProofHeaders } from "../../scripts/lib/local-stack";
import { appliedMutations as appliedMutationsOf, PAYMENT_SETTLED_TIMEOUT_MS } from "../helpers/payments";
import { eventually, printAppOutputIfFailed, simSession as simSessionOf, startStack, type Stack } from "../helpers/stack";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ options: { fundOn: "fulfilment", authorizationDays: 30 } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

const db = () => stack.database.db;
const simSession = (id: string) => simSessionOf(stack, id);
const appliedMutations = (id: string) => appliedMutationsOf(stack, id);
const row = (id: string) => db().paymentSession.findUniqueOrThrow({ where: { id } });

/** A session whose Soisy application is complete, then verified by Soisy (the callback starts the confirm). */
async function verifiedPayment(options: { amount?: string; kind?: "sale" | "authorization"; before?: (id: string, token: string) => void } = {}) {
  const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: options.amount ?? "750.00", test: true, kind: options.kind ?? "sale" });
  expect(payment.ok).toBe(true);
  const token = (await row(payment.id)).soisyToken!;
  options.before?.(payment.id, token);
  await stack.soisy.completeOrder(token);
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  return payment;
}

/** POSTs a confirmation callback as Shopify does (its headers and proof). */
function postConfirmation(body: Record<string, unknown>, shop = stack.shop) {
  return fetch(`${stack.appUrl}/payments/confirmations`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "shopify-shop-domain": shop,
      "shopify-request-id": `req-${Math.random().toString(36).slice(2)}`,
      "shopify-api-version": "2026-04",
      ...shopifyProofHeaders(stack.env),
    },
    body: JSON.stringify(body),
  });
}

describe("confirmation before the first resolve", () => {
  it("confirmed: the deferred resolve follows Shopify's answer, and the simulator saw no unconfirmed resolve", async () => {
    const payment = await verifiedPayment();
    await eventually(async () => simSession(payment.id).state.code === "RESOLVED", PAYMENT_SETTLED_TIMEOUT_MS, "resolved at Shopify");
    expect(appliedMutations(payment.id)).toEqual(["paymentSessionConfirm", "paymentSessionResolve"]);
    const stored = await row(payment.id);
    expect(stored).toMatchObject({ state: "resolved", confirmationResult: true, deferredJson: null });
    expect(stored.confirmationAnsweredAt).not.toBeNull();
    const timeline = await db().timelineEvent.findMany({ where: { paymentSessionId: payment.id }, orderBy: { createdAt: "asc" } });
    const types = timeline.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["confirming", "confirmation_received", "resolved"]));
    expect(types.indexOf("confirming")).toBeLessThan(types.indexOf("confirmation_received"));
    expect(stack.shopify.violations).toEqual([]);
  });

  it("items gone: rejected with CONFIRMATION_REJECTED, the merchant alerted, the shopper sent back to choose", async () => {
    const payment = await verifiedPayment({ before: (id) => stack.shopify.setConfirmationBehaviour(id, { result: false }) });
    await eventually(async () => simSession(payment.id).state.code === "REJECTED", PAYMENT_SETTLED_TIMEOUT_MS, "rejected at Shopify");
    expect(simSession(payment.id).state).toMatchObject({ code: "REJECTED", reason: "CONFIRMATION_REJECTED" });
    expect(simSession(payment.id).nextAction?.redirectUrl).toBe(simSession(payment.id).cancelUrl);
    expect(appliedMutations(payment.id)).toEqual(["paymentSessionConfirm", "paymentSessionReject"]);
    expect(await row(payment.id)).toMatchObject({ state: "rejected", rejectReasonCode: "CONFIRMATION_REJECTED", confirmationResult: false });
    const alert = await db().timelineEvent.findFirst({ where: { paymentSessionId: payment.id, type: "alert:confirmation_rejected" } });
    expect(JSON.parse(alert?.detailJson ?? "{}").message).toMatch(/Cancel the Soisy application/);
    expect(stack.shopify.violations).toEqual([]);
  });

  it("the callback is idempotent: the same answer again is a 200 no-op, another answer 409, an unknown session 404", async () => {
    const payment = await verifiedPayment({ amount: "820.00" });
    await eventually(async () => (await row(payment.id)).state === "resolved", PAYMENT_SETTLED_TIMEOUT_MS, "resolved in the app");
    const body = { id: payment.id, gid: payment.gid, confirmation_result: true };

    const again = await postConfirmation(body);
    expect([again.status, await again.json()]).toEqual([200, {}]);
    const other = await postConfirmation({ ...body, confirmation_result: false });
    expect(other.status).toBe(409);
    expect(await db().timelineEvent.count({ where: { paymentSessionId: payment.id, type: "confirmation_received" } })).toBe(1);
    expect(await db().outboxMessage.count({ where: { paymentSessionId: payment.id } })).toBe(2);
    expect((await row(payment.id)).state).toBe("resolved");

    const unknown = await postConfirmation({ id: "nope1234", gid: "gid://shopify/PaymentSession/nope1234", confirmation_result: true });
    expect(unknown.status).toBe(404);
    const otherShop = await postConfirmation(body, "another-shop.myshopify.com");
    expect(otherShop.status).toBe(404);
    const malformed = await postConfirmation({ id: payment.id, gid: payment.gid, confirmation_result: "true" });
    expect(malformed.status).toBe(400);
  });

  it("an answer that comes late (Shopify's callback held, then sent) still settles the session", async () => {
    const payment = await verifiedPayment({ amount: "640.00", before: (id) => stack.shopify.setConfirmationBehaviour(id, { drop: true }) });
    await eventually(async () => simSession(payment.id).state.code === "CONFIRMING", PAYMENT_SETTLED_TIMEOUT_MS, "confirm delivered");
    expect((await row(payment.id)).state).toBe("confirming");
    const sent = await stack.shopify.sendConfirmationCallback(payment.id);
    expect(sent).toMatchObject({ ok: true, status: 200 });
    await eventually(async () => simSession(payment.id).state.code === "RESOLVED", PAYMENT_SETTLED_TIMEOUT_MS, "resolved at Shopify");
  });
});

describe("authorizations (fund on fulfilment)", () => {
  it("an authorization is resolved once Soisy verified the suspended order, with authorizationExpiresAt = now + 30 days", async () => {
    const before = Date.now();
    const payment = await verifiedPayment({
      amount: "1500.00",
      kind: "authorization",
      before: (_id, token) => {
        stack.soisy.orders.get(token)!.suspended = true;
      },
    });
    await eventually(async () => simSession(payment.id).state.code === "RESOLVED", PAYMENT_SETTLED_TIMEOUT_MS, "authorization resolved");
    expect(stack.soisy.orders.get((await row(payment.id)).soisyToken!)?.status).toBe("waiting_for_trigger");
    expect(appliedMutations(payment.id)).toEqual(["paymentSessionConfirm", "paymentSessionResolve"]);
    const expiresAt = Date.parse(simSession(payment.id).authorizationExpiresAt!);
    const DAY = 86_400_000;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * DAY - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1_000);
    expect((await row(payment.id)).authorizationExpiresAt?.getTime()).toBe(expiresAt);

    // Fulfilment: Shopify captures the authorization the lifecycle resolved → one match-trigger → resolved.
    const token = (await row(payment.id)).soisyToken!;
    const capture = await stack.shopify.startCapture({ shop: stack.shop, paymentId: payment.id, amount: "1500.00" });
    expect(capture.attempts.map((a) => a.status)).toEqual([201]);
    await eventually(async () => stack.shopify.captureSessions.get(capture.id)?.state.code === "RESOLVED", 20_000, "capture resolved at Shopify");
    expect(stack.soisy.triggers.filter((t) => t.token === token).map((t) => t.amount)).toEqual([150_000]);
    expect(stack.shopify.violations).toEqual([]);
  });
});
