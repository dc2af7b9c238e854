/**
 * `npm run demo -- --check`, fund on fulfilment (issue 15): one authorization driven over HTTP from the
 * checkout to "captured" — the shopper pays an authorization at the demo shop (fundOn = fulfilment,
 * its Soisy shop has suspended orders), completes at Soisy, Soisy's operator verifies the loan, Shopify
 * shows the order paid with a capture deadline, the merchant presses "Evadi ordine" on the order page
 * (a capture session of the full amount), the app triggers the funding at Soisy and Shopify records the
 * capture resolved. Same pages and endpoints as the browser test (test/e2e/fund-on-fulfilment.test.ts).
 */
import {
  checkout,
  expectStatus,
  followToShopifyOrder,
  http,
  json,
  orderState,
  refusedCallback,
  soisyOrder,
  step,
  tokenOf,
  until,
  type Callback,
  type DemoCheckTarget,
  type DrivenPayment,
  type Print,
} from "./demo-check";

const AMOUNT = "1890.00";
const AMOUNT_CENTS = 189_000;

function orderPageUrl(target: DemoCheckTarget, payment: DrivenPayment): string {
  return `${target.shopifyUrl}/shops/${encodeURIComponent(payment.shop)}/orders/${encodeURIComponent(payment.sessionId)}`;
}

async function orderPage(target: DemoCheckTarget, payment: DrivenPayment): Promise<string> {
  return (await expectStatus(await http(orderPageUrl(target, payment)), [200], "Shopify's order page")).text();
}

/** Waits until Shopify's order page shows the payment in `state` (and `also`, when given, holds). */
function orderReaches(target: DemoCheckTarget, payment: DrivenPayment, state: string, also: (html: string) => string | null = () => null) {
  return until(`payment ${state} at Shopify`, async () => {
    const html = await orderPage(target, payment);
    const seen = orderState(html);
    if (seen !== state) return { last: `order page shows ${seen}` };
    const missing = also(html);
    return missing ? { last: missing } : { value: html, last: seen };
  });
}

/** The capture's state on the order page (`data-capture-state`), or null before Shopify sent one. */
function captureState(html: string): string | null {
  return /data-capture-state="([^"]*)"/.exec(html)?.[1] ?? null;
}

export async function checkAuthorization(print: Print, target: DemoCheckTarget): Promise<DrivenPayment> {
  const label = "authorization";
  const payment = await step(
    print,
    `${label}: checkout at Shopify (payment type authorization) → the app → Soisy's webapp`,
    async () => {
      const webapp = await checkout(target, target.shop, AMOUNT, { kind: "authorization" });
      const soisyToken = webapp.startsWith(`${target.soisyUrl}/`) ? tokenOf(webapp) : null;
      if (!soisyToken) throw new Error(`the app sent the shopper to ${webapp}, not to Soisy's webapp (is the shop's "When Soisy funds" at fulfilment?)`);
      const order = await soisyOrder(target, soisyToken);
      if (!order.orderReference) throw new Error("the Soisy order carries no reference to the payment session");
      if (order.amount !== AMOUNT_CENTS) throw new Error(`the Soisy order is for ${order.amount} cents, expected ${AMOUNT_CENTS}`);
      return { shop: target.shop, sessionId: order.orderReference, soisyToken };
    },
    () => `${label}: checkout at Shopify → the app → Soisy order for € 1.890,00 (an authorization)`,
  );
  const token = encodeURIComponent(payment.soisyToken);
  await step(
    print,
    `${label}: the shopper completes the request at Soisy, Shopify confirms the stock, the payment is pending`,
    async () => {
      const done = await json<{ redirectUrl?: string; callbacks: Callback[] }>(`${target.soisyUrl}/_sim/orders/${token}/complete`, {
        method: "POST",
        body: JSON.stringify({ instalments: 12 }),
      });
      refusedCallback(done.callbacks);
      // The shopper's browser comes back through the app (its waiting page while Shopify confirms the stock).
      if (!done.redirectUrl) throw new Error("Soisy's webapp sent the shopper nowhere (no successUrl)");
      await followToShopifyOrder(target, done.redirectUrl, payment.shop, payment.sessionId);
      await orderReaches(target, payment, "PENDING");
    },
    () => `${label}: completed at Soisy, Shopify's order page shows it pending`,
  );
  await step(
    print,
    `${label}: Soisy's operator verifies the loan, Shopify records the authorization with its capture deadline`,
    async () => {
      const fired = await json<{ callbacks: Callback[] }>(`${target.soisyUrl}/_sim/orders/${token}/events`, {
        method: "POST",
        body: JSON.stringify({ eventId: "LoanWasVerified" }),
      });
      refusedCallback(fired.callbacks);
      await orderReaches(target, payment, "RESOLVED", (html) =>
        html.includes('data-testid="authorization-expires-at"') ? null : "resolved without authorizationExpiresAt",
      );
      const order = await soisyOrder(target, payment.soisyToken);
      if (order.status !== "waiting_for_trigger") throw new Error(`the Soisy order is ${order.status}, expected waiting_for_trigger (suspended)`);
    },
    () => `${label}: verified, resolved at Shopify with a capture deadline, Soisy waits for the trigger`,
  );
  await step(
    print,
    `${label}: the merchant presses "Evadi ordine" (Shopify's capture session of the full amount)`,
    async () => {
      const res = await http(`${orderPageUrl(target, payment)}/captures`, { method: "POST", body: new URLSearchParams({ amount: AMOUNT }) });
      await expectStatus(res, [303], "the order page's \"Evadi ordine\" (capture session sent to the app)");
      await orderReaches(target, payment, "RESOLVED", (html) => {
        const state = captureState(html);
        return state === "RESOLVED" ? null : `capture ${state ?? "not sent"}`;
      });
      const order = await soisyOrder(target, payment.soisyToken);
      if (order.status !== "disbursed" || order.amount !== AMOUNT_CENTS) {
        throw new Error(`the Soisy order is ${order.status} for ${order.amount} cents, expected disbursed for ${AMOUNT_CENTS}`);
      }
    },
    () => `${label}: captured — Soisy funded € 1.890,00 on the trigger, Shopify's capture resolved`,
  );
  return payment;
}
