/**
 * The admin's form actions answer a body that is not a form (a stale tab, a script, a crafted
 * request) with a 4xx and write nothing. They used to call request.formData(), which throws on another
 * Content-Type or a broken multipart body: Remix answered 500. A NUL in an id or a field reached
 * PostgreSQL, which refuses it in text: 500 there. Both found by test/hostile/admin-routes.test.ts.
 */
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_USER_AGENT } from "../helpers/admin-page";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { createPaymentRow } from "../helpers/payment-rows";
import { printAppOutputIfFailed, startStack, STACK_SETUP_TIMEOUT_MS, type Stack } from "../helpers/stack";

let stack: Stack;
const PAYMENT = `fb-${randomUUID()}`;
const VOID = `fbv-${randomUUID()}`;
const REFUND = `fbr-${randomUUID()}`;

beforeAll(async () => {
  stack = await startStack({ appEnv: { OUTBOX_POLL_MS: "600000", RECONCILE_INTERVAL_MS: "86400000" } });
  const db = stack.database.db;
  await createPaymentRow(db, PAYMENT, stack.shop, "resolved", { kind: "authorization", resolvedAt: new Date(), soisyToken: `tok-${PAYMENT}` });
  await db.settlementSession.create({ data: { id: VOID, gid: `gid://shopify/VoidSession/${VOID}`, shop: stack.shop, paymentSessionId: PAYMENT, kind: "void", state: "awaiting_merchant", test: true, proposedAt: new Date() } });
  await db.refundSession.create({ data: { id: REFUND, gid: `gid://shopify/RefundSession/${REFUND}`, shop: stack.shop, paymentSessionId: PAYMENT, amountCents: 1_000, currency: "EUR", state: "awaiting_merchant", test: true, proposedAt: new Date() } });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => printAppOutputIfFailed(context, stack));

async function post(path: string, body: string, contentType: string, method = "POST") {
  const res = await fetch(`${stack.appUrl}${path}`, {
    method,
    headers: { cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop), "user-agent": ADMIN_USER_AGENT, origin: stack.appUrl, "content-type": contentType },
    ...(method === "GET" ? {} : { body }),
    redirect: "manual",
  });
  return res.status;
}

async function snapshot() {
  const db = stack.database.db;
  const [settings, refund, settlement, timeline, outbox] = await Promise.all([
    db.shopSettings.findUniqueOrThrow({ where: { shop: stack.shop } }),
    db.refundSession.findUniqueOrThrow({ where: { id: REFUND } }),
    db.settlementSession.findUniqueOrThrow({ where: { id: VOID } }),
    db.timelineEvent.count(),
    db.outboxMessage.count(),
  ]);
  return { settings: { ...settings, updatedAt: null }, refund: refund.state, settlement: settlement.state, timeline, outbox };
}

const ROUTES = [
  { path: "/app/settings", form: "intent=saveOptions&minAmount=100" },
  { path: `/app/settlements/${VOID}`, form: "intent=confirm_void" },
  { path: `/app/refunds/${REFUND}`, form: "decision=resolve" },
  { path: `/app/transactions/${PAYMENT}`, form: `refundId=${REFUND}&decision=resolve` },
];

describe("admin form actions refuse a body that is not a form", () => {
  it.each(ROUTES)("$path: text/plain → 415, a broken multipart → 400, nothing written", async ({ path, form }) => {
    const before = await snapshot();
    expect(await post(path, form, "text/plain")).toBe(415);
    expect(await post(path, "\u0003garbage", "multipart/form-data; boundary=xyz")).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it.each(ROUTES)("$path: the same valid form with PUT, PATCH or DELETE → 405, nothing written (Remix would run the action)", async ({ path, form }) => {
    const before = await snapshot();
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expect(await post(path, form, "application/x-www-form-urlencoded", method), method).toBe(405);
    }
    expect(await post(`/app/refunds/${REFUND}`, JSON.stringify({ decision: "resolve" }), "application/json", "DELETE")).toBe(405);
    expect(await snapshot()).toEqual(before);
  });
});

describe("a NUL in an admin id or field is refused before the database (PostgreSQL cannot store or compare it)", () => {
  it("an id with a NUL: 404 on every route that looks one up, nothing written", async () => {
    const before = await snapshot();
    expect(await post("/app/transactions/%00", "", "application/x-www-form-urlencoded", "GET")).toBe(404);
    expect(await post(`/app/transactions/${PAYMENT}%00`, `refundId=${REFUND}&decision=resolve`, "application/x-www-form-urlencoded")).toBe(404);
    expect(await post(`/app/refunds/${REFUND}%00`, "decision=resolve", "application/x-www-form-urlencoded")).toBe(404);
    expect(await post(`/app/settlements/${VOID}%00`, "intent=confirm_void", "application/x-www-form-urlencoded")).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it("a form field or a JSON reason with a NUL: 400, nothing written", async () => {
    const before = await snapshot();
    expect(await post(`/app/transactions/${PAYMENT}`, `refundId=${REFUND}%00&decision=resolve`, "application/x-www-form-urlencoded")).toBe(400);
    expect(await post(`/app/refunds/${REFUND}`, "decision=reject&reason=a%00b", "application/x-www-form-urlencoded")).toBe(400);
    expect(await post(`/app/refunds/${REFUND}`, JSON.stringify({ decision: "reject", reason: "a\u0000b" }), "application/json")).toBe(400);
    expect(await post("/app/settings", "intent=saveAlerts&alertEmail=a%00@example.com", "application/x-www-form-urlencoded")).toBe(400);
    expect(await snapshot()).toEqual(before);
  });
});
