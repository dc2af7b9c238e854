/**
 * The one money format of the admin: every amount the merchant reads goes through `formatMoney`.
 * Euro uses the project's exact formatter (`formatEuro`: "€ 1.234,56" / "€1,234.56"); another
 * currency (Shopify may send one the app then refuses) uses Intl with the same grouping, from the
 * exact decimal string, never a float. CSV exports keep their machine format ("1234.56").
 */
import { centsToDecimal, formatEuro } from "~/soisy/money";
import type { Locale } from "./i18n";

const INTL_LOCALE: Record<Locale, string> = { it: "it-IT", en: "en-GB" };

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
