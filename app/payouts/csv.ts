/**
 * The payouts CSV (the page's lines and columns): RFC 4180 with a BOM and CRLF, formula-safe text
 * cells, amounts as exact decimal euros with a dot ("1234.56"), dates ISO 8601 UTC — the cell rules
 * of the transactions CSV (app/transactions/csv.ts). `differences` lists "reason:amount" pairs.
 */
import { centsToDecimal } from "~/money/cents";
import { CSV_BOM, csvCell, csvLine } from "~/transactions/csv";
import type { ReconLine } from "./reconcile";

export const PAYOUT_CSV_COLUMNS = [
  "date",
  "shopify_session_id",
  "payment_state",
  "soisy_order_reference",
  "soisy_status",
  "order_amount_eur",
  "loan_amount_eur",
  "net_paid_eur",
  "fee_eur",
  "refunded_eur",
  "disbursed_at",
  "differences",
  "difference_total_eur",
] as const;

const eur = (cents: number | null) => csvCell(cents === null ? null : centsToDecimal(cents), { text: false });

export function payoutCsvHeader(): string {
  return CSV_BOM + csvLine(PAYOUT_CSV_COLUMNS.map((c) => csvCell(c)));
}

export function payoutCsvRow(line: ReconLine): string {
  const total = line.differences.reduce((s, d) => s + d.cents, 0);
  return csvLine([
    csvCell(line.date.toISOString(), { text: false }),
    csvCell(line.paymentId),
    csvCell(line.paymentState),
    csvCell(line.soisyOrderReference),
    csvCell(line.soisyStatus),
    eur(line.orderCents),
    eur(line.loanCents),
    eur(line.netCents),
    eur(line.feeCents),
    eur(line.refundedCents),
    csvCell(line.disbursedAt?.toISOString() ?? null, { text: false }),
    csvCell(line.differences.map((d) => `${d.reason}:${centsToDecimal(d.cents)}`).join("; ")),
    eur(line.differences.length ? total : null),
  ]);
}

export function payoutsCsv(lines: ReconLine[]): string {
  return payoutCsvHeader() + lines.map(payoutCsvRow).join("");
}
