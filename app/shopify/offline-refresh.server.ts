/**
 * The non-embedded admin with expiring offline tokens. @shopify/shopify-app-remix's auth code flow
 * does not refresh an expired offline session on a merchant's request: with only the session cookie
 * (no ?shop=) it even fails with InvalidShopError (a 500). Before the library authenticates a request,
 * this refreshes the cookie's expired session with its refresh token (the same grant
 * `unauthenticated.admin` uses), or sends the merchant through OAuth again when it cannot.
 */
import { redirect } from "@remix-run/node";
import { Cookies } from "@shopify/shopify-api/runtime";
import type { Session } from "@shopify/shopify-api";

/** @shopify/shopify-api's SESSION_COOKIE_NAME (a signed cookie holding the session id). */
export const SESSION_COOKIE = "shopify_app_session";
/** The library refreshes when a token expires within 5 minutes (WITHIN_MILLISECONDS_OF_EXPIRY). */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** One refresh per shop at a time in this process: concurrent requests share its result. */
export function singleFlight<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key) => {
    const running = inFlight.get(key);
    if (running) return running;
    const started = fn(key).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };
}

/** The session id in the request's session cookie, when its signature (the app's API secret) is valid. */
export async function signedSessionId(request: Request, apiSecret: string): Promise<string | undefined> {
  const cookie = request.headers.get("cookie");
  if (!cookie) return undefined;
  const cookies = new Cookies({ headers: { Cookie: cookie } } as never, {} as never, { keys: [apiSecret] });
  return cookies.getAndVerify(SESSION_COOKIE);
}

/**
 * A Cookie header with `sessionId` in the library's signed session cookie, for the request the app
 * hands to the library once its own admin session has said who the merchant is (app/shopify.server.ts).
 * The library's Cookies signs it, so the format stays the library's.
 */
export async function librarySessionCookie(apiSecret: string, sessionId: string): Promise<string> {
  const cookies = new Cookies({ headers: {} } as never, { headers: {} } as never, { keys: [apiSecret] });
  await cookies.setAndSign(SESSION_COOKIE, sessionId);
  const sig = cookies.outgoingCookieJar[`${SESSION_COOKIE}.sig`]?.value;
  if (!sig) throw new Error("the library did not sign the session cookie");
  return `${SESSION_COOKIE}=${sessionId}; ${SESSION_COOKIE}.sig=${sig}`;
}

export interface RefreshDeps {
  apiSecret: string;
  loadSession(id: string): Promise<Session | undefined>;
  /** Refreshes and stores the shop's offline session (shopify().unauthenticated.admin). */
  refresh(shop: string): Promise<Session>;
  onError?(error: unknown, shop: string): void;
}

/**
 * Resolves when the request may go on to the library; throws a redirect to `/auth?shop=` (OAuth again)
 * when the cookie's offline session is expired and cannot be refreshed.
 */
export async function ensureFreshCookieSession(request: Request, deps: RefreshDeps): Promise<void> {
  // /auth/* is the library's OAuth itself (and where the redirect below goes).
  const { pathname } = new URL(request.url);
  if (pathname === "/auth" || pathname.startsWith("/auth/")) return;
  const id = await signedSessionId(request, deps.apiSecret);
  if (!id?.startsWith("offline_")) return;
  const session = await deps.loadSession(id);
  if (!session || !session.isExpired(REFRESH_MARGIN_MS)) return;
  const refreshUsable = session.refreshToken && !(session.refreshTokenExpires && session.refreshTokenExpires.getTime() <= Date.now());
  if (refreshUsable) {
    try {
      const fresh = await deps.refresh(session.shop);
      if (!fresh.isExpired(REFRESH_MARGIN_MS)) return;
    } catch (error) {
      // Another request (or process) may have used the single-use refresh token first: its result counts.
      const current = await deps.loadSession(id);
      if (current && !current.isExpired(REFRESH_MARGIN_MS)) return;
      deps.onError?.(error, session.shop);
    }
  }
  throw redirect(`/auth?shop=${encodeURIComponent(session.shop)}`);
}
