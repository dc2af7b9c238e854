/**
 * The quote service with a real database (test/helpers/database.ts) and the real Soisy simulator
 * over HTTP: settings applied, the answer mapped from the simulator's own numbers, the cache
 * (TTL, LRU, per-key), single-flight (concurrent misses slowed by the simulator's latency fault
 * make ONE loan-quotes call), the short negative cache and the storefront's miss limit per Soisy
 * account (a fake clock drives the token bucket: no sleeps).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { logger } from "~/logger.server";
import { LoanQuotesSchema } from "~/soisy/types";
import { parseKeyring, generateKeyMaterial } from "~/security/encryption.server";
import { removeSoisyCredentials, saveShopOptions, setReady } from "~/settings/settings.server";
import { quoteCacheKey, quoteFromLoanQuotes } from "~/quotes/widget-quote";
import { cachedLoanQuotes, DEFAULT_MISS_LIMIT, getWidgetQuote, getWidgetQuoteWithStatus, QuoteCache, type QuoteDeps } from "~/quotes/quote-service.server";
import { TokenBuckets } from "~/quotes/token-bucket";
import { configureShop } from "../../scripts/lib/local-stack";
import { DEFAULT_SHOP_OPTIONS } from "~/settings/shop-defaults";
import { computeQuotes, startSoisySimulator, type SoisySimulator } from "../simulators/soisy";
import { expectedAvailableQuote, expectedExample } from "../helpers/expected-quote";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const SHOP = "quote-shop.myshopify.com";
const SANDBOX_ONLY = "sandbox-only.myshopify.com";
const UNCONFIGURED = "unconfigured.myshopify.com";
const LIMITED = "limited.myshopify.com";

let sim: SoisySimulator;
let database: TestDatabase;
let deps: QuoteDeps;
const quiet = logger.child({}, { level: "silent" });

function freshDeps(options: Partial<ConstructorParameters<typeof QuoteCache>[0]> = {}): QuoteDeps {
  return { db: database.db, logger: quiet, cache: new QuoteCache({ ttlMs: 60_000, ...options }) };
}

function loanQuoteCalls() {
  return sim.requests.filter((r) => r.method === "GET" && r.path.endsWith("/loan-quotes"));
}

beforeAll(async () => {
  sim = await startSoisySimulator({
    shops: [
      { shopId: "partnershop", apiKey: "partnerkey" },
      { shopId: "limitedshop", apiKey: "limitedkey", maxLoanInstalmentsNumber: 24, zeroInterestRate: false },
    ],
  });
  process.env.SOISY_API_URL = sim.url;
  database = await createTestDatabase();
  const keyring = parseKeyring(generateKeyMaterial());
  await configureShop(database.db, keyring, SHOP, "tok1");
  await configureShop(database.db, keyring, SANDBOX_ONLY, "tok2", { production: false, options: { widgetInstalments: 6 } });
  await configureShop(database.db, keyring, UNCONFIGURED, "tok3");
  await removeSoisyCredentials(database.db, UNCONFIGURED, "sandbox");
  await removeSoisyCredentials(database.db, UNCONFIGURED, "production");
  await configureShop(database.db, keyring, LIMITED, "tok4");
  await database.db.shopSettings.update({ where: { shop: LIMITED }, data: { productionSoisyShopId: "limitedshop" } });
});

afterAll(async () => {
  await sim?.close();
  await database?.cleanup();
});

beforeEach(() => {
  sim.reset();
  deps = freshDeps();
});

describe("pure helpers", () => {
  it("quoteCacheKey holds every part that changes Soisy's answer", () => {
    const base = { environment: "production" as const, soisyShopId: "s", amountCents: 10000, instalments: 12, zeroInterest: false };
    const keys = new Set([
      quoteCacheKey(base),
      quoteCacheKey({ ...base, environment: "sandbox" }),
      quoteCacheKey({ ...base, soisyShopId: "t" }),
      quoteCacheKey({ ...base, amountCents: 10001 }),
      quoteCacheKey({ ...base, instalments: 13 }),
      quoteCacheKey({ ...base, zeroInterest: true }),
    ]);
    expect(keys.size).toBe(6);
    expect(quoteCacheKey(base)).toBe(quoteCacheKey({ ...base }));
    // 1|23 vs 12|3 cannot collide.
    expect(quoteCacheKey({ ...base, amountCents: 1, instalments: 23 })).not.toBe(quoteCacheKey({ ...base, amountCents: 12, instalments: 3 }));
  });

  it("quoteFromLoanQuotes takes one representative example from the median profile, never a range", () => {
    const q = LoanQuotesSchema.parse(computeQuotes(100_000, 12, false));
    expect(quoteFromLoanQuotes(q, { amountCents: 100_000, instalments: 12, zeroInterest: false })).toEqual({
      available: true,
      amount: 100_000,
      instalments: 12,
      zeroInterest: false,
      example: expectedExample(100_000, 12),
    });
  });

  it("quoteFromLoanQuotes refuses figures that do not add up (nothing is advertised)", () => {
    const q = LoanQuotesSchema.parse(computeQuotes(100_000, 12, false));
    const lying = { ...q, median: { ...q.median, totalRepaid: q.median.totalRepaid - 5_000 } };
    expect(quoteFromLoanQuotes(lying, { amountCents: 100_000, instalments: 12, zeroInterest: false })).toBeNull();
    const zeroWithRate = LoanQuotesSchema.parse(computeQuotes(100_000, 12, true));
    const notZero = { ...zeroWithRate, median: { ...zeroWithRate.median, apr: 1.5 } };
    expect(quoteFromLoanQuotes(notZero, { amountCents: 100_000, instalments: 12, zeroInterest: true })).toBeNull();
  });
});

describe("getWidgetQuote", () => {
  it("answers with the simulator's own numbers for the shop's default instalments", async () => {
    const quote = await getWidgetQuote(deps, { shop: SHOP, amountCents: 123_456 });
    expect(quote).toEqual(expectedAvailableQuote(123_456, { lender: false }));
    const calls = loanQuoteCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe("/api/shops/partnershop/loan-quotes");
    expect(calls[0]!.query).toMatchObject({ amount: "123456", instalments: "12", zeroInterestRate: "false" });
    // No API key is sent to the public endpoint.
    expect(calls[0]!.headers["x-auth-token"]).toBeUndefined();
  });

  it("uses the requested instalments and the shop's zero-interest setting", async () => {
    await saveShopOptions(database.db, SHOP, { ...DEFAULT_SHOP_OPTIONS, zeroInterest: true });
    try {
      const quote = await getWidgetQuote(deps, { shop: SHOP, amountCents: 50_000, instalments: 10 });
      expect(quote).toMatchObject({ available: true, instalments: 10, zeroInterest: true, example: { instalment: 5_000, total: 50_000, tan: 0, taeg: 0, zeroInterest: true } });
      expect(loanQuoteCalls()[0]!.query).toMatchObject({ instalments: "10", zeroInterestRate: "true" });
    } finally {
      await saveShopOptions(database.db, SHOP, DEFAULT_SHOP_OPTIONS);
    }
  });

  it("quotes with the sandbox account when production is not configured", async () => {
    const quote = await getWidgetQuote(deps, { shop: SANDBOX_ONLY, amountCents: 20_000 });
    expect(quote).toMatchObject({ available: true, instalments: 6 });
    const keyed = [...deps.cache.quotes.keys()];
    expect(keyed).toEqual([quoteCacheKey({ environment: "sandbox", soisyShopId: "partnershop", amountCents: 20_000, instalments: 6, zeroInterest: false })]);
  });

  it("out of the shop's range → out_of_range without calling Soisy", async () => {
    for (const amountCents of [DEFAULT_SHOP_OPTIONS.minAmountCents - 1, DEFAULT_SHOP_OPTIONS.maxAmountCents + 1]) {
      expect(await getWidgetQuote(deps, { shop: SHOP, amountCents })).toEqual({
        available: false,
        reason: "out_of_range",
        minAmount: DEFAULT_SHOP_OPTIONS.minAmountCents,
        maxAmount: DEFAULT_SHOP_OPTIONS.maxAmountCents,
      });
    }
    // The bounds themselves are in range.
    expect((await getWidgetQuote(deps, { shop: SHOP, amountCents: DEFAULT_SHOP_OPTIONS.minAmountCents })).available).toBe(true);
    expect(loanQuoteCalls()).toHaveLength(1);
  });

  it("not ready → not_ready; no settings or no Soisy account → not_configured; no Soisy call", async () => {
    await setReady(database.db, SHOP, false);
    try {
      expect(await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000, freshSettings: true })).toEqual({ available: false, reason: "not_ready" });
    } finally {
      await setReady(database.db, SHOP, true);
    }
    expect(await getWidgetQuote(deps, { shop: UNCONFIGURED, amountCents: 20_000 })).toEqual({ available: false, reason: "not_configured" });
    expect(await getWidgetQuote(deps, { shop: "nobody.myshopify.com", amountCents: 20_000 })).toEqual({ available: false, reason: "not_configured" });
    expect(loanQuoteCalls()).toHaveLength(0);
  });

  it("Soisy refusing the instalments (over the contract's maximum) → out_of_range, cached", async () => {
    const quote = await getWidgetQuote(deps, { shop: LIMITED, amountCents: 20_000, instalments: 36 });
    expect(quote).toMatchObject({ available: false, reason: "out_of_range" });
    await getWidgetQuote(deps, { shop: LIMITED, amountCents: 20_000, instalments: 36 });
    expect(loanQuoteCalls()).toHaveLength(1);
    expect((await getWidgetQuote(deps, { shop: LIMITED, amountCents: 20_000, instalments: 24 })).available).toBe(true);
  });

  it("rejects invalid input (programming errors)", async () => {
    await expect(getWidgetQuote(deps, { shop: SHOP, amountCents: 10.5 })).rejects.toThrow();
    await expect(getWidgetQuote(deps, { shop: SHOP, amountCents: 0 })).rejects.toThrow();
    await expect(getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000, instalments: 2 })).rejects.toThrow();
  });
});

describe("cache", () => {
  it("a second request for the same key is a hit (no Soisy call, no settings read); other keys miss", async () => {
    const first = await getWidgetQuoteWithStatus(deps, { shop: SHOP, amountCents: 30_000 });
    const second = await getWidgetQuoteWithStatus(deps, { shop: SHOP, amountCents: 30_000 });
    expect(first.cache).toBe("miss");
    expect(second.cache).toBe("hit");
    expect(second.quote).toEqual(first.quote);
    expect(deps.cache.stats.settingsReads).toBe(1);
    await getWidgetQuoteWithStatus(deps, { shop: SHOP, amountCents: 30_000, instalments: 6 });
    await getWidgetQuoteWithStatus(deps, { shop: SHOP, amountCents: 30_001 });
    expect(loanQuoteCalls()).toHaveLength(3);
    expect(deps.cache.stats).toMatchObject({ soisyCalls: 3, hits: 1, misses: 3 });
  });

  it("entries expire after the TTL", async () => {
    // TTL long enough that the immediate second ask is a hit even on a busy machine.
    deps = freshDeps({ ttlMs: 400 });
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 30_000 });
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 30_000 });
    expect(loanQuoteCalls()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 30_000 });
    expect(loanQuoteCalls()).toHaveLength(2);
  });

  it("is bounded (LRU): the least recently used key is evicted", async () => {
    deps = freshDeps({ maxEntries: 2 });
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 });
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_001 });
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 }); // touch: 20_001 is now the oldest
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_002 });
    expect(deps.cache.quotes.size).toBe(2);
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 });
    expect(loanQuoteCalls()).toHaveLength(3);
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_001 });
    expect(loanQuoteCalls()).toHaveLength(4);
  });

  it("single-flight: 25 concurrent misses for one key make ONE Soisy call (simulator slowed to 300 ms)", async () => {
    sim.setFaults({ latencyMs: 300, match: "loan-quotes" });
    const results = await Promise.all(
      Array.from({ length: 25 }, () => getWidgetQuoteWithStatus(deps, { shop: SHOP, amountCents: 45_000 })),
    );
    expect(loanQuoteCalls()).toHaveLength(1);
    expect(results.filter((r) => r.cache === "miss")).toHaveLength(1);
    expect(results.filter((r) => r.cache === "shared")).toHaveLength(24);
    for (const r of results) expect(r.quote).toEqual(results[0]!.quote);
    expect(results[0]!.quote.available).toBe(true);
  });

  it("single-flight per key: concurrent misses for 3 keys make 3 calls", async () => {
    sim.setFaults({ latencyMs: 200, match: "loan-quotes" });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => getWidgetQuote(deps, { shop: SHOP, amountCents: 60_000 + (i % 3) })),
    );
    expect(loanQuoteCalls()).toHaveLength(3);
  });

  it("Soisy down → soisy_unavailable, remembered for the short failure TTL only", async () => {
    deps = freshDeps({ failureTtlMs: 500 });
    sim.setFaults({ failNext: { count: 100, status: 503 }, match: "loan-quotes" });
    const failed = await getWidgetQuoteWithStatus(deps, { shop: SHOP, amountCents: 70_000 });
    expect(failed.quote).toEqual({ available: false, reason: "soisy_unavailable" });
    const callsAfterFirst = loanQuoteCalls().length;
    expect(callsAfterFirst).toBe(2); // one attempt + one retry
    // Within the failure TTL: no new call.
    const again = await getWidgetQuoteWithStatus(deps, { shop: SHOP, amountCents: 70_000 });
    expect(again).toEqual({ quote: { available: false, reason: "soisy_unavailable" }, cache: "hit" });
    expect(loanQuoteCalls()).toHaveLength(callsAfterFirst);
    // Soisy is back and the failure TTL is over: a fresh answer.
    sim.clearFaults();
    await new Promise((r) => setTimeout(r, 600));
    expect((await getWidgetQuote(deps, { shop: SHOP, amountCents: 70_000 })).available).toBe(true);
    expect(loanQuoteCalls()).toHaveLength(callsAfterFirst + 1);
  });

  it("a Soisy timeout is soisy_unavailable, not an exception", async () => {
    sim.setFaults({ hangNext: 2, match: "loan-quotes" });
    const started = Date.now();
    expect(await getWidgetQuote(deps, { shop: SHOP, amountCents: 71_000 })).toEqual({ available: false, reason: "soisy_unavailable" });
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 15_000);

  it("settings are cached per shop for a few seconds; invalidateShop re-reads them", async () => {
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 });
    await setReady(database.db, SHOP, false);
    try {
      // Still cached: the shop looks ready.
      expect((await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 })).available).toBe(true);
      deps.cache.invalidateShop(SHOP);
      expect(await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 })).toEqual({ available: false, reason: "not_ready" });
    } finally {
      await setReady(database.db, SHOP, true);
    }
    expect(deps.cache.stats.settingsReads).toBe(2);
  });

  it("settings expire after settingsTtlMs", async () => {
    deps = freshDeps({ settingsTtlMs: 60 });
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 });
    await new Promise((r) => setTimeout(r, 100));
    await getWidgetQuote(deps, { shop: SHOP, amountCents: 20_000 });
    expect(deps.cache.stats.settingsReads).toBe(2);
  });

  it("refuses a TTL of 0 (lru-cache would keep entries forever)", () => {
    expect(() => new QuoteCache({ ttlMs: 0 })).toThrow(/TTL/);
  });
});

describe("cachedLoanQuotes (shared by the widget and the in-store pre-approval page)", () => {
  const request = { environment: "sandbox" as const, soisyShopId: "partnershop", amountCents: 48_000, zeroInterest: false };

  it("the pre-approval page's options, asked by 20 page views at once, make one Soisy call per instalment count", async () => {
    sim.setFaults({ latencyMs: 200, match: "loan-quotes" });
    const choices = [3, 6, 10, 12, 18, 24];
    const views = await Promise.all(
      Array.from({ length: 20 }, () => Promise.all(choices.map((instalments) => cachedLoanQuotes(deps, { ...request, instalments })))),
    );
    expect(loanQuoteCalls()).toHaveLength(choices.length);
    for (const view of views) {
      view.forEach((answer, i) => {
        expect(answer.outcome).toEqual({ ok: true, quotes: LoanQuotesSchema.parse(computeQuotes(48_000, choices[i]!, false)) });
      });
    }
    // A later view is all hits.
    sim.clearFaults();
    const again = await Promise.all(choices.map((instalments) => cachedLoanQuotes(deps, { ...request, instalments })));
    expect(again.map((a) => a.cache)).toEqual(choices.map(() => "hit"));
    expect(loanQuoteCalls()).toHaveLength(choices.length);
  });

  it("shares its entries with the widget (same key), and its failures are remembered only briefly", async () => {
    // SANDBOX_ONLY quotes with the sandbox account "partnershop": the widget's answer fills the entry.
    await getWidgetQuote(deps, { shop: SANDBOX_ONLY, amountCents: 48_000, instalments: 12 });
    expect(loanQuoteCalls()).toHaveLength(1);
    expect((await cachedLoanQuotes(deps, { ...request, instalments: 12 })).cache).toBe("hit");
    expect(loanQuoteCalls()).toHaveLength(1);

    deps = freshDeps({ failureTtlMs: 150 });
    sim.setFaults({ failNext: { count: 10, status: 503 }, match: "loan-quotes" });
    const down = await cachedLoanQuotes(deps, { ...request, instalments: 6 });
    expect(down.outcome).toEqual({ ok: false, reason: "soisy_unavailable" });
    sim.clearFaults();
    await new Promise((r) => setTimeout(r, 200));
    expect((await cachedLoanQuotes(deps, { ...request, instalments: 6 })).outcome.ok).toBe(true);
  });

  it("validates its input (a shop id with the key's separator, cents, instalments)", async () => {
    await expect(cachedLoanQuotes(deps, { ...request, soisyShopId: "a|b", instalments: 12 })).rejects.toThrow();
    await expect(cachedLoanQuotes(deps, { ...request, amountCents: 12.5, instalments: 12 })).rejects.toThrow();
    await expect(cachedLoanQuotes(deps, { ...request, instalments: 61 })).rejects.toThrow();
    expect(loanQuoteCalls()).toHaveLength(0);
  });
});

describe("storefront miss limit (token bucket per Soisy account)", () => {
  /** A clock the test moves by hand (ms). */
  function fakeClock() {
    let t = 1_000_000;
    return { now: () => t, advance: (ms: number) => void (t += ms) };
  }
  const storefront = (shop: string, amountCents: number) => getWidgetQuoteWithStatus(deps, { shop, amountCents, limitMisses: true });
  const amounts = (n: number, from = 100_000) => Array.from({ length: n }, (_, i) => from + i * 7);

  it("N distinct amounts beyond the burst → exactly `burst` Soisy calls, the rest busy (not cached); hits still served", async () => {
    const clock = fakeClock();
    deps = freshDeps({ missLimit: { burst: 5, perSecond: 1 }, now: clock.now });
    const asked = amounts(12);
    const answers = [];
    for (const amountCents of asked) answers.push(await storefront(SHOP, amountCents));
    expect(loanQuoteCalls()).toHaveLength(5);
    expect(answers.slice(0, 5).map((a) => a.quote)).toEqual(asked.slice(0, 5).map((amount) => expectedAvailableQuote(amount, { lender: false })));
    for (const busy of answers.slice(5)) {
      expect(busy).toEqual({ quote: { available: false, reason: "busy" }, cache: "limited", retryAfterSeconds: 1 });
    }
    expect(deps.cache.stats).toMatchObject({ soisyCalls: 5, misses: 5, limited: 7 });

    // Cache hits are never limited: the 5 quoted amounts answer again with the bucket empty.
    for (const amountCents of asked.slice(0, 5)) {
      const again = await storefront(SHOP, amountCents);
      expect(again.cache).toBe("hit");
      expect(again.quote).toEqual(expectedAvailableQuote(amountCents, { lender: false }));
    }
    // "busy" is not cached: the same amount is still a (limited) miss, not a hit.
    expect((await storefront(SHOP, asked[5]!)).cache).toBe("limited");
    expect(loanQuoteCalls()).toHaveLength(5);
  });

  it("refill: after 1 s one more miss goes through; after a long pause at most `burst` (the bucket is capped)", async () => {
    const clock = fakeClock();
    deps = freshDeps({ missLimit: { burst: 3, perSecond: 1 }, now: clock.now });
    const asked = amounts(20, 200_000);
    let i = 0;
    for (; i < 4; i++) await storefront(SHOP, asked[i]!);
    expect(loanQuoteCalls()).toHaveLength(3);

    clock.advance(999);
    expect((await storefront(SHOP, asked[i++]!)).quote).toEqual({ available: false, reason: "busy" });
    clock.advance(1);
    expect((await storefront(SHOP, asked[i++]!)).quote.available).toBe(true);
    expect((await storefront(SHOP, asked[i++]!)).retryAfterSeconds).toBe(1);
    expect(loanQuoteCalls()).toHaveLength(4);

    clock.advance(60_000);
    const after = [];
    for (let n = 0; n < 6; n++) after.push(await storefront(SHOP, asked[i++]!));
    expect(after.map((a) => a.cache)).toEqual(["miss", "miss", "miss", "limited", "limited", "limited"]);
    expect(loanQuoteCalls()).toHaveLength(7);
  });

  it("Retry-After is the whole seconds until one token is back", async () => {
    const clock = fakeClock();
    deps = freshDeps({ missLimit: { burst: 2, perSecond: 0.25 }, now: clock.now });
    await storefront(SHOP, 300_000);
    await storefront(SHOP, 300_001);
    expect((await storefront(SHOP, 300_002)).retryAfterSeconds).toBe(4);
    clock.advance(2_500);
    expect((await storefront(SHOP, 300_003)).retryAfterSeconds).toBe(2);
    clock.advance(1_500);
    expect((await storefront(SHOP, 300_004)).cache).toBe("miss");
  });

  it("the bucket is per Soisy account: environment and Soisy shop id each have their own", async () => {
    const clock = fakeClock();
    deps = freshDeps({ missLimit: { burst: 2, perSecond: 1 }, now: clock.now });
    for (const amountCents of amounts(3, 400_000)) await storefront(SHOP, amountCents); // production partnershop: 2 + busy
    // Sandbox partnershop and production limitedshop still have their whole burst.
    const sandbox = [await storefront(SANDBOX_ONLY, 400_100), await storefront(SANDBOX_ONLY, 400_101), await storefront(SANDBOX_ONLY, 400_102)];
    expect(sandbox.map((a) => a.cache)).toEqual(["miss", "miss", "limited"]);
    const other = [await storefront(LIMITED, 400_200), await storefront(LIMITED, 400_201), await storefront(LIMITED, 400_202)];
    expect(other.map((a) => a.cache)).toEqual(["miss", "miss", "limited"]);
    const paths = loanQuoteCalls().map((c) => c.path);
    expect(paths.filter((p) => p.includes("/partnershop/"))).toHaveLength(4);
    expect(paths.filter((p) => p.includes("/limitedshop/"))).toHaveLength(2);
  });

  it("requests joining a call in flight take no token: 20 concurrent requests for one amount with burst 1 → one call, all quoted", async () => {
    deps = freshDeps({ missLimit: { burst: 1, perSecond: 0.001 }, now: fakeClock().now });
    sim.setFaults({ latencyMs: 200, match: "loan-quotes" });
    const results = await Promise.all(Array.from({ length: 20 }, () => storefront(SHOP, 500_000)));
    expect(loanQuoteCalls()).toHaveLength(1);
    expect(results.every((r) => r.quote.available)).toBe(true);
    expect(results.filter((r) => r.cache === "miss")).toHaveLength(1);
    expect(deps.cache.stats.limited).toBe(0);
  });

  it("the pre-approval page (cachedLoanQuotes) and the settings preview are not starved by an empty storefront bucket", async () => {
    deps = freshDeps({ missLimit: { burst: 1, perSecond: 0.001 }, now: fakeClock().now });
    await storefront(SHOP, 600_000);
    expect((await storefront(SHOP, 600_001)).quote).toEqual({ available: false, reason: "busy" });
    const choices = [3, 6, 10, 12, 18, 24, 30, 36, 48, 60];
    const options = await Promise.all(
      choices.map((instalments) => cachedLoanQuotes(deps, { environment: "production", soisyShopId: "partnershop", amountCents: 600_002, instalments, zeroInterest: false })),
    );
    expect(options.map((o) => o.cache)).toEqual(choices.map(() => "miss"));
    expect(options.every((o) => o.outcome.ok)).toBe(true);
    // The merchant's preview (no limitMisses) still quotes a new amount.
    expect(await getWidgetQuote(deps, { shop: SHOP, amountCents: 600_003, freshSettings: true })).toEqual(expectedAvailableQuote(600_003, { lender: false }));
    expect(loanQuoteCalls()).toHaveLength(1 + choices.length + 1);
    // …and they did not refill or drain the storefront's bucket.
    expect((await storefront(SHOP, 600_004)).cache).toBe("limited");
  });

  it("the default limit is 50 at once, 10 per second; TokenBuckets refuses nonsense", () => {
    expect(DEFAULT_MISS_LIMIT).toEqual({ burst: 50, perSecond: 10 });
    expect(new QuoteCache({ ttlMs: 1 }).missBuckets).toMatchObject({ burst: 50, perSecond: 10 });
    expect(() => new TokenBuckets({ burst: 0, perSecond: 1 })).toThrow(/burst/);
    expect(() => new TokenBuckets({ burst: 1.5, perSecond: 1 })).toThrow(/burst/);
    expect(() => new TokenBuckets({ burst: 1, perSecond: 0 })).toThrow(/perSecond/);
    expect(() => new TokenBuckets({ burst: 1, perSecond: Number.POSITIVE_INFINITY })).toThrow(/perSecond/);
    // A clock going backwards adds no tokens.
    let t = 10_000;
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1, now: () => t });
    expect(buckets.take("a").ok).toBe(true);
    t -= 5_000;
    expect(buckets.take("a").ok).toBe(false);
    t += 999;
    expect(buckets.take("a").ok).toBe(false);
  });
});
