/** Shopify → app: a void session (the merchant cancels an authorization). Stored idempotently, answered 201 with an empty body; the merchant then cancels the loan at Soisy and confirms. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { receiveVoidSession } from "~/payments/settlement-service.server";
import { paymentDeps } from "~/runtime.server";
import { voidSessionRequestSchema, parseShopifyPost } from "~/payments/shopify-requests";

export async function loader() {
  return json({ error: "POST a void session" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = await parseShopifyPost(request, voidSessionRequestSchema, "void session");
  if (!parsed.ok) return json({ error: parsed.error }, { status: parsed.status, ...(parsed.status === 405 ? { headers: { Allow: "POST" } } : {}) });
  const result = await receiveVoidSession(paymentDeps(), parsed.shop, parsed.body);
  if (!result.ok) return json({ error: result.message }, { status: result.status });
  return new Response(null, { status: 201 });
}
