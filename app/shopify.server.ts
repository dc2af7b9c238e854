/**
 * The Shopify app (OAuth, sessions, admin authentication) from @shopify/shopify-app-remix.
 * Payments apps may not be embedded in the Shopify admin: non-embedded unless SHOPIFY_APP_EMBEDDED=true.
 * Created on first use so modules that merely import it need no Shopify configuration.
 */
import "@shopify/shopify-app-remix/adapters/node";
import { AsyncLocalStorage } from "node:async_hooks";
import { redirect } from "@remix-run/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { db } from "./db.server";
import { appConfig, type AppConfig } from "./config.server";
import { logger } from "./logger.server";
import { assertSameOriginWrite, createAdminSession, findAdminSession, pruneAdminSessions, type AdminSessionLimits } from "./security/admin-session.server";
import { appKeyring } from "./security/encryption.server";
import { adminUrlTemplate, installAdminFetchOverride, withAdminRedirects } from "./shopify/admin-url-override.server";
import { ensureFreshCookieSession, librarySessionCookie, SESSION_COOKIE, singleFlight, type RefreshDeps } from "./shopify/offline-refresh.server";
import { EncryptedSessionStorage } from "./shopify/session-storage.server";
import { syncShopCheckoutRules } from "./shopify/payment-customization.server";
import { refreshShopName } from "./shopify/shop-profile.server";

function createShopifyApp() {
  const config = appConfig();
  return shopifyApp({
    apiKey: config.SHOPIFY_API_KEY,
    apiSecretKey: config.SHOPIFY_API_SECRET,
    apiVersion: ApiVersion.April26,
    scopes: config.SCOPES.split(",").map((s) => s.trim()).filter(Boolean),
    appUrl: config.SHOPIFY_APP_URL,
    authPathPrefix: "/auth",
    // The session storage package types its client loosely; our generated client matches its shape.
    // Tokens are encrypted at rest (app/shopify/session-storage.server.ts).
    sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(db() as never), () => appKeyring()),
    distribution: AppDistribution.AppStore,
    isEmbeddedApp: config.SHOPIFY_APP_EMBEDDED,
    future: { expiringOfflineAccessTokens: true },
    hooks: {
      // A (re)install: the shop is known again (uninstall and stale-webhook guards use these).
      afterAuth: async ({ session, admin }) => {
        // Tells the authenticate wrapper below that this OAuth callback succeeded: it starts an admin session.
        const oauth = oauthCompleted.getStore();
        if (oauth) oauth.shop = session.shop;
        const now = new Date();
        await db().shopSettings.upsert({
          where: { shop: session.shop },
          create: { shop: session.shop, installedAt: now },
          update: { installedAt: now, uninstalledAt: null },
        });
        // The payment customization hiding Soisy at checkout + the widget's metafield (never throws; retried on every save).
        await syncShopCheckoutRules(admin.graphql, session.shop);
        // The shop's name for the shopper pages (never throws; they show the handle until it is known).
        await refreshShopName(db(), admin.graphql, session.shop);
      },
    },
  });
}

/** Set by afterAuth during an OAuth callback the library accepted (per request). */
const oauthCompleted = new AsyncLocalStorage<{ shop?: string }>();

function adminSessionLimits(config: AppConfig): AdminSessionLimits {
  return { idleSeconds: config.ADMIN_SESSION_IDLE_SECONDS, maxSeconds: config.ADMIN_SESSION_MAX_SECONDS };
}

/** `/auth/login`, keeping the language and (for the login's own OAuth start) the shop asked for. */
function loginRedirect(url: URL): Response {
  const params = new URLSearchParams();
  const lang = url.searchParams.get("lang");
  if (lang === "it" || lang === "en") params.set("lang", lang);
  const shop = url.searchParams.get("shop");
  if (shop) params.set("shop", shop);
  const query = params.toString();
  return redirect(`/auth/login${query ? `?${query}` : ""}`, { headers: { "Cache-Control": "no-store" } });
}

/**
 * The OAuth callback's redirect, carrying the new admin session's cookie instead of the library's
 * session cookie (which names the shop's offline session, the same at every login: it grants nothing
 * here any more, and is expired in the browser).
 */
async function withAdminSessionCookie(response: Response, shop: string, config: AppConfig): Promise<Response> {
  const headers = new Headers(response.headers);
  const libraryCookies = new Set([SESSION_COOKIE, `${SESSION_COOKIE}.sig`]);
  const kept = headers.getSetCookie().filter((c) => !libraryCookies.has(c.slice(0, c.indexOf("=")).trim()));
  headers.delete("set-cookie");
  for (const c of kept) headers.append("set-cookie", c);
  for (const name of libraryCookies) headers.append("set-cookie", `${name}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`);
  headers.append("set-cookie", await createAdminSession(db(), shop, adminSessionLimits(config), config.SHOPIFY_APP_URL));
  // Housekeeping at each login: rows that can no longer authenticate anything (never blocks the login).
  pruneAdminSessions(db()).catch((error: unknown) => logger.warn({ err: error }, "pruning old admin sessions failed"));
  headers.set("cache-control", "no-store");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The library's app, with these additions around `authenticate.admin` / `login`:
 * - non-embedded, the merchant's browser is authenticated by the app's own admin session
 *   (app/security/admin-session.server.ts), started when the library completes an OAuth callback; the
 *   library then gets the request with its own cookie for that shop's offline session;
 * - every POST/PUT/PATCH/DELETE must come from the app's origin (403 before anything is read);
 * - non-embedded, an expired expiring offline token is refreshed before the library sees the request
 *   (app/shopify/offline-refresh.server.ts);
 * - local development / tests only: SHOPIFY_ADMIN_URL (e.g. `http://127.0.0.1:4200/shops/{shop}`) sends the
 *   OAuth round trip to the Shopify simulator instead of `https://{shop}/admin`
 *   (app/shopify/admin-url-override.server.ts). Unset, nothing changes.
 */
function createShopify() {
  const app = createShopifyApp();
  const config = appConfig();
  const template = adminUrlTemplate();
  if (template) installAdminFetchOverride(template);
  const admin = app.authenticate.admin;
  const login = app.login;
  const refreshDeps: RefreshDeps = {
    apiSecret: config.SHOPIFY_API_SECRET,
    loadSession: (id) => app.sessionStorage.loadSession(id),
    refresh: singleFlight(async (shop) => (await app.unauthenticated.admin(shop)).session),
    onError: (error, shop) =>
      logger.warn({ shop, err: error instanceof Response ? `HTTP ${error.status}` : error }, "refreshing the expired offline token failed; sending the merchant through OAuth"),
  };

  /** /auth/*: the library's OAuth; a successful callback starts an admin session. */
  async function oauth(request: Request) {
    const store: { shop?: string } = {};
    try {
      const result = await oauthCompleted.run(store, () => admin(request));
      return result;
    } catch (error) {
      if (store.shop && error instanceof Response && error.status >= 300 && error.status < 400) {
        throw await withAdminSessionCookie(error, store.shop, config);
      }
      throw error;
    }
  }

  /** Non-embedded admin pages: the app's admin session says which shop; the library does the rest. */
  async function nonEmbedded(request: Request) {
    const url = new URL(request.url);
    const found = await findAdminSession(db(), request, adminSessionLimits(config), config.SHOPIFY_APP_URL);
    if (!found) throw loginRedirect(url);
    const asked = url.searchParams.get("shop");
    // Another shop than the one logged in: log in to that one (Shopify checks the merchant may).
    if (asked && asked !== found.shop) throw loginRedirect(url);
    // The library finds the offline session through its signed cookie; the body stays with the route.
    const headers = new Headers(request.headers);
    headers.set("cookie", await librarySessionCookie(config.SHOPIFY_API_SECRET, `offline_${found.shop}`));
    headers.delete("content-length");
    const libraryRequest = new Request(request.url, { method: request.method, headers, signal: request.signal });
    await ensureFreshCookieSession(libraryRequest, refreshDeps);
    return admin(libraryRequest);
  }

  return {
    ...app,
    authenticate: {
      ...app.authenticate,
      admin: (request: Request) =>
        withAdminRedirects(template, async () => {
          assertSameOriginWrite(request, config.SHOPIFY_APP_URL);
          const { pathname } = new URL(request.url);
          if (pathname === "/auth" || pathname.startsWith("/auth/")) return oauth(request);
          if (config.SHOPIFY_APP_EMBEDDED) return admin(request);
          return nonEmbedded(request);
        }),
    },
    login: (request: Request) => withAdminRedirects(template, () => login(request)),
  } as typeof app;
}

type ShopifyApp = ReturnType<typeof createShopifyApp>;
let instance: ShopifyApp | undefined;

export function shopify(): ShopifyApp {
  instance ??= createShopify();
  return instance;
}

export function isEmbedded(): boolean {
  return appConfig().SHOPIFY_APP_EMBEDDED;
}
