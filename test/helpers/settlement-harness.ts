/**
 * The harness of test/integration/settlement-service.test.ts: a real database (SQLite, or PostgreSQL
 * with TEST_DATABASE_URL), the Soisy simulator (one shop with the suspended-orders contract, one
 * without) and the Shopify simulator over HTTP, a tiny node:http "app" that hands Shopify's capture and
 * void sessions to the settlement service (the project's routes are thin adapters over the same
 * functions; the route files are checked by the e2e build), an outbox worker, and a clock the tests
 * advance. The resolved authorization a capture needs is written straight to the database and
 * resolved in the Shopify simulator with its expiry (the confirmation path is built elsewhere).
 *
 * `useSettlementHarness()` registers the hooks; `h` holds the live objects.
 */
import { beforeEach, expect } from "vitest";
import { receiveCaptureSession, receiveVoidSession } from "~/payments/settlement-service.server";
import { captureSessionRequestSchema, voidSessionRequestSchema } from "~/payments/shopify-requests";
import { createSoisyClient } from "~/soisy/client.server";
import { PAYMENT_SESSION_RESOLVE } from "../simulators/shopify";
import { createPaymentRow } from "./payment-rows";
import { captureLogs, createTestClock, deliverUntil, shopifyGraphql, SOISY_TIMEOUT_MS, useServiceHarness, type ServiceHarness } from "./service-harness";

export const SHOP = "settle-test.myshopify.com";
const TOKEN = "shpat_settle_test_token_0a1b2c3d4e";
export const SUSPENDED = { shopId: "suspendedshop", apiKey: "suspended-key" };
export const PLAIN = { shopId: "plainshop", apiKey: "plain-key" };

export const clock = createTestClock();

const logs = captureLogs();
export const logLines = logs.lines;
export { SOISY_TIMEOUT_MS };

interface Harness extends ServiceHarness {
  /** "service": capture/void sessions go to the settlement service; "ack": answered 201 and not stored. */
  appMode: "service" | "ack";
}
export const h = {} as Harness;

export function useSettlementHarness(): void {
  useServiceHarness(h, {
    shop: SHOP,
    accessToken: TOKEN,
    soisyShops: [{ ...SUSPENDED, suspendedOrders: true }, PLAIN],
    clock,
    logs,
    async receive(path, shop, body) {
      if (h.appMode === "ack") return { ok: true };
      return path === "/payments/captures"
        ? receiveCaptureSession(h.deps, shop, captureSessionRequestSchema.parse(body))
        : receiveVoidSession(h.deps, shop, voidSessionRequestSchema.parse(body));
    },
    deps: (db, worker) => ({
      db,
      keyring: undefined as never,
      appUrl: "http://127.0.0.1:1",
      // "production" payments of these tests belong to the Soisy shop WITHOUT the suspended-orders contract.
      soisyClient: async (_shop, environment) =>
        createSoisyClient({ environment: "sandbox", ...(environment === "production" ? PLAIN : SUSPENDED), baseUrl: h.soisy.url, timeoutMs: SOISY_TIMEOUT_MS, retryBaseDelayMs: 5 }),
      deliverNow: (id) => worker.deliverNow(id),
      now: clock.now,
      logger: logs.logger,
    }),
  });
  beforeEach(() => {
    h.appMode = "service";
  });
}

/** A Soisy order of that shop, completed by the shopper and verified (suspended: waiting_for_trigger). */
export async function verifiedOrder(loanCents: number, shop = SUSPENDED): Promise<string> {
  const client = createSoisyClient({ environment: "sandbox", ...shop, baseUrl: h.soisy.url });
  const { token } = await client.createOrder({ amount: loanCents, orderReference: `ref-${Math.random().toString(36).slice(2)}` });
  await h.soisy.completeOrder(token);
  await h.soisy.fireEvent(token, "LoanWasVerified");
  return token;
}

export interface Authorization {
  id: string;
  gid: string;
  token: string;
}

/**
 * A resolved authorization of `amountCents` on both sides: Shopify's (resolved with its expiry) and
 * ours (a PaymentSession row with the verified Soisy order).
 */
export async function resolvedAuthorization(
  options: { amountCents?: number; loanCents?: number; expiresAt?: Date; soisyShop?: "suspended" | "plain" } = {},
): Promise<Authorization> {
  const amountCents = options.amountCents ?? 150_000;
  const expiresAt = options.expiresAt ?? new Date(clock.now().getTime() + 30 * 86_400_000);
  const payment = await h.shopify.startPayment({ shop: SHOP, amount: (amountCents / 100).toFixed(2), kind: "authorization" });
  const resolved = (await gql(PAYMENT_SESSION_RESOLVE, { id: payment.gid, authorizationExpiresAt: new Date(Math.max(expiresAt.getTime(), Date.now() + 86_400_000)).toISOString() })) as {
    data: { paymentSessionResolve: { userErrors: unknown[] } };
  };
  expect(resolved.data.paymentSessionResolve.userErrors).toEqual([]);
  const plain = options.soisyShop === "plain";
  const token = await verifiedOrder(options.loanCents ?? amountCents, plain ? PLAIN : SUSPENDED);
  await createPaymentRow(h.t.db, payment.id, SHOP, "resolved", {
    gid: payment.gid,
    kind: "authorization",
    amountCents,
    soisyToken: token,
    environment: plain ? "production" : "sandbox",
    authorizationExpiresAt: expiresAt,
    resolvedAt: new Date(),
  });
  return { id: payment.id, gid: payment.gid, token };
}

function gql(query: string, variables: Record<string, unknown>): Promise<unknown> {
  return shopifyGraphql(h.shopify, SHOP, TOKEN, query, variables);
}

/** Polls until `check` holds (generous: the machine is shared), delivering due outbox messages meanwhile. */
export function until(check: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void> {
  return deliverUntil(h.worker, check, what, timeoutMs);
}

export async function settlementState(id: string): Promise<string | undefined> {
  return (await h.t.db.settlementSession.findUnique({ where: { id } }))?.state;
}

export function triggersOf(token: string) {
  return h.soisy.triggers.filter((t) => t.token === token);
}

export function triggerRequestsOf(token: string) {
  return h.soisy.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/orders/${token}/match-trigger`));
}

export async function timelineTypes(paymentId: string): Promise<string[]> {
  const rows = await h.t.db.timelineEvent.findMany({ where: { paymentSessionId: paymentId }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => r.type).sort();
}
