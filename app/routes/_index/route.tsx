import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { localeFromRequest, translator } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "Soisy per Shopify" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return { locale: localeFromRequest(request) };
}

export default function Landing() {
  const { locale } = useLoaderData<typeof loader>();
  const t = translator(locale);
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "3rem auto", padding: "0 1rem" }}>
      <h1>{t("app.name")}</h1>
      <p>{t("app.tagline")}</p>
      <p>{t("landing.what")}</p>
      <Form method="post" action="/auth/login">
        <label htmlFor="shop">{t("landing.shopLabel")}</label>
        <div style={{ display: "flex", gap: 8, marginTop: 4 }}>
          <input id="shop" name="shop" type="text" autoComplete="on" placeholder="my-shop.myshopify.com" aria-describedby="shop-help" />
          <button type="submit">{t("landing.login")}</button>
        </div>
        <small id="shop-help">{t("landing.shopHelp")}</small>
      </Form>
      <p>{t("landing.install")}</p>
      <nav aria-label={t("common.language")}>
        <a href="?lang=it" hrefLang="it">Italiano</a> · <a href="?lang=en" hrefLang="en">English</a>
      </nav>
    </main>
  );
}
