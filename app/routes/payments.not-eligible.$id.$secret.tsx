/**
 * A payment session that Soisy cannot serve (currency, amount range, country, shop not ready).
 * Its reject was queued when the session arrived; this page pushes it and tells the shopper why, in
 * their language (decline-text.ts), with a button to Shopify's next step (back to checkout to pick
 * another method); until Shopify answers it waits and forwards them as soon as it does.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { ConfirmingPayment, LinkNotValid, NotEligible } from "~/components/ShopperPage";
import { paymentUrls } from "~/payments/app-urls";
import { pushPendingMessage } from "~/payments/outbox.server";
import { findSession } from "~/payments/payment-deps.server";
import { foundSession, sessionFromUrl } from "~/payments/session-from-url.server";
import { paymentDeps } from "~/runtime.server";
import { shopperLocale } from "~/payments/shopper-locale";
import { shopDisplayName } from "~/shopify/shop-profile.server";
import { declineText } from "~/payments/decline-text";
import { getShopSettings } from "~/settings/settings.server";

export const meta: MetaFunction = () => [{ title: "Soisy" }, { name: "robots", content: "noindex" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const deps = paymentDeps();
  const id = params.id ?? "";
  const secret = params.secret ?? "";
  let session = foundSession(await sessionFromUrl(deps, params));
  const locale = shopperLocale(session, request);
  if (!session || session.state !== "not_eligible") {
    if (session?.nextActionUrl) throw redirect(session.nextActionUrl);
    return json({ kind: "invalid" as const, locale }, { status: 404 });
  }
  if (!session.nextActionUrl && (await pushPendingMessage(deps.db, deps.deliverNow, id, "paymentSessionReject", deps.now()))) {
    session = (await findSession(deps.db, id))!;
  }
  const shopName = await shopDisplayName(deps.db, session.shop);
  const settings = await getShopSettings(deps.db, session.shop).catch(() => null);
  const reason = declineText({ rejectReasonCode: session.rejectReasonCode, amountCents: session.amountCents, currency: session.currency, shop: settings }, locale);
  const headers = { "Cache-Control": "no-store" };
  if (session.nextActionUrl) return json({ kind: "declined" as const, locale, shopName, reason, backUrl: session.nextActionUrl }, { headers });
  return json({ kind: "wait" as const, locale, shopName, reason, statusUrl: paymentUrls(deps.appUrl, id, secret).status }, { headers });
}

export default function NotEligiblePage() {
  const data = useLoaderData<typeof loader>();
  if (data.kind === "invalid") return <LinkNotValid locale={data.locale} />;
  if (data.kind === "declined") return <NotEligible locale={data.locale} shopName={data.shopName} reason={data.reason} backUrl={data.backUrl} />;
  return (
    <>
      <NotEligible locale={data.locale} shopName={data.shopName} reason={data.reason} />
      <ConfirmingPayment locale={data.locale} statusUrl={data.statusUrl} />
    </>
  );
}
