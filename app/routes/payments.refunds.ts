/** Shopify → app: a refund session. Stored idempotently, answered 201 with an empty body. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { receiveRefundSession } from "~/payments/refund-service.server";
import { paymentDeps } from "~/payments/runtime.server";
import { BodyError, describeIssues, readJsonBody, readShopifyHeaders, refundSessionRequestSchema } from "~/payments/shopify-requests";

export async function loader() {
  return json({ error: "POST a refund session" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
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
  const body = refundSessionRequestSchema.safeParse(raw);
  if (!body.success) return json({ error: `invalid refund session: ${describeIssues(body.error)}` }, { status: 400 });
  const result = await receiveRefundSession(paymentDeps(), headers.data.shop, body.data);
  if (!result.ok) return json({ error: result.message }, { status: result.status });
  return new Response(null, { status: 201 });
}
