/**
 * The Shopify simulator's capture and void requests and the confirmation callback it sends, against a
 * tiny payments "app" (node:http) started here, so the simulator's side is checked on its own.
 */
import http, { type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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
/** How many confirmation callbacks to answer 503 before answering 200. */
let confirmationFailures: number;
let app: http.Server;
let sim: ShopifySimulator;

beforeEach(async () => {
  seen = [];
  settlementStatus = 201;
  confirmationFailures = 0;
  app = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const json = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      seen.push({ path: req.url ?? "", headers: req.headers, json });
      if (req.url === "/payments/confirmations" && confirmationFailures > 0) {
        confirmationFailures -= 1;
        res.writeHead(503).end();
      } else if (req.url === "/payments/sessions") {
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
  const callbacks = () => seen.filter((r) => r.path === "/payments/confirmations");

  it("is POSTed after an accepted confirm, with Shopify's headers and the result the session's inventory gives", async () => {
    const fresh = await sim.startPayment({ shop: SHOP, amount: "100.00", kind: "authorization" });
    expect(sim.buildConfirmationCallback(fresh.id)).toBeNull();
    const gone = await authorizedPayment(false);
    await vi.waitFor(() => expect(callbacks()).toHaveLength(1), { timeout: 10_000 });
    const [req] = callbacks();
    expect(req!.headers).toMatchObject({ "shopify-shop-domain": SHOP, "shopify-api-version": "2026-04", "x-shopify-proof": "p".repeat(32) });
    expect(req!.json).toEqual({ id: gone.id, gid: gone.gid, confirmation_result: false });
    expect(sim.buildConfirmationCallback(gone.id)).toMatchObject({ url: `${sim.appUrl}/payments/confirmations`, body: { confirmation_result: false } });
    await vi.waitFor(() => expect(sim.confirmationRequests.map((r) => r.outcome)).toEqual(["succeeded"]), { timeout: 10_000 });
    // A repeated confirm (already CONFIRMING) does not send it again.
    await gql(PAYMENT_SESSION_CONFIRM, { id: gone.gid });
    expect(sim.confirmationRequests).toHaveLength(1);
  });

  it("is retried on a non-2xx answer, like Shopify's other requests", async () => {
    confirmationFailures = 2;
    settlementStatus = 200;
    await authorizedPayment();
    await vi.waitFor(() => expect(sim.confirmationRequests[0]?.outcome).toBe("succeeded"), { timeout: 10_000 });
    const attempts = sim.confirmationRequests[0]!.attempts;
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
  });

  it("behaviours: a shop's inventory gone, a session's callback dropped then sent by hand, a delay", async () => {
    sim.setConfirmationBehaviour(SHOP, { result: false });
    const first = await authorizedPayment(true);
    await vi.waitFor(() => expect(callbacks().map((r) => r.json.confirmation_result)).toEqual([false]), { timeout: 10_000 });
    sim.setConfirmationBehaviour(SHOP, null);

    const dropped = await sim.startPayment({ shop: SHOP, amount: "1500.00", kind: "authorization" });
    sim.setConfirmationBehaviour(dropped.id, { drop: true });
    await gql(PAYMENT_SESSION_CONFIRM, { id: dropped.gid });
    expect(sim.confirmationRequests.filter((r) => r.id === dropped.id)).toEqual([]);
    const sent = await sim.sendConfirmationCallback(dropped.id);
    expect(sent).toMatchObject({ ok: true, status: 201 });
    expect(callbacks().at(-1)?.json).toEqual({ id: dropped.id, gid: dropped.gid, confirmation_result: true });

    const delayed = await sim.startPayment({ shop: SHOP, amount: "1500.00", kind: "authorization" });
    sim.setConfirmationBehaviour(delayed.id, { delayMs: 200 });
    const asked = Date.now();
    await gql(PAYMENT_SESSION_CONFIRM, { id: delayed.gid });
    await vi.waitFor(() => expect(callbacks().some((r) => r.json.id === delayed.id)).toBe(true), { timeout: 10_000 });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(190);
    expect(await sim.sendConfirmationCallback(first.id.replace(/./, "x"))).toBeNull();
  });
});
