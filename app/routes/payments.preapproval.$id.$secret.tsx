/**
 * Integration level 2: the in-store pre-approval page of one payment session (its URL carries the
 * session's secret). GET shows the form (or forwards an approved session to Soisy, or shows a
 * refusal); POST sends the request to Soisy (app/preapproval/preapproval.server.ts). Never cached:
 * the page holds what the shopper typed.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { LinkNotValid } from "~/components/ShopperPage";
import { translate } from "~/i18n/i18n";
import { readForm } from "~/preapproval/form";
import { PreapprovalForm, RefusedPage } from "~/preapproval/PreapprovalPage";
import { preapprovalPage, submitPreapproval } from "~/preapproval/preapproval.server";
import { foundSession, sessionFromUrl } from "~/payments/session-from-url.server";
import { paymentDeps } from "~/runtime.server";
import { lenderInfo } from "~/quotes/lender.server";
import { pageOffers } from "~/quotes/offer-text.server";
import { quoteDeps } from "~/quotes/runtime.server";
import { shopperLocale } from "~/payments/shopper-locale";
import { shopDisplayName } from "~/shopify/shop-profile.server";

// same-origin: the secret URL never leaks to Soisy or the privacy link; same-origin posts keep their Origin (Remix checks it).
const NO_STORE = { "Cache-Control": "no-store", "Referrer-Policy": "same-origin" };

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: translate(data?.locale ?? "it", "preapproval.pageTitle") },
  { name: "robots", content: "noindex" },
];

/** The shopper's language and the shop's name as stored from Shopify (`ShopSettings.shopName`, else the handle). */
async function shopperContext(request: Request, id: string, secret: string) {
  const deps = paymentDeps();
  const session = foundSession(await sessionFromUrl(deps, { id, secret }));
  return { locale: shopperLocale(session, request), shopName: session ? await shopDisplayName(deps.db, session.shop) : null };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = params.id ?? "";
  const secret = params.secret ?? "";
  const page = await preapprovalPage(paymentDeps(), quoteDeps(), id, secret);
  if (page.kind === "redirect") throw redirect(page.url, { status: 303, headers: NO_STORE });
  const { locale, shopName } = await shopperContext(request, id, secret);
  const shown = shopName && page.kind !== "invalid" ? { ...page, shopName } : page;
  const lender = lenderInfo();
  const offers = page.kind === "form" ? pageOffers(page.options, lender, locale) : null;
  return json({ page: shown, locale, lender, offers }, { status: page.kind === "invalid" ? 404 : 200, headers: NO_STORE });
}

/** The form's post is a few hundred bytes: anything far larger is refused before it is read whole. */
const MAX_FORM_BYTES = 16 * 1024;

/** The page's form post (urlencoded, what the browser sends), read with a hard size limit. */
async function readFormPost(request: Request): Promise<URLSearchParams | Response> {
  const tooLarge = () => new Response("Payload Too Large", { status: 413, headers: NO_STORE });
  if (Number(request.headers.get("content-length") ?? "0") > MAX_FORM_BYTES) return tooLarge();
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers.get("content-type") ?? "")) {
    return new Response("Unsupported Media Type", { status: 415, headers: NO_STORE });
  }
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = reader ? await reader.read() : { done: true as const, value: undefined };
    if (next.done) break;
    size += next.value.byteLength;
    if (size > MAX_FORM_BYTES) {
      await reader?.cancel().catch(() => undefined);
      return tooLarge();
    }
    chunks.push(next.value);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = params.id ?? "";
  const secret = params.secret ?? "";
  const form = await readFormPost(request);
  if (form instanceof Response) throw form;
  const proof = form.get("proof");
  const url = new URL(request.url);
  const result = await submitPreapproval(paymentDeps(), id, secret, readForm(form.entries()), typeof proof === "string" ? proof : null, url.pathname + url.search);
  if (result.kind === "redirect") throw redirect(result.url, { status: 303, headers: NO_STORE });
  const status = result.problem === "unavailable" ? 503 : result.problem === "busy" ? 409 : result.problem ? 422 : 200;
  return json(result, { status, headers: NO_STORE });
}

export const headers = () => NO_STORE;

export default function PreapprovalRoute() {
  const { page, locale, lender, offers } = useLoaderData<typeof loader>();
  const submitted = useActionData<typeof action>();
  if (page.kind === "invalid") return <LinkNotValid locale={locale} />;
  if (page.kind === "refused") return <RefusedPage locale={locale} shopName={page.shopName} cancelUrl={page.cancelUrl} lender={lender} />;
  if (page.kind !== "form" || !offers) return null;
  return (
    <PreapprovalForm
      key={submitted ? JSON.stringify(submitted.errors) + String(submitted.additional) : "first"}
      locale={locale}
      page={page}
      lender={lender}
      offers={offers}
      action={submitted ?? null}
    />
  );
}
