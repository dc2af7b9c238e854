/**
 * The non-embedded admin's login sessions, owned by the app (see docs/admin-security.md for why not
 * the library's online sessions).
 *
 * At every successful OAuth the merchant's browser gets a fresh random 256-bit token in an
 * `HttpOnly; SameSite=Lax` cookie (`Secure` when SHOPIFY_APP_URL is https). Only the token's SHA-256
 * is stored (AdminSession.id), so reading the database grants no login. A session ends when it has
 * been idle for ADMIN_SESSION_IDLE_SECONDS, ADMIN_SESSION_MAX_SECONDS after login, or at logout
 * (revokedAt, server-side: a copied cookie dies with it).
 *
 * The shop's offline session (Shopify's token, used by payments) is untouched by all of this.
 */
import { createHash, randomBytes } from "node:crypto";
import { createCookie } from "@remix-run/node";
import type { Db } from "~/db.server";

export const ADMIN_COOKIE = "soisy_admin";
const TOKEN_BYTES = 32;
/** lastSeenAt is written at most this often per session (not on every request). */
const TOUCH_EVERY_MS = 60_000;

export interface AdminSessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

export interface AdminSessionRecord {
  id: string;
  shop: string;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Remix's cookie (the `cookie` package underneath): serialising and parsing attributes by hand is easy to get wrong. */
export function adminCookie(appUrl: string) {
  return createCookie(ADMIN_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: new URL(appUrl).protocol === "https:",
  });
}

/** The token in the request's admin cookie, if any (shape-checked, not yet looked up). */
export async function tokenFromRequest(request: Request, appUrl: string): Promise<string | undefined> {
  const header = request.headers.get("cookie");
  if (!header) return undefined;
  let value: unknown;
  try {
    value = await adminCookie(appUrl).parse(header);
  } catch {
    return undefined;
  }
  return typeof value === "string" && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

/** Starts a session for `shop`; returns the Set-Cookie header value for the merchant's browser. */
export async function createAdminSession(db: Db, shop: string, limits: AdminSessionLimits, appUrl: string, now = new Date()): Promise<string> {
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  await db.adminSession.create({
    data: { id: hashToken(token), shop, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + limits.maxSeconds * 1000) },
  });
  return adminCookie(appUrl).serialize(token, { maxAge: limits.maxSeconds });
}

/** The live session the request's cookie names, or null (none, unknown, revoked, idle too long, too old). */
export async function findAdminSession(db: Db, request: Request, limits: AdminSessionLimits, appUrl: string, now = new Date()): Promise<AdminSessionRecord | null> {
  const token = await tokenFromRequest(request, appUrl);
  if (!token) return null;
  const row = await db.adminSession.findUnique({ where: { id: hashToken(token) } });
  if (!row || row.revokedAt) return null;
  if (row.expiresAt.getTime() <= now.getTime()) return null;
  if (row.lastSeenAt.getTime() + limits.idleSeconds * 1000 <= now.getTime()) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    await db.adminSession.update({ where: { id: row.id }, data: { lastSeenAt: now } });
  }
  return { id: row.id, shop: row.shop };
}

/** Logout: the request's session is revoked server-side. Returns the Set-Cookie value that clears it. */
export async function revokeAdminSession(db: Db, request: Request, appUrl: string, now = new Date()): Promise<string> {
  const token = await tokenFromRequest(request, appUrl);
  if (token) await db.adminSession.updateMany({ where: { id: hashToken(token), revokedAt: null }, data: { revokedAt: now } });
  return adminCookie(appUrl).serialize("", { maxAge: 0, expires: new Date(0) });
}

/** Every session of a shop ends (uninstall, or an operator's decision). */
export async function revokeShopAdminSessions(db: Db, shop: string, now = new Date()): Promise<number> {
  const { count } = await db.adminSession.updateMany({ where: { shop, revokedAt: null }, data: { revokedAt: now } });
  return count;
}

/** Deletes rows that can no longer authenticate anything (expired or revoked more than a day ago). */
export async function pruneAdminSessions(db: Db, now = new Date()): Promise<number> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const { count } = await db.adminSession.deleteMany({ where: { OR: [{ expiresAt: { lt: dayAgo } }, { revokedAt: { lt: dayAgo } }] } });
  return count;
}

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * CSRF defence on top of SameSite=Lax: a state-changing request must come from the app's own origin
 * (Origin, or Referer when a browser sent no Origin). Neither, or another origin → false.
 */
export function isSameOriginWrite(request: Request, appUrl: string): boolean {
  if (!UNSAFE_METHODS.has(request.method.toUpperCase())) return true;
  const own = new URL(appUrl).origin;
  const origin = request.headers.get("origin");
  if (origin) return origin === own;
  const referer = request.headers.get("referer");
  if (!referer) return false;
  try {
    return new URL(referer).origin === own;
  } catch {
    return false;
  }
}

/** Throws a 403 when `isSameOriginWrite` says no; call before reading the body or the database. */
export function assertSameOriginWrite(request: Request, appUrl: string): void {
  if (!isSameOriginWrite(request, appUrl)) {
    throw new Response("Forbidden: cross-origin request", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }
}
