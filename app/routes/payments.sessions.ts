/**
 * Shopify → app: a payment session (offsite). Thin adapter: size-limited JSON body, headers and body
 * validated, then the payment service. Answers {redirect_url} (2xx) or a non-2xx Shopify retries.
 * In production this route sits behind a TLS terminator verifying Shopify's mTLS client certificate.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { logger } from "~/logger.server";
import { startPaymentSession } from "~/payments/start-session.server";
import { paymentDeps } from "~/runtime.server";
import { parseShopifyPost, paymentSessionRequestSchema } from "~/payments/shopify-requests";

export async function loader() {
  return json({ error: "POST a payment session" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const started = performance.now();
  const parsed = await parseShopifyPost(request, paymentSessionRequestSchema, "payment session");
  if (!parsed.ok) return json({ error: parsed.error }, { status: parsed.status, ...(parsed.status === 405 ? { headers: { Allow: "POST" } } : {}) });

  const result = await startPaymentSession(paymentDeps(), parsed.shop, parsed.body);
  const total = performance.now() - started;
  // The app's own time apart from Soisy's, for operators and the load script.
  const timing = `soisy;dur=${result.soisyMs.toFixed(1)}, app;dur=${(total - result.soisyMs).toFixed(1)}`;
  logger.info({ shop: parsed.shop, sessionId: parsed.body.id, requestId: parsed.requestId, ok: result.ok, ms: Math.round(total) }, "payment session");
  if (result.ok) return json({ redirect_url: result.redirectUrl }, { status: 201, headers: { "Server-Timing": timing } });
  return json(
    { error: result.message },
    { status: result.status, headers: { "Server-Timing": timing, ...(result.status === 503 ? { "Retry-After": "2" } : {}) } },
  );
}
