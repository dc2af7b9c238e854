/**
 * The offline demo's hub (DEMO_MODE only, 404 otherwise): every demo surface in one page, styled like
 * the shopper pages, Italian or English (?lang=, else the browser's language), no JavaScript needed.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { pageStyle } from "~/components/ShopperPage";
import { OPERATOR_DECISIONS } from "~/demo/hub";
import { demoEnabled, hubData, operatorDecides } from "~/demo/hub.server";
import { localeFromRequest, translator, type Locale } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "Soisy per Shopify — demo" }, { name: "robots", content: "noindex" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (!demoEnabled()) throw new Response("Not Found", { status: 404 });
  return json(await hubData(localeFromRequest(request)), { headers: { "Cache-Control": "no-store" } });
}

const operatorAction = z.object({
  id: z.string().min(1).max(255),
  decision: z.enum(OPERATOR_DECISIONS),
});

/** Demo only: Soisy's operator decides a loan (the Soisy simulator fires the event and calls the app back). */
export async function action({ request }: ActionFunctionArgs) {
  if (!demoEnabled()) throw new Response("Not Found", { status: 404 });
  const input = operatorAction.safeParse(Object.fromEntries(await request.formData()));
  if (!input.success) return json({ error: "invalid request" }, { status: 400 });
  const failure = await operatorDecides(input.data.id, input.data.decision);
  if (failure) return json({ error: failure.detail }, { status: failure.status });
  const lang = new URL(request.url).searchParams.get("lang");
  return redirect(`/demo${lang ? `?lang=${encodeURIComponent(lang)}` : ""}#payments`);
}

const card = { border: "1px solid #d9d9d9", borderRadius: 10, padding: "0.75rem 1rem", margin: "0.75rem 0" } as const;
const linkButton = {
  display: "inline-block",
  margin: "0.25rem 0.5rem 0.25rem 0",
  padding: "0.5rem 0.9rem",
  borderRadius: 8,
  background: "#00857c",
  color: "#fff",
  fontWeight: 600,
  textDecoration: "none",
} as const;
const smallButton = { font: "inherit", padding: "0.45rem 0.8rem", borderRadius: 8, border: "1px solid #00857c", background: "#fff", color: "#00574f", cursor: "pointer" } as const;

function LanguageSwitch({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const options = [
    { lang: "it", label: "Italiano" },
    { lang: "en", label: "English" },
  ] as const;
  return (
    <nav aria-label={t("common.language")} style={{ textAlign: "right", fontSize: "0.95rem" }}>
      {options.map((o, i) => (
        <span key={o.lang}>
          {i > 0 ? " · " : null}
          <a href={`?lang=${o.lang}`} hrefLang={o.lang} lang={o.lang} aria-current={o.lang === locale ? "true" : undefined} style={{ fontWeight: o.lang === locale ? 700 : 400 }}>
            {o.label}
          </a>
        </span>
      ))}
    </nav>
  );
}

export default function Demo() {
  const data = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const t = translator(data.locale);
  const online = data.shops.filter((s) => s.level === "redirect");
  const inStore = data.shops.filter((s) => s.level === "preapproval");
  return (
    <main style={{ ...pageStyle, margin: "1.5rem auto", overflowWrap: "anywhere" }} data-page="demo-hub">
      <LanguageSwitch locale={data.locale} />
      <h1 style={{ fontSize: "1.5rem" }}>
        {t("app.name")} — {t("demo.title")}
      </h1>
      <p>{t("demo.intro")}</p>
      {data.shops.length === 0 ? <p role="status">{t("demo.noShops")}</p> : null}

      <section aria-labelledby="demo-shopper">
        <h2 id="demo-shopper" style={{ fontSize: "1.2rem" }}>{t("demo.shopper.title")}</h2>
        <p>{t("demo.shopper.body")}</p>
        {online.map((s) => (
          <div key={s.shop} style={card} data-testid="demo-shop" data-shop={s.shop}>
            <p style={{ margin: "0 0 0.5rem" }}>
              <strong>{s.name}</strong> · {t("demo.shop.level.redirect")}
              {s.fundOnFulfilment ? ` · ${t("demo.shop.fundOn.fulfilment")}` : null}
            </p>
            <a href={s.products} style={linkButton}>{t("demo.link.product")}</a>
            <a href={s.cart} style={linkButton}>{t("demo.link.cart")}</a>
            <a href={s.checkout} style={linkButton}>{t("demo.link.checkout")}</a>
            {s.authorizationCheckout ? (
              <>
                <p style={{ margin: "0.5rem 0" }}>{t("demo.fulfilment.body")}</p>
                <a href={s.authorizationCheckout} style={linkButton} data-testid="authorization-checkout">
                  {t("demo.link.authorizationCheckout")}
                </a>
              </>
            ) : null}
            <p style={{ margin: "0.5rem 0" }}>{t("demo.oversold.body")}</p>
            <a href={s.oversoldCheckout} style={linkButton} data-testid="oversold-checkout">
              {t("demo.link.oversoldCheckout")}
            </a>
          </div>
        ))}
      </section>

      <section aria-labelledby="demo-merchant">
        <h2 id="demo-merchant" style={{ fontSize: "1.2rem" }}>{t("demo.merchant.title")}</h2>
        <p>{t("demo.merchant.body", { shop: online[0]?.shop ?? data.shops[0]?.shop ?? "—" })}</p>
        <a href={data.adminLogin} style={linkButton}>{t("demo.link.admin")}</a>
        {data.mailInbox ? (
          <a href={data.mailInbox} style={linkButton} data-testid="mail-inbox">
            {t("alerts.demo.inbox")}
          </a>
        ) : null}
      </section>

      <section aria-labelledby="demo-instore">
        <h2 id="demo-instore" style={{ fontSize: "1.2rem" }}>{t("demo.instore.title")}</h2>
        <p>{t("demo.instore.body")}</p>
        {inStore.map((s) => (
          <div key={s.shop} style={card} data-testid="demo-shop" data-shop={s.shop}>
            <p style={{ margin: "0 0 0.5rem" }}>
              <strong>{s.name}</strong> · {t("demo.shop.level.preapproval")}
            </p>
            <a href={s.checkout} style={linkButton}>{t("demo.link.instoreCheckout")}</a>
          </div>
        ))}
        <h3 style={{ fontSize: "1rem" }}>{t("demo.codes.title")}</h3>
        <ul data-testid="fiscal-codes" style={{ paddingLeft: "1.25rem" }}>
          {data.fiscalCodes.map((f) => (
            <li key={f.code}>
              <code style={{ fontWeight: 700 }}>{f.code}</code> — {t(`demo.codes.${f.outcome}`)}
            </li>
          ))}
          <li>{t("demo.codes.postalCode", { code: data.refusedPostalCode })}</li>
        </ul>
      </section>

      <section aria-labelledby="payments">
        <h2 id="payments" style={{ fontSize: "1.2rem" }}>{t("demo.operator.title")}</h2>
        <p>{t("demo.operator.body")}</p>
        {failed && "error" in failed ? (
          <p role="alert" style={{ borderLeft: "4px solid #d72c0d", background: "#fff4f4", padding: "0.5rem 0.75rem" }}>
            {t("demo.operator.failed", { detail: failed.error })}
          </p>
        ) : null}
        <h3 style={{ fontSize: "1rem" }}>{t("demo.sessions")}</h3>
        {data.payments.length === 0 ? <p>{t("demo.noSessions")}</p> : null}
        {data.payments.map((p) => (
          <div key={p.id} style={card} data-testid="demo-payment" data-payment={p.id}>
            <p style={{ margin: "0 0 0.25rem" }}>
              <strong>{p.amount}</strong> · {p.shop}
              {p.authorization ? ` · ${t("demo.order.kind.authorization")}` : null}
            </p>
            <p style={{ margin: "0 0 0.5rem" }}>
              {t("demo.order.state")}: <span data-testid="demo-payment-state">{p.state}</span> · <a href={p.orderPage}>{t("demo.order.page")}</a>
            </p>
            {p.operable ? (
              // A plain document POST: a client-side submission was now and then lost right after the
              // page's route discovery (no request reached the app), and the hub needs no script.
              <Form method="post" reloadDocument style={{ display: "flex", flexWrap: "wrap", gap: "0.5rem" }}>
                <input type="hidden" name="id" value={p.id} />
                {OPERATOR_DECISIONS.map((d) => (
                  <button key={d} type="submit" name="decision" value={d} style={smallButton}>
                    {t(`demo.operator.${d}`)}
                  </button>
                ))}
              </Form>
            ) : (
              <p style={{ margin: 0, color: "#4a4a4a" }}>{t("demo.operator.none")}</p>
            )}
          </div>
        ))}
      </section>
    </main>
  );
}
