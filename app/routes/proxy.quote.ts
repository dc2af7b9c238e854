/**
 * `GET /proxy/quote?amount=<cents>[&instalments=n][&locale=it]` — the instalment widget's quote,
 * reached through Shopify's app proxy (storefront `/apps/soisy/quote`). No admin session: the
 * request is authenticated by the proxy's signature (app/shopify/app-proxy.server.ts), which also
 * tells which shop it is for. The work is in app/quotes/quote-service.server.ts.
 *
 * 401 bad/missing signature · 400 bad query · 200 quote (`available: true`, cacheable 60 s) or
 * `available: false` (not ready / out of range / not configured, cacheable 30 s) · 503 Soisy
 * unavailable (not cacheable). `Server-Timing: app;dur=…` carries the app's own time.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { appConfig } from "~/config.server";
import { logger } from "~/logger.server";
import { getWidgetQuoteWithStatus, type QuoteCacheStatus } from "~/quotes/quote-service.server";
import { quoteDeps } from "~/quotes/runtime.server";
import { verifyAppProxyQuery } from "~/shopify/app-proxy.server";

export const MAX_QUOTE_AMOUNT_CENTS = 10_000_000;

const querySchema = z.object({
  amount: z
    .string({ error: "amount is required (integer euro cents)" })
    .regex(/^[0-9]{1,9}$/, "amount must be an integer number of euro cents")
    .transform(Number)
    .refine((n) => n > 0, "amount must be greater than zero")
    .refine((n) => n <= MAX_QUOTE_AMOUNT_CENTS, `amount must be at most ${MAX_QUOTE_AMOUNT_CENTS} cents`),
  instalments: z
    .string()
    .regex(/^[0-9]{1,2}$/, "instalments must be an integer between 3 and 60")
    .transform(Number)
    .refine((n) => n >= 3 && n <= 60, "instalments must be an integer between 3 and 60")
    .optional(),
  /** The widget formats texts itself; accepted (and validated) for future use and log context. */
  locale: z
    .string()
    .regex(/^[a-zA-Z]{2}(?:-[a-zA-Z]{2})?$/, "locale must look like it or en-GB")
    .optional(),
});

function timing(started: number, cache?: QuoteCacheStatus): string {
  const dur = (performance.now() - started).toFixed(2);
  return cache ? `app;dur=${dur}, quote-cache;desc=${cache}` : `app;dur=${dur}`;
}

export async function loader({ request }: LoaderFunctionArgs) {
  const started = performance.now();
  const params = new URL(request.url).searchParams;

  const verification = verifyAppProxyQuery(params, appConfig().SHOPIFY_API_SECRET);
  if (!verification.ok) {
    logger.info({ route: "proxy.quote", reason: verification.reason }, "app proxy request refused");
    return json(
      { error: "unauthorized", reason: verification.reason },
      { status: 401, headers: { "Cache-Control": "no-store", "Server-Timing": timing(started) } },
    );
  }

  const one = (name: string) => params.get(name) ?? undefined;
  const parsed = querySchema.safeParse({ amount: one("amount"), instalments: one("instalments"), locale: one("locale") });
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[String(issue.path[0] ?? "query")] ??= []).push(issue.message);
    return json(
      { error: "invalid_request", fields },
      { status: 400, headers: { "Cache-Control": "no-store", "Server-Timing": timing(started) } },
    );
  }

  try {
    const { quote, cache } = await getWidgetQuoteWithStatus(quoteDeps(), {
      shop: verification.shop,
      amountCents: parsed.data.amount,
      ...(parsed.data.instalments !== undefined ? { instalments: parsed.data.instalments } : {}),
    });
    if (quote.available) {
      return json(quote, { headers: { "Cache-Control": "public, max-age=60", "Server-Timing": timing(started, cache) } });
    }
    if (quote.reason === "soisy_unavailable") {
      return json(quote, { status: 503, headers: { "Cache-Control": "no-store", "Server-Timing": timing(started, cache) } });
    }
    return json(quote, { headers: { "Cache-Control": "public, max-age=30", "Server-Timing": timing(started, cache) } });
  } catch (error) {
    logger.error({ route: "proxy.quote", shop: verification.shop, err: error }, "quote failed");
    return json(
      { error: "internal_error" },
      { status: 500, headers: { "Cache-Control": "no-store", "Server-Timing": timing(started) } },
    );
  }
}
