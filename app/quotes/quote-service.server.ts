/**
 * Instalment-widget quotes: the shop's settings applied to an amount, then Soisy's public
 * `GET /loan-quotes`, cached.
 *
 * - Environment: a storefront request carries no Shopify "test" flag, so the widget quotes with the
 *   **production** Soisy credentials when the shop has them (shop id + API key stored), else with the
 *   sandbox ones; neither → `not_configured`.
 * - Cache: one LRU (lru-cache v11) keyed by (environment, Soisy shop id, amount, instalments,
 *   zero-interest) — see `quoteCacheKey`. Answers live `QUOTE_CACHE_TTL_SECONDS` (default 600 s).
 *   Soisy's 400s (e.g. more instalments than the shop's contract allows) are deterministic and are
 *   cached like answers (→ `out_of_range`). Failures (network, timeout, 5xx, bad body, unknown shop)
 *   are cached only `failureTtlMs` (30 s): Soisy being down is not hammered by every page view, and
 *   the widget comes back within half a minute of Soisy.
 * - Single-flight: concurrent misses for one key share one promise, so they make ONE Soisy call.
 * - `cachedLoanQuotes` is that cache for any caller: the in-store pre-approval page (level 2) asks
 *   it for each instalment option with the payment session's environment, so its quotes share the
 *   same TTL, LRU, single-flight and failure memory as the widget's.
 * - Settings: the few fields the quote needs are cached per shop for `settingsTtlMs` (5 s) so the
 *   hit path does no database read; `invalidateQuoteSettings(shop)` drops a shop's entry at once
 *   (call it after saving settings). Each app process has its own caches, so another instance sees
 *   a settings change at most 5 s late.
 * - Miss limit (storefront only): the public endpoint lets anyone ask for many different in-range
 *   amounts, and every new key is one Soisy call — the LRU bounds memory, not calls. So misses of
 *   callers that pass `limitMisses` (the app-proxy route) take a token from a bucket per Soisy
 *   account (environment + Soisy shop id): `QUOTE_MISS_BURST` at once, `QUOTE_MISS_PER_SECOND` on
 *   average (defaults 50 and 10/s); an empty bucket answers `busy` (not cached, HTTP 429 with
 *   Retry-After). Hits and requests joining a call in flight never take a token. Per account, not per
 *   shopper: Shopify's app proxy hides the shopper's IP, so a per-client limit is out of reach here.
 *   The in-store pre-approval page (`cachedLoanQuotes` without `limitMisses`) is exempt: it is only
 *   reached with a verified payment session (a real checkout), asks at most 10 options for one
 *   amount, and must not lose its quotes to storefront traffic while a buyer is paying; a bucket of
 *   its own would only add a way to fail. The merchant's settings preview (admin session) is exempt too.
 * - The API key is never decrypted here: loan-quotes needs no auth (the Soisy client still wants a
 *   key, so it gets a placeholder that is never sent — `auth: false` for this call).
 */
import { LRUCache } from "lru-cache";
import { z } from "zod";
import type { Db } from "~/db.server";
import type { Logger } from "~/logger.server";
import { createSoisyClient, type SoisyClient } from "~/soisy/client.server";
import { isSoisyError } from "~/soisy/errors";
import { TokenBuckets } from "./token-bucket";
import { SOISY_MAX_INSTALMENTS, SOISY_MIN_INSTALMENTS, type LoanQuotes } from "~/soisy/types";
import {
  quoteCacheKey,
  quoteFromLoanQuotes,
  type QuoteEnvironment,
  type QuoteUnavailableReason,
  type WidgetQuote,
} from "./widget-quote";

export type {
  AvailableQuote,
  QuoteEnvironment,
  QuoteUnavailableReason,
  UnavailableQuote,
  WidgetQuote,
} from "./widget-quote";

/** The fields of ShopSettings a quote needs (cached per shop). */
export interface QuoteShopSettings {
  ready: boolean;
  uninstalled: boolean;
  minAmountCents: number;
  maxAmountCents: number;
  zeroInterest: boolean;
  widgetInstalments: number;
  /** The Soisy account the widget quotes with; null when no environment is configured. */
  soisy: { environment: QuoteEnvironment; soisyShopId: string } | null;
}

/** A cached Soisy loan-quotes answer: the quotes, or why there are none. */
export type LoanQuotesOutcome = { ok: true; quotes: LoanQuotes } | { ok: false; reason: QuoteUnavailableReason };
type Outcome = LoanQuotesOutcome;

export interface QuoteCacheOptions {
  /** How long a Soisy answer is reused. */
  ttlMs: number;
  /** How long a failure is remembered (no Soisy call meanwhile). Default 30 s. */
  failureTtlMs?: number;
  /** Max cached quotes. Default 10,000 (a few hundred bytes each). */
  maxEntries?: number;
  /** How long a shop's settings are reused. Default 5 s. */
  settingsTtlMs?: number;
  /** Max cached shops. Default 10,000. */
  maxShops?: number;
  /** Limit on `limitMisses` misses per Soisy account. Default burst 50, 10 per second. */
  missLimit?: { burst: number; perSecond: number };
  /** The miss limit's clock (ms, monotonic). Default `performance.now` (tests pass a fake one). */
  now?: () => number;
}

export interface QuoteCacheStats {
  /** Calls to Soisy's loan-quotes (one per miss, shared by concurrent misses). */
  soisyCalls: number;
  hits: number;
  misses: number;
  /** Requests that joined a Soisy call already in flight. */
  shared: number;
  settingsReads: number;
  /** Misses refused by the miss limit (`busy`, no Soisy call). */
  limited: number;
}

export const DEFAULT_MISS_LIMIT = { burst: 50, perSecond: 10 } as const;

export class QuoteCache {
  readonly ttlMs: number;
  readonly failureTtlMs: number;
  readonly settingsTtlMs: number;
  readonly quotes: LRUCache<string, Outcome>;
  readonly settings: LRUCache<string, { value: QuoteShopSettings | null }>;
  readonly inflight = new Map<string, Promise<Outcome>>();
  readonly settingsInflight = new Map<string, Promise<QuoteShopSettings | null>>();
  /** Tokens for storefront misses, per Soisy account. */
  readonly missBuckets: TokenBuckets;
  readonly stats: QuoteCacheStats = { soisyCalls: 0, hits: 0, misses: 0, shared: 0, settingsReads: 0, limited: 0 };

  constructor(options: QuoteCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.failureTtlMs = options.failureTtlMs ?? 30_000;
    this.settingsTtlMs = options.settingsTtlMs ?? 5_000;
    if (!(this.ttlMs >= 1) || !(this.failureTtlMs >= 1) || !(this.settingsTtlMs >= 1)) {
      throw new Error("QuoteCache: TTLs must be at least 1 ms");
    }
    this.quotes = new LRUCache({ max: options.maxEntries ?? 10_000, ttl: this.ttlMs });
    this.settings = new LRUCache({ max: options.maxShops ?? 10_000, ttl: this.settingsTtlMs });
    const limit = options.missLimit ?? DEFAULT_MISS_LIMIT;
    this.missBuckets = new TokenBuckets({ ...limit, ...(options.now ? { now: options.now } : {}) });
  }

  /** Drops a shop's cached settings (the quotes are keyed by Soisy account, not by shop). */
  invalidateShop(shop: string): void {
    this.settings.delete(shop);
  }

  clear(): void {
    this.quotes.clear();
    this.settings.clear();
    this.missBuckets.clear();
  }
}

export interface QuoteDeps {
  db: Db;
  logger: Logger;
  cache: QuoteCache;
  /** A Soisy client for loan quotes. Default: createSoisyClient with short timeouts (see below). */
  soisyClient?(environment: QuoteEnvironment, soisyShopId: string): Pick<SoisyClient, "loanQuotes">;
}

export interface WidgetQuoteInput {
  /** A *.myshopify.com domain. */
  shop: string;
  /** Integer cents, > 0. */
  amountCents: number;
  /** 3–60; default: the shop's `widgetInstalments`. */
  instalments?: number;
  /** Read the shop's settings from the database, bypassing the 5 s settings cache (settings preview). */
  freshSettings?: boolean;
  /** Public callers (the storefront's app proxy): cache misses take a token of the account's bucket. */
  limitMisses?: boolean;
}

/** How the answer was obtained (for Server-Timing and logs). */
export type QuoteCacheStatus = "hit" | "miss" | "shared" | "limited" | "none";

export interface WidgetQuoteResult {
  quote: WidgetQuote;
  cache: QuoteCacheStatus;
  /** With `reason: "busy"`: whole seconds until the account's bucket has a token again. */
  retryAfterSeconds?: number;
}

export const widgetQuoteInputSchema = z.object({
  shop: z.string().min(1).max(255),
  amountCents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  instalments: z.number().int().min(SOISY_MIN_INSTALMENTS).max(SOISY_MAX_INSTALMENTS).optional(),
  freshSettings: z.boolean().optional(),
  limitMisses: z.boolean().optional(),
});

/** Soisy's own widget waits; ours must not hold a product page: 3 s per attempt, one retry. */
const QUOTE_TIMEOUT_MS = 3_000;
const QUOTE_RETRIES = 1;
/** Never sent: loan-quotes is a public endpoint (the client only requires a non-empty key). */
const UNUSED_API_KEY = "not-sent-loan-quotes-need-no-auth";

/** The shop's widget quote for an amount. Never throws for Soisy failures (→ available: false). */
export async function getWidgetQuote(deps: QuoteDeps, input: WidgetQuoteInput): Promise<WidgetQuote> {
  return (await getWidgetQuoteWithStatus(deps, input)).quote;
}

export async function getWidgetQuoteWithStatus(deps: QuoteDeps, rawInput: WidgetQuoteInput): Promise<WidgetQuoteResult> {
  const input = widgetQuoteInputSchema.parse(rawInput);
  const settings = await shopQuoteSettings(deps, input.shop, input.freshSettings === true);
  if (!settings || !settings.soisy) return { quote: { available: false, reason: "not_configured" }, cache: "none" };
  if (!settings.ready || settings.uninstalled) return { quote: { available: false, reason: "not_ready" }, cache: "none" };
  const range = { minAmount: settings.minAmountCents, maxAmount: settings.maxAmountCents };
  if (input.amountCents < settings.minAmountCents || input.amountCents > settings.maxAmountCents) {
    return { quote: { available: false, reason: "out_of_range", ...range }, cache: "none" };
  }
  const request = {
    amountCents: input.amountCents,
    instalments: input.instalments ?? settings.widgetInstalments,
    zeroInterest: settings.zeroInterest,
  };
  const { outcome, cache, retryAfterSeconds } = await cachedLoanQuotes(deps, { ...settings.soisy, ...request }, { limitMisses: input.limitMisses === true });
  if (!outcome.ok) {
    return {
      quote: { available: false, reason: outcome.reason, ...(outcome.reason === "out_of_range" ? range : {}) },
      cache,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  }
  const quote = quoteFromLoanQuotes(outcome.quotes, request);
  if (!quote) {
    // Figures that do not add up are never advertised (docs/compliance.md): the widget hides itself.
    deps.logger.warn({ shop: input.shop, amountCents: request.amountCents, instalments: request.instalments }, "Soisy loan quote not consistent: not shown");
    return { quote: { available: false, reason: "soisy_unavailable" }, cache };
  }
  return { quote: { ...quote, ...range }, cache };
}

/** What one Soisy loan-quotes answer depends on (the cache key's parts). */
export interface LoanQuotesRequest {
  environment: QuoteEnvironment;
  soisyShopId: string;
  /** Integer cents, > 0. */
  amountCents: number;
  /** 3–60. */
  instalments: number;
  zeroInterest: boolean;
}

const loanQuotesRequestSchema = z.object({
  environment: z.enum(["sandbox", "production"]),
  // The cache key joins the parts with "|": the Soisy shop id must not contain one.
  soisyShopId: z.string().min(1).max(255).regex(/^[A-Za-z0-9_-]+$/),
  amountCents: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  instalments: z.number().int().min(SOISY_MIN_INSTALMENTS).max(SOISY_MAX_INSTALMENTS),
  zeroInterest: z.boolean(),
});

/**
 * Soisy's loan quotes for one (account, amount, instalments, zero-interest), through the shared
 * cache: TTL, LRU, single-flight, failures remembered `failureTtlMs`. Used by the widget (one
 * instalment count) and by the in-store pre-approval page (one call per instalment option). Never
 * throws for Soisy failures: `{ok: false, reason}`. With `limitMisses` (storefront) a miss first takes
 * a token of the account's bucket; none left → `busy` with `retryAfterSeconds` (nothing cached).
 */
export async function cachedLoanQuotes(
  deps: QuoteDeps,
  request: LoanQuotesRequest,
  options: { limitMisses?: boolean } = {},
): Promise<{ outcome: LoanQuotesOutcome; cache: QuoteCacheStatus; retryAfterSeconds?: number }> {
  const { environment, soisyShopId, amountCents, instalments, zeroInterest } = loanQuotesRequestSchema.parse(request);
  const key = quoteCacheKey({ environment, soisyShopId, amountCents, instalments, zeroInterest });
  return cachedOutcome(deps, key, { environment, soisyShopId }, { amountCents, instalments, zeroInterest }, options.limitMisses === true);
}

async function cachedOutcome(
  deps: QuoteDeps,
  key: string,
  soisy: { environment: QuoteEnvironment; soisyShopId: string },
  request: { amountCents: number; instalments: number; zeroInterest: boolean },
  limitMisses: boolean,
): Promise<{ outcome: Outcome; cache: QuoteCacheStatus; retryAfterSeconds?: number }> {
  const { cache } = deps;
  const hit = cache.quotes.get(key);
  if (hit) {
    cache.stats.hits++;
    return { outcome: hit, cache: "hit" };
  }
  const running = cache.inflight.get(key);
  if (running) {
    cache.stats.shared++;
    return { outcome: await running, cache: "shared" };
  }
  if (limitMisses) {
    const token = cache.missBuckets.take(`${soisy.environment}|${soisy.soisyShopId}`);
    if (!token.ok) {
      // Logged on the first refusal and every 1,000th after (a flood must not flood the logs too).
      if (cache.stats.limited++ % 1_000 === 0) {
        deps.logger.warn({ environment: soisy.environment, soisyShopId: soisy.soisyShopId, limited: cache.stats.limited }, "storefront quote misses over the Soisy account's limit: answering busy");
      }
      return { outcome: { ok: false, reason: "busy" }, cache: "limited", retryAfterSeconds: token.retryAfterSeconds };
    }
  }
  cache.stats.misses++;
  const promise = fetchOutcome(deps, soisy, request).then((outcome) => {
    const failure = !outcome.ok && outcome.reason !== "out_of_range";
    cache.quotes.set(key, outcome, { ttl: failure ? cache.failureTtlMs : cache.ttlMs });
    return outcome;
  });
  cache.inflight.set(key, promise);
  try {
    return { outcome: await promise, cache: "miss" };
  } finally {
    cache.inflight.delete(key);
  }
}

async function fetchOutcome(
  deps: QuoteDeps,
  soisy: { environment: QuoteEnvironment; soisyShopId: string },
  request: { amountCents: number; instalments: number; zeroInterest: boolean },
): Promise<Outcome> {
  deps.cache.stats.soisyCalls++;
  const started = performance.now();
  try {
    const client = deps.soisyClient
      ? deps.soisyClient(soisy.environment, soisy.soisyShopId)
      : createSoisyClient({
          environment: soisy.environment,
          shopId: soisy.soisyShopId,
          apiKey: UNUSED_API_KEY,
          timeoutMs: QUOTE_TIMEOUT_MS,
          getRetries: QUOTE_RETRIES,
          retryBaseDelayMs: 100,
          logger: deps.logger,
        });
    const quotes = await client.loanQuotes({
      amount: request.amountCents,
      instalments: request.instalments,
      zeroInterestRate: request.zeroInterest,
    });
    return { ok: true, quotes };
  } catch (error) {
    const kind = isSoisyError(error) ? error.kind : "unexpected";
    const reason: QuoteUnavailableReason =
      kind === "validation" ? "out_of_range" : kind === "not_found" || kind === "auth" ? "not_configured" : "soisy_unavailable";
    const log = { environment: soisy.environment, soisyShopId: soisy.soisyShopId, ...request, kind, reason, durationMs: Math.round(performance.now() - started) };
    if (reason === "soisy_unavailable") deps.logger.warn({ ...log, err: isSoisyError(error) ? undefined : error }, "Soisy loan quotes unavailable");
    else deps.logger.info(log, "Soisy refused the loan quote");
    return { ok: false, reason };
  }
}

async function shopQuoteSettings(deps: QuoteDeps, shop: string, fresh: boolean): Promise<QuoteShopSettings | null> {
  const { cache } = deps;
  if (!fresh) {
    const cached = cache.settings.get(shop);
    if (cached) return cached.value;
    const running = cache.settingsInflight.get(shop);
    if (running) return running;
  }
  const promise = readQuoteSettings(deps, shop).then((value) => {
    cache.settings.set(shop, { value });
    return value;
  });
  if (fresh) return promise;
  cache.settingsInflight.set(shop, promise);
  try {
    return await promise;
  } finally {
    cache.settingsInflight.delete(shop);
  }
}

async function readQuoteSettings(deps: QuoteDeps, shop: string): Promise<QuoteShopSettings | null> {
  deps.cache.stats.settingsReads++;
  const row = await deps.db.shopSettings.findUnique({
    where: { shop },
    select: {
      ready: true,
      uninstalledAt: true,
      minAmountCents: true,
      maxAmountCents: true,
      zeroInterest: true,
      widgetInstalments: true,
      productionSoisyShopId: true,
      productionApiKeyEncrypted: true,
      sandboxSoisyShopId: true,
      sandboxApiKeyEncrypted: true,
    },
  });
  if (!row) return null;
  const soisy =
    row.productionSoisyShopId && row.productionApiKeyEncrypted
      ? { environment: "production" as const, soisyShopId: row.productionSoisyShopId }
      : row.sandboxSoisyShopId && row.sandboxApiKeyEncrypted
        ? { environment: "sandbox" as const, soisyShopId: row.sandboxSoisyShopId }
        : null;
  return {
    ready: row.ready,
    uninstalled: row.uninstalledAt !== null,
    minAmountCents: row.minAmountCents,
    maxAmountCents: row.maxAmountCents,
    zeroInterest: row.zeroInterest,
    widgetInstalments: row.widgetInstalments,
    soisy,
  };
}
