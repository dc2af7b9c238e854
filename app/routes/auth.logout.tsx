import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { appConfig } from "~/config.server";

/** The non-embedded admin's session cookie (@shopify/shopify-api SESSION_COOKIE_NAME) and its signature. */
const SESSION_COOKIES = ["shopify_app_session", "shopify_app_session.sig"];

/**
 * POST /auth/logout: forgets the merchant's browser session (the signed session cookie) and returns to
 * the login page. The shop's offline session stays in the database: payments keep working.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  // A cross-site form must not log the merchant out.
  const origin = request.headers.get("origin");
  if (origin && origin !== "null" && origin !== new URL(appConfig().SHOPIFY_APP_URL).origin) {
    return new Response("Forbidden", { status: 403 });
  }
  const lang = new URL(request.url).searchParams.get("lang");
  const headers = new Headers({ "Cache-Control": "no-store" });
  for (const name of SESSION_COOKIES) {
    headers.append("Set-Cookie", `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; SameSite=Lax; Secure`);
  }
  return redirect(`/auth/login${lang === "it" || lang === "en" ? `?lang=${lang}` : ""}`, { status: 303, headers });
}

export async function loader() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}
