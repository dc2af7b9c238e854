/**
 * Can this Shopify payment session be paid with Soisy? Pure: the caller passes the session and the
 * shop's settings. Checks run in this order and the first failure wins:
 *   1. the shop: uninstalled, or no Soisy credentials for the session's environment, or a live
 *      session on a shop that has not finished setup (ready) → PROCESSING_ERROR. Test sessions need
 *      only the sandbox credentials (`configured`), since test mode is how a merchant tries the app
 *      before going live;
 *   2. kind ≠ "sale" → INVALID_PURCHASE_TYPE, except "authorization" when the shop funds at
 *      fulfilment (`fundOn`, docs/fund-on-fulfilment.md: Soisy's suspended orders); an authorization
 *      on a shop funding at approval is refused with a message naming the setting;
 *   3. currency ≠ "EUR" → INVALID_CURRENCY;
 *   4. amount < min → AMOUNT_TOO_SMALL, amount > max → AMOUNT_TOO_LARGE (min and max themselves are
 *      eligible; a non-integer amount counts as too small);
 *   5. billing country known and not in allowedCountries → PAYMENT_METHOD_UNSUPPORTED. An unknown
 *      country is eligible: Soisy's webapp collects the address.
 * `merchantMessage` is English, for Shopify's merchantMessage of paymentSessionReject.
 */
import { centsToDecimal } from "~/money/cents";
import type { FundOn } from "~/settings/fund-on";
import type { RejectCode } from "./lifecycle";

export interface EligibilityInput {
  currency: string;
  amountCents: number;
  kind: string;
  billingCountry: string | null;
  test: boolean;
  shop: {
    /** Soisy credentials for the session's environment (sandbox when test) are present. */
    configured: boolean;
    /** The app told Shopify the merchant finished setup (paymentsAppConfigure ready). */
    ready: boolean;
    minAmountCents: number;
    maxAmountCents: number;
    /** ISO 3166-1 alpha-2 codes allowed for the billing address. */
    allowedCountries: string[];
    uninstalled: boolean;
    /** "When Soisy funds": authorizations are accepted only at "fulfilment". */
    fundOn: FundOn;
  };
}

export type IneligibleReason = "shop_not_ready" | "unsupported_kind" | "currency" | "amount_too_small" | "amount_too_large" | "country";

export type Eligibility =
  | { eligible: true }
  | { eligible: false; code: RejectCode; reason: IneligibleReason; merchantMessage: string };

export function checkEligibility(input: EligibilityInput): Eligibility {
  const { shop } = input;
  if (shop.uninstalled) return no("PROCESSING_ERROR", "shop_not_ready", "The Soisy app is not installed on this shop.");
  if (!shop.configured) {
    const which = input.test ? "sandbox (test)" : "production";
    return no("PROCESSING_ERROR", "shop_not_ready", `Soisy ${which} credentials are not set up in the Soisy app.`);
  }
  if (!input.test && !shop.ready) {
    return no("PROCESSING_ERROR", "shop_not_ready", "The Soisy app setup is not complete for live payments.");
  }
  if (input.kind === "authorization" && shop.fundOn !== "fulfilment") {
    return no(
      "INVALID_PURCHASE_TYPE",
      "unsupported_kind",
      "Authorizations need the Soisy app setting \"When Soisy funds\" (\"Quando Soisy finanzia\") set to \"at fulfilment\"; this shop funds at approval.",
    );
  }
  if (input.kind !== "sale" && input.kind !== "authorization") {
    return no("INVALID_PURCHASE_TYPE", "unsupported_kind", `Soisy supports sales and authorizations only, not "${clip(input.kind)}" payments.`);
  }
  if (input.currency !== "EUR") {
    return no("INVALID_CURRENCY", "currency", `Soisy accepts payments in EUR only, not ${clip(input.currency)}.`);
  }
  // Written so that NaN or a non-integer amount fails as "too small" instead of passing both checks.
  if (!(Number.isSafeInteger(input.amountCents) && input.amountCents >= shop.minAmountCents)) {
    return no("AMOUNT_TOO_SMALL", "amount_too_small", `The amount is below the Soisy minimum of €${euros(shop.minAmountCents)}.`);
  }
  if (input.amountCents > shop.maxAmountCents) {
    return no("AMOUNT_TOO_LARGE", "amount_too_large", `The amount is above the Soisy maximum of €${euros(shop.maxAmountCents)}.`);
  }
  const country = input.billingCountry?.trim().toUpperCase() ?? "";
  if (country !== "" && !shop.allowedCountries.some((c) => c.trim().toUpperCase() === country)) {
    return no(
      "PAYMENT_METHOD_UNSUPPORTED",
      "country",
      `Soisy instalments are not offered for billing addresses in ${clip(country)} (allowed: ${shop.allowedCountries.join(", ") || "none"}).`,
    );
  }
  return { eligible: true };
}

function no(code: RejectCode, reason: IneligibleReason, merchantMessage: string): Eligibility {
  return { eligible: false, code, reason, merchantMessage };
}

/** 10000 → "100.00". */
function euros(cents: number): string {
  return Number.isSafeInteger(cents) ? centsToDecimal(cents) : String(cents);
}

/** Untrusted strings echoed in a message are kept short. */
function clip(value: string): string {
  return value.length > 20 ? `${value.slice(0, 20)}…` : value;
}
