// `npm run load:quotes`: load test of the instalment widget's quote endpoint (GET /proxy/quote, as
// Shopify's app proxy forwards it, signed). Starts the production build on SQLite (or the given
// database) with the Soisy simulator, warms 10 amounts (one Soisy call each), then fires N signed
// requests over those amounts and prints cache-hit latency percentiles — client side (whole HTTP
// request) and app side (Server-Timing "app") — and how many loan-quotes calls Soisy received.
//   npm run load:quotes -- [--requests 5000] [--concurrency 20] [--database-url postgresql://…]
// APP_BUILD_DIR selects the build served (default build/); it is built when missing.
import { signAppProxyQuery } from "../app/shopify/app-proxy.server";
import { parseLoadArgs, printSummary, runConcurrently, runMain, startLoadStack } from "./lib/load-run";

const { requests, concurrency, databaseUrl } = parseLoadArgs({ requests: 5000, concurrency: 20 });

const SHOP = "load-quotes.myshopify.com";
const SECRET = "load-quotes-secret";
const AMOUNTS = Array.from({ length: 10 }, (_, i) => 19_900 + i * 12_345);

function signedUrl(appUrl: string, amount: number): string {
  const params = new URLSearchParams({
    amount: String(amount),
    shop: SHOP,
    logged_in_customer_id: "",
    path_prefix: "/apps/soisy",
    timestamp: String(Math.floor(Date.now() / 1000)),
  });
  return `${appUrl}/proxy/quote?${signAppProxyQuery(params, SECRET)}`;
}

runMain(async () => {
  const stack = await startLoadStack({ shop: SHOP, apiSecret: SECRET, databaseUrl, tmpPrefix: "soisy-load-quotes-" });
  const loanQuoteCalls = () => stack.soisy.requests.filter((r) => r.path.endsWith("/loan-quotes")).length;

  const get = async (amount: number) => {
    const url = signedUrl(stack.appUrl, amount);
    const started = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    const total = performance.now() - started;
    if (res.status !== 200) throw new Error(`HTTP ${res.status} for amount ${amount}`);
    const timing = res.headers.get("server-timing") ?? "";
    return { total, app: Number(/app;dur=([\d.]+)/.exec(timing)?.[1]), cache: /quote-cache;desc=(\w+)/.exec(timing)?.[1] ?? "?" };
  };

  try {
    for (const amount of AMOUNTS) await get(amount);
    const warmCalls = loanQuoteCalls();
    // A few hundred unmeasured requests so the JIT settles.
    for (let i = 0; i < 200; i++) await get(AMOUNTS[i % AMOUNTS.length]!);

    const started = performance.now();
    const results = await runConcurrently(requests, concurrency, (i) => get(AMOUNTS[i % AMOUNTS.length]!));
    const seconds = (performance.now() - started) / 1000;
    const soisyCalls = loanQuoteCalls();
    const hits = results.filter((r) => r.cache === "hit").length;
    console.log(
      `\nquote endpoint (cache hits) — ${requests} signed requests over ${AMOUNTS.length} amounts, concurrency ${concurrency}, ` +
        `${stack.databaseKind}, ${(requests / seconds).toFixed(0)} req/s`,
    );
    printSummary("cache hit: app time (Server-Timing)", results.map((r) => r.app));
    printSummary("cache hit: whole request (client-side)", results.map((r) => r.total));
    console.log(`cache hits: ${hits}/${results.length}`);
    console.log(`Soisy loan-quotes calls: ${soisyCalls} (warming: ${warmCalls}, during the load: ${soisyCalls - warmCalls})`);
  } finally {
    await stack.close();
  }
});
