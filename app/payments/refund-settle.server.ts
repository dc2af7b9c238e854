/**
 * Refunds settled from Soisy's own data (issue 16, part 1). Soisy has no refund API: the merchant
 * cancels or reduces the loan in Soisy's back office. For shops with ShopSettings.settleRefundsFromSoisy
 * on (the default), this background pass reads Soisy's order (GET /orders/{token}) for payments with
 * refunds awaiting the merchant and resolves a refund when Soisy's data proves it
 * (refund-settle-decision.ts): through decideRefund, like the merchant's "Refunded at Soisy", with
 * decidedBy "soisy" and the evidence on the timeline. An ambiguous observation leaves the refund to
 * the merchant with one timeline row per distinct observation.
 *
 * Not hammering Soisy: a payment is read once when a refund arrives, then again only after
 * settleIntervalMs (a quarter of its newest open refund's age, 1 minute to 6 hours); it is claimed
 * before the read (a conditional update of PaymentSession.lastCheckedAt), so two app instances running
 * the pass read it once. Each read is bounded (SETTLE_SOISY_DEADLINE_MS); a failed read is logged and
 * counted, never thrown.
 */
import { COMMITTED_REFUND_STATES } from "./session-checks";
import { observeSoisy } from "./inputs.server";
import type { PaymentDeps, PaymentRow } from "./payment-deps.server";
import { decideRefund } from "./refund-service.server";
import {
  decideRefundSettlement,
  observationKey,
  REFUND_AMBIGUOUS_TYPE,
  REFUND_SETTLED_TYPE,
  settleIntervalMs,
  type SettleVerdict,
} from "./refund-settle-decision";
import { recordTimelineOnce } from "./transition-store.server";

export const SETTLE_SOISY_DEADLINE_MS = 15_000;

export interface RefundSettleReport {
  /** Payments whose Soisy order was read. */
  checked: number;
  /** Refunds this pass sent to resolution (decideRefund answered ok). */
  resolved: number;
  /** Payments whose observation was ambiguous (left to the merchant). */
  ambiguous: number;
  /** Payments whose loan had not changed yet. */
  waiting: number;
  /** Payments whose order could not be read. */
  failed: number;
}

type PaymentWithRefunds = PaymentRow & { refunds: Array<{ id: string; amountCents: number; state: string; createdAt: Date }> };

/** One pass over the payments with refunds awaiting the merchant that are due for a read. */
export async function settleRefundsFromSoisy(deps: PaymentDeps, options: { limit?: number } = {}): Promise<RefundSettleReport> {
  const now = deps.now();
  const off = await deps.db.shopSettings.findMany({ where: { settleRefundsFromSoisy: false }, select: { shop: true } });
  const candidates = await deps.db.paymentSession.findMany({
    where: {
      soisyToken: { not: null },
      refunds: { some: { state: "awaiting_merchant" } },
      ...(off.length ? { shop: { notIn: off.map((s) => s.shop) } } : {}),
    },
    include: { refunds: { orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, amountCents: true, state: true, createdAt: true } } },
    orderBy: [{ lastCheckedAt: { sort: "asc", nulls: "first" } }, { id: "asc" }],
    take: options.limit ?? 200,
  });
  const report: RefundSettleReport = { checked: 0, resolved: 0, ambiguous: 0, waiting: 0, failed: 0 };
  for (const payment of candidates) {
    if (!isDue(payment, now)) continue;
    // The claim: of two instances that saw the same lastCheckedAt, one reads Soisy.
    const claimed = await deps.db.paymentSession.updateMany({ where: { id: payment.id, lastCheckedAt: payment.lastCheckedAt }, data: { lastCheckedAt: now } });
    if (claimed.count !== 1) continue;
    report.checked++;
    const outcome = await settlePayment(deps, payment);
    if (outcome.kind === "failed") report.failed++;
    else if (outcome.kind === "wait") report.waiting++;
    else if (outcome.kind === "ambiguous") report.ambiguous++;
    else report.resolved += outcome.resolved;
  }
  return report;
}

/**
 * Due when Soisy was never read, or not since the newest open refund arrived (a merchant who acted at
 * Soisy before refunding in Shopify sees the refund settled at once), or the backoff has passed.
 */
function isDue(payment: PaymentWithRefunds, now: Date): boolean {
  if (!payment.lastCheckedAt) return true;
  const open = payment.refunds.filter((r) => r.state === "awaiting_merchant");
  const newest = open.length ? Math.max(...open.map((r) => r.createdAt.getTime())) : now.getTime();
  if (payment.lastCheckedAt.getTime() < newest) return true;
  return now.getTime() - payment.lastCheckedAt.getTime() >= settleIntervalMs(now.getTime() - newest);
}

export type PaymentSettleOutcome = { kind: "failed" } | { kind: "wait" } | { kind: "ambiguous" } | { kind: "resolved"; resolved: number };

/**
 * Reads one payment's Soisy order and acts on the verdict (no claim, no due check: the pass does
 * those). Safe to run concurrently: a refund is resolved by exactly one decideRefund.
 */
export async function settlePayment(deps: PaymentDeps, payment: PaymentWithRefunds): Promise<PaymentSettleOutcome> {
  const log = deps.logger.child({ paymentId: payment.id, shop: payment.shop });
  let soisy: { status: string; loanAmountCents: number | null };
  try {
    const { order } = await observeSoisy(deps, payment, { deadlineAt: Date.now() + SETTLE_SOISY_DEADLINE_MS });
    soisy = { status: order.status, loanAmountCents: order.loanAmount ?? null };
  } catch (error) {
    log.warn({ err: error }, "refund settlement could not read the Soisy order (will try again)");
    return { kind: "failed" };
  }
  const open = payment.refunds.filter((r) => r.state === "awaiting_merchant");
  const settledRefundCents = payment.refunds
    .filter((r) => r.state !== "awaiting_merchant" && (COMMITTED_REFUND_STATES as readonly string[]).includes(r.state))
    .reduce((sum, r) => sum + r.amountCents, 0);
  const verdict = decideRefundSettlement({
    originalLoanCents: await originalLoanCents(deps, payment),
    amountMismatch: payment.amountMismatch,
    settledRefundCents,
    open: open.map((r) => ({ id: r.id, amountCents: r.amountCents })),
    soisy,
  });
  const evidence = { soisyStatus: verdict.evidence.status, loanBeforeCents: verdict.evidence.loanBeforeCents, loanAfterCents: verdict.evidence.loanAfterCents };
  if (verdict.kind === "wait") return { kind: "wait" };
  if (verdict.kind === "ambiguous") {
    for (const refund of open) {
      await recordTimelineOnce(deps.db, {
        shop: payment.shop,
        paymentSessionId: payment.id,
        source: "app",
        type: REFUND_AMBIGUOUS_TYPE,
        dedupeKey: `refund-soisy:${refund.id}:${observationKey(verdict)}`,
        detailJson: JSON.stringify({ refundId: refund.id, amountCents: refund.amountCents, reason: verdict.reason, ...evidence }),
      });
    }
    log.info({ reason: verdict.reason, ...evidence, openRefunds: open.length }, "Soisy's data does not settle the open refunds: left to the merchant");
    return { kind: "ambiguous" };
  }
  return { kind: "resolved", resolved: await resolve(deps, payment, verdict, evidence) };
}

async function resolve(
  deps: PaymentDeps,
  payment: PaymentWithRefunds,
  verdict: Extract<SettleVerdict, { kind: "resolve" }>,
  evidence: Record<string, unknown>,
): Promise<number> {
  const refundsCents = payment.refunds.filter((r) => verdict.refundIds.includes(r.id)).reduce((sum, r) => sum + r.amountCents, 0);
  let resolved = 0;
  for (const refundId of verdict.refundIds) {
    const result = await decideRefund(deps, payment.shop, refundId, "resolve", "soisy", undefined, {
      source: "app",
      type: REFUND_SETTLED_TYPE,
      detail: { reason: verdict.reason, ...evidence, refundsCents },
    });
    if (result.ok) resolved++;
    deps.logger.info({ paymentId: payment.id, refundId, reason: verdict.reason, ok: result.ok, ...evidence }, "refund settled from Soisy's data");
  }
  return resolved;
}

/** The loan Soisy granted: a sale's amount, or what was captured of an authorization (null: none yet). */
async function originalLoanCents(deps: PaymentDeps, payment: PaymentRow): Promise<number | null> {
  if (payment.kind !== "authorization") return payment.amountCents;
  const captured = await deps.db.settlementSession.aggregate({
    where: { paymentSessionId: payment.id, kind: "capture", state: "resolved" },
    _sum: { amountCents: true },
  });
  return captured._sum.amountCents ?? null;
}
