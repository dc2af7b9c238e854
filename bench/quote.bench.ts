// `npm run bench`: the instalment-widget quote's cache-hit path — the service with a real database
// (read once, then the settings cache) and the Soisy simulator (called once per amount, when warming),
// and the app-proxy signature check every request pays.
import { afterAll, bench, describe } from "vitest";
import { logger } from "~/logger.server";
import { getWidgetQuote, QuoteCache, type QuoteDeps } from "~/quotes/quote-service.server";
import { generateKeyMaterial, parseKeyring } from "~/security/encryption.server";
import { signAppProxyQuery, verifyAppProxyQuery } from "~/shopify/app-proxy.server";
import { configureShop } from "../scripts/lib/local-stack";
import { createTestDatabase } from "../test/helpers/database";
import { startSoisySimulator } from "../test/simulators/soisy";

const SHOP = "bench-shop.myshopify.com";
const SECRET = "bench-secret";
const sim = await startSoisySimulator();
process.env.SOISY_API_URL = sim.url;
const database = await createTestDatabase();
await configureShop(database.db, parseKeyring(generateKeyMaterial()), SHOP, "shpat_bench");
const deps: QuoteDeps = { db: database.db, logger: logger.child({}, { level: "silent" }), cache: new QuoteCache({ ttlMs: 3_600_000 }) };
const amounts = Array.from({ length: 10 }, (_, i) => 20_000 + i * 7_919);
for (const amountCents of amounts) await getWidgetQuote(deps, { shop: SHOP, amountCents });
const warmCalls = sim.requests.length;
const signed = signAppProxyQuery(
  new URLSearchParams({ amount: "49900", shop: SHOP, logged_in_customer_id: "", path_prefix: "/apps/soisy", timestamp: String(Math.floor(Date.now() / 1000)) }),
  SECRET,
);

afterAll(async () => {
  if (sim.requests.length !== warmCalls) throw new Error(`the cache-hit benchmark called Soisy ${sim.requests.length - warmCalls} times`);
  await sim.close();
  await database.cleanup();
});

let i = 0;
describe("instalment widget quote (cache hit)", () => {
  bench("getWidgetQuote, one amount", async () => {
    await getWidgetQuote(deps, { shop: SHOP, amountCents: amounts[0]! });
  });
  bench("getWidgetQuote, 10 amounts in turn", async () => {
    await getWidgetQuote(deps, { shop: SHOP, amountCents: amounts[i++ % amounts.length]! });
  });
  bench("verifyAppProxyQuery (HMAC-SHA256 + timingSafeEqual)", () => {
    if (!verifyAppProxyQuery(signed, SECRET).ok) throw new Error("bad signature");
  });
});
