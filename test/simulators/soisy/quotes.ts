/**
 * Deterministic, plausible loan quotes (the simulator's own pricing, not Soisy's):
 * - three profiles with TAN (interestRate) 4.90 % (min), 7.90 % (median), 9.90 % (max);
 * - French amortisation, instalment rounded up to the cent;
 * - fee: €16 stamp duty ("imposta di bollo") on loans above €77.47, charged with the first instalment;
 * - TAEG (apr) is the annualised internal rate of return including the fee, 2 decimals;
 * - zero interest ("tasso zero"): TAN 0, TAEG 0, no fee, instalment = ceil(amount / n).
 * All money in integer cents.
 */

export interface SimQuote {
  instalmentAmount: number;
  totalRepaid: number;
  fee: number;
  interest: number;
  interestRate: number;
  apr: number;
}

export interface SimQuotes {
  min: SimQuote;
  median: SimQuote;
  max: SimQuote;
}

export const QUOTE_RATES = { min: 4.9, median: 7.9, max: 9.9 } as const;
const STAMP_DUTY_CENTS = 1600;
const STAMP_DUTY_THRESHOLD_CENTS = 7747;

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function presentValue(monthlyRate: number, amount: number, instalment: number, n: number, fee: number): number {
  let pv = 0;
  for (let k = 1; k <= n; k++) pv += instalment / (1 + monthlyRate) ** k;
  return pv + fee / (1 + monthlyRate);
}

function annualisedIrr(amount: number, instalment: number, n: number, fee: number): number {
  let lo = 0;
  let hi = 1; // 100 % a month: far above anything plausible
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (presentValue(mid, amount, instalment, n, fee) > amount) lo = mid;
    else hi = mid;
  }
  return ((1 + lo) ** 12 - 1) * 100;
}

export function quoteFor(amount: number, n: number, tan: number): SimQuote {
  const r = tan / 1200;
  const instalmentAmount = r === 0 ? Math.ceil(amount / n) : Math.ceil((amount * r) / (1 - (1 + r) ** -n));
  const fee = amount > STAMP_DUTY_THRESHOLD_CENTS ? STAMP_DUTY_CENTS : 0;
  const interest = Math.max(0, instalmentAmount * n - amount);
  return {
    instalmentAmount,
    totalRepaid: amount + interest + fee,
    fee,
    interest,
    interestRate: tan,
    apr: round2(annualisedIrr(amount, instalmentAmount, n, fee)),
  };
}

export function computeQuotes(amount: number, instalments: number, zeroInterestRate: boolean): SimQuotes {
  if (zeroInterestRate) {
    const instalmentAmount = Math.ceil(amount / instalments);
    const q: SimQuote = { instalmentAmount, totalRepaid: amount, fee: 0, interest: 0, interestRate: 0, apr: 0 };
    return { min: { ...q }, median: { ...q }, max: { ...q } };
  }
  return {
    min: quoteFor(amount, instalments, QUOTE_RATES.min),
    median: quoteFor(amount, instalments, QUOTE_RATES.median),
    max: quoteFor(amount, instalments, QUOTE_RATES.max),
  };
}
