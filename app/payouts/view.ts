/**
 * The payouts page's rows and totals as the merchant reads them (amounts in their language, reasons in
 * words). Pure: the route passes the reconciled lines, the locale and the grace period.
 */
import { translator, type Locale, type MessageKey } from "~/i18n/i18n";
import { formatEuro } from "~/i18n/money";
import { formatDateTime } from "~/transactions/format";
import { reconTotals, type ReconLine } from "./reconcile";

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

export function payoutTotalsText(lines: ReconLine[], locale: Locale): string {
  const t = translator(locale);
  const totals = reconTotals(lines);
  return t("payouts.totals", {
    lines: totals.lines,
    diffs: totals.withDifferences,
    loan: formatEuro(totals.loanCents, locale),
    net: formatEuro(totals.netCents, locale),
    fee: formatEuro(totals.feeCents, locale),
  });
}
