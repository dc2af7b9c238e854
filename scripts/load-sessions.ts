// `npm run load:sessions`: a simple load test of the payment session route (the production build
// on SQLite, with the Soisy simulator answering instantly). Prints latency percentiles for the app's
// own time (Server-Timing "app", i.e. excluding Soisy's time) and for the whole request.
//   npm run load:sessions -- [--requests 1000] [--concurrency 8] [--database-url postgresql://…]
import { randomBytes } from "node:crypto";
import { parseLoadArgs, printSummary, runConcurrently, runMain, startLoadStack } from "./lib/load-run";
import { paymentSessionBody } from "./lib/payment-session-body";

const { requests, concurrency, databaseUrl } = parseLoadArgs({ requests: 1000, concurrency: 8 });

const SHOP = "load-test.myshopify.com";

function sessionBody(id: string) {
  return paymentSessionBody(id, { shop: "load-test.myshopify.com", amount: "1234.56" });
}

runMain(async () => {
  const stack = await startLoadStack({ shop: SHOP, apiSecret: "load-secret", databaseUrl, tmpPrefix: "soisy-load-" });
  const appUrl = stack.appUrl;

  const post = async (body: unknown) => {
    const started = performance.now();
    const res = await fetch(`${appUrl}/payments/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", "shopify-shop-domain": SHOP, "shopify-api-version": "2026-04", ...stack.proofHeaders },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    const total = performance.now() - started;
    if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
    const timing = res.headers.get("server-timing") ?? "";
    const app = Number(/app;dur=([\d.]+)/.exec(timing)?.[1]);
    const soisyMs = Number(/soisy;dur=([\d.]+)/.exec(timing)?.[1]);
    return { total, app, soisy: soisyMs };
  };
  const runBatch = (bodies: unknown[]) => runConcurrently(bodies.length, concurrency, (i) => post(bodies[i]));

  try {
    const ids = Array.from({ length: requests }, (_, i) => `load${i}x${randomBytes(6).toString("hex")}`);
    await runBatch(Array.from({ length: 50 }, (_, i) => sessionBody(`warmup${i}x${randomBytes(4).toString("hex")}`)));
    const started = performance.now();
    const bodies = ids.map(sessionBody);
    const fresh = await runBatch(bodies);
    const seconds = (performance.now() - started) / 1000;
    const replays = await runBatch(bodies);
    console.log(`\npayment session route — ${requests} new sessions, concurrency ${concurrency}, ${stack.databaseKind}, ${(requests / seconds).toFixed(0)} req/s`);
    printSummary("new session: app time (excl. Soisy)", fresh.map((r) => r.app));
    printSummary("new session: Soisy call (simulator)", fresh.map((r) => r.soisy));
    printSummary("new session: whole request (client-side)", fresh.map((r) => r.total));
    printSummary("replayed id (idempotent answer): app time", replays.map((r) => r.app));
  } finally {
    await stack.close();
  }
});
