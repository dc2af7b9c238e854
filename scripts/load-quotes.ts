// `npm run load:quotes`: load test of the instalment widget's quote endpoint (GET /proxy/quote, as
// Shopify's app proxy forwards it, signed). Starts the production build on SQLite (or the given
// database) with the Soisy simulator, warms 10 amounts (one Soisy call each), then fires N signed
// requests over those amounts and prints cache-hit latency percentiles — client side (whole HTTP
// request) and app side (Server-Timing "app") — and how many loan-quotes calls Soisy received.
//   npm run load:quotes -- [--requests 5000] [--concurrency 20] [--database-url postgresql://…]
// APP_BUILD_DIR selects the build served (default build/); it is built when missing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startSoisySimulator } from "../test/simulators/soisy";
import { createDb, tuneDatabase } from "../app/db.server";
import { generateKeyMaterial, parseKeyring } from "../app/security/encryption.server";
import { signAppProxyQuery } from "../app/shopify/app-proxy.server";
import { configureShop, freePort, repoRoot, spawnApp, stopProcess } from "./lib/local-stack";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    concurrency: { type: "string", default: "20" },
    "database-url": { type: "string" },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(requests) || requests < 10 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error("--requests must be an integer ≥ 10 and --concurrency ≥ 1");
  process.exit(2);
}

const SHOP = "load-quotes.myshopify.com";
const SECRET = "load-quotes-secret";
const AMOUNTS = Array.from({ length: 10 }, (_, i) => 19_900 + i * 12_345);
const buildDir = process.env.APP_BUILD_DIR || "build";
const dir = mkdtempSync(path.join(os.tmpdir(), "soisy-load-quotes-"));
const databaseUrl = values["database-url"] ?? `file:${path.join(dir, "load.sqlite")}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function summary(label: string, samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(2).padStart(8);
  console.log(`${label.padEnd(40)} n=${String(s.length).padStart(6)}  p50 ${f(percentile(s, 50))}  p95 ${f(percentile(s, 95))}  p99 ${f(percentile(s, 99))}  max ${f(s.at(-1)!)}  (ms)`);
}

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

async function main() {
  if (!existsSync(path.join(repoRoot, buildDir, "server/index.js"))) {
    console.log(`building the app into ${buildDir}…`);
    execFileSync(process.execPath, [path.join(repoRoot, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"], { cwd: repoRoot, stdio: "ignore" });
  }
  execFileSync(process.execPath, [path.join(repoRoot, "node_modules/prisma/build/index.js"), "migrate", "deploy"], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: "ignore",
  });
  const encryptionKey = generateKeyMaterial();
  const db = createDb(databaseUrl);
  await tuneDatabase(db, databaseUrl);
  await configureShop(db, parseKeyring(encryptionKey), SHOP, "shpat_load");
  const soisy = await startSoisySimulator();
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const app = await spawnApp({
    port,
    // remix-serve logs every request: not read here (a piped, unread stdout would only buffer up).
    stdio: "ignore",
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      APP_ENCRYPTION_KEY: encryptionKey,
      SHOPIFY_API_KEY: "load",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: appUrl,
      SHOPIFY_PAYMENTS_API_URL: "http://127.0.0.1:9/shops/{shop}",
      SOISY_API_URL: soisy.url,
      JOBS_DISABLED: "true",
      LOG_LEVEL: "warn",
    },
  });

  const get = async (amount: number) => {
    const url = signedUrl(appUrl, amount);
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
    const warmCalls = soisy.requests.filter((r) => r.path.endsWith("/loan-quotes")).length;
    // A few hundred unmeasured requests so the JIT settles.
    for (let i = 0; i < 200; i++) await get(AMOUNTS[i % AMOUNTS.length]!);

    const results: Array<{ total: number; app: number; cache: string }> = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) results.push(await get(AMOUNTS[next++ % AMOUNTS.length]!));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const soisyCalls = soisy.requests.filter((r) => r.path.endsWith("/loan-quotes")).length;
    const hits = results.filter((r) => r.cache === "hit").length;
    console.log(
      `\nquote endpoint (cache hits) — ${requests} signed requests over ${AMOUNTS.length} amounts, concurrency ${concurrency}, ` +
        `${databaseUrl.startsWith("file:") ? "SQLite" : "PostgreSQL"}, ${(requests / seconds).toFixed(0)} req/s`,
    );
    summary("cache hit: app time (Server-Timing)", results.map((r) => r.app));
    summary("cache hit: whole request (client-side)", results.map((r) => r.total));
    console.log(`cache hits: ${hits}/${results.length}`);
    console.log(`Soisy loan-quotes calls: ${soisyCalls} (warming: ${warmCalls}, during the load: ${soisyCalls - warmCalls})`);
  } finally {
    await stopProcess(app);
    await soisy.close();
    await db.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
