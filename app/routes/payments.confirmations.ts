/**
 * Shopify → app: the confirmation callback of oversell protection (`confirmation_callback_url`).
 * Applied at once (confirmation-service.server.ts); answered 200 with `{}`: Shopify documents the
 * callback only by example and says nothing of the answer's body, so the app answers as for its other
 * acknowledgements (2xx once stored; a non-2xx makes Shopify retry).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { receiveConfirmation } from "~/payments/confirmation-service.server";
import { confirmationCallbackRequestSchema, parseShopifyPost } from "~/payments/shopify-requests";
import { paymentDeps } from "~/runtime.server";

export async function loader() {
  return json({ error: "POST a confirmation callback" }, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  const parsed = await parseShopifyPost(request, confirmationCallbackRequestSchema, "confirmation callback");
  if (!parsed.ok) return json({ error: parsed.error }, { status: parsed.status, ...(parsed.status === 405 ? { headers: { Allow: "POST" } } : {}) });
  const result = await receiveConfirmation(paymentDeps(), parsed.shop, parsed.body);
  if (!result.ok) return json({ error: result.message }, { status: result.status });
  return json({}, { status: 200 });
}
