import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisIt from "@shopify/polaris/locales/it.json";
import polarisEn from "@shopify/polaris/locales/en.json";
import { isEmbedded, shopify } from "~/shopify.server";
import { appConfig } from "~/config.server";
import { localeFromRequest } from "~/i18n/i18n";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  await shopify().authenticate.admin(request);
  return { apiKey: appConfig().SHOPIFY_API_KEY, embedded: isEmbedded(), locale: localeFromRequest(request) };
}

export default function AppLayout() {
  const { apiKey, embedded, locale } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp={embedded} apiKey={apiKey} i18n={locale === "it" ? polarisIt : polarisEn}>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so that their headers are included.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
