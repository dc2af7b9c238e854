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
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { paymentsApiEndpoint } from "~/config.server";
import { createDb, type Db } from "~/db.server";
import { createLogger } from "~/logger.server";
import { createOutboxWorker } from "~/payments/outbox-worker.server";
import type { PaymentDeps } from "~/payments/payment-deps.server";
import { receiveRefundSession } from "~/payments/refund-service.server";
import { refundSessionRequestSchema } from "~/payments/shopify-requests";
import { createSoisyClient } from "~/soisy/client.server";
import { PAYMENT_SESSION_RESOLVE, startShopifySimulator, type ShopifySimulator } from "../simulators/shopify";
import { startSoisySimulator, type SoisySimulator } from "../simulators/soisy";
import { createTestDatabase, type TestDatabase } from "./database";
import { createPaymentRow } from "./payment-rows";

export const SHOP = "refund-settle.myshopify.com";
const TOKEN = "shpat_refund_settle_token_9f8e7d6c";
const SOISY_SHOP = { shopId: "refundshop", apiKey: "refund-key" };
export const SOISY_TIMEOUT_MS = 800;

export const clock = {
  offset: 0,
  now: () => new Date(Date.now() + clock.offset),
  advance(ms: number) {
    clock.offset += ms;
  },
};

export const logLines: Array<{ level: number; msg: string; [k: string]: unknown }> = [];
const logger = createLogger({ level: "debug", destination: { write: (line: string) => void logLines.push(JSON.parse(line) as (typeof logLines)[number]) } });

interface Harness {
  t: TestDatabase;
  soisy: SoisySimulator;
  shopify: ShopifySimulator;
  deps: PaymentDeps;
  worker: ReturnType<typeof createOutboxWorker>;
}
export const h = {} as Harness;
let app: http.Server;
const extraDbs: Db[] = [];

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")));
  });
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req);
  const shop = String(req.headers["shopify-shop-domain"] ?? "");
  if (req.url === "/payments/sessions") {
    res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ redirect_url: "https://soisy.example/x" }));
    return;
  }
  const result = await receiveRefundSession(h.deps, shop, refundSessionRequestSchema.parse(body));
  if (!result.ok) res.writeHead(result.status, { "Content-Type": "application/json" }).end(JSON.stringify({ error: result.message }));
  else res.writeHead(201).end();
}

/** Payment dependencies over `db` (another "app instance" when it is a second client of the same database). */
export function depsFor(db: Db, worker: ReturnType<typeof createOutboxWorker>): PaymentDeps {
  return {
    db,
    keyring: undefined as never,
    appUrl: "http://127.0.0.1:1",
    soisyClient: async () => createSoisyClient({ environment: "sandbox", ...SOISY_SHOP, baseUrl: h.soisy.url, timeoutMs: SOISY_TIMEOUT_MS, retryBaseDelayMs: 5 }),
    deliverNow: (id) => worker.deliverNow(id),
    now: clock.now,
    logger,
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
  const worker = createOutboxWorker({
    db,
    tokenProvider: async () => TOKEN,
    endpointFor: (shop) => paymentsApiEndpoint(shop, { SHOPIFY_PAYMENTS_API_URL: h.shopify.paymentsApiUrlTemplate, SHOPIFY_PAYMENTS_API_VERSION: "2026-04" }),
    now: clock.now,
    logger,
  });
  return depsFor(db, worker);
}

export function useRefundSettleHarness(): void {
  beforeAll(async () => {
    h.t = await createTestDatabase();
    app = http.createServer((req, res) => {
      handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    h.soisy = await startSoisySimulator({ shops: [SOISY_SHOP] });
  });

  afterAll(async () => {
    app.closeAllConnections();
    await new Promise<void>((resolve) => app.close(() => resolve()));
    await h.soisy?.close();
    for (const db of extraDbs) await db.$disconnect();
    await h.t?.cleanup();
  });

  beforeEach(async () => {
    clock.offset = 0;
    logLines.length = 0;
    h.soisy.clearFaults();
    h.shopify = await startShopifySimulator({
      appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
      shops: [{ domain: SHOP, accessToken: TOKEN, oversellProtection: false }],
      retry: { attempts: 1 },
    });
    h.worker = createOutboxWorker({
      db: h.t.db,
      tokenProvider: async () => TOKEN,
      endpointFor: (shop) => paymentsApiEndpoint(shop, { SHOPIFY_PAYMENTS_API_URL: h.shopify.paymentsApiUrlTemplate, SHOPIFY_PAYMENTS_API_VERSION: "2026-04" }),
      now: clock.now,
      logger,
    });
    h.deps = depsFor(h.t.db, h.worker);
    // Each test sees only its own open refunds: earlier tests' are closed.
    await h.t.db.refundSession.updateMany({ where: { state: "awaiting_merchant" }, data: { state: "rejected", decidedBy: "test" } });
    await h.t.db.shopSettings.upsert({ where: { shop: SHOP }, create: { shop: SHOP }, update: { settleRefundsFromSoisy: true, autoResolveRefunds: false } });
  });

  afterEach(async () => {
    await h.worker.stop();
    await h.shopify.close();
    expect(h.shopify.violations).toEqual([]);
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

async function gql(query: string, variables: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(h.shopify.graphqlUrl(SHOP), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
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
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await h.worker.runOnce();
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
