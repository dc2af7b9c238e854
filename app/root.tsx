import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData, useRouteError, isRouteErrorResponse } from "@remix-run/react";
import { useEffect } from "react";
import { localeFromRequest, translate, type Locale } from "./i18n/i18n";

export const links: LinksFunction = () => [
  { rel: "preconnect", href: "https://cdn.shopify.com/" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  return { locale: localeFromRequest(request) };
}

export function Layout({ children }: { children: React.ReactNode }) {
  // The Layout also wraps the error boundary, where useLoaderData may not be called: read the root
  // route's data by id (undefined when the root loader itself failed).
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang={data?.locale ?? "it"}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  // Marks the page as interactive (effects run once React has hydrated it): browser tests wait for
  // it before clicking what needs JavaScript, instead of racing hydration.
  useEffect(() => {
    document.documentElement.dataset.hydrated = "true";
  }, []);
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const locale: Locale = "it";
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", padding: "2rem" }}>
      <h1>{translate(locale, notFound ? "error.notFound" : "error.title")}</h1>
      <p lang="en">{translate("en", notFound ? "error.notFound" : "error.title")}</p>
    </main>
  );
}
