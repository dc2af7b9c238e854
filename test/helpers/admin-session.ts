/**
 * A merchant's logged-in admin session for browser tests, as @shopify/shopify-app-remix keeps it
 * for a non-embedded app: the offline session's id in the `shopify_app_session` cookie, signed
 * like shopify-api signs it (HMAC-SHA256 under an HKDF key derived from the app's secret).
 * The session itself must exist in the database (configureShop stores it).
 */
import { createHmac, hkdfSync } from "node:crypto";

export const SESSION_COOKIE = "shopify_app_session";

export function signCookieValue(apiSecret: string, value: string): string {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(apiSecret), Buffer.alloc(0), "shopify-app-js/cookie-signing/v1", 32));
  return createHmac("sha256", key).update(value).digest("base64");
}

/** Cookies for Playwright's context.addCookies(). */
export function adminSessionCookies(appUrl: string, apiSecret: string, shop: string) {
  const value = `offline_${shop}`;
  const { hostname } = new URL(appUrl);
  return [
    { name: SESSION_COOKIE, value, domain: hostname, path: "/" },
    { name: `${SESSION_COOKIE}.sig`, value: signCookieValue(apiSecret, value), domain: hostname, path: "/" },
  ];
}

/** A Cookie request header for fetch(). */
export function adminSessionCookieHeader(apiSecret: string, shop: string): string {
  const value = `offline_${shop}`;
  return `${SESSION_COOKIE}=${value}; ${SESSION_COOKIE}.sig=${signCookieValue(apiSecret, value)}`;
}
