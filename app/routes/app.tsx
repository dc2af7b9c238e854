import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
// Only Italian: the library's AppProvider brings Polaris's English (importing it here too, without its
// import attributes, makes the build warn).
import polarisIt from "@shopify/polaris/locales/it.json";
import { isEmbedded, shopify } from "~/shopify.server";
import { appConfig } from "~/config.server";
import { localeFromRequest, translator, type Locale } from "~/i18n/i18n";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  try {
    await shopify().authenticate.admin(request);
  } catch (error) {
    // Non-embedded, no valid session cookie and no shop to install: the library answers a bare
    // 400; send the merchant to log in instead.
    const url = new URL(request.url);
    if (error instanceof Response && error.status === 400 && !isEmbedded() && !url.searchParams.get("shop")) {
      throw redirect(`/auth/login${url.searchParams.get("lang") ? `?lang=${encodeURIComponent(url.searchParams.get("lang")!)}` : ""}`);
    }
    throw error;
  }
  return { apiKey: appConfig().SHOPIFY_API_KEY, embedded: isEmbedded(), locale: localeFromRequest(request) };
}

export default function AppLayout() {
  const { apiKey, embedded, locale } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp={embedded} apiKey={apiKey} i18n={locale === "it" ? polarisIt : undefined}>
      {embedded ? null : <AdminNav locale={locale} />}
      <Outlet />
    </AppProvider>
  );
}

/**
 * The non-embedded admin's navigation (embedded, Shopify's admin shows the app's menu). It wraps
 * instead of overflowing: at 360 px the name takes a line and the links the next.
 */
function AdminNav({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const style = ({ isActive }: { isActive: boolean }) => ({
    padding: "0.4rem 0.6rem",
    borderRadius: 8,
    color: "#303030",
    textDecoration: "none",
    fontWeight: isActive ? 650 : 450,
    background: isActive ? "#ebebeb" : "transparent",
    whiteSpace: "nowrap" as const,
  });
  const other = locale === "it" ? "en" : "it";
  return (
    <nav
      aria-label={t("nav.label")}
      style={{ display: "flex", flexWrap: "wrap", gap: "0.25rem 0.25rem", alignItems: "center", padding: "0.5rem 0.75rem", borderBottom: "1px solid #e3e3e3", background: "#fff" }}
    >
      <strong style={{ marginRight: "0.5rem", whiteSpace: "nowrap" }}>{t("app.name")}</strong>
      <div style={{ display: "flex", flexWrap: "wrap", gap: "0.25rem", alignItems: "center", flex: "1 1 auto" }}>
        <NavLink to={`/app?lang=${locale}`} end style={style}>
          {t("nav.dashboard")}
        </NavLink>
        <NavLink to={`/app/settings?lang=${locale}`} style={style}>
          {t("nav.settings")}
        </NavLink>
        <NavLink to={`/app/transactions?lang=${locale}`} style={style}>
          {t("nav.transactions")}
        </NavLink>
        <NavLink to={`/app/payouts?lang=${locale}`} style={style}>
          {t("nav.payouts")}
        </NavLink>
        <span style={{ display: "flex", gap: "0.5rem", alignItems: "center", marginLeft: "auto" }}>
          <a href={`?lang=${other}`} hrefLang={other} lang={other} style={{ color: "#303030" }}>
            {other === "en" ? "English" : "Italiano"}
          </a>
          <form method="post" action={`/auth/logout?lang=${locale}`} style={{ margin: 0 }}>
            <button type="submit" style={{ padding: "0.4rem 0.75rem", borderRadius: 8, border: "1px solid #c9c9c9", background: "#fff", cursor: "pointer" }}>
              {t("nav.logout")}
            </button>
          </form>
        </span>
      </div>
    </nav>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
