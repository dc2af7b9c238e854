import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { assertSameOriginWrite, revokeAdminSession } from "~/security/admin-session.server";

/** The library's session cookie of older versions (it no longer grants anything): cleared too. */
const LEGACY_COOKIES = ["shopify_app_session", "shopify_app_session.sig"];

/**
 * POST /auth/logout: ends the merchant's admin session server-side (a copy of the cookie stops
 * working too), clears the cookie and returns to the login page. The shop's offline session stays in
 * the database: payments keep working.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response(null, { status: 405, headers: { Allow: "POST" } });
  const appUrl = appConfig().SHOPIFY_APP_URL;
  // A cross-site form must not log the merchant out (same rule as every admin write).
  assertSameOriginWrite(request, appUrl);
  const lang = new URL(request.url).searchParams.get("lang");
  const headers = new Headers({ "Cache-Control": "no-store" });
  headers.append("Set-Cookie", await revokeAdminSession(db(), request, appUrl));
  for (const name of LEGACY_COOKIES) {
    headers.append("Set-Cookie", `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax`);
  }
  return redirect(`/auth/login${lang === "it" || lang === "en" ? `?lang=${lang}` : ""}`, { status: 303, headers });
}

export async function loader() {
  return new Response(null, { status: 405, headers: { Allow: "POST" } });
}
