/**
 * Shopify → app: a payment session (offsite). Thin adapter: size-limited JSON body, headers and body
 * validated, then the payment service. Answers {redirect_url} (2xx) or a non-2xx Shopify retries.
 * In production this route sits behind a TLS terminator verifying Shopify's mTLS client certificate.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { logger } from "~/logger.server";
import { startPaymentSession } from "~/payments/payment-service.server";
import { paymentDeps } from "~/payments/runtime.server";
import { BodyError, describeIssues, paymentSessionRequestSchema, readJsonBody, readShopifyHeaders } from "~/payments/shopify-requests";

export async function loader() {
  return json({ error: "POST a payment session" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const started = performance.now();
  if (request.method !== "POST") return json({ error: "method not allowed" }, { status: 405, headers: { Allow: "POST" } });
  const headers = readShopifyHeaders(request.headers);
  if (!headers.success) return json({ error: `Shopify-Shop-Domain header: ${describeIssues(headers.error)}` }, { status: 400 });
  let raw: unknown;
  try {
    raw = await readJsonBody(request);
  } catch (error) {
    if (error instanceof BodyError) return json({ error: error.message }, { status: error.status });
    throw error;
  }
  const body = paymentSessionRequestSchema.safeParse(raw);
  if (!body.success) return json({ error: `invalid payment session: ${describeIssues(body.error)}` }, { status: 400 });

  const result = await startPaymentSession(paymentDeps(), headers.data.shop, body.data);
  const total = performance.now() - started;
  const timing = `soisy;dur=${result.soisyMs.toFixed(1)}, app;dur=${(total - result.soisyMs).toFixed(1)}`;
  logger.info(
    { shop: headers.data.shop, sessionId: body.data.id, requestId: headers.data.requestId, ok: result.ok, ms: Math.round(total) },
    "payment session",
  );
  if (result.ok) return json({ redirect_url: result.redirectUrl }, { status: 201, headers: { "Server-Timing": timing } });
  return json({ error: result.message }, { status: result.status, headers: { "Server-Timing": timing, ...(result.status === 503 ? { "Retry-After": "2" } : {}) } });
}
