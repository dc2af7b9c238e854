/**
 * `GET /app/widget-preview?amount=<cents>[&instalments=n][&locale=it]` — the settings page's widget
 * preview asks here instead of the storefront's app proxy: same answer (getWidgetQuote with the
 * shop's current settings, read fresh), but authenticated by the merchant's admin session.
 * 400 invalid query (zod) · 200 quote or `{available: false, reason}` · 503 Soisy unavailable.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { logger } from "~/logger.server";
import { getWidgetQuote } from "~/quotes/quote-service.server";
import { quoteDeps } from "~/quotes/runtime.server";
import { shopify } from "~/shopify.server";

const querySchema = z.object({
  amount: z
    .string({ error: "amount is required (integer euro cents)" })
    .regex(/^[0-9]{1,9}$/, "amount must be an integer number of euro cents")
    .transform(Number)
    .refine((n) => n > 0, "amount must be greater than zero"),
  instalments: z
    .string()
    .regex(/^[0-9]{1,2}$/, "instalments must be an integer between 3 and 60")
    .transform(Number)
    .refine((n) => n >= 3 && n <= 60, "instalments must be an integer between 3 and 60")
    .optional(),
  locale: z.string().regex(/^[a-zA-Z]{2}(?:-[a-zA-Z]{2})?$/, "locale must look like it or en-GB").optional(),
});

const NO_STORE = { "Cache-Control": "private, no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const parsed = querySchema.safeParse({
    amount: params.get("amount") ?? undefined,
    instalments: params.get("instalments") ?? undefined,
    locale: params.get("locale") ?? undefined,
  });
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[String(issue.path[0] ?? "query")] ??= []).push(issue.message);
    return json({ error: "invalid_request", fields }, { status: 400, headers: NO_STORE });
  }
  const quote = await getWidgetQuote(quoteDeps(), {
    shop: session.shop,
    amountCents: parsed.data.amount,
    ...(parsed.data.instalments !== undefined ? { instalments: parsed.data.instalments } : {}),
    freshSettings: true,
  });
  if (!quote.available) logger.debug({ shop: session.shop, reason: quote.reason }, "widget preview: no quote");
  return json(quote, { status: !quote.available && quote.reason === "soisy_unavailable" ? 503 : 200, headers: NO_STORE });
}
