/**
 * The representative example of credit advertising (docs/compliance.md): one loan, taken from one
 * profile of Soisy's loan quote, with every figure the shopper must see. Every surface (the widget's
 * headline and details, the settings preview, the in-store pre-approval options) shows these figures
 * and nothing else, so the same amount reads the same everywhere. Pure: no I/O.
 *
 * Profile: Soisy's `median` ("typical applicant") quote. Soisy's `min` and `max` profiles are never
 * mixed in: a range of rates next to one instalment would describe no loan at all.
 */
import type { LoanQuote, LoanQuotes } from "~/soisy/types";

/** The profile of Soisy's `{min, median, max}` loan quote the example is taken from. */
export const REPRESENTATIVE_PROFILE = "median" as const;

export interface RepresentativeExample {
  profile: typeof REPRESENTATIVE_PROFILE;
  /** Cash price of the good or cart, cents. */
  cashPrice: number;
  /** Advance paid at purchase, cents (Soisy finances the whole price: 0). */
  advance: number;
  /** Total amount of credit, cents. */
  credit: number;
  instalments: number;
  /** Duration of the loan in months (monthly instalments). */
  months: number;
  /** Monthly instalment, cents. */
  instalment: number;
  /** Fixed borrowing rate (TAN), percent. */
  tan: number;
  /** Annual percentage rate of charge (TAEG), percent. */
  taeg: number;
  /** Interest over the whole loan, cents. */
  interest: number;
  /** Other costs included in the total (Soisy's `fee`: stamp duty), cents. */
  fees: number;
  /** Total amount payable by the shopper, cents. */
  total: number;
  /** A zero-interest offer ("tasso zero"): TAN and TAEG are 0. */
  zeroInterest: boolean;
}

export interface ExampleRequest {
  amountCents: number;
  instalments: number;
  zeroInterest: boolean;
}

/**
 * The example from one Soisy loan-quotes answer. The total payable is Soisy's `totalRepaid` when it is
 * consistent with its own parts (credit + interest + fees, or instalments + fees within a cent per
 * instalment of rounding); otherwise the answer is not advertised (null): a figure that does not add
 * up must never reach a shopper.
 */
export function representativeExample(quotes: LoanQuotes, request: ExampleRequest): RepresentativeExample | null {
  const q: LoanQuote = quotes[REPRESENTATIVE_PROFILE];
  const example: RepresentativeExample = {
    profile: REPRESENTATIVE_PROFILE,
    cashPrice: request.amountCents,
    advance: 0,
    credit: request.amountCents,
    instalments: request.instalments,
    months: request.instalments,
    instalment: q.instalmentAmount,
    tan: q.interestRate,
    taeg: q.apr,
    interest: q.interest,
    fees: q.fee,
    total: q.totalRepaid,
    zeroInterest: request.zeroInterest,
  };
  return isConsistent(example) ? example : null;
}

/**
 * The figures belong to one loan: instalments × n plus fees is the total (within the quote's rounding:
 * less than one cent per instalment), and so is credit + interest + fees; a zero-interest offer has
 * TAN 0 and TAEG 0; nothing is negative or fractional.
 */
export function isConsistent(e: RepresentativeExample): boolean {
  const cents = [e.cashPrice, e.advance, e.credit, e.instalment, e.interest, e.fees, e.total];
  if (!cents.every((c) => Number.isSafeInteger(c) && c >= 0)) return false;
  if (!(Number.isInteger(e.instalments) && e.instalments > 0 && e.instalment > 0)) return false;
  if (!(Number.isFinite(e.tan) && Number.isFinite(e.taeg) && e.tan >= 0 && e.taeg >= 0)) return false;
  if (e.zeroInterest && (e.tan !== 0 || e.taeg !== 0 || e.interest !== 0)) return false;
  if (e.credit + e.advance !== e.cashPrice) return false;
  const byInstalments = e.instalment * e.instalments + e.fees;
  if (Math.abs(byInstalments - e.total) >= e.instalments) return false;
  return Math.abs(e.credit + e.interest + e.fees - e.total) < e.instalments;
}
