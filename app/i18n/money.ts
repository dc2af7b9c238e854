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

/**
 * 123456 → "€ 1.234,56" (it) / "€1,234.56" (en), grouping always applied. Written by hand, not with
 * Intl: Node's and the browser's ICU data differ (e.g. the space before "€"), and the pre-approval
 * page renders on both — any difference between the server's HTML and the browser's first render makes
 * React re-render the page and drop what the shopper has already typed. Integer arithmetic on cents,
 * never a float.
 */
export function formatEuro(cents: number, locale: Locale = "it"): string {
  assertCents(cents);
  if (locale !== "it" && locale !== "en") throw new RangeError(`Unsupported locale ${String(locale)}`);
  const euros = Math.floor(Math.abs(cents) / 100);
  const rest = String(Math.abs(cents) % 100).padStart(2, "0");
  const sign = cents < 0 ? "-" : "";
  const grouped = String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, locale === "it" ? "." : ",");
  return locale === "it" ? `${sign}€ ${grouped},${rest}` : `${sign}€${grouped}.${rest}`;
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
