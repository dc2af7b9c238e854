/**
 * Payout reconciliation (issue 16 part 2), pure: the shop's Shopify payments and refunds beside Soisy's
 * order list (SoisyPayout rows), one line per payment, with every difference in integer cents and its
 * reason. The caller reads the rows and passes the clock; docs/payouts.md explains each reason.
 *
 * Lines: every resolved sale and every captured authorization; a payment in any other state whose
 * Soisy order was nevertheless disbursed; a disbursed Soisy order no payment of the app knows.
 *
 * A payout is matched to a payment by Soisy's token (soisyOrderReference = PaymentSession.soisyToken),
 * else by orderReference = the payment session id. When one Soisy order was read under both environments
 * (the same Soisy shop configured twice), the copy of the payment's environment is used and the other
 * ignored, so nothing is counted twice.
 */

export const DIFFERENCE_REASONS = [
  "loan_differs",
  "refunded",
  "net_fee_mismatch",
  "missing_payout",
  "payout_not_resolved",
  "unknown_order",
] as const;
export type DifferenceReason = (typeof DIFFERENCE_REASONS)[number];

export interface Difference {
  reason: DifferenceReason;
  /** Signed cents: what Soisy's side shows minus what the app's side expects (see docs/payouts.md). */
  cents: number;
}

export interface ReconPayment {
  id: string;
  state: string;
  kind: string;
  environment: string;
  amountCents: number;
  currency: string;
  soisyToken: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
  /** Authorizations: the resolved captures' total and the last capture's time (null: not captured). */
  capturedCents: number | null;
  capturedAt: Date | null;
  /** Resolved refunds' total. */
  refundedCents: number;
}

export interface ReconPayout {
  environment: string;
  soisyOrderReference: string;
  orderReference: string | null;
  status: string;
  loanAmountCents: number | null;
  loanNetAmountCents: number | null;
  feeCents: number | null;
  disbursedAt: Date | null;
  requestedAt: Date | null;
}

export interface ReconLine {
  /** The payment session id; null for a Soisy order unknown to the app. `netCents` / `feeCents` are null until disbursed. */
  paymentId: string | null;
  paymentState: string | null;
  soisyOrderReference: string | null;
  /** The day the line belongs to: disbursement, else resolution/capture, else creation. */
  date: Date;
  orderCents: number | null;
  loanCents: number | null;
  netCents: number | null;
  feeCents: number | null;
  refundedCents: number;
  disbursedAt: Date | null;
  soisyStatus: string | null;
  differences: Difference[];
}

export interface ReconcileInput {
  payments: ReconPayment[];
  payouts: ReconPayout[];
  now: Date;
  graceDays: number;
}

const DAY_MS = 86_400_000;

function isDisbursed(p: ReconPayout): boolean {
  return p.status === "disbursed" || p.disbursedAt !== null;
}

/** A payment the merchant was paid for: a resolved sale, or an authorization with a resolved capture. */
function expectsPayout(p: ReconPayment): boolean {
  if (p.state !== "resolved") return false;
  return p.kind !== "authorization" || (p.capturedCents !== null && p.capturedCents > 0);
}

function lineDifferences(payment: ReconPayment, payout: ReconPayout | null, input: ReconcileInput): Difference[] {
  const out: Difference[] = [];
  const expected = expectsPayout(payment);
  const orderCents = payment.kind === "authorization" && payment.capturedCents !== null ? payment.capturedCents : payment.amountCents;
  if (!expected) {
    // Only reached with a disbursed payout (the caller skips the rest).
    if (payout) out.push({ reason: "payout_not_resolved", cents: payout.loanNetAmountCents ?? payout.loanAmountCents ?? 0 });
    return out;
  }
  if (payment.refundedCents > 0) out.push({ reason: "refunded", cents: -payment.refundedCents });
  if (payout && isDisbursed(payout)) {
    const loan = payout.loanAmountCents;
    // A loan equal to the order, or to the order less the refunds (Soisy reduced it), is expected.
    if (loan !== null && loan !== orderCents && loan !== orderCents - payment.refundedCents) {
      out.push({ reason: "loan_differs", cents: loan - orderCents });
    }
    if (loan !== null && payout.loanNetAmountCents !== null && payout.feeCents !== null) {
      const gap = payout.loanNetAmountCents + payout.feeCents - loan;
      if (gap !== 0) out.push({ reason: "net_fee_mismatch", cents: gap });
    }
    return out;
  }
  const since = payment.capturedAt ?? payment.resolvedAt ?? payment.createdAt;
  if (input.now.getTime() - since.getTime() > input.graceDays * DAY_MS) {
    out.push({ reason: "missing_payout", cents: -(orderCents - payment.refundedCents) });
  }
  return out;
}

function lineDate(payment: ReconPayment | null, payout: ReconPayout | null): Date {
  return payout?.disbursedAt ?? payment?.capturedAt ?? payment?.resolvedAt ?? payment?.createdAt ?? payout?.requestedAt ?? new Date(0);
}

export function reconcile(input: ReconcileInput): ReconLine[] {
  const byToken = new Map<string, ReconPayment>();
  const byId = new Map<string, ReconPayment>();
  for (const p of input.payments) {
    byId.set(p.id, p);
    if (p.soisyToken) byToken.set(p.soisyToken, p);
  }
  // One payout per payment (its environment's copy first), and the payouts no payment claims.
  const payoutOf = new Map<string, ReconPayout>();
  const unknown = new Map<string, ReconPayout>();
  for (const payout of input.payouts) {
    const payment = byToken.get(payout.soisyOrderReference) ?? (payout.orderReference ? byId.get(payout.orderReference) : undefined);
    if (!payment) {
      const seen = unknown.get(payout.soisyOrderReference);
      if (!seen || (!isDisbursed(seen) && isDisbursed(payout))) unknown.set(payout.soisyOrderReference, payout);
      continue;
    }
    const current = payoutOf.get(payment.id);
    const better =
      !current ||
      (current.environment !== payment.environment && payout.environment === payment.environment) ||
      (current.soisyOrderReference !== payment.soisyToken && payout.soisyOrderReference === payment.soisyToken);
    if (better) payoutOf.set(payment.id, payout);
  }

  const lines: ReconLine[] = [];
  for (const payment of input.payments) {
    const payout = payoutOf.get(payment.id) ?? null;
    if (!expectsPayout(payment) && !(payout && isDisbursed(payout))) continue;
    const orderCents = payment.kind === "authorization" && payment.capturedCents !== null ? payment.capturedCents : payment.amountCents;
    lines.push({
      paymentId: payment.id,
      paymentState: payment.state,
      soisyOrderReference: payout?.soisyOrderReference ?? payment.soisyToken,
      date: lineDate(payment, payout),
      orderCents,
      loanCents: payout?.loanAmountCents ?? null,
      // Paid out: only once Soisy disbursed (before that the row shows the loan, not money received).
      netCents: payout && isDisbursed(payout) ? payout.loanNetAmountCents : null,
      feeCents: payout && isDisbursed(payout) ? payout.feeCents : null,
      refundedCents: payment.refundedCents,
      disbursedAt: payout?.disbursedAt ?? null,
      soisyStatus: payout?.status ?? null,
      differences: lineDifferences(payment, payout, input),
    });
  }
  for (const payout of unknown.values()) {
    if (!isDisbursed(payout)) continue;
    lines.push({
      paymentId: null,
      paymentState: null,
      soisyOrderReference: payout.soisyOrderReference,
      date: lineDate(null, payout),
      orderCents: null,
      loanCents: payout.loanAmountCents,
      netCents: payout.loanNetAmountCents,
      feeCents: payout.feeCents,
      refundedCents: 0,
      disbursedAt: payout.disbursedAt,
      soisyStatus: payout.status,
      differences: [{ reason: "unknown_order", cents: payout.loanNetAmountCents ?? payout.loanAmountCents ?? 0 }],
    });
  }
  return lines.sort((a, b) => b.date.getTime() - a.date.getTime() || (a.paymentId ?? a.soisyOrderReference ?? "").localeCompare(b.paymentId ?? b.soisyOrderReference ?? ""));
}

export interface ReconTotals {
  lines: number;
  orderCents: number;
  loanCents: number;
  netCents: number;
  feeCents: number;
  withDifferences: number;
}

/** Sum of the lines' amounts (null cells count as 0) and how many lines have a difference. */
export function reconTotals(lines: ReconLine[]): ReconTotals {
  let order = 0;
  let loan = 0;
  let net = 0;
  let fee = 0;
  let withDifferences = 0;
  for (const l of lines) {
    order += l.orderCents ?? 0;
    loan += l.loanCents ?? 0;
    net += l.netCents ?? 0;
    fee += l.feeCents ?? 0;
    if (l.differences.length) withDifferences++;
  }
  return { lines: lines.length, orderCents: order, loanCents: loan, netCents: net, feeCents: fee, withDifferences };
}
