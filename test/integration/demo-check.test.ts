/**
 * The demo's --check driver (scripts/lib/demo-check.ts) on its own: a failure names the step and the
 * reason, and the pre-approval page's form is read as a browser would post it. Real simulators; the
 * whole successful run is covered by test/integration/demo.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckFailure, checkPayment, checkPreapproval, preapprovalFormValues } from "../../scripts/lib/demo-check";
import { checkAuthorization } from "../../scripts/lib/demo-check-authorization";
import { freePort } from "../../scripts/lib/local-stack";
import { startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";

const SHOP = "check-shop.myshopify.com";
const INSTORE = "check-instore.myshopify.com";

let shopify: ShopifySimulator;
let soisy: SoisySimulator;
let deadApp: string;

beforeAll(async () => {
  // No app listens here: every session request Shopify sends fails.
  deadApp = `http://127.0.0.1:${await freePort()}`;
  soisy = await startSoisySimulator({ port: 0 });
  shopify = await startShopifySimulator({
    appUrl: deadApp,
    shops: [
      { domain: SHOP, accessToken: "shpat_check" },
      { domain: INSTORE, accessToken: "shpat_check_instore" },
    ],
    retry: { attempts: 2, delaysMs: [10] },
  });
});

afterAll(async () => {
  await Promise.allSettled([shopify?.close(), soisy?.close()]);
});

const target = () => ({ appUrl: deadApp, shopifyUrl: shopify.url, soisyUrl: soisy.url, shop: SHOP, instoreShop: INSTORE });

describe("demo --check driver", () => {
  it("names the failed step and why (the app is not answering Shopify), after printing nothing for it", async () => {
    const printed: string[] = [];
    const failure = await checkPayment((l) => printed.push(l), target()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CheckFailure);
    expect((failure as CheckFailure).step).toBe("payment: checkout at Shopify → the app → Soisy's webapp");
    expect((failure as Error).message).toMatch(/^payment: checkout at Shopify → the app → Soisy's webapp: the Shopify simulator's checkout .* answered HTTP 502/);
    expect(printed).toEqual([]);

    const instore = await checkPreapproval(() => {}, target()).catch((e: unknown) => e);
    expect((instore as CheckFailure).step).toBe("in-store payment: checkout at Shopify → the app's pre-approval page");

    const authorization = await checkAuthorization(() => {}, target()).catch((e: unknown) => e);
    expect((authorization as CheckFailure).step).toBe("authorization: checkout at Shopify (payment type authorization) → the app → Soisy's webapp");
    expect([...shopify.paymentSessions.values()].at(-1)?.kind).toBe("authorization");
  });

  it("reads the pre-approval form as a browser posts it: prefilled values, the checked choice, the shopper's answers", () => {
    const html = `<form method="post">
      <input type="text" id="f-email" name="email" value="alice.rossi@example.com"/>
      <input type="text" name="address" value="Via Roma &amp; Corso Italia"/>
      <input type="radio" name="instalments" value="6"/><input type="radio" name="instalments" value="12" checked=""/>
      <input type="checkbox" name="marketing"/>
      <input type="text" name="fiscalCode" value=""/>
      <input type="submit" value="Invia"/>
    </form>`;
    const posted = preapprovalFormValues(html, { fiscalCode: "RSSMRA80A01H501U", privacy: "on" });
    expect(Object.fromEntries(posted)).toEqual({
      email: "alice.rossi@example.com",
      address: "Via Roma & Corso Italia",
      instalments: "12",
      fiscalCode: "RSSMRA80A01H501U",
      privacy: "on",
    });
  });
});
