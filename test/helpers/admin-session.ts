/**
 * A merchant's logged-in admin session for browser and HTTP tests. The app authenticates its
 * non-embedded admin with its own session (app/security/admin-session.server.ts): a random token in
 * the `soisy_admin` cookie whose SHA-256 is an AdminSession row. Tests use a token derived from the
 * app's secret and the shop (so the cookie helpers stay synchronous); `seedAdminSession` stores its
 * row (startStack does it for the stack's shop).
 *
 * `legacyShopifySessionCookieHeader` is what older versions accepted (the library's signed cookie
 * naming the shop's offline session): the app must refuse it now.
 */
import { createHash, createHmac, hkdfSync } from "node:crypto";
import type { Db } from "~/db.server";

export const ADMIN_COOKIE = "soisy_admin";
export const LEGACY_SESSION_COOKIE = "shopify_app_session";

/** The test token for a shop: 32 bytes in base64url, like the app's. */
export function testAdminToken(apiSecret: string, shop: string): string {
  return createHmac("sha256", apiSecret).update(`test-admin-session:${shop}`).digest("base64url");
}

/** The cookie value as Remix's createCookie writes it (base64 JSON, URI-encoded). */
export function adminCookieValue(token: string): string {
  return encodeURIComponent(Buffer.from(JSON.stringify(token), "utf8").toString("base64"));
}

/** The token in a cookie value the app set (the reverse of adminCookieValue). */
export function tokenFromCookieValue(value: string): string {
  return JSON.parse(Buffer.from(decodeURIComponent(value), "base64").toString("utf8")) as string;
}

export function hashAdminToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Stores the test session's row (valid for `maxSeconds`, default 24 h). */
export async function seedAdminSession(db: Db, apiSecret: string, shop: string, maxSeconds = 86_400): Promise<void> {
  const now = new Date();
  const row = { shop, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + maxSeconds * 1000), revokedAt: null };
  const id = hashAdminToken(testAdminToken(apiSecret, shop));
  await db.adminSession.upsert({ where: { id }, create: { id, ...row }, update: row });
}

/** Cookies for Playwright's context.addCookies(). */
export function adminSessionCookies(appUrl: string, apiSecret: string, shop: string) {
  const { hostname } = new URL(appUrl);
  return [{ name: ADMIN_COOKIE, value: adminCookieValue(testAdminToken(apiSecret, shop)), domain: hostname, path: "/", httpOnly: true, sameSite: "Lax" as const }];
}

/** A Cookie request header for fetch(). */
export function adminSessionCookieHeader(apiSecret: string, shop: string): string {
  return `${ADMIN_COOKIE}=${adminCookieValue(testAdminToken(apiSecret, shop))}`;
}

export function signCookieValue(apiSecret: string, value: string): string {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(apiSecret), Buffer.alloc(0), "shopify-app-js/cookie-signing/v1", 32));
  return createHmac("sha256", key).update(value).digest("base64");
}

/** The library's signed `shopify_app_session=offline_<shop>` cookie (what older versions accepted). */
export function legacyShopifySessionCookieHeader(apiSecret: string, shop: string): string {
  const value = `offline_${shop}`;
  return `${LEGACY_SESSION_COOKIE}=${value}; ${LEGACY_SESSION_COOKIE}.sig=${signCookieValue(apiSecret, value)}`;
}
