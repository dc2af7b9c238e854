/**
 * The query of the widget's quote requests — `amount=<cents>[&instalments=n][&locale=it]` — shared by
 * the storefront's `GET /proxy/quote` (app proxy) and the settings page's `GET /app/widget-preview`,
 * so both accept exactly the same input. Each parameter is read once (`URLSearchParams.get`).
 */
import { z } from "zod";
import { SOISY_MAX_INSTALMENTS, SOISY_MIN_INSTALMENTS } from "~/soisy/types";

/** The largest amount a quote is asked for (€ 100,000.00); the shop's range is applied after. */
export const MAX_QUOTE_AMOUNT_CENTS = 10_000_000;

const INSTALMENTS_RANGE = `instalments must be an integer between ${SOISY_MIN_INSTALMENTS} and ${SOISY_MAX_INSTALMENTS}`;

export const quoteQuerySchema = z.object({
  amount: z
    .string({ error: "amount is required (integer euro cents)" })
    .regex(/^[0-9]{1,9}$/, "amount must be an integer number of euro cents")
    .transform(Number)
    .refine((n) => n > 0, "amount must be greater than zero")
    .refine((n) => n <= MAX_QUOTE_AMOUNT_CENTS, `amount must be at most ${MAX_QUOTE_AMOUNT_CENTS} cents`),
  instalments: z
    .string()
    .regex(/^[0-9]{1,2}$/, INSTALMENTS_RANGE)
    .transform(Number)
    .refine((n) => n >= SOISY_MIN_INSTALMENTS && n <= SOISY_MAX_INSTALMENTS, INSTALMENTS_RANGE)
    .optional(),
  /** The widget formats texts itself; accepted (and validated) for future use and log context. */
  locale: z
    .string()
    .regex(/^[a-zA-Z]{2}(?:-[a-zA-Z]{2})?$/, "locale must look like it or en-GB")
    .optional(),
});

export type QuoteQuery = z.infer<typeof quoteQuerySchema>;

/** Parses the query; on failure the messages per field (`{ amount: ["…"] }`) for a 400 answer. */
export function parseQuoteQuery(params: URLSearchParams): { ok: true; query: QuoteQuery } | { ok: false; fields: Record<string, string[]> } {
  const one = (name: string) => params.get(name) ?? undefined;
  const parsed = quoteQuerySchema.safeParse({ amount: one("amount"), instalments: one("instalments"), locale: one("locale") });
  if (parsed.success) return { ok: true, query: parsed.data };
  const fields: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fields[String(issue.path[0] ?? "query")] ??= []).push(issue.message);
  return { ok: false, fields };
}
