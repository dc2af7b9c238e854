/**
 * Whether Soisy's own data proves that the merchant settled a payment's open refunds at Soisy (Soisy
 * has no refund API: the merchant cancels the loan or reduces it in Soisy's back office). Pure and
 * total; refund-settle.server.ts reads the order and acts on the verdict.
 *
 * The baseline is the loan before the open refunds: the loan Soisy granted (the order amount of a
 * sale, what was captured of an authorization) minus every refund already resolved or being resolved.
 * - Soisy says `cancelled` and the open refunds together give back the whole baseline → resolve them.
 * - `loanAmount` equals the baseline → the merchant has not acted yet: wait.
 * - `loanAmount` is lower than the baseline by D, and exactly ONE set of open refunds adds up to D →
 *   resolve that set (the others wait). No set, or several (two refunds of the same amount, …) → ambiguous.
 * - Anything else (cancelled but the refunds give back only part of it, a loan higher than the baseline,
 *   no loanAmount, a status a refunded loan cannot have, a payment whose loan never matched the order,
 *   …) → ambiguous: the refunds stay with the merchant, with what Soisy showed and why.
 */

/** Soisy statuses of a granted loan whose amount the merchant can reduce. */
export const REDUCIBLE_STATUSES = ["waiting_for_verification", "waiting_for_disbursement", "waiting_for_trigger", "disbursed"] as const;
/** Beyond this many open refunds on one payment the sets are not enumerated: ambiguous. */
export const MAX_OPEN_REFUNDS = 12;

export interface OpenRefund {
  id: string;
  amountCents: number;
}

export interface SettleInput {
  /** The loan Soisy granted for this payment, cents (null: unknown → ambiguous). */
  originalLoanCents: number | null;
  /** True when the loan never matched the Shopify amount (the payment was held for review). */
  amountMismatch: boolean;
  /** Cents of this payment's refunds already resolved or being resolved. */
  settledRefundCents: number;
  /** Refunds awaiting the merchant, oldest first. */
  open: OpenRefund[];
  /** What Soisy's GET /orders/{token} showed. */
  soisy: { status: string; loanAmountCents: number | null };
}

export const AMBIGUOUS_REASONS = [
  "payment_amount_mismatch",
  "loan_unknown",
  "cancelled_partial",
  "status_unknown",
  "loan_amount_missing",
  "loan_higher",
  "reduced_other_amount",
  "reduced_several_ways",
  "too_many_refunds",
] as const;
export type AmbiguousReason = (typeof AMBIGUOUS_REASONS)[number];

/** The timeline types the pass writes (source "app"): a refund settled, or left to the merchant. */
export const REFUND_SETTLED_TYPE = "refund_settled_from_soisy";
export const REFUND_AMBIGUOUS_TYPE = "refund_soisy_ambiguous";

export interface Evidence {
  status: string;
  /** The baseline: the loan before the open refunds, cents. */
  loanBeforeCents: number | null;
  /** Soisy's loanAmount now, cents (null when Soisy did not say). */
  loanAfterCents: number | null;
}

export type SettleVerdict =
  | { kind: "resolve"; reason: "cancelled" | "reduced"; refundIds: string[]; evidence: Evidence }
  | { kind: "wait"; evidence: Evidence }
  | { kind: "ambiguous"; reason: AmbiguousReason; evidence: Evidence };

export function decideRefundSettlement(input: SettleInput): SettleVerdict {
  const { soisy, open } = input;
  const before = input.originalLoanCents === null ? null : input.originalLoanCents - input.settledRefundCents;
  const evidence: Evidence = { status: soisy.status, loanBeforeCents: before, loanAfterCents: soisy.loanAmountCents };
  const ambiguous = (reason: AmbiguousReason): SettleVerdict => ({ kind: "ambiguous", reason, evidence });
  if (input.amountMismatch) return ambiguous("payment_amount_mismatch");
  if (before === null || before <= 0) return ambiguous("loan_unknown");
  const openCents = open.reduce((sum, r) => sum + r.amountCents, 0);
  if (soisy.status === "cancelled") {
    return openCents === before ? { kind: "resolve", reason: "cancelled", refundIds: open.map((r) => r.id), evidence } : ambiguous("cancelled_partial");
  }
  if (!(REDUCIBLE_STATUSES as readonly string[]).includes(soisy.status)) return ambiguous("status_unknown");
  const after = soisy.loanAmountCents;
  if (after === null) return ambiguous("loan_amount_missing");
  if (after === before) return { kind: "wait", evidence };
  if (after > before) return ambiguous("loan_higher");
  if (open.length > MAX_OPEN_REFUNDS) return ambiguous("too_many_refunds");
  const sets = setsAddingUpTo(open, before - after, 2);
  if (sets.length === 0) return ambiguous("reduced_other_amount");
  if (sets.length > 1) return ambiguous("reduced_several_ways");
  return { kind: "resolve", reason: "reduced", refundIds: sets[0]!.map((r) => r.id), evidence };
}

/** Up to `limit` sets of refunds (kept in their order) whose amounts add up to `target` exactly. */
function setsAddingUpTo(refunds: OpenRefund[], target: number, limit: number): OpenRefund[][] {
  const found: OpenRefund[][] = [];
  const walk = (from: number, left: number, chosen: OpenRefund[]): void => {
    if (found.length >= limit) return;
    if (left === 0 && chosen.length > 0) {
      found.push([...chosen]);
      return;
    }
    for (let i = from; i < refunds.length; i++) {
      const refund = refunds[i]!;
      if (refund.amountCents > left) continue;
      chosen.push(refund);
      walk(i + 1, left - refund.amountCents, chosen);
      chosen.pop();
    }
  };
  walk(0, target, []);
  return found;
}

/** A key for one distinct observation of a verdict (the timeline records each once). */
export function observationKey(verdict: SettleVerdict): string {
  const e = verdict.evidence;
  return `${verdict.kind === "ambiguous" ? verdict.reason : verdict.kind}:${e.status}:${e.loanBeforeCents ?? "-"}:${e.loanAfterCents ?? "-"}`;
}

export const SETTLE_MIN_INTERVAL_MS = 60_000;
export const SETTLE_MAX_INTERVAL_MS = 6 * 3_600_000;

/**
 * The wait between two reads of one payment's order: a quarter of its newest open refund's age,
 * between 1 minute and 6 hours (a refund the merchant just made at Soisy is seen within minutes; one
 * left for weeks costs four reads a day).
 */
export function settleIntervalMs(ageMs: number): number {
  return Math.min(SETTLE_MAX_INTERVAL_MS, Math.max(SETTLE_MIN_INTERVAL_MS, Math.floor(Math.max(0, ageMs) / 4)));
}
