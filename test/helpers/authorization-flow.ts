/**
 * Fund on fulfilment (issue 15) as the browser tests drive it on a stack (test/helpers/stack.ts): a shop
 * whose "When Soisy funds" is at fulfilment, its Soisy shop with suspended orders, Shopify's oversell
 * protection on; the shopper's authorization checkout in a browser; Soisy's operator verifying; the order
 * page's merchant actions; and what Shopify and Soisy recorded about a payment's captures and voids.
 */
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { PAYMENT_SETTLED_TIMEOUT_MS } from "./payments";
import { eventually, simSession, type Stack } from "./stack";

/** The Soisy simulator's shop for such a stack: the suspended-orders contract on. */
export const SUSPENDED_SOISY_SHOPS = [{ shopId: "partnershop", apiKey: "partnerkey", suspendedOrders: true }];

/** A capture, a void or a confirmation may wait for the outbox's retries after a fault: generous on a busy machine. */
export const SETTLEMENT_TIMEOUT_MS = 30_000;

/** The shop funds at fulfilment (the setting the admin saves) and Shopify accepts paymentSessionConfirm for it. */
export async function fundOnFulfilment(stack: Stack): Promise<void> {
  await stack.database.db.shopSettings.update({ where: { shop: stack.shop }, data: { fundOn: "fulfilment" } });
  const shop = stack.shopify.shop(stack.shop);
  if (!shop) throw new Error(`the Shopify simulator has no shop ${stack.shop}`);
  shop.oversellProtection = true;
}

/**
 * The shopper pays at Shopify's checkout (payment type authorization; `inventory: "gone"` = Shopify will
 * answer the confirmation "sold out") and lands on Soisy's webapp. Returns the session id and Soisy token.
 */
export async function authorizationCheckout(page: Page, stack: Stack, amount: string, inventory: "available" | "gone" = "available") {
  const query = new URLSearchParams({ shop: stack.shop, kind: "authorization", inventory });
  await page.goto(`${stack.shopify.url}/checkout?${query}`);
  await page.getByLabel(/^Importo/).fill(amount);
  await Promise.all([page.waitForURL(/#\/loan-request\?token=/), page.getByRole("button", { name: /Paga a rate con Soisy/ }).click()]);
  const id = [...stack.shopify.paymentSessions.values()].at(-1)!.id;
  expect(simSession(stack, id).kind).toBe("authorization");
  const row = await stack.database.db.paymentSession.findUniqueOrThrow({ where: { id } });
  expect(row.soisyToken).toBeTruthy();
  return { id, token: row.soisyToken! };
}

/** On Soisy's webapp the shopper completes the request: the app confirms the stock with Shopify, then acts. */
export async function completeAtSoisy(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Completa la richiesta" }).click();
}

/** Soisy's operator verifies the loan; the app resolves the authorization at Shopify (with its expiry). */
export async function verifyAndResolve(stack: Stack, id: string, token: string): Promise<void> {
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  await eventually(async () => simSession(stack, id).state.code === "RESOLVED", PAYMENT_SETTLED_TIMEOUT_MS, "authorization resolved at Shopify");
}

/** A resolved authorization, the shopper's part done in `browser` (its page closed). */
export async function resolvedAuthorization(browser: Browser, stack: Stack, amount: string, beforeVerify?: (token: string) => void) {
  const page = await browser.newPage();
  const { id, token } = await authorizationCheckout(page, stack, amount);
  beforeVerify?.(token);
  await completeAtSoisy(page);
  await eventually(async () => simSession(stack, id).state.code === "PENDING", PAYMENT_SETTLED_TIMEOUT_MS, "authorization pending at Shopify");
  await page.close();
  await verifyAndResolve(stack, id, token);
  return { id, token };
}

/** Shopify's order page of a payment (where the merchant fulfils, captures part, or cancels). */
export function orderPageUrl(stack: Stack, id: string): string {
  return stack.shopify.orderStatusUrl(stack.shop, id);
}

/** Reloads the order page until `selector` is on it. */
export async function orderPageShows(page: Page, stack: Stack, id: string, selector: string, what: string): Promise<void> {
  await eventually(
    async () => {
      await page.goto(orderPageUrl(stack, id));
      return (await page.locator(selector).count()) > 0;
    },
    SETTLEMENT_TIMEOUT_MS,
    what,
  );
}

/** The capture (or void) sessions Shopify sent for a payment. */
export function settlementsOf(stack: Stack, kind: "capture" | "void", paymentId: string) {
  const sessions = kind === "capture" ? stack.shopify.captureSessions : stack.shopify.voidSessions;
  return [...sessions.values()].filter((s) => s.paymentId === paymentId);
}

/** How many times Shopify applied `mutation` to a capture or void session (repeats with the same result not counted). */
export function appliedCount(session: { mutations: Array<{ name: string; outcome: string }> }, mutation: string): number {
  return session.mutations.filter((m) => m.name === mutation && m.outcome === "applied").length;
}

/** The app's requests to Soisy's match-trigger for an order (accepted or not). */
export function triggerRequests(stack: Stack, token: string) {
  return stack.soisy.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/orders/${token}/match-trigger`));
}

/** The timeline rows of a payment of `type`, their details parsed. */
export async function timelineOf(stack: Stack, id: string, type: string) {
  const rows = await stack.database.db.timelineEvent.findMany({ where: { paymentSessionId: id, type }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => ({ source: r.source, detail: r.detailJson ? (JSON.parse(r.detailJson) as Record<string, unknown>) : null }));
}

/**
 * The Shopify GraphQL calls from index `since` on that a fault hit, as "fault:OperationName" (what the app's
 * retries went through; a call refused before execution has no root fields: the document's operation name).
 */
export function faultedCalls(stack: Stack, since: number): string[] {
  return stack.shopify.calls
    .slice(since)
    .filter((c) => c.fault !== null)
    .map((c) => `${c.fault}:${c.operationName ?? /^\s*mutation\s+(\w+)/.exec(c.query)?.[1] ?? "?"}`);
}
