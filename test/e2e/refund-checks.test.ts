/**
 * Refund sessions checked against their payment, end to end: Shopify's simulator sends the refund
 * sessions to the built app; a refund that fails the checks is answered 201 and rejected through
 * the outbox (asserted in the simulator: REJECTED with the bilingual merchant message), never left
 * to the merchant as a task.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolvedPayment as resolvedPaymentOf } from "../helpers/payments";
import { eventually, startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

const db = () => stack.database.db;

const resolvedPayment = (amount: string) => resolvedPaymentOf(stack, amount);

async function rejectedAtShopify(refundId: string) {
  return eventually(
    async () => {
      const state = stack.shopify.refundSessions.get(refundId)?.state;
      return state?.code === "REJECTED" ? state : undefined;
    },
    15_000,
    `refund ${refundId} rejected at Shopify`,
  );
}

/** Shopify's headers (and the deployment's Shopify proof header, when the stack sets one). */
function shopifyHeaders(): Record<string, string> {
  const headers: Record<string, string> = { "Content-Type": "application/json", "Shopify-Shop-Domain": stack.shop, "Shopify-Request-Id": randomUUID() };
  if (stack.env.SHOPIFY_MTLS_HEADER && stack.env.SHOPIFY_MTLS_HEADER_VALUE) headers[stack.env.SHOPIFY_MTLS_HEADER] = stack.env.SHOPIFY_MTLS_HEADER_VALUE;
  return headers;
}

async function postRefund(body: Record<string, unknown>) {
  const res = await fetch(`${stack.appUrl}/payments/refunds`, { method: "POST", headers: shopifyHeaders(), body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

function refundBody(paymentId: string, id: string, amount: string, gid = `gid://shopify/RefundSession/${id}`) {
  return { id, gid, payment_id: paymentId, amount, currency: "EUR", test: true, merchant_locale: "it", proposed_at: new Date().toISOString() };
}

describe("refund sessions against their payment", () => {
  it("more than the payment, another currency, a second full refund: 201, rejected at Shopify with the reason, never a merchant task", async () => {
    const payment = await resolvedPayment("500.00");
    const huge = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "99999.00" });
    const usd = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "10.00", currency: "USD" });
    const full = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "500.00" });
    const second = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "500.00" });
    expect([huge, usd, full, second].map((r) => r.attempts.at(-1)?.status)).toEqual([201, 201, 201, 201]);

    expect((await rejectedAtShopify(huge.id)).merchantMessage).toContain("Rimborso rifiutato: supera l'importo rimborsabile (€ 500,00 restanti)");
    expect((await rejectedAtShopify(huge.id)).merchantMessage).toContain("Refund rejected: it exceeds the refundable amount (€500.00 left)");
    expect((await rejectedAtShopify(usd.id)).merchantMessage).toContain("(USD)");
    expect((await rejectedAtShopify(second.id)).merchantMessage).toContain("(€ 0,00 restanti)");
    expect(stack.shopify.refundSessions.get(full.id)?.state.code).toBe("OPEN");

    await eventually(async () => (await db().refundSession.count({ where: { paymentSessionId: payment.id, state: "rejected" } })) === 3, 10_000, "rejected rows");
    const rows = await db().refundSession.findMany({ where: { paymentSessionId: payment.id } });
    expect(rows.filter((r) => r.state === "awaiting_merchant").map((r) => r.id)).toEqual([full.id]);
    expect(rows.filter((r) => r.state === "rejected").every((r) => r.decidedBy === "app" && r.rejectReason?.startsWith("Rimborso rifiutato"))).toBe(true);
    expect(await db().timelineEvent.count({ where: { paymentSessionId: payment.id, type: "refund_refused" } })).toBe(3);
  });

  it("resolved refunds count against what remains; exactly the rest is still refundable", async () => {
    const payment = await resolvedPayment("300.00");
    const first = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "200.00" });
    await db().refundSession.update({ where: { id: first.id }, data: { state: "resolved" } });
    const tooMuch = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "100.01" });
    expect((await rejectedAtShopify(tooMuch.id)).merchantMessage).toContain("€ 100,00 restanti");
    const rest = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "100.00" });
    expect((await db().refundSession.findUniqueOrThrow({ where: { id: rest.id } })).state).toBe("awaiting_merchant");
  });

  it("a payment that is not resolved cannot be refunded", async () => {
    const payment = await stack.shopify.startPayment({ shop: stack.shop, amount: "400.00", test: true });
    const refund = await stack.shopify.startRefund({ shop: stack.shop, paymentId: payment.id, amount: "10.00" });
    expect(refund.attempts.at(-1)?.status).toBe(201);
    expect((await rejectedAtShopify(refund.id)).merchantMessage).toContain("il pagamento non è stato completato");
  });

  it("concurrent refunds of one payment cannot both take the last euro", async () => {
    const payment = await resolvedPayment("500.00");
    const ids = [randomUUID(), randomUUID()].map((u) => `c${u.replace(/-/g, "")}`);
    const answers = await Promise.all(ids.map((id) => postRefund(refundBody(payment.id, id, "300.00"))));
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    const rows = await db().refundSession.findMany({ where: { id: { in: ids } } });
    expect(rows.map((r) => r.state).sort()).toEqual(["awaiting_merchant", "rejecting"].sort());
  });

  it("replays: same id + same data → 201 once stored; same id, other data → 409; a gid naming another refund (not its own id) → 400; nothing more stored", async () => {
    const payment = await resolvedPayment("250.00");
    const id = `r${randomUUID().replace(/-/g, "")}`;
    const first = await postRefund(refundBody(payment.id, id, "50.00"));
    const again = await postRefund(refundBody(payment.id, id, "50.00"));
    const changed = await postRefund(refundBody(payment.id, id, "60.00"));
    const otherId = `r${randomUUID().replace(/-/g, "")}`;
    const stolenGid = await postRefund(refundBody(payment.id, otherId, "10.00", `gid://shopify/RefundSession/${id}`));
    expect([first.status, again.status, changed.status, stolenGid.status]).toEqual([201, 201, 409, 400]);
    expect(stolenGid.text).toMatch(/gid does not match id/);
    expect(await db().refundSession.count({ where: { paymentSessionId: payment.id } })).toBe(1);
    expect(await db().refundSession.findUnique({ where: { id: otherId } })).toBeNull();
  });
});
