/**
 * Captures and voids through the built app (issue 15): Shopify's simulator sends the capture and void
 * sessions to /payments/captures and /payments/voids; the capture triggers the Soisy simulator's
 * suspended order once and is resolved at Shopify once; the void waits for the merchant, who confirms
 * it from the admin (POST /app/settlements/:id intent=confirm_void) → voidSessionResolve.
 * The resolved authorization is seeded on both sides (the confirmation path that makes one is built
 * separately): our PaymentSession row and the Shopify simulator's session.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSoisyClient } from "~/soisy/client.server";
import { ADMIN_USER_AGENT as BROWSER_UA } from "../helpers/admin-page";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { createPaymentRow } from "../helpers/payment-rows";
import { eventually, printAppOutputIfFailed, startStack, STACK_SETUP_TIMEOUT_MS, type Stack } from "../helpers/stack";

const SOISY_SHOP = { shopId: "partnershop", apiKey: "partnerkey" };

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ soisy: { shops: [{ ...SOISY_SHOP, suspendedOrders: true }] } });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

const db = () => stack.database.db;

/** A resolved authorization of 1500.00 EUR with a verified suspended Soisy order, known to both sides. */
async function resolvedAuthorization(): Promise<{ id: string; token: string }> {
  const id = `auth-${randomUUID()}`;
  const gid = `gid://shopify/PaymentSession/${id}`;
  const expiresAt = new Date(Date.now() + 30 * 86_400_000);
  const soisy = createSoisyClient({ environment: "sandbox", ...SOISY_SHOP, baseUrl: stack.soisy.url });
  const { token } = await soisy.createOrder({ amount: 150_000, orderReference: id });
  await stack.soisy.completeOrder(token);
  await stack.soisy.fireEvent(token, "LoanWasVerified");
  await createPaymentRow(db(), id, stack.shop, "resolved", { gid, kind: "authorization", amountCents: 150_000, soisyToken: token, authorizationExpiresAt: expiresAt, resolvedAt: new Date() });
  stack.shopify.paymentSessions.set(id, {
    id,
    gid,
    shop: stack.shop,
    group: `g-${id}`,
    amount: "1500.00",
    currency: "EUR",
    test: true,
    createdAt: new Date().toISOString(),
    cancelUrl: "https://shopify.example/cancel",
    request: {},
    acknowledged: true,
    appRedirectUrl: "https://soisy.example/x",
    state: { code: "RESOLVED" },
    pendingExpiresAt: null,
    authorizationExpiresAt: expiresAt.toISOString(),
    nextAction: null,
    mutations: [],
    kind: "authorization",
    inventoryAvailable: true,
    confirmation: null,
  });
  return { id, token };
}

const applied = (map: Map<string, { mutations: Array<{ name: string; outcome: string }> }>, id: string) =>
  (map.get(id)?.mutations ?? []).filter((m) => m.outcome === "applied").map((m) => m.name);

describe("captures and voids through the app's routes", () => {
  it("a capture: 201, one trigger at Soisy with its cents, resolved once at Shopify; a replay is 201 and changes nothing", async () => {
    const auth = await resolvedAuthorization();
    const capture = await stack.shopify.startCapture({ shop: stack.shop, paymentId: auth.id, amount: "1200.00" });
    expect(capture.attempts.map((a) => a.status)).toEqual([201]);
    await eventually(async () => stack.shopify.captureSessions.get(capture.id)?.state.code === "RESOLVED", 20_000, "capture resolved at Shopify");
    expect(stack.soisy.triggers.filter((t) => t.token === auth.token).map((t) => t.amount)).toEqual([120_000]);
    await eventually(async () => (await db().settlementSession.findUnique({ where: { id: capture.id } }))?.state === "resolved", 10_000, "capture resolved in the app");
    const replay = await stack.shopify.startCapture({ shop: stack.shop, paymentId: auth.id, amount: "1200.00", id: capture.id });
    expect(replay.attempts.map((a) => a.status)).toEqual([201]);
    expect(applied(stack.shopify.captureSessions, capture.id)).toEqual(["captureSessionResolve"]);
    expect(stack.soisy.triggers.filter((t) => t.token === auth.token)).toHaveLength(1);
  });

  it("a void waits for the merchant, who confirms it from the admin → voidSessionResolve", async () => {
    const auth = await resolvedAuthorization();
    const voided = await stack.shopify.startVoid({ shop: stack.shop, paymentId: auth.id });
    expect(voided.attempts.map((a) => a.status)).toEqual([201]);
    await eventually(async () => (await db().settlementSession.findUnique({ where: { id: voided.id } }))?.state === "awaiting_merchant", 10_000, "void awaiting the merchant");
    const post = (id: string, form: Record<string, string>) =>
      fetch(`${stack.appUrl}/app/settlements/${encodeURIComponent(id)}`, {
        method: "POST",
        headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop), "user-agent": BROWSER_UA, origin: stack.appUrl },
        body: new URLSearchParams(form),
        redirect: "manual",
      });
    expect((await post(voided.id, { intent: "capture" })).status).toBe(400);
    expect((await post("nope", { intent: "confirm_void" })).status).toBe(404);
    const res = await post(voided.id, { intent: "confirm_void" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain(`/app/transactions/${encodeURIComponent(auth.id)}?done=confirm_void`);
    await eventually(async () => stack.shopify.voidSessions.get(voided.id)?.state.code === "RESOLVED", 20_000, "void resolved at Shopify");
    expect(applied(stack.shopify.voidSessions, voided.id)).toEqual(["voidSessionResolve"]);
    expect(stack.soisy.triggers.filter((t) => t.token === auth.token)).toEqual([]);
  });
});
