/**
 * `GET /app/widget-preview?amount=<cents>[&instalments=n][&locale=it]` — the settings page's widget
 * preview asks here instead of the storefront's app proxy: same answer (getWidgetQuote with the
 * shop's current settings, read fresh), but authenticated by the merchant's admin session.
 * 400 invalid query (zod) · 200 quote or `{available: false, reason}` · 503 Soisy unavailable.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { logger } from "~/logger.server";
import { lenderInfo } from "~/quotes/lender.server";
import { getWidgetQuote } from "~/quotes/quote-service.server";
import { quoteDeps } from "~/quotes/runtime.server";
import { parseQuoteQuery } from "~/quotes/quote-query.server";
import { shopify } from "~/shopify.server";

const NO_STORE = { "Cache-Control": "private, no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await shopify().authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const parsed = parseQuoteQuery(params);
  if (!parsed.ok) return json({ error: "invalid_request", fields: parsed.fields }, { status: 400, headers: NO_STORE });
  const quote = await getWidgetQuote(quoteDeps(), {
    shop: session.shop,
    amountCents: parsed.query.amount,
    ...(parsed.query.instalments !== undefined ? { instalments: parsed.query.instalments } : {}),
    freshSettings: true,
  });
  if (!quote.available) logger.debug({ shop: session.shop, reason: quote.reason }, "widget preview: no quote");
  return json(quote.available ? { ...quote, lender: lenderInfo() } : quote, { status: !quote.available && quote.reason === "soisy_unavailable" ? 503 : 200, headers: NO_STORE });
}
