/**
 * The running app's quote dependencies: one cache per process (kept across Vite's HMR reloads).
 * The settings page's preview and the proxy route both use `quoteDeps()`.
 */
import { appConfig } from "~/config.server";
import { db } from "~/db.server";
import { logger } from "~/logger.server";
import { QuoteCache, type QuoteDeps } from "./quote-service.server";

declare global {
  var __soisyQuoteDeps: QuoteDeps | undefined;
}

export function quoteDeps(): QuoteDeps {
  globalThis.__soisyQuoteDeps ??= {
    db: db(),
    logger: logger.child({ component: "quotes" }),
    cache: new QuoteCache({
      ttlMs: appConfig().QUOTE_CACHE_TTL_SECONDS * 1_000,
      missLimit: { burst: appConfig().QUOTE_MISS_BURST, perSecond: appConfig().QUOTE_MISS_PER_SECOND },
    }),
  };
  return globalThis.__soisyQuoteDeps;
}

/** Call after a shop's settings are saved: the next quote reads them again. */
export function invalidateQuoteSettings(shop: string): void {
  globalThis.__soisyQuoteDeps?.cache.invalidateShop(shop);
}
