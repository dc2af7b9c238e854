import type { LoaderFunctionArgs } from "@remix-run/node";
import { shopify } from "~/shopify.server";

// OAuth begin / callback and the other /auth/* paths handled by @shopify/shopify-app-remix.
export async function loader({ request }: LoaderFunctionArgs) {
  await shopify().authenticate.admin(request);
  return null;
}
