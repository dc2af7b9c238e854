/**
 * CSV export of the transactions list (RFC 4180): fields quoted when they hold a comma, quote, CR or
 * LF; quotes doubled; CRLF line ends; UTF-8 with a BOM so Excel reads accents right. Text cells that
 * a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe
 * (OWASP "CSV injection"). Amounts are decimal euro strings with a dot ("1234.56"), dates ISO 8601 UTC.
 */
import { centsToDecimal } from "~/money/cents";
import type { TransactionRow } from "./query.server";
import { capturedCents, latestSettlementState } from "./settlements-view";

export const CSV_BOM = "\uFEFF";

export const CSV_COLUMNS = [
  "shopify_session_id",
  "created_at",
  "state",
  "mode",
  "amount_eur",
  "currency",
  "soisy_token",
  "soisy_status",
  "soisy_loan_amount_eur",
  "customer_email",
  "flag_reason",
  "amount_mismatch",
  // Fund on fulfilment (issue 15), appended so existing columns keep their place.
  "kind",
  "authorization_expires_at",
  "captured_amount_eur",
  "capture_state",
  "void_state",
] as const;

/** Neutralises spreadsheet formulas in a text cell. */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One cell: formula-safe, then quoted when needed. */
export function csvCell(value: string | number | boolean | null | undefined, options: { text?: boolean } = { text: true }): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (options.text !== false) text = neutraliseFormula(text);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: string[]): string {
  return `${cells.join(",")}\r\n`;
}

export function csvHeader(): string {
  return CSV_BOM + csvLine(CSV_COLUMNS.map((c) => csvCell(c)));
}

export function csvRow(row: TransactionRow): string {
  return csvLine([
    csvCell(row.id),
    csvCell(row.createdAt.toISOString(), { text: false }),
    csvCell(row.state),
    csvCell(row.test ? "test" : "live"),
    csvCell(centsToDecimal(row.amountCents), { text: false }),
    csvCell(row.currency),
    csvCell(row.soisyToken),
    csvCell(row.soisyStatus),
    csvCell(row.soisyLoanAmountCents === null ? null : centsToDecimal(row.soisyLoanAmountCents), { text: false }),
    csvCell(row.customerEmail),
    csvCell(row.flagReason),
    csvCell(row.amountMismatch ? "true" : "false"),
    csvCell(row.kind),
    csvCell(row.authorizationExpiresAt?.toISOString() ?? null, { text: false }),
    csvCell(row.kind === "authorization" || row.settlements.length > 0 ? centsToDecimal(capturedCents(row.settlements)) : null, { text: false }),
    csvCell(latestSettlementState(row.settlements, "capture")),
    csvCell(latestSettlementState(row.settlements, "void")),
  ]);
}

/** The whole document (tests, small exports); the route streams header + rows instead. */
export function toCsv(rows: TransactionRow[]): string {
  return csvHeader() + rows.map(csvRow).join("");
}
