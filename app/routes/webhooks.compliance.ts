/** Shopify → app: the mandatory compliance webhooks customers/data_request, customers/redact, shop/redact. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/route.server";

export async function loader() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  return handleWebhook(request, ["CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT"]);
}
