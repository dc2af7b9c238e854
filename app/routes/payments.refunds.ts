/** Shopify → app: a refund session. Stored idempotently, answered 201 with an empty body. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { receiveRefundSession } from "~/payments/refund-service.server";
import { paymentDeps } from "~/runtime.server";
import { parseShopifyPost, refundSessionRequestSchema } from "~/payments/shopify-requests";

export async function loader() {
  return json({ error: "POST a refund session" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = await parseShopifyPost(request, refundSessionRequestSchema, "refund session");
  if (!parsed.ok) return json({ error: parsed.error }, { status: parsed.status, ...(parsed.status === 405 ? { headers: { Allow: "POST" } } : {}) });
  const result = await receiveRefundSession(paymentDeps(), parsed.shop, parsed.body);
  if (!result.ok) return json({ error: result.message }, { status: result.status });
  return new Response(null, { status: 201 });
}
