/**
 * The widget quote the app must answer for an amount, built from the Soisy simulator's own numbers
 * (test/simulators/soisy/quotes.ts) and the shop's options: the expected body of `/proxy/quote` and
 * of `getWidgetQuote` when available (interest-bearing, i.e. zero-interest off). The representative
 * example is the simulator's median profile, written out field by field on purpose (not through the
 * app's own mapping).
 */
import { DEFAULT_SHOP_OPTIONS } from "~/settings/shop-defaults";
import { computeQuotes } from "../simulators/soisy";

export function expectedExample(amount: number, instalments: number, zeroInterest = false) {
  const m = computeQuotes(amount, instalments, zeroInterest).median;
  return {
    profile: "median",
    cashPrice: amount,
    advance: 0,
    credit: amount,
    instalments,
    months: instalments,
    instalment: m.instalmentAmount,
    tan: m.interestRate,
    taeg: m.apr,
    interest: m.interest,
    fees: m.fee,
    total: m.totalRepaid,
    zeroInterest,
  };
}

/** The lender of the app's default configuration (LENDER_* unset). */
export const DEFAULT_LENDER = {
  name: "Soisy S.p.A.",
  registration: "",
  transparencyUrl: "https://www.soisy.it/",
  privacyUrl: "https://www.soisy.it/privacy-policy/",
  contactUrl: "https://www.soisy.it/",
};

export function expectedAvailableQuote(
  amount: number,
  options: { instalments?: number; minAmount?: number; maxAmount?: number; lender?: boolean } = {},
) {
  const instalments = options.instalments ?? DEFAULT_SHOP_OPTIONS.widgetInstalments;
  return {
    available: true,
    amount,
    instalments,
    zeroInterest: false,
    example: expectedExample(amount, instalments),
    ...(options.lender === false ? {} : { lender: DEFAULT_LENDER }),
    minAmount: options.minAmount ?? DEFAULT_SHOP_OPTIONS.minAmountCents,
    maxAmount: options.maxAmount ?? DEFAULT_SHOP_OPTIONS.maxAmountCents,
  };
}
