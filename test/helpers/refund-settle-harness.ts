/**
 * The harness of test/integration/refund-settle.test.ts: a real database (SQLite, or PostgreSQL with
 * TEST_DATABASE_URL), the Soisy simulator and the Shopify simulator over HTTP, a tiny node:http "app"
 * that hands Shopify's refund sessions to receiveRefundSession (the project's route is a thin adapter
 * over it), an outbox worker, and a clock the tests advance. A paid payment is resolved in the Shopify
 * simulator (paymentSessionResolve) and written to the database with its disbursed Soisy order (the
 * payment flow itself is tested elsewhere). The merchant's back-office actions at Soisy go through the
 * simulator's operator endpoints (POST /_sim/orders/{token}/cancel | reduce).
 *
 * `useRefundSettleHarness()` registers the hooks; `h` holds the live objects.
 */
import { afterAll, beforeEach, expect } from "vitest";
import { createDb, type Db } from "~/db.server";
import type { PaymentDeps } from "~/payments/payment-deps.server";
import { receiveRefundSession } from "~/payments/refund-service.server";
import { refundSessionRequestSchema } from "~/payments/shopify-requests";
import { createSoisyClient } from "~/soisy/client.server";
import { PAYMENT_SESSION_RESOLVE } from "../simulators/shopify";
import { createPaymentRow } from "./payment-rows";
import {
  captureLogs,
  createTestClock,
  deliverUntil,
  harnessOutboxWorker,
  shopifyGraphql,
  SOISY_TIMEOUT_MS,
  useServiceHarness,
  type HarnessOutboxWorker,
  type ServiceHarness,
} from "./service-harness";

export const SHOP = "refund-settle.myshopify.com";
const TOKEN = "shpat_refund_settle_token_9f8e7d6c";
const SOISY_SHOP = { shopId: "refundshop", apiKey: "refund-key" };

export const clock = createTestClock();

const logs = captureLogs();
export const logLines = logs.lines;

export const h = {} as ServiceHarness;
const extraDbs: Db[] = [];

/** Payment dependencies over `db` (another "app instance" when it is a second client of the same database). */
export function depsFor(db: Db, worker: HarnessOutboxWorker): PaymentDeps {
  return {
    db,
    keyring: undefined as never,
    appUrl: "http://127.0.0.1:1",
    soisyClient: async () => createSoisyClient({ environment: "sandbox", ...SOISY_SHOP, baseUrl: h.soisy.url, timeoutMs: SOISY_TIMEOUT_MS, retryBaseDelayMs: 5 }),
    deliverNow: (id) => worker.deliverNow(id),
    now: clock.now,
    logger: logs.logger,
  };
}

/**
 * A second app instance: its own outbox worker and, on PostgreSQL, its own database client (its own
 * connections). On SQLite both share one client: better-sqlite3 waits for another connection's write
 * lock synchronously (busy_timeout), which in ONE process blocks the event loop the lock holder needs
 * to commit; two real processes do not have that problem. The interleaving of the two instances'
 * awaits (reads, conditional updates, outbox inserts) is the same either way.
 */
export function secondInstance(): PaymentDeps {
  let db = h.t.db;
  if (h.t.kind === "postgres") {
    db = createDb(h.t.url);
    extraDbs.push(db);
  }
  const worker = harnessOutboxWorker({ db, shopify: h.shopify, accessToken: TOKEN, clock, logger: logs.logger });
  return depsFor(db, worker);
}

export function useRefundSettleHarness(): void {
  useServiceHarness(h, {
    shop: SHOP,
    accessToken: TOKEN,
    soisyShops: [SOISY_SHOP],
    clock,
    logs,
    receive: (_path, shop, body) => receiveRefundSession(h.deps, shop, refundSessionRequestSchema.parse(body)),
    deps: depsFor,
  });

  // Registered after the shared hooks: these run after theirs before each test, before theirs at the end.
  afterAll(async () => {
    for (const db of extraDbs) await db.$disconnect();
  });

  beforeEach(async () => {
    // Each test sees only its own open refunds: earlier tests' are closed.
    await h.t.db.refundSession.updateMany({ where: { state: "awaiting_merchant" }, data: { state: "rejected", decidedBy: "test" } });
    await h.t.db.shopSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP }, update: { settleRefundsFromSoisy: true, autoResolveRefunds: false } });
  });
}

export interface PaidPayment {
  id: string;
  token: string;
}

/**
 * A sale of `amountCents` paid with Soisy: resolved in the Shopify simulator, and stored resolved with
 * its Soisy order (created with this payment as orderReference, completed, verified and disbursed).
 */
export async function paidPayment(amountCents: number): Promise<PaidPayment> {
  const payment = await h.shopify.startPayment({ shop: SHOP, amount: (amountCents / 100).toFixed(2), test: true });
  const resolved = (await gql(PAYMENT_SESSION_RESOLVE, { id: payment.gid })) as { data: { paymentSessionResolve: { userErrors: unknown[] } } };
  expect(resolved.data.paymentSessionResolve.userErrors).toEqual([]);
  const client = createSoisyClient({ environment: "sandbox", ...SOISY_SHOP, baseUrl: h.soisy.url });
  const { token } = await client.createOrder({ amount: amountCents, orderReference: payment.id });
  await h.soisy.completeOrder(token);
  await h.soisy.fireEvent(token, "LoanWasVerified");
  await h.soisy.fireEvent(token, "LoanWasDisbursed");
  await createPaymentRow(h.t.db, payment.id, SHOP, "resolved", {
    gid: payment.gid,
    amountCents,
    soisyToken: token,
    soisyStatus: "waiting_for_disbursement",
    soisyLoanAmountCents: amountCents,
    resolvedAt: clock.now(),
  });
  return { id: payment.id, token };
}

function gql(query: string, variables: Record<string, unknown>): Promise<unknown> {
  return shopifyGraphql(h.shopify, SHOP, TOKEN, query, variables);
}

/** A Shopify refund of `amount` (decimal euros) for the payment, answered 201 and left with the merchant. */
export async function refund(paymentId: string, amount: string): Promise<string> {
  const started = await h.shopify.startRefund({ shop: SHOP, paymentId, amount });
  expect(started).toMatchObject({ ok: true, status: 201 });
  expect(await refundState(started.id)).toBe("awaiting_merchant");
  return started.id;
}

/** The merchant's action in Soisy's back office, through the simulator's operator endpoint. */
export async function soisyOperator(token: string, action: "cancel" | { reduceBy: number }): Promise<{ status: string; loanAmount: number | null; loanNetAmount: number | null }> {
  const path = action === "cancel" ? "cancel" : "reduce";
  const res = await fetch(`${h.soisy.url}/_sim/orders/${encodeURIComponent(token)}/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(action === "cancel" ? {} : { cents: action.reduceBy }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; loanAmount: number | null; loanNetAmount: number | null };
}

export async function refundState(id: string): Promise<string | undefined> {
  return (await h.t.db.refundSession.findUnique({ where: { id } }))?.state;
}

/** Delivers due outbox messages until `check` holds (generous: the machine is shared). */
export function until(check: () => Promise<boolean>, what: string, timeoutMs?: number): Promise<void> {
  return deliverUntil(h.worker, check, what, timeoutMs);
}

/** Mutations the Shopify simulator applied to a refund session. */
export function appliedToRefund(id: string): string[] {
  return (h.shopify.refundSessions.get(id)?.mutations ?? []).filter((m) => m.outcome === "applied").map((m) => m.name);
}

/** Soisy GETs of one order so far. */
export function soisyReadsOf(token: string): number {
  return h.soisy.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/orders/${token}`)).length;
}

export async function timelineRows(paymentId: string, type: string) {
  const rows = await h.t.db.timelineEvent.findMany({ where: { paymentSessionId: paymentId, type }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map((r) => ({ source: r.source, detail: JSON.parse(r.detailJson ?? "{}") as Record<string, unknown> }));
}
