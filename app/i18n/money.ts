/**
 * The one money format of the UI: every amount a merchant or a shopper reads goes through
 * `formatEuro` or `formatMoney` (exact cents ↔ decimal conversions are the kernel's,
 * app/money/cents.ts). Euro is written "€ 1.234,56" (it) / "€1,234.56" (en); another currency
 * (Shopify may send one the app then refuses) uses Intl with the same grouping, from the exact
 * decimal string, never a float. CSV exports keep their machine format ("1234.56").
 */
import { assertCents, centsToDecimal } from "~/money/cents";
import type { Locale } from "./i18n";

const INTL_LOCALE: Record<Locale, string> = { it: "it-IT", en: "en-GB" };

const euroFormatters: Record<Locale, Intl.NumberFormat> = {
  it: new Intl.NumberFormat("it-IT", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" }),
  en: new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: "always" }),
};

/**
 * 123456 → "€ 1.234,56" (it) / "€1,234.56" (en). Grouping is always applied (Italian CLDR would
 * otherwise print "1234,56"). The number is formatted from its exact decimal string, never a float.
 */
export function formatEuro(cents: number, locale: Locale = "it"): string {
  assertCents(cents);
  const formatter = euroFormatters[locale];
  if (!formatter) throw new RangeError(`Unsupported locale ${String(locale)}`);
  const negative = cents < 0;
  const abs = centsToDecimal(Math.abs(cents));
  const number = formatter.format(abs as Intl.StringNumericLiteral);
  const sign = negative ? "-" : "";
  return locale === "it" ? `${sign}€ ${number}` : `${sign}€${number}`;
}

export function formatMoney(cents: number, currency: string, locale: Locale): string {
  if (currency === "EUR") return formatEuro(cents, locale);
  try {
    const formatter = new Intl.NumberFormat(INTL_LOCALE[locale], { style: "currency", currency, useGrouping: "always" });
    return formatter.format(centsToDecimal(cents) as Intl.StringNumericLiteral);
  } catch {
    // Not an ISO 4217 code: the amount with the code as Shopify sent it.
    return `${centsToDecimal(cents)} ${currency}`;
  }
}
