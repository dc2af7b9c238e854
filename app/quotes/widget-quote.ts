/**
 * Pure pieces of the instalment-widget quotes: the answer's types, the cache key and the mapping of
 * Soisy's `{min, median, max}` loan quotes to the widget's answer. No I/O here.
 */
import type { LoanQuotes } from "~/soisy/types";

export type QuoteEnvironment = "sandbox" | "production";

/**
 * Why no quote is shown (the widget hides itself for all of them). `busy`: the Soisy account's limit
 * on storefront cache misses is used up (HTTP 429); never cached.
 */
export type QuoteUnavailableReason = "not_ready" | "out_of_range" | "not_configured" | "soisy_unavailable" | "busy";

export interface Range {
  min: number;
  max: number;
}

export interface AvailableQuote {
  available: true;
  /** The financed amount, cents. */
  amount: number;
  instalments: number;
  zeroInterest: boolean;
  /** Monthly instalment of the median ("typical") profile, cents. */
  instalmentAmount: number;
  /** Total repaid by the median profile (amount + interest + fees), cents. */
  totalRepaid: number;
  /** TAN, percent (e.g. 7.9), from Soisy's min and max profiles. */
  tan: Range;
  /** TAEG, percent, from Soisy's min and max profiles. */
  taeg: Range;
  /** Total repaid by the min and max profiles, cents. */
  totalRepaidRange: Range;
  /** The shop's amount range (cents), so a widget can tell the shopper where Soisy applies. */
  minAmount: number;
  maxAmount: number;
}

export interface UnavailableQuote {
  available: false;
  reason: QuoteUnavailableReason;
  /** The shop's amount range (cents), when known (only with "out_of_range"). */
  minAmount?: number;
  maxAmount?: number;
}

export type WidgetQuote = AvailableQuote | UnavailableQuote;

/** What decides Soisy's answer: the cache key's parts. */
export interface QuoteKeyParts {
  environment: QuoteEnvironment;
  soisyShopId: string;
  amountCents: number;
  instalments: number;
  zeroInterest: boolean;
}

/**
 * The cache key of one Soisy loan-quotes answer. Every part is validated upstream (the shop id holds
 * only [A-Za-z0-9_-], the numbers are integers) so "|" cannot appear inside a part.
 */
export function quoteCacheKey(p: QuoteKeyParts): string {
  return `${p.environment}|${p.soisyShopId}|${p.amountCents}|${p.instalments}|${p.zeroInterest ? "z1" : "z0"}`;
}

/** Soisy's quotes → the widget's answer (without the shop's range, added by the caller). */
export function quoteFromLoanQuotes(
  q: LoanQuotes,
  request: { amountCents: number; instalments: number; zeroInterest: boolean },
): Omit<AvailableQuote, "minAmount" | "maxAmount"> {
  const lo = Math.min(q.min.interestRate, q.max.interestRate);
  const hi = Math.max(q.min.interestRate, q.max.interestRate);
  const aprLo = Math.min(q.min.apr, q.max.apr);
  const aprHi = Math.max(q.min.apr, q.max.apr);
  const totalLo = Math.min(q.min.totalRepaid, q.max.totalRepaid);
  const totalHi = Math.max(q.min.totalRepaid, q.max.totalRepaid);
  return {
    available: true,
    amount: request.amountCents,
    instalments: request.instalments,
    zeroInterest: request.zeroInterest,
    instalmentAmount: q.median.instalmentAmount,
    totalRepaid: q.median.totalRepaid,
    tan: { min: lo, max: hi },
    taeg: { min: aprLo, max: aprHi },
    totalRepaidRange: { min: totalLo, max: totalHi },
  };
}
