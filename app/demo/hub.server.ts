/**
 * What the demo hub (/demo, DEMO_MODE only) links to: the Shopify simulator's pages for each demo shop
 * (found at the origin of SHOPIFY_PAYMENTS_API_URL, which the demo points at the simulator), the app's
 * admin login, the Soisy simulator's example fiscal codes, and the recent payments Soisy's operator can
 * decide. Nothing secret: no tokens, keys or URL secrets reach the page.
 */
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { outgoingRequest } from "~/http/outgoing.server";
import type { Locale } from "~/i18n/i18n";
import type { PaymentState } from "~/payments/lifecycle";
import { withCheckChar } from "~/preapproval/fiscal-code";
import { getShopSettings } from "~/settings/settings.server";
import { formatMoney } from "~/i18n/money";
import { stateLabel } from "~/transactions/sentences";
import { OPERATOR_EVENTS, type OperatorDecision } from "./hub";

/** The Soisy simulator's magic fiscal codes (first 15 characters; the check character is computed). */
export const EXAMPLE_FISCAL_CODES = [
  { code: withCheckChar("RSSMRA80A01H501"), outcome: "approved" },
  { code: withCheckChar("RFSMRA80A01H501"), outcome: "refused" },
  { code: withCheckChar("ADDMRA80A01H501"), outcome: "additional" },
] as const;
/** The postal code the Soisy simulator refuses although it is well formed. */
export const REFUSED_POSTAL_CODE = "00000";


/**
 * Payments whose Soisy loan is still open: the operator can verify, disburse or reject them (also while
 * the app waits for Shopify's stock confirmation: Soisy does not know about it).
 */
const OPEN_STATES: readonly string[] = ["redirected", "confirming", "pending"];

export function demoEnabled(): boolean {
  return appConfig().DEMO_MODE;
}

/** The Shopify simulator's origin: SHOPIFY_PAYMENTS_API_URL is `{origin}/shops/{shop}` in the demo. */
function shopifyOrigin(): string {
  return new URL(appConfig().SHOPIFY_PAYMENTS_API_URL.replace("{shop}", "shop")).origin;
}

export async function hubData(locale: Locale) {
  const shopify = shopifyOrigin();
  const rows = await db().shopSettings.findMany({ orderBy: { shop: "asc" }, take: 10, select: { shop: true, shopName: true, fundOn: true } });
  const shops = [];
  for (const row of rows) {
    const settings = await getShopSettings(db(), row.shop);
    if (!settings) continue;
    const base = `${shopify}/shops/${encodeURIComponent(row.shop)}`;
    const checkout = `${shopify}/checkout?shop=${encodeURIComponent(row.shop)}`;
    const fundOnFulfilment = row.fundOn === "fulfilment";
    shops.push({
      shop: row.shop,
      name: row.shopName ?? row.shop,
      level: settings.integrationLevel,
      ready: settings.ready,
      checkout,
      fundOnFulfilment,
      // Fund on fulfilment: Shopify sends an authorization; the order page then fulfils (captures) or cancels it.
      authorizationCheckout: fundOnFulfilment ? `${checkout}&kind=authorization` : null,
      // Oversell protection: Shopify answers the app's confirmation with "sold out" (same kind as the shop's usual payment).
      oversoldCheckout: `${checkout}${fundOnFulfilment ? "&kind=authorization" : ""}&inventory=gone`,
      products: `${base}/products?locale=${locale}`,
      cart: `${base}/cart?locale=${locale}`,
    });
  }
  const sessions = await db().paymentSession.findMany({
    orderBy: { createdAt: "desc" },
    take: 20,
    select: { id: true, shop: true, amountCents: true, currency: true, state: true, soisyToken: true, kind: true },
  });
  return {
    locale,
    adminLogin: "/auth/login",
    // The mail simulator's inbox, where the demo's merchant alerts arrive (scripts/demo.ts sets it).
    mailInbox: process.env.DEMO_MAIL_INBOX_URL?.startsWith("http") ? process.env.DEMO_MAIL_INBOX_URL : null,
    shops,
    fiscalCodes: EXAMPLE_FISCAL_CODES,
    refusedPostalCode: REFUSED_POSTAL_CODE,
    payments: sessions.map((s) => ({
      id: s.id,
      shop: s.shop,
      amount: formatMoney(s.amountCents, s.currency, locale),
      state: stateLabel(s.state as PaymentState, locale),
      authorization: s.kind === "authorization",
      orderPage: `${shopify}/shops/${encodeURIComponent(s.shop)}/orders/${encodeURIComponent(s.id)}`,
      operable: !!s.soisyToken && OPEN_STATES.includes(s.state),
    })),
  };
}

/** Plays Soisy's operator through the Soisy simulator's operator endpoint. Returns an error detail or null. */
export async function operatorDecides(paymentId: string, decision: OperatorDecision): Promise<{ status: number; detail: string } | null> {
  const soisyUrl = process.env.SOISY_API_URL;
  if (!soisyUrl) return { status: 404, detail: "no Soisy simulator" };
  const session = await db().paymentSession.findUnique({ where: { id: paymentId }, select: { soisyToken: true, state: true } });
  if (!session?.soisyToken || !OPEN_STATES.includes(session.state)) return { status: 404, detail: "no open Soisy loan for this payment" };
  const res = await outgoingRequest({
    url: `${soisyUrl.replace(/\/$/, "")}/_sim/orders/${encodeURIComponent(session.soisyToken)}/events`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ eventId: OPERATOR_EVENTS[decision] }),
  });
  if (res.kind !== "ok") return { status: 502, detail: `HTTP ${"status" in res ? res.status : res.kind}` };
  return null;
}
