/**
 * The demo's past four weeks (issue 16): payments in the app's database and the matching orders in the
 * Soisy simulator (seedHistory), so the payouts page and the dashboard have something to show, with a
 * few planted differences (partial funding, a refund, net + fee ≠ loan, a payout missing after the grace
 * period, a loan disbursed after a rejection, a Soisy order the app does not know). Then one payout sync
 * reads the simulator's order list, as the app's schedule would.
 *
 * Nothing for the app's reconciliation job to poll at Soisy: history payments are resolved, rejected (a
 * checkout left at Soisy's page was rejected when Shopify was told), or abandoned without a Soisy order
 * (the job only polls payments that have one).
 *
 * Re-run safe: the demo database persists, the simulator does not, so the history rows (ids
 * "demo-hist-…") are deleted and written again, dated from now, on every start. Deterministic: no random.
 */
import type { Db } from "../../app/db.server";
import type { Logger } from "../../app/logger.server";
import { createSoisyClient } from "../../app/soisy/client.server";
import { syncShopPayouts } from "../../app/payouts/sync.server";
import { seedHistory, type HistoryOrderInput } from "../../test/simulators/soisy/orders-list";
import type { SoisySimulator } from "../../test/simulators/soisy";

const PREFIX = "demo-hist-";
const DAY = 86_400_000;
const MINUTE = 60_000;
type Outcome = "resolved" | "rejected" | "abandoned" | "redirected";
type Planted = "partial" | "refund" | "net_fee" | "missing" | "rejected_disbursed" | null;

export interface DemoHistoryResult {
  payments: number;
  soisyOrders: number;
  payoutRows: number;
}

function outcomeOf(i: number): Outcome {
  const r = (i * 37) % 20;
  return r < 13 ? "resolved" : r < 16 ? "rejected" : r < 19 ? "abandoned" : "redirected";
}

function plantedOf(i: number): Planted {
  return ({ 5: "partial", 11: "refund", 17: "net_fee", 23: "missing", 29: "rejected_disbursed" } as Record<number, Planted>)[i] ?? null;
}

export async function seedDemoHistory(db: Db, soisy: SoisySimulator, shop: string, soisyShop: { shopId: string; apiKey: string }, logger: Logger, now = new Date()): Promise<DemoHistoryResult> {
  await db.soisyPayout.deleteMany({ where: { shop, soisyOrderReference: { startsWith: PREFIX } } });
  await db.paymentSession.deleteMany({ where: { shop, id: { startsWith: PREFIX } } });
  await db.payoutSync.deleteMany({ where: { shop } });

  const payments: Array<Parameters<Db["paymentSession"]["create"]>[0]["data"] & { id: string }> = [];
  const refunds: Array<{ id: string; paymentId: string; cents: number; at: Date }> = [];
  const orders: HistoryOrderInput[] = [];
  const COUNT = 64;
  for (let i = 0; i < COUNT; i++) {
    const id = `${PREFIX}${String(i).padStart(3, "0")}`;
    const token = `${PREFIX}tok-${String(i).padStart(3, "0")}`;
    const planted = plantedOf(i);
    const outcome: Outcome = planted === "rejected_disbursed" ? "rejected" : planted ? "resolved" : outcomeOf(i);
    // Spread over 28 days, a few a day, during shop hours.
    const created = new Date(now.getTime() - (28 - Math.floor((i * 28) / COUNT)) * DAY + ((i * 97) % 600) * MINUTE);
    const amount = 14_900 + ((i * 12_345) % 180_000);
    const verifiedAt = new Date(created.getTime() + (12 + ((i * 7) % 50)) * MINUTE);
    const instalments = [3, 6, 10, 12, 20][i % 5]!;
    const hasOrder = outcome === "resolved" || outcome === "rejected";
    payments.push({
      id,
      gid: `gid://shopify/PaymentSession/${id}`,
      shop,
      group: `g-${id}`,
      amountCents: amount,
      currency: "EUR",
      test: true,
      kind: "sale",
      proposedAt: created,
      environment: "sandbox",
      state: outcome === "resolved" ? "resolved" : outcome === "abandoned" ? "abandoned" : "rejected",
      soisyToken: hasOrder ? token : null,
      soisyStatus: outcome === "resolved" ? "waiting_for_disbursement" : outcome === "rejected" ? "cancelled" : hasOrder ? "request_received" : null,
      soisyLoanAmountCents: outcome === "resolved" ? amount : null,
      preapprovalInstalments: null,
      callbackSecret: `demo-${id}`,
      createdAt: created,
      resolvedAt: outcome === "resolved" ? verifiedAt : null,
      rejectedAt: outcome === "rejected" ? verifiedAt : outcome === "redirected" ? new Date(created.getTime() + 3 * 3_600_000) : null,
      abandonedAt: outcome === "abandoned" ? new Date(created.getTime() + 20 * MINUTE) : null,
      returnedAt: outcome === "resolved" ? new Date(created.getTime() + 10 * MINUTE) : null,
    });
    if (!hasOrder) continue;
    // Soisy pays out 1–3 days after the verification; the last days' payments are not paid out yet.
    const disbursedAt = new Date(verifiedAt.getTime() + (1 + (i % 3)) * DAY);
    const paid = (outcome === "resolved" && planted !== "missing" && disbursedAt.getTime() < now.getTime()) || planted === "rejected_disbursed";
    const loan = planted === "partial" ? amount - 5_000 : amount;
    const fee = Math.floor((loan * 3) / 100);
    orders.push({
      shopId: soisyShop.shopId,
      token,
      orderReference: id,
      amountCents: loan,
      feeCents: fee,
      netAmountCents: planted === "net_fee" ? loan - fee - 150 : loan - fee,
      status: paid ? "disbursed" : outcome === "resolved" ? "waiting_for_disbursement" : outcome === "rejected" ? "cancelled" : "request_received",
      createdAt: created,
      disbursedAt: paid ? disbursedAt : null,
      instalments,
    });
    if (planted === "refund") refunds.push({ id: `${PREFIX}refund-${i}`, paymentId: id, cents: 2_500, at: new Date(disbursedAt.getTime() + DAY) });
  }
  // A loan Soisy paid out for an order this app never created (e.g. keyed in at Soisy's back office).
  orders.push({ shopId: soisyShop.shopId, token: `${PREFIX}unknown`, orderReference: null, amountCents: 42_000, status: "disbursed", createdAt: new Date(now.getTime() - 9 * DAY), disbursedAt: new Date(now.getTime() - 7 * DAY), instalments: 6 });

  await db.paymentSession.createMany({ data: payments as never });
  for (const r of refunds) {
    await db.refundSession.create({
      data: { id: r.id, gid: `gid://shopify/RefundSession/${r.id}`, shop, paymentSessionId: r.paymentId, amountCents: r.cents, currency: "EUR", test: true, proposedAt: r.at, state: "resolved", decidedBy: "demo", decidedAt: r.at },
    });
  }
  seedHistory(soisy, orders);

  const sync = await syncShopPayouts(
    {
      db,
      soisyClient: async (_shop, environment) => createSoisyClient({ environment, ...soisyShop, baseUrl: soisy.url, logger }),
      now: () => now,
      logger,
    },
    shop,
    "sandbox",
  );
  if (sync.outcome !== "synced") throw new Error(`the demo's payout sync did not run (${sync.outcome}${sync.outcome === "failed" ? `: ${sync.error}` : ""})`);
  return { payments: payments.length, soisyOrders: orders.length, payoutRows: sync.created + sync.updated };
}
