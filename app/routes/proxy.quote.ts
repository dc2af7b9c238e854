/**
 * `GET /proxy/quote?amount=<cents>[&instalments=n][&locale=it]` — the instalment widget's quote,
 * reached through Shopify's app proxy (storefront `/apps/soisy/quote`). No admin session: the
 * request is authenticated by the proxy's signature (app/shopify/app-proxy.server.ts), which also
 * tells which shop it is for. The work is in app/quotes/quote-service.server.ts.
 *
 * 401 bad/missing signature · 400 bad query · 200 quote (`available: true`, cacheable 60 s) or
 * `available: false` (not ready / out of range / not configured, cacheable 30 s) · 503 Soisy
 * unavailable (not cacheable) · 429 `busy` + Retry-After (not cacheable): the Soisy account's limit on
 * cache misses is used up (QUOTE_MISS_BURST / QUOTE_MISS_PER_SECOND; hits are never limited). The
 * limit is per Soisy account, not per shopper: Shopify's proxy does not pass the shopper's IP, so a
 * per-client limit is out of scope. `Server-Timing: app;dur=…` carries the app's own time.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { appConfig } from "~/config.server";
import { logger } from "~/logger.server";
import { lenderInfo } from "~/quotes/lender.server";
import { getWidgetQuoteWithStatus, type QuoteCacheStatus } from "~/quotes/quote-service.server";
import { quoteDeps } from "~/quotes/runtime.server";
import { verifyAppProxyQuery } from "~/shopify/app-proxy.server";
import { parseQuoteQuery } from "~/quotes/quote-query.server";

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

  const parsed = parseQuoteQuery(params);
  if (!parsed.ok) {
    return json(
      { error: "invalid_request", fields: parsed.fields },
      { status: 400, headers: { "Cache-Control": "no-store", "Server-Timing": timing(started) } },
    );
  }

  try {
    const { quote, cache, retryAfterSeconds } = await getWidgetQuoteWithStatus(quoteDeps(), {
      shop: verification.shop,
      amountCents: parsed.query.amount,
      ...(parsed.query.instalments !== undefined ? { instalments: parsed.query.instalments } : {}),
      limitMisses: true,
    });
    if (quote.available) {
      return json({ ...quote, lender: lenderInfo() }, { headers: { "Cache-Control": "public, max-age=60", "Server-Timing": timing(started, cache) } });
    }
    if (quote.reason === "busy") {
      return json(quote, {
        status: 429,
        headers: { "Cache-Control": "no-store", "Retry-After": String(retryAfterSeconds ?? 1), "Server-Timing": timing(started, cache) },
      });
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
