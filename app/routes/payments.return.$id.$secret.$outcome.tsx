/**
 * The shopper comes back from Soisy's webapp (successUrl / errorUrl). The order is confirmed with
 * Soisy, the lifecycle decides, and the shopper goes to Shopify's next step — or, while Shopify is
 * not reachable yet, to a friendly page that waits and moves on by itself.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ConfirmingPayment, LinkNotValid } from "~/components/ShopperPage";
import { paymentUrls } from "~/payments/app-urls";
import { handleShopperReturn } from "~/payments/inputs.server";
import { foundSession, sessionFromUrl } from "~/payments/session-from-url.server";
import { paymentDeps } from "~/runtime.server";
import { shopperLocale } from "~/payments/shopper-locale";
import { shopDisplayName } from "~/shopify/shop-profile.server";

export const meta: MetaFunction = () => [{ title: "Soisy" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const deps = paymentDeps();
  const id = params.id ?? "";
  const secret = params.secret ?? "";
  const outcome = params.outcome;
  const session = outcome === "success" || outcome === "error" ? foundSession(await sessionFromUrl(deps, params)) : null;
  const locale = shopperLocale(session, request);
  if (!session) return json({ kind: "invalid" as const, locale }, { status: 404 });
  const destination = await handleShopperReturn(deps, session, outcome as "success" | "error");
  if (destination.kind === "redirect") throw redirect(destination.url, { headers: { "Cache-Control": "no-store" } });
  const shopName = await shopDisplayName(deps.db, session.shop);
  return json({ kind: "wait" as const, locale, shopName, statusUrl: paymentUrls(deps.appUrl, id, secret).status });
}

export default function ShopperReturn() {
  const data = useLoaderData<typeof loader>();
  if (data.kind === "invalid") return <LinkNotValid locale={data.locale} />;
  return <ConfirmingPayment locale={data.locale} statusUrl={data.statusUrl} shopName={data.shopName} />;
}
