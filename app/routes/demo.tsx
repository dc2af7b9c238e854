import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { getShopSettings } from "~/settings/settings.server";
import { localeFromRequest, translator } from "~/i18n/i18n";
import { formatEuro } from "~/soisy/money";

export const meta: MetaFunction = () => [{ title: "Soisy per Shopify — demo" }];

/** Offline demo overview (DEMO_MODE only): the demo shop's settings and its payment sessions. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (!appConfig().DEMO_MODE) throw new Response("Not Found", { status: 404 });
  const shops = await db().shopSettings.findMany({ orderBy: { shop: "asc" }, take: 10 });
  const settings = await Promise.all(shops.map((s) => getShopSettings(db(), s.shop)));
  const sessions = await db().paymentSession.findMany({
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, shop: true, amountCents: true, state: true, test: true, soisyToken: true, createdAt: true },
  });
  return { settings: settings.filter((s) => s !== null), sessions, locale: localeFromRequest(request) };
}

export default function Demo() {
  const { settings, sessions, locale } = useLoaderData<typeof loader>();
  const t = translator(locale);
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 960, margin: "2rem auto", padding: "0 1rem" }}>
      <h1>
        {t("app.name")} — {t("demo.title")}
      </h1>
      {settings.map((s) => (
        <section key={s.shop} aria-label={t("demo.shop")}>
          <h2>
            {t("demo.shop")}: <span data-testid="demo-shop">{s.shop}</span>
          </h2>
          <p>{s.ready ? t("dashboard.ready") : t("dashboard.notReady")}</p>
          <p>
            {t("dashboard.sandbox")}: {s.credentials.sandbox.soisyShopId && s.credentials.sandbox.apiKeySet ? `${s.credentials.sandbox.soisyShopId} (${t("dashboard.configured")})` : t("dashboard.missing")}
          </p>
          <p>{t("dashboard.amountRange", { min: formatEuro(s.minAmountCents, locale), max: formatEuro(s.maxAmountCents, locale) })}</p>
        </section>
      ))}
      <h2>{t("demo.sessions")}</h2>
      {sessions.length === 0 ? (
        <p>{t("demo.noSessions")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">id</th>
              <th scope="col">shop</th>
              <th scope="col">€</th>
              <th scope="col">state</th>
              <th scope="col">test</th>
              <th scope="col">Soisy token</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.id}>
                <td>{s.id}</td>
                <td>{s.shop}</td>
                <td>{formatEuro(s.amountCents, locale)}</td>
                <td>{s.state}</td>
                <td>{String(s.test)}</td>
                <td>{s.soisyToken ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label={t("common.language")}>
        <a href="?lang=it" hrefLang="it">Italiano</a> · <a href="?lang=en" hrefLang="en">English</a>
      </nav>
    </main>
  );
}
