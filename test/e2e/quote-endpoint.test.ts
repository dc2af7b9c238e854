/**
 * The quote endpoint end to end: the built app (production server) + the Soisy simulator + a real
 * database. Requests are signed like Shopify's app proxy signs them (the app's API secret).
 * The app runs with a small storefront miss limit (QUOTE_MISS_BURST=30, QUOTE_MISS_PER_SECOND=0.1 per
 * Soisy account): the main shop's tests stay under it, a second shop on its own Soisy account floods it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { optionsToForm } from "~/settings/settings-form";
import { parseKeyring } from "~/security/encryption.server";
import { signAppProxyQuery } from "~/shopify/app-proxy.server";
import { configureShop } from "../../scripts/lib/local-stack";
import { DEFAULT_SHOP_OPTIONS } from "~/settings/shop-defaults";
import { computeQuotes } from "../simulators/soisy";
import { adminSessionCookieHeader } from "../helpers/admin-session";
import { ADMIN_USER_AGENT } from "../helpers/admin-page";
import { expectedAvailableQuote } from "../helpers/expected-quote";
import { startStack, type Stack, STACK_SETUP_TIMEOUT_MS, printAppOutputIfFailed } from "../helpers/stack";

const NOT_READY = "not-ready-shop.myshopify.com";
/** Quotes with its own Soisy account ("floodshop"), so its flood empties only that account's bucket. */
const FLOOD = "flood-shop.myshopify.com";
const MISS_BURST = 30;
const MISS_PER_SECOND = 0.1;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    // Settings saves reach the Admin API: the simulator's (development mode; see test/helpers/stack.ts).
    adminOAuth: true,
    appEnv: { QUOTE_MISS_BURST: String(MISS_BURST), QUOTE_MISS_PER_SECOND: String(MISS_PER_SECOND) },
    soisy: { shops: [{ shopId: "partnershop", apiKey: "partnerkey" }, { shopId: "floodshop", apiKey: "floodkey" }] },
  });
  const keyring = parseKeyring(stack.encryptionKey);
  await configureShop(stack.database.db, keyring, NOT_READY, "shpat_not_ready", { ready: false });
  await configureShop(stack.database.db, keyring, FLOOD, "shpat_flood");
  await stack.database.db.shopSettings.update({ where: { shop: FLOOD }, data: { productionSoisyShopId: "floodshop" } });
}, STACK_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
});

afterEach((context) => {
  stack.soisy.clearFaults();
  printAppOutputIfFailed(context, stack);
});

function quoteUrl(query: Record<string, string>, options: { shop?: string; timestamp?: number; secret?: string; sign?: boolean } = {}): string {
  const params = new URLSearchParams({
    ...query,
    shop: options.shop ?? stack.shop,
    logged_in_customer_id: "",
    path_prefix: "/apps/soisy",
    timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
  });
  const signed = options.sign === false ? params : signAppProxyQuery(params, options.secret ?? stack.env.SHOPIFY_API_SECRET!);
  return `${stack.appUrl}/proxy/quote?${signed}`;
}

function loanQuoteCalls(amount?: number) {
  return stack.soisy.requests.filter(
    (r) => r.method === "GET" && r.path.endsWith("/loan-quotes") && (amount === undefined || r.query.amount === String(amount)),
  );
}

describe("GET /proxy/quote", () => {
  it("answers the quote computed from Soisy's loan-quotes (the simulator's own numbers), cacheable", async () => {
    const res = await fetch(quoteUrl({ amount: "149900" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(res.headers.get("server-timing")).toMatch(/^app;dur=\d+\.\d+, quote-cache;desc=miss$/);
    expect(await res.json()).toEqual(expectedAvailableQuote(149_900));
    const again = await fetch(quoteUrl({ amount: "149900" }));
    expect(again.headers.get("server-timing")).toMatch(/quote-cache;desc=hit$/);
    expect(loanQuoteCalls(149_900)).toHaveLength(1);
  });

  it("takes the instalments from the query", async () => {
    const res = await fetch(quoteUrl({ amount: "60000", instalments: "6", locale: "it" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { instalments: number; example: { instalment: number } };
    expect(body.instalments).toBe(6);
    expect(body.example.instalment).toBe(computeQuotes(60_000, 6, false).median.instalmentAmount);
  });

  it("out of the shop's range → available: false, out_of_range (no Soisy call)", async () => {
    const before = loanQuoteCalls().length;
    const res = await fetch(quoteUrl({ amount: String(DEFAULT_SHOP_OPTIONS.minAmountCents - 1) }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      available: false,
      reason: "out_of_range",
      minAmount: DEFAULT_SHOP_OPTIONS.minAmountCents,
      maxAmount: DEFAULT_SHOP_OPTIONS.maxAmountCents,
    });
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    expect(loanQuoteCalls()).toHaveLength(before);
  });

  it("a shop that is not ready → available: false, not_ready", async () => {
    const res = await fetch(quoteUrl({ amount: "50000" }, { shop: NOT_READY }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ available: false, reason: "not_ready" });
  });

  it("missing, wrong or stale signatures → 401 (and no Soisy call)", async () => {
    const before = loanQuoteCalls().length;
    const cases = [
      quoteUrl({ amount: "50000" }, { sign: false }),
      quoteUrl({ amount: "50000" }, { secret: "not-the-app-secret" }),
      quoteUrl({ amount: "50000" }, { timestamp: Math.floor(Date.now() / 1000) - 3_600 }),
      quoteUrl({ amount: "50000" }).replace("amount=50000", "amount=50001"),
      quoteUrl({ amount: "50000" }, { shop: "evil.example.com" }),
    ];
    for (const url of cases) {
      const res = await fetch(url);
      expect(res.status, url).toBe(401);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.json()).toMatchObject({ error: "unauthorized" });
    }
    expect(loanQuoteCalls()).toHaveLength(before);
  });

  it("a bad amount or instalments → 400 with the field", async () => {
    const queries: Array<Record<string, string>> = [{}, { amount: "abc" }, { amount: "0" }, { amount: "12.50" }, { amount: "10000001" }, { amount: "-5" }, { amount: "50000", instalments: "2" }, { amount: "50000", instalments: "61" }];
    for (const query of queries) {
      const res = await fetch(quoteUrl(query));
      expect(res.status, JSON.stringify(query)).toBe(400);
      const body = (await res.json()) as { error: string; fields: Record<string, string[]> };
      expect(body.error).toBe("invalid_request");
      expect(Object.keys(body.fields)).toEqual(["instalments" in query ? "instalments" : "amount"]);
    }
    // The maximum itself is valid input (then out of this shop's range).
    expect((await fetch(quoteUrl({ amount: "10000000" }))).status).toBe(200);
  });

  it("Soisy down → 503 soisy_unavailable, not cached by browsers; the app stays healthy and cached quotes still answer", async () => {
    stack.soisy.setFaults({ failNext: { count: 1_000, status: 500 }, match: "loan-quotes" });
    const res = await fetch(quoteUrl({ amount: "77700" }));
    expect(res.status).toBe(503);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ available: false, reason: "soisy_unavailable" });
    const calls = loanQuoteCalls(77_700).length;
    // Repeats within the short failure TTL do not hammer Soisy.
    for (let i = 0; i < 5; i++) expect((await fetch(quoteUrl({ amount: "77700" }))).status).toBe(503);
    expect(loanQuoteCalls(77_700)).toHaveLength(calls);
    expect((await fetch(`${stack.appUrl}/healthz`)).status).toBe(200);
    expect((await fetch(quoteUrl({ amount: "149900" }))).status).toBe(200);
  });

  it("load: 1,000 requests over 10 amounts at concurrency 20 → at most 10 loan-quotes calls", async () => {
    // Slow Soisy a little so many requests for one amount really are concurrent misses.
    stack.soisy.setFaults({ latencyMs: 150, match: "loan-quotes" });
    const amounts = Array.from({ length: 10 }, (_, i) => 200_000 + i * 1_111);
    const before = loanQuoteCalls().length;
    let next = 0;
    const statuses: number[] = [];
    const worker = async () => {
      while (next < 1_000) {
        const i = next++;
        const res = await fetch(quoteUrl({ amount: String(amounts[i % amounts.length]) }));
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(statuses).toHaveLength(1_000);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const calls = loanQuoteCalls().slice(before);
    expect(calls.length).toBeLessThanOrEqual(10);
    expect(new Set(calls.map((c) => c.query.amount)).size).toBe(calls.length);
  }, 60_000);

  it("a flood of distinct amounts on one Soisy account: at most the burst reaches Soisy, the rest 429 busy + Retry-After, no-store; hits and other accounts still answer", async () => {
    const floodCalls = () => stack.soisy.requests.filter((r) => r.method === "GET" && r.path === "/api/shops/floodshop/loan-quotes");
    const amounts = Array.from({ length: 45 }, (_, i) => 300_000 + i * 13);
    const started = Date.now();
    let next = 0;
    const answers: Array<{ amount: number; status: number; retryAfter: string | null; cacheControl: string | null; body: unknown }> = [];
    const worker = async () => {
      while (next < amounts.length) {
        const amount = amounts[next++]!;
        const res = await fetch(quoteUrl({ amount: String(amount) }, { shop: FLOOD }));
        answers.push({ amount, status: res.status, retryAfter: res.headers.get("retry-after"), cacheControl: res.headers.get("cache-control"), body: await res.json() });
      }
    };
    await Promise.all(Array.from({ length: 15 }, worker));
    // The bucket refills 0.1 token/s: at most one more over the test's few seconds.
    const refill = Math.floor(((Date.now() - started) / 1_000) * MISS_PER_SECOND);
    const quoted = answers.filter((a) => a.status === 200);
    const busy = answers.filter((a) => a.status === 429);
    expect(quoted.length + busy.length).toBe(amounts.length);
    expect(floodCalls()).toHaveLength(quoted.length);
    expect(quoted.length).toBeGreaterThanOrEqual(MISS_BURST);
    expect(quoted.length).toBeLessThanOrEqual(MISS_BURST + refill);
    for (const a of quoted) expect(a.body).toEqual(expectedAvailableQuote(a.amount));
    for (const a of busy) {
      expect(a.body).toEqual({ available: false, reason: "busy" });
      expect(a.cacheControl).toBe("no-store");
      // Whole seconds until one token is back: ≤ 1 / 0.1 per second.
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(a.retryAfter)).toBeLessThanOrEqual(1 / MISS_PER_SECOND);
      expect(a.retryAfter).toMatch(/^\d+$/);
    }
    // "busy" is not cached: the amount is still refused (and still no Soisy call).
    const again = await fetch(quoteUrl({ amount: String(busy[0]!.amount) }, { shop: FLOOD }));
    expect(again.status).toBe(429);
    expect(again.headers.get("server-timing")).toMatch(/quote-cache;desc=limited$/);
    // Cache hits are never limited.
    const hit = await fetch(quoteUrl({ amount: String(quoted[0]!.amount) }, { shop: FLOOD }));
    expect(hit.status).toBe(200);
    expect(hit.headers.get("server-timing")).toMatch(/quote-cache;desc=hit$/);
    expect(floodCalls()).toHaveLength(quoted.length);
    // Another Soisy account (the main shop's) is not affected.
    expect((await fetch(quoteUrl({ amount: "310001" }))).status).toBe(200);
  }, 30_000);
});

describe("a merchant's settings change reaches the very next quote", () => {
  /** Not "HeadlessChrome"-like: the Shopify library answers bots' admin requests with 410. */
  const BROWSER_UA = ADMIN_USER_AGENT;

  /** Saves the options form on /app/settings as the merchant's browser would (session cookie, same Origin). */
  async function saveOptions(options: typeof DEFAULT_SHOP_OPTIONS): Promise<void> {
    const form = new URLSearchParams({ intent: "saveOptions", ...optionsToForm(options) });
    const res = await fetch(`${stack.appUrl}/app/settings?_data=routes%2Fapp.settings`, {
      method: "POST",
      headers: {
        "user-agent": BROWSER_UA,
        origin: stack.appUrl,
        cookie: adminSessionCookieHeader(stack.env.SHOPIFY_API_SECRET!, stack.shop),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: form,
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { notices: Array<{ key: string }> };
    expect(body.notices.map((n) => n.key)).toContain("settings.saved");
  }

  afterAll(async () => {
    await saveOptions(DEFAULT_SHOP_OPTIONS);
  });

  it("raising the minimum and switching zero-interest on: the next /proxy/quote answers with the new settings", async () => {
    // The endpoint keeps a shop's settings in memory for a few seconds (no DB read on the hit path):
    // these requests load them, so only the settings action's invalidation can make the next answer fresh.
    const belowNewMin = 30_000;
    const before = await fetch(quoteUrl({ amount: String(belowNewMin) }));
    expect(await before.json()).toMatchObject({ available: true, zeroInterest: false, minAmount: DEFAULT_SHOP_OPTIONS.minAmountCents });
    const cachedAt = Date.now();

    await saveOptions({ ...DEFAULT_SHOP_OPTIONS, minAmountCents: 50_000, zeroInterest: true });

    const below = await fetch(quoteUrl({ amount: String(belowNewMin) }));
    expect(below.status).toBe(200);
    expect(await below.json()).toEqual({ available: false, reason: "out_of_range", minAmount: 50_000, maxAmount: DEFAULT_SHOP_OPTIONS.maxAmountCents });
    const zero = await fetch(quoteUrl({ amount: "149900" }));
    expect(zero.status).toBe(200);
    const quote = (await zero.json()) as { zeroInterest: boolean; example: { instalment: number; tan: number; taeg: number; zeroInterest: boolean } };
    expect(quote.zeroInterest).toBe(true);
    expect(quote.example).toMatchObject({ instalment: computeQuotes(149_900, 12, true).median.instalmentAmount, tan: 0, taeg: 0, zeroInterest: true });
    // Proves something only while the old settings would still be cached (5 s).
    expect(Date.now() - cachedAt).toBeLessThan(5_000);
  });

  it("lowering the minimum back: the amount is quoted again at once", async () => {
    await saveOptions({ ...DEFAULT_SHOP_OPTIONS, minAmountCents: 50_000 });
    expect(await (await fetch(quoteUrl({ amount: "30000" }))).json()).toMatchObject({ available: false, reason: "out_of_range" });
    await saveOptions(DEFAULT_SHOP_OPTIONS);
    const res = await fetch(quoteUrl({ amount: "30000" }));
    expect(await res.json()).toMatchObject({ available: true, amount: 30_000, zeroInterest: false, minAmount: DEFAULT_SHOP_OPTIONS.minAmountCents });
  });
});
