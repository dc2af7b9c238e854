/**
 * The dashboard's figures from grouped rows (pure: no database). The definitions, also in
 * docs/dashboard.md:
 *
 * - Population: the shop's payment sessions created (`createdAt`) in the period, whole days in
 *   Europe/Rome, of ONE mode: live (Shopify's `test` = false, Soisy production) or test (sandbox).
 * - started: the shopper went on to Soisy: every state except "received" (the app has not sent the
 *   shopper anywhere yet) and "not_eligible" (Soisy was never offered).
 * - approved: state "resolved"; refused: "rejected"; abandoned: "abandoned"; in progress: the rest
 *   ("preapproval", "redirected", "confirming", "pending"). approved + refused + abandoned +
 *   in progress = started.
 * - conversion: approved ÷ started, a percentage with one decimal rounded half up, integer arithmetic;
 *   null ("—") when nothing started.
 * - financed: Σ of Soisy's loan amount (`soisyLoanAmountCents`, the order amount when the app never
 *   read one) over approved payments, cents.
 * - average instalments: Σ instalments ÷ count over approved payments that Soisy's order list
 *   (SoisyPayout, joined on orderReference = payment id) reports with a number of instalments;
 *   tenths, rounded half up; null when none.
 * - average time to verification: for started payments with a Soisy observation reporting the loan
 *   verified or later (see metrics.server.ts), the whole seconds from the payment's creation to the
 *   first such observation, averaged and rounded half up to a second; null when none.
 * - daily volume: started, approved and financed per Rome day of `createdAt`.
 */
import type { Day } from "./period";
import { romeDay } from "./period";

/** One group of the period's started payments: the UTC hour of creation (epoch ms ÷ 3 600 000) and the state. */
export interface HourStateGroup {
  hour: number;
  state: string;
  count: number;
  /** Σ COALESCE(soisyLoanAmountCents, amountCents), cents. */
  valueCents: number;
}

export interface DayVolume {
  day: Day;
  started: number;
  approved: number;
  financedCents: number;
}

export interface StateTotals {
  started: number;
  approved: number;
  refused: number;
  abandoned: number;
  inProgress: number;
  financedCents: number;
}

export interface DashboardMetrics extends StateTotals {
  /** Conversion in tenths of a percent (e.g. 667 = 66.7 %), null when nothing started. */
  conversionTenths: number | null;
  /** Average instalments in tenths (e.g. 105 = 10.5), null when Soisy reported none. */
  averageInstalmentsTenths: number | null;
  /** How many approved payments the instalment average is over. */
  instalmentsBasis: number;
  /** Average seconds from checkout to Soisy's verification, null when none was verified. */
  averageVerificationSeconds: number | null;
  /** How many payments the verification average is over. */
  verificationBasis: number;
  daily: DayVolume[];
}

/** States that never reached Soisy, outside "started". */
export const NOT_STARTED_STATES = ["received", "not_eligible"] as const;

/** round(numerator ÷ denominator), halves up, for non-negative integers. */
export function divideRoundHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator <= 0) {
    throw new RangeError(`Cannot divide ${numerator} by ${denominator}`);
  }
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** approved ÷ started in tenths of a percent, or null when nothing started. */
export function conversionTenths(approved: number, started: number): number | null {
  return started === 0 ? null : divideRoundHalfUp(approved * 1000, started);
}

/** sum ÷ count in tenths, or null when count is 0. */
export function averageTenths(sum: number, count: number): number | null {
  return count === 0 ? null : divideRoundHalfUp(sum * 10, count);
}

/** Totals by outcome from the grouped rows. */
export function stateTotals(groups: HourStateGroup[]): StateTotals {
  const totals: StateTotals = { started: 0, approved: 0, refused: 0, abandoned: 0, inProgress: 0, financedCents: 0 };
  for (const g of groups) {
    totals.started += g.count;
    if (g.state === "resolved") {
      totals.approved += g.count;
      totals.financedCents += g.valueCents;
    } else if (g.state === "rejected") totals.refused += g.count;
    else if (g.state === "abandoned") totals.abandoned += g.count;
    else totals.inProgress += g.count;
  }
  return totals;
}

/**
 * Per Rome day of the period, from UTC-hour groups: Rome's offset from UTC is always whole hours,
 * so each UTC hour lies in exactly one Rome day (also on the days of 23 and 25 hours).
 */
export function dailyVolume(groups: HourStateGroup[], days: Day[]): DayVolume[] {
  const byDay = new Map<Day, DayVolume>(days.map((day) => [day, { day, started: 0, approved: 0, financedCents: 0 }]));
  for (const g of groups) {
    const bucket = byDay.get(romeDay(g.hour * 3_600_000));
    if (!bucket) continue;
    bucket.started += g.count;
    if (g.state === "resolved") {
      bucket.approved += g.count;
      bucket.financedCents += g.valueCents;
    }
  }
  return [...byDay.values()];
}

export function buildMetrics(input: {
  groups: HourStateGroup[];
  days: Day[];
  instalments: { sum: number; count: number };
  verification: { totalSeconds: number; count: number };
}): DashboardMetrics {
  const totals = stateTotals(input.groups);
  return {
    ...totals,
    conversionTenths: conversionTenths(totals.approved, totals.started),
    averageInstalmentsTenths: averageTenths(input.instalments.sum, input.instalments.count),
    instalmentsBasis: input.instalments.count,
    averageVerificationSeconds: input.verification.count === 0 ? null : divideRoundHalfUp(input.verification.totalSeconds, input.verification.count),
    verificationBasis: input.verification.count,
    daily: dailyVolume(input.groups, input.days),
  };
}

/** Tenths as text with one decimal: 667 → "66,7" (it) / "66.7" (en). */
export function formatTenths(tenths: number, locale: "it" | "en"): string {
  const whole = String(Math.floor(tenths / 10)).replace(/\B(?=(\d{3})+(?!\d))/g, locale === "it" ? "." : ",");
  return `${whole}${locale === "it" ? "," : "."}${tenths % 10}`;
}

/** A duration in whole seconds split for people: days, hours, minutes (seconds only under a minute). */
export function durationParts(seconds: number): { days: number; hours: number; minutes: number; seconds: number } {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return { days, hours, minutes, seconds: seconds < 60 ? seconds : 0 };
}

/** The bar heights of the chart: each value scaled to `height`, the largest filling it; 0 stays 0, others ≥ 1. */
export function barHeights(values: number[], height: number): number[] {
  const max = Math.max(0, ...values);
  if (max === 0) return values.map(() => 0);
  return values.map((v) => (v <= 0 ? 0 : Math.max(1, Math.round((v * height) / max))));
}
