/**
 * The app's money kernel: exact conversions between decimal money strings (Shopify: "123.45") and
 * integer euro cents (Soisy: 12345), used by every folder that reads or writes an amount (soisy,
 * shopify requests, payments, settings, scripts). It imports nothing of the app's; formatting money
 * for people is the UI's job (app/i18n/money.ts).
 *
 * Pure string / BigInt arithmetic: never `Math.round(parseFloat(x) * 100)`, which turns "19.99"
 * into 1998 on some inputs and silently rounds others.
 *
 * Accepted decimal syntax (anything else throws `InvalidAmountError`):
 *   - ASCII digits only, an optional "." followed by at least one digit: "5", "5.5", "19.99", "0.10";
 *   - no sign, no spaces, no exponent, no thousands separators, no comma as decimal separator;
 *   - **no leading zeros** in the integer part ("0.50" and "0" are fine, "007.00" and "01.5" are
 *     rejected): such strings never come from Shopify and usually mean a value was mangled upstream;
 *   - at most two significant decimals; extra decimals are accepted only when they are zeros
 *     ("1.230" → 123, exact), "1.234" is rejected because it cannot be represented in cents;
 *   - the result must not exceed `Number.MAX_SAFE_INTEGER` cents.
 */

export class InvalidAmountError extends Error {
  override readonly name = "InvalidAmountError";
  /** The rejected input, rendered for diagnostics (amounts are not secret). */
  readonly input: string;

  constructor(input: unknown, reason: string) {
    const shown = describeInput(input);
    super(`Invalid amount ${shown}: ${reason}`);
    this.input = shown;
  }
}

function describeInput(input: unknown): string {
  if (typeof input === "string") {
    const clipped = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    return JSON.stringify(clipped);
  }
  if (typeof input === "number" || typeof input === "bigint" || typeof input === "boolean") return String(input);
  if (input === null) return "null";
  return `(${typeof input})`;
}

const MAX_CENTS = BigInt(Number.MAX_SAFE_INTEGER);
const DECIMAL_RE = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/** "19.99" → 1999. Throws `InvalidAmountError` on anything that is not an exact, non-negative amount. */
export function parseDecimalToCents(value: string): number {
  if (typeof value !== "string") throw new InvalidAmountError(value, "expected a decimal string");
  if (value.length === 0) throw new InvalidAmountError(value, "empty string");
  if (value.length > 64) throw new InvalidAmountError(value, "too long");
  const match = DECIMAL_RE.exec(value);
  if (!match) {
    let reason = "expected digits with an optional '.' and up to two decimals (e.g. \"123.45\")";
    if (/^[+-]/.test(value)) reason = "signs are not allowed";
    else if (/\s/.test(value)) reason = "whitespace is not allowed";
    else if (value.includes(",")) reason = "use '.' as the decimal separator, without thousands separators";
    else if (/^0[0-9]/.test(value)) reason = "leading zeros are not allowed";
    else if (/[eE]/.test(value)) reason = "exponent notation is not allowed";
    throw new InvalidAmountError(value, reason);
  }
  const intPart = match[1] ?? "0";
  const rawFraction = match[2] ?? "";
  const significant = rawFraction.length > 2 ? rawFraction.slice(0, 2) : rawFraction;
  if (rawFraction.length > 2 && /[^0]/.test(rawFraction.slice(2))) {
    throw new InvalidAmountError(value, "more than two decimals (not representable in cents)");
  }
  const cents = BigInt(intPart) * 100n + BigInt(significant.padEnd(2, "0"));
  if (cents > MAX_CENTS) throw new InvalidAmountError(value, "exceeds the largest supported amount");
  return Number(cents);
}

/** 1999 → "19.99", 10 → "0.10", -5 → "-0.05". Throws `InvalidAmountError` on non-safe-integers. */
export function centsToDecimal(cents: number): string {
  assertCents(cents);
  const negative = cents < 0;
  const digits = String(Math.abs(cents)).padStart(3, "0");
  const body = `${digits.slice(0, -2)}.${digits.slice(-2)}`;
  return negative ? `-${body}` : body;
}

/** Throws `InvalidAmountError` unless `cents` is a safe integer (the UI formatters check with it too). */
export function assertCents(cents: number): void {
  if (typeof cents !== "number" || !Number.isSafeInteger(cents)) {
    throw new InvalidAmountError(cents, "cents must be a safe integer");
  }
}
