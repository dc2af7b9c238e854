/**
 * The Shopify simulator's capture and void requests and the confirmation callback it builds, against a
 * tiny payments "app" (node:http) started here — not the project's app, whose routes for these come
 * with issue 15's lifecycle work.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CAPTURE_SESSION_RESOLVE, PAYMENT_SESSION_CONFIRM, PAYMENT_SESSION_RESOLVE, startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";

const SHOP = "soisy-test.myshopify.com";
const TOKEN = "shpat_test_0123456789abcdef";

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  json: Record<string, unknown>;
}

let seen: Seen[];
let settlementStatus: number;
let app: http.Server;
let sim: ShopifySimulator;

beforeEach(async () => {
  seen = [];
  settlementStatus = 201;
  app = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const json = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      seen.push({ path: req.url ?? "", headers: req.headers, json });
      if (req.url === "/payments/sessions") {
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ redirect_url: "https://soisy.example/x" }));
      } else {
        res.writeHead(settlementStatus).end();
      }
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  sim = await startShopifySimulator({
    appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    shops: [{ domain: SHOP, accessToken: TOKEN, oversellProtection: true }],
    retry: { attempts: 3, delaysMs: [5] },
    proofHeader: { name: "x-shopify-proof", value: "p".repeat(32) },
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

/** An authorization the app answered, confirmed and resolved. */
async function authorizedPayment(inventoryAvailable = true) {
  const payment = await sim.startPayment({ shop: SHOP, amount: "1500.00", kind: "authorization", inventoryAvailable });
  expect(seen.at(-1)?.json.kind).toBe("authorization");
  expect((await gql(PAYMENT_SESSION_CONFIRM, { id: payment.gid })).data.paymentSessionConfirm?.userErrors).toEqual([]);
  return payment;
}

describe("capture and void sessions", () => {
  it("a capture is sent with Shopify's headers and fields, opens on 201 and resolves once", async () => {
    const payment = await authorizedPayment();
    await gql(PAYMENT_SESSION_RESOLVE, { id: payment.gid, authorizationExpiresAt: "2026-12-31T00:00:00Z" });
    const capture = await sim.startCapture({ shop: SHOP, paymentId: payment.id, amount: "1500.00" });
    const req = seen.at(-1)!;
    expect(req.path).toBe("/payments/captures");
    expect(req.headers).toMatchObject({ "shopify-shop-domain": SHOP, "shopify-api-version": "2026-04", "x-shopify-proof": "p".repeat(32) });
    expect(Object.keys(req.json).sort()).toEqual(["amount", "currency", "gid", "id", "merchant_locale", "payment_id", "proposed_at", "test"]);
    expect(req.json).toMatchObject({ id: capture.id, gid: `gid://shopify/CaptureSession/${capture.id}`, payment_id: payment.id, amount: "1500.00", currency: "EUR" });
    expect(capture).toMatchObject({ ok: true, status: 201 });
    expect(sim.captureSessions.get(capture.id)?.state).toEqual({ code: "OPEN" });

    await gql(CAPTURE_SESSION_RESOLVE, { id: capture.gid });
    await gql(CAPTURE_SESSION_RESOLVE, { id: capture.gid });
    const applied = sim.captureSessions.get(capture.id)?.mutations.filter((m) => m.outcome === "applied");
    expect(applied?.map((m) => m.name)).toEqual(["captureSessionResolve"]);
    expect(sim.state().captureSessions).toHaveLength(1);
  });

  it("a void has no amount; a 200 is retried like a refund (Shopify expects 201)", async () => {
    const payment = await authorizedPayment();
    await gql(PAYMENT_SESSION_RESOLVE, { id: payment.gid });
    settlementStatus = 200;
    const failed = await sim.startVoid({ shop: SHOP, paymentId: payment.id });
    expect(failed).toMatchObject({ ok: false, status: 200 });
    expect(failed.attempts).toHaveLength(3);
    expect(sim.voidSessions.get(failed.id)?.state).toEqual({ code: "APP_FAILED" });
    settlementStatus = 201;
    const replay = await sim.startVoid({ shop: SHOP, paymentId: payment.id, id: failed.id });
    expect(replay.ok).toBe(true);
    const req = seen.at(-1)!;
    expect(req.path).toBe("/payments/voids");
    expect(Object.keys(req.json).sort()).toEqual(["gid", "id", "merchant_locale", "payment_id", "proposed_at", "test"]);
  });

  it("refuses to capture or void what is not a resolved authorization", async () => {
    const sale = await sim.startPayment({ shop: SHOP, amount: "100.00" });
    await expect(sim.startCapture({ shop: SHOP, paymentId: sale.id, amount: "100.00" })).rejects.toThrow(/not a resolved authorization/);
    const open = await sim.startPayment({ shop: SHOP, amount: "100.00", kind: "authorization" });
    await expect(sim.startVoid({ shop: SHOP, paymentId: open.id })).rejects.toThrow(/not a resolved authorization/);
    await expect(sim.startVoid({ shop: SHOP, paymentId: "nope" })).rejects.toThrow(/unknown payment/);
  });
});

describe("confirmation callback", () => {
  it("is built (not sent) with Shopify's headers and the result the shop's inventory gives", async () => {
    const fresh = await sim.startPayment({ shop: SHOP, amount: "100.00", kind: "authorization" });
    expect(sim.buildConfirmationCallback(fresh.id)).toBeNull();
    const requestsBefore = seen.length;
    const gone = await authorizedPayment(false);
    const built = sim.buildConfirmationCallback(gone.id);
    expect(built).toMatchObject({
      url: `${sim.appUrl}/payments/confirmations`,
      method: "POST",
      headers: { "Shopify-Shop-Domain": SHOP, "Shopify-Api-Version": "2026-04", "x-shopify-proof": "p".repeat(32) },
      body: { id: gone.id, gid: gone.gid, confirmation_result: false },
    });
    expect(seen.slice(requestsBefore).map((r) => r.path)).toEqual(["/payments/sessions"]);
  });
});
