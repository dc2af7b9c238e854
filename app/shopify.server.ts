/**
 * The Shopify app (OAuth, sessions, admin authentication) from @shopify/shopify-app-remix.
 * Payments apps may not be embedded in the Shopify admin: non-embedded unless SHOPIFY_APP_EMBEDDED=true.
 * Created on first use so modules that merely import it need no Shopify configuration.
 */
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { db } from "./db.server";
import { appConfig } from "./config.server";
import { logger } from "./logger.server";
import { adminUrlTemplate, installAdminFetchOverride, withAdminRedirects } from "./shopify/admin-url-override.server";
import { ensureFreshCookieSession, singleFlight, type RefreshDeps } from "./shopify/offline-refresh.server";
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
    sessionStorage: new PrismaSessionStorage(db() as never),
    distribution: AppDistribution.AppStore,
    isEmbeddedApp: config.SHOPIFY_APP_EMBEDDED,
    future: { expiringOfflineAccessTokens: true },
    hooks: {
      // A (re)install: the shop is known again (uninstall and stale-webhook guards use these).
      afterAuth: async ({ session, admin }) => {
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

/**
 * The library's app, with two additions around `authenticate.admin` / `login`:
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
  return {
    ...app,
    authenticate: {
      ...app.authenticate,
      admin: (request: Request) =>
        withAdminRedirects(template, async () => {
          if (!config.SHOPIFY_APP_EMBEDDED) await ensureFreshCookieSession(request, refreshDeps);
          return admin(request);
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
