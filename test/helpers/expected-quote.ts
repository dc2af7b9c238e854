/**
 * The widget quote the app must answer for an amount, built from the Soisy simulator's own numbers
 * (test/simulators/soisy/quotes.ts) and the shop's options: the expected body of `/proxy/quote` and
 * of `getWidgetQuote` when available (interest-bearing, i.e. zero-interest off). Literal TAN bounds on purpose (the simulator's 4.9 / 9.9 %).
 */
import { DEFAULT_SHOP_OPTIONS } from "../../scripts/lib/local-stack";
import { computeQuotes } from "../simulators/soisy";

export function expectedAvailableQuote(
  amount: number,
  options: { instalments?: number; minAmount?: number; maxAmount?: number } = {},
) {
  const instalments = options.instalments ?? DEFAULT_SHOP_OPTIONS.widgetInstalments;
  const q = computeQuotes(amount, instalments, false);
  return {
    available: true,
    amount,
    instalments,
    zeroInterest: false,
    instalmentAmount: q.median.instalmentAmount,
    totalRepaid: q.median.totalRepaid,
    tan: { min: 4.9, max: 9.9 },
    taeg: { min: q.min.apr, max: q.max.apr },
    totalRepaidRange: { min: q.min.totalRepaid, max: q.max.totalRepaid },
    minAmount: options.minAmount ?? DEFAULT_SHOP_OPTIONS.minAmountCents,
    maxAmount: options.maxAmount ?? DEFAULT_SHOP_OPTIONS.maxAmountCents,
  };
}
