/**
 * The Shopify simulator's shopper and merchant pages for fund on fulfilment (issue 15), against a tiny
 * payments "app" (node:http) started here: the checkout's payment type and stock at confirmation, and the
 * order page of a resolved authorization — "Evadi ordine" (a capture of the full amount), a partial
 * "Incassa", "Annulla ordine" (a void), the captures and voids listed with their states.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CAPTURE_SESSION_REJECT, PAYMENT_SESSION_CONFIRM, PAYMENT_SESSION_RESOLVE, startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";

const SHOP = "soisy-test.myshopify.com";
const TOKEN = "shpat_test_0123456789abcdef";

let paths: string[];
let app: http.Server;
let sim: ShopifySimulator;

beforeEach(async () => {
  paths = [];
  app = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      paths.push(req.url ?? "");
      if (req.url === "/payments/sessions") res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ redirect_url: "https://soisy.example/x" }));
      else res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  sim = await startShopifySimulator({
    appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    shops: [{ domain: SHOP, accessToken: TOKEN, oversellProtection: true }],
    retry: { attempts: 2, delaysMs: [5] },
  });
});

afterEach(async () => {
  await sim.close();
  app.closeAllConnections();
  await new Promise<void>((resolve) => app.close(() => resolve()));
});

async function gql(query: string, variables: Record<string, unknown>) {
  const res = await fetch(sim.graphqlUrl(SHOP), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data: Record<string, { userErrors: unknown[] }> };
}

async function resolvedAuthorization(amount = "1500.00") {
  const payment = await sim.startPayment({ shop: SHOP, amount, kind: "authorization" });
  await gql(PAYMENT_SESSION_CONFIRM, { id: payment.gid });
  await gql(PAYMENT_SESSION_RESOLVE, { id: payment.gid, authorizationExpiresAt: "2026-12-31T00:00:00Z" });
  return payment;
}

const orderPage = async (id: string) => (await fetch(sim.orderStatusUrl(SHOP, id))).text();

function post(id: string, action: "captures" | "voids" | "refunds", form: Record<string, string> = {}) {
  return fetch(`${sim.orderStatusUrl(SHOP, id)}/${action}`, { method: "POST", body: new URLSearchParams(form), redirect: "manual" });
}

describe("checkout", () => {
  it("offers the payment type and the stock at confirmation, prefilled from the query, and sends them", async () => {
    const page = await (await fetch(`${sim.url}/checkout?shop=${SHOP}&kind=authorization&inventory=gone`)).text();
    expect(page).toContain(`<option value="authorization" selected>Autorizzazione / Authorization</option>`);
    expect(page).toContain(`<option value="gone" selected>`);
    const res = await fetch(`${sim.url}/checkout`, {
      method: "POST",
      body: new URLSearchParams({ shop: SHOP, amount: "300,00", kind: "authorization", inventory: "gone" }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const session = [...sim.paymentSessions.values()].at(-1)!;
    expect(session).toMatchObject({ kind: "authorization", inventoryAvailable: false, amount: "300.00" });
    expect((session.request as { kind: string }).kind).toBe("authorization");
  });

  it("without those fields (older links, the demo check) a sale with the items in stock", async () => {
    await fetch(`${sim.url}/checkout`, { method: "POST", body: new URLSearchParams({ shop: SHOP, amount: "300.00" }), redirect: "manual" });
    expect([...sim.paymentSessions.values()].at(-1)).toMatchObject({ kind: "sale", inventoryAvailable: true });
  });
});

describe("order page of an authorization", () => {
  it("shows the capture deadline and the merchant's actions; \"Evadi ordine\" sends a capture of the full amount", async () => {
    const payment = await resolvedAuthorization();
    const page = await orderPage(payment.id);
    expect(page).toContain('data-testid="authorization-expires-at"');
    expect(page).toContain("Evadi ordine");
    expect(page).toContain("Annulla ordine");
    expect(page).not.toContain("Rimborsa <span");
    const res = await post(payment.id, "captures", { amount: "1500.00" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/shops/${SHOP}/orders/${payment.id}`);
    const [capture] = [...sim.captureSessions.values()];
    expect(capture).toMatchObject({ paymentId: payment.id, amount: "1500.00", state: { code: "OPEN" } });
    expect(paths.at(-1)).toBe("/payments/captures");
    // While the capture is open no second action is offered; its state is listed like a refund's.
    const open = await orderPage(payment.id);
    expect(open).toContain(`data-capture-state="OPEN"`);
    expect(open).not.toContain("Evadi ordine");
  });

  it("a partial capture sends the amount typed (Italian comma accepted); a bad amount is refused on the page", async () => {
    const payment = await resolvedAuthorization();
    expect((await post(payment.id, "captures", { amount: "abc" })).status).toBe(400);
    expect((await post(payment.id, "captures", { amount: "0" })).status).toBe(400);
    expect(sim.captureSessions.size).toBe(0);
    expect((await post(payment.id, "captures", { amount: "400,50" })).status).toBe(303);
    expect([...sim.captureSessions.values()][0]?.amount).toBe("400.50");
  });

  it("a rejected capture shows the app's reason and the actions come back; a void is listed", async () => {
    const payment = await resolvedAuthorization();
    await post(payment.id, "captures", { amount: "1500.00" });
    const [capture] = [...sim.captureSessions.values()];
    await gql(CAPTURE_SESSION_REJECT, { id: capture!.gid, reason: { code: "PROCESSING_ERROR", merchantMessage: "Soisy: ordine non sospeso" } });
    const page = await orderPage(payment.id);
    expect(page).toContain(`data-capture-state="REJECTED"`);
    expect(page).toContain("Soisy: ordine non sospeso");
    expect(page).toContain("Annulla ordine");
    expect((await post(payment.id, "voids")).status).toBe(303);
    expect(paths.at(-1)).toBe("/payments/voids");
    expect(await orderPage(payment.id)).toContain(`data-void-state="OPEN"`);
  });

  it("a sale's order page has no fulfilment actions; capturing it is refused (409), an unknown order is 404", async () => {
    const sale = await sim.startPayment({ shop: SHOP, amount: "200.00" });
    await gql(PAYMENT_SESSION_CONFIRM, { id: sale.gid });
    await gql(PAYMENT_SESSION_RESOLVE, { id: sale.gid });
    const page = await orderPage(sale.id);
    expect(page).not.toContain("Evadi ordine");
    expect(page).toContain("Rimborsa <span");
    expect((await post(sale.id, "captures", { amount: "200.00" })).status).toBe(409);
    expect((await post("unknown", "voids")).status).toBe(404);
  });
});
