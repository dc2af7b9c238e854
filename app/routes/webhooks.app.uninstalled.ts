/** Shopify → app: the app/uninstalled webhook (see app/webhooks/route.server.ts). */
import type { ActionFunctionArgs } from "@remix-run/node";
import { handleWebhook } from "~/webhooks/route.server";

export async function loader() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}

export async function action({ request }: ActionFunctionArgs) {
  return handleWebhook(request, ["APP_UNINSTALLED"]);
}
