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

function createShopify() {
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
  });
}

type ShopifyApp = ReturnType<typeof createShopify>;
let instance: ShopifyApp | undefined;

export function shopify(): ShopifyApp {
  instance ??= createShopify();
  return instance;
}

export function isEmbedded(): boolean {
  return appConfig().SHOPIFY_APP_EMBEDDED;
}
