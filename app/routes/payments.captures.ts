/** Shopify → app: a capture session (fund on fulfilment). Stored idempotently, answered 201 with an empty body; Soisy is asked afterwards. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { receiveCaptureSession } from "~/payments/settlement-service.server";
import { paymentDeps } from "~/runtime.server";
import { captureSessionRequestSchema, parseShopifyPost } from "~/payments/shopify-requests";

export async function loader() {
  return json({ error: "POST a capture session" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = await parseShopifyPost(request, captureSessionRequestSchema, "capture session");
  if (!parsed.ok) return json({ error: parsed.error }, { status: parsed.status, ...(parsed.status === 405 ? { headers: { Allow: "POST" } } : {}) });
  const result = await receiveCaptureSession(paymentDeps(), parsed.shop, parsed.body);
  if (!result.ok) return json({ error: result.message }, { status: result.status });
  return new Response(null, { status: 201 });
}
