/**
 * The payouts page's rows and totals as the merchant reads them (amounts in their language, reasons in
 * words). Pure: the route passes one page of reconciled lines, the totals of all, the locale and the grace period.
 */
import { translator, type Locale, type MessageKey } from "~/i18n/i18n";
import { formatEuro } from "~/i18n/money";
import { formatDateTime } from "~/transactions/format";
import type { ReconLine, ReconTotals } from "./reconcile";

export interface PayoutRowView {
  key: string;
  paymentId: string | null;
  label: string;
  date: string;
  order: string;
  loan: string;
  net: string;
  fee: string;
  refunded: string;
  disbursed: string;
  differences: string[];
}

export function payoutRowsView(lines: ReconLine[], locale: Locale, graceDays: number): PayoutRowView[] {
  const t = translator(locale);
  const money = (cents: number | null) => (cents === null ? "—" : formatEuro(cents, locale));
  return lines.map((l) => ({
    key: l.paymentId ?? `soisy:${l.soisyOrderReference ?? ""}`,
    paymentId: l.paymentId,
    label: l.paymentId ?? t("payouts.unknownOrder", { reference: l.soisyOrderReference ?? "" }),
    date: formatDateTime(l.date, locale),
    order: money(l.orderCents),
    loan: money(l.loanCents),
    net: money(l.netCents),
    fee: money(l.feeCents),
    refunded: l.refundedCents ? money(l.refundedCents) : "—",
    disbursed: l.disbursedAt ? formatDateTime(l.disbursedAt, locale) : t("payouts.notYet"),
    differences: l.differences.map((d) =>
      t(`payouts.reason.${d.reason}` as MessageKey, { amount: `${d.cents > 0 ? "+" : d.cents < 0 ? "−" : ""}${formatEuro(Math.abs(d.cents), locale)}`, days: graceDays }),
    ),
  }));
}

/** The totals line: every line of the filter, on every page (reconTotals of them all). */
export function payoutTotalsText(totals: ReconTotals, locale: Locale): string {
  const t = translator(locale);
  return t("payouts.totals", {
    lines: totals.lines,
    diffs: totals.withDifferences,
    loan: formatEuro(totals.loanCents, locale),
    net: formatEuro(totals.netCents, locale),
    fee: formatEuro(totals.feeCents, locale),
  });
}

/** Where the page is among all the lines ("Righe 101–200 di 523"); null without lines. */
export function payoutRangeText(page: { firstLine: number; lines: ReconLine[]; totals: ReconTotals }, locale: Locale): string | null {
  if (!page.lines.length) return null;
  return translator(locale)("payouts.page.range", { first: page.firstLine, last: page.firstLine + page.lines.length - 1, lines: page.totals.lines });
}
