/**
 * Soisy's order list as CSV (`GET /api/shops/{shopId}/orders`, `Accept: text/csv`): parsing and the
 * query it takes. Soisy documents the columns, not the format details; what is assumed here is in
 * README.md ("Order list") and docs/soisy-api.md:
 *
 * - UTF-8, with or without a BOM; CRLF or LF; RFC 4180 quoting (commas, quotes, newlines in quotes);
 * - a header row; columns found by name (any order), unknown columns ignored (and reported);
 * - amounts are euro decimals as text ("1234.50"); "1234,50" (one comma, at most two decimals, no
 *   thousands separator) is read as the same amount; anything else makes the row invalid;
 * - dates are ISO 8601 with an offset, or "YYYY-MM-DD[ HH:MM[:SS]]" without one, read as Italian time
 *   (Europe/Rome, Soisy's own);
 * - an empty cell is "no value".
 *
 * Each row is validated on its own (zod): an invalid row is skipped and counted, never the whole file.
 * A file without the `soisyOrderReference` header, or that is not CSV at all, throws OrdersCsvError.
 */
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { InvalidAmountError, parseDecimalToCents } from "~/money/cents";
import { romeDay, romeWallTime } from "~/time/rome";

export const SOISY_ORDER_CSV_COLUMNS = [
  "soisyOrderReference",
  "orderReference",
  "loanNetAmount",
  "loanAmount",
  "zeroInterestRate",
  "feeForDisbursement",
  "status",
  "requestedAt",
  "disbursedAt",
  "instalments",
] as const;

/** Query filters of the list endpoint (each optional; dates are sent as the Italian calendar day). */
export const ListOrdersQuerySchema = z
  .object({
    fromDisbursedAt: z.date().optional(),
    fromCreatedAt: z.date().optional(),
    status: z.string().trim().min(1).max(64).regex(/^[a-z_]+$/).optional(),
  })
  .strict();
export type ListOrdersQuery = z.infer<typeof ListOrdersQuerySchema>;

export interface SoisyListedOrder {
  soisyOrderReference: string;
  orderReference: string | null;
  status: string;
  loanAmountCents: number | null;
  loanNetAmountCents: number | null;
  feeCents: number | null;
  zeroInterestRate: boolean | null;
  instalments: number | null;
  requestedAt: Date | null;
  disbursedAt: Date | null;
}

export interface SkippedRow {
  /** 1-based line of the record in the file (the header is line 1). */
  line: number;
  /** Which columns failed, without their values (they may be personal data). */
  problems: string[];
}

export interface ParsedOrdersCsv {
  orders: SoisyListedOrder[];
  /** Rows that failed validation (not in `orders`). */
  skipped: number;
  /** The first few skipped rows, for logs. */
  skippedRows: SkippedRow[];
  unknownColumns: string[];
}

export class OrdersCsvError extends Error {
  override readonly name = "OrdersCsvError";
}

const MAX_SKIPPED_DETAILS = 20;

/* ---------- cells ---------- */

const emptyToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : typeof v === "string" ? v.trim() : v ?? null);

/** "1234.50" or "1234,50" → 123450; rejects grouping ("1.234,50"), signs, more than two decimals. */
export function euroTextToCents(text: string): number {
  const value = /^[0-9]+,[0-9]{1,2}$/.test(text) ? text.replace(",", ".") : text;
  return parseDecimalToCents(value);
}

const euros = z.preprocess(
  emptyToNull,
  z
    .string()
    .nullable()
    .transform((v, ctx) => {
      if (v === null) return null;
      try {
        return euroTextToCents(v);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: error instanceof InvalidAmountError ? "not an exact euro amount" : "invalid amount" });
        return z.NEVER;
      }
    }),
);

/** A wall-clock time in Italy → the instant. */
export const romeWallTimeToDate = romeWallTime;
export { romeDay };

const ZONELESS = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Soisy's date text → Date, or null when it is not one of the accepted forms. */
export function parseSoisyDate(text: string): Date | null {
  if (WITH_OFFSET.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = ZONELESS.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const date = romeWallTimeToDate(y, mo, d, h, mi, s);
  // 2026-02-31 would roll over: refuse it.
  return romeDay(date) === `${m[1]}-${m[2]}-${m[3]}` ? date : null;
}

const date = z.preprocess(
  emptyToNull,
  z
    .string()
    .nullable()
    .transform((v, ctx) => {
      if (v === null) return null;
      const parsed = parseSoisyDate(v);
      if (!parsed) {
        ctx.addIssue({ code: "custom", message: "not a date" });
        return z.NEVER;
      }
      return parsed;
    }),
);

const bool = z.preprocess(
  (v) => {
    const t = emptyToNull(v);
    if (t === null) return null;
    const lower = String(t).toLowerCase();
    if (["1", "true", "yes", "si", "sì"].includes(lower)) return true;
    if (["0", "false", "no"].includes(lower)) return false;
    return t;
  },
  z.boolean().nullable(),
);

const reference = z.preprocess(emptyToNull, z.string().min(1).max(255));

export const OrdersCsvRowSchema = z.object({
  soisyOrderReference: reference,
  orderReference: z.preprocess(emptyToNull, z.string().min(1).max(255).nullable()).optional().transform((v) => v ?? null),
  status: z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.string().min(1).max(64)),
  loanAmount: euros.optional().transform((v) => v ?? null),
  loanNetAmount: euros.optional().transform((v) => v ?? null),
  feeForDisbursement: euros.optional().transform((v) => v ?? null),
  zeroInterestRate: bool.optional().transform((v) => v ?? null),
  instalments: z.preprocess(emptyToNull, z.coerce.number().int().min(1).max(120).nullable()).optional().transform((v) => v ?? null),
  requestedAt: date.optional().transform((v) => v ?? null),
  disbursedAt: date.optional().transform((v) => v ?? null),
});

/* ---------- file ---------- */

export function parseOrdersCsv(text: string): ParsedOrdersCsv {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  let header: string[] = [];
  try {
    records = parse(text, {
      bom: true,
      columns: (names: string[]) => {
        header = names.map((n) => n.trim());
        return header;
      },
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as Array<{ record: Record<string, string>; info: { lines: number } }>;
  } catch (error) {
    throw new OrdersCsvError(`Soisy's order list is not valid CSV: ${error instanceof Error ? error.message.slice(0, 200) : "unreadable"}`);
  }
  if (text.replace(/^\uFEFF/, "").trim() === "") return { orders: [], skipped: 0, skippedRows: [], unknownColumns: [] };
  if (!header.includes("soisyOrderReference")) throw new OrdersCsvError("Soisy's order list has no soisyOrderReference column");
  const known = new Set<string>(SOISY_ORDER_CSV_COLUMNS);
  const unknownColumns = header.filter((h) => !known.has(h));
  const orders: SoisyListedOrder[] = [];
  const skippedRows: SkippedRow[] = [];
  let skipped = 0;
  for (const { record, info } of records) {
    const row = OrdersCsvRowSchema.safeParse(record);
    if (!row.success) {
      skipped++;
      if (skippedRows.length < MAX_SKIPPED_DETAILS) {
        skippedRows.push({ line: info.lines, problems: [...new Set(row.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`))] });
      }
      continue;
    }
    const r = row.data;
    orders.push({
      soisyOrderReference: r.soisyOrderReference,
      orderReference: r.orderReference,
      status: r.status,
      loanAmountCents: r.loanAmount,
      loanNetAmountCents: r.loanNetAmount,
      feeCents: r.feeForDisbursement,
      zeroInterestRate: r.zeroInterestRate,
      instalments: r.instalments,
      requestedAt: r.requestedAt,
      disbursedAt: r.disbursedAt,
    });
  }
  return { orders, skipped, skippedRows, unknownColumns };
}
