/**
 * Why Soisy cannot pay this order, in words the shopper understands (their language), from the reject
 * code the app sent Shopify (eligibility.ts) and the shop's settings. Null when there is nothing more
 * specific to say than the generic "Soisy cannot be used for this cart".
 */
import { translator, type Locale } from "~/i18n/i18n";
import { formatEuro } from "~/i18n/money";
import { centsToDecimal } from "~/money/cents";

export interface DeclineFacts {
  rejectReasonCode: string | null;
  amountCents: number;
  currency: string;
  shop: { minAmountCents: number; maxAmountCents: number; allowedCountries: string[] } | null;
}

export function declineText(facts: DeclineFacts, locale: Locale): string | null {
  const t = translator(locale);
  const { shop } = facts;
  switch (facts.rejectReasonCode) {
    case "AMOUNT_TOO_SMALL":
    case "AMOUNT_TOO_LARGE":
      if (!shop) return null;
      return t("decline.amountRange", {
        min: formatEuro(shop.minAmountCents, locale),
        max: formatEuro(shop.maxAmountCents, locale),
        amount: money(facts.amountCents, facts.currency, locale),
      });
    case "INVALID_CURRENCY":
      return t("decline.currency", { currency: facts.currency.slice(0, 3) });
    case "PAYMENT_METHOD_UNSUPPORTED":
      if (!shop?.allowedCountries.length) return null;
      return t("decline.country", { countries: countryNames(shop.allowedCountries, locale) });
    case "INVALID_PURCHASE_TYPE":
      return t("decline.kind");
    case "PROCESSING_ERROR":
      return t("decline.shopNotReady");
    default:
      return null;
  }
}

function money(cents: number, currency: string, locale: Locale): string {
  if (!Number.isSafeInteger(cents)) return "—";
  return currency === "EUR" ? formatEuro(cents, locale) : `${centsToDecimal(cents)} ${currency.slice(0, 3)}`;
}

/** ["IT", "SM"] → "Italia, San Marino" (it) / "Italy, San Marino" (en); unknown codes stay as written. */
function countryNames(codes: string[], locale: Locale): string {
  const names = new Intl.DisplayNames([locale], { type: "region", fallback: "code" });
  return codes
    .map((code) => {
      try {
        return names.of(code.trim().toUpperCase()) ?? code;
      } catch {
        return code;
      }
    })
    .join(", ");
}
